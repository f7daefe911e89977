// What the scheduler sees of a board (DESIGN.md): a chain that takes work and returns
// nonces, whether the host drives the chips itself (sim, serial, usb, tcp), the CPU
// hashes, or a board running our firmware does.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace hashrig::host {

struct ChainWork {
  std::uint32_t token = 0;                // the scheduler's id for this work
  std::array<std::uint8_t, 80> header{};  // nonce field zero; version = the job's
  std::uint32_t version_mask = 0;         // bits the chain may roll
  double difficulty = 1;                  // the job's share difficulty
};

struct FoundNonce {
  std::uint32_t token = 0;
  int chip = 0;
  std::uint32_t nonce = 0;
  std::uint32_t version = 0;     // the full header version hashed
  double ticket_difficulty = 1;  // every nonce counts as this much work
};

struct ChipStatus {
  int position = 0;
  std::uint8_t address = 0;
  std::uint64_t nonces = 0;
  std::uint64_t hardware_errors = 0;
  bool alive = true;
};

struct ChainStatus {
  std::string state;  // "starting", "mining", "failed: ..."
  int chips = 0;
  bool mining = false;
  double temperature_c = 0;  // hottest sensor; NaN: failed
  double fan_percent = 0;
  double frequency_mhz = 0;
  std::vector<ChipStatus> chip_stats;  // per chip, where the host drives the chips
};
std::string Describe(const ChainStatus& status);
std::string Describe(const ChainStatus& status);

class HashChain {
 public:
  virtual ~HashChain() = default;
  virtual std::string name() const = 0;
  // What it is, for the log ("a hashrig board …, firmware 3"); empty if the name says it.
  virtual std::string description() const { return {}; }
  virtual void Start() = 0;
  // New work replaces the old at once (clean jobs reach every chain this way).
  virtual void SetWork(const ChainWork& work) = 0;
  // Runs the chain for up to `budget` and appends what it found.
  virtual void Poll(std::chrono::milliseconds budget, std::vector<FoundNonce>& found) = 0;
  virtual ChainStatus status() const = 0;
  // The scheduler checked a nonce from `chip` against its ticket (hardware error if not).
  virtual void RecordVerdict(int chip, bool meets_ticket) {
    (void)chip;
    (void)meets_ticket;
  }
};

}  // namespace hashrig::host
