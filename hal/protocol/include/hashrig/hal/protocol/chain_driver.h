// The BM13xx chain driver as an I/O-free state machine, shared by the host (direct
// chains) and the firmware (its MCU runs the chain): bytes and time in, operations out
// (write these bytes, switch the UART rate, drive the reset line), nonces and status as
// values. No heap, no exceptions: fixed tables of at most 256 chips and 128 job slots.
//
//   driver.Start(now);
//   loop: op = driver.Poll(now); perform op; driver.OnBytes(read bytes, now);
//         while (driver.NextNonce(n)) { verify n, then driver.RecordVerdict(n.chip, ok); }
//
// Sequence (reference bm13xx-protocol.md §2, §3): hardware reset → response-format
// switch (0xA4) → enumeration by a broadcast CHIP_ID read (chip id checked, missing or
// surplus chips reported) → the model's pre-address writes → chain inactive → addresses
// (interval 256 / chips) → per-chip core setup and CHIP_NONCE_OFFSET → ticket mask →
// stepped frequency ramp → HASH_COUNTING_NUMBER → version mask → baud switch → mining.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>

#include "hashrig/base/status.h"
#include "hashrig/hal/protocol/chip.h"
#include "hashrig/hal/protocol/frames.h"

namespace hashrig::hal::protocol {

using Micros = std::chrono::microseconds;  // driver time: any monotonic epoch

inline constexpr int kMaxChips = 256;
inline constexpr int kJobSlots = 128;

struct DriverConfig {
  ChipModel model = ChipModel::kBm1370;
  int expected_chips = 1;
  Megahertz frequency{525};
  // Chips report nonces at this difficulty. Real chips take powers of two >= 1; below 1
  // the driver writes the simulation-only register (reg::kSimTicketTopWord) instead.
  double ticket_difficulty = 256;
  std::uint32_t version_mask = 0x1fffe000;  // pool mask; 0: no version rolling
  bool fast_baud = true;                    // switch to the model's fast rate at the end
  Micros reset_hold{100'000};
  Micros enumeration_silence{1'000'000};  // discovery ends after this much silence
  Megahertz ramp_step{6.25};
  Micros ramp_step_delay{100'000};
  Micros dead_after{60'000'000};  // no nonce for this long: poll the chip
  int max_reinit = 3;
};

enum class ChainState : std::uint8_t {
  kIdle,
  kResetting,
  kEnumerating,
  kConfiguring,
  kMining,
  kFailed
};
const char* ToString(ChainState state);

struct Operation {
  enum class Kind : std::uint8_t { kNone, kWrite, kSetBaud, kReset };
  Kind kind = Kind::kNone;
  std::array<std::uint8_t, kMidstateJobFrameSize> bytes{};
  std::size_t size = 0;
  std::uint32_t baud = 0;       // kSetBaud
  bool reset_asserted = false;  // kReset: drive nRST low (true) or release it
  std::span<const std::uint8_t> data() const { return {bytes.data(), size}; }
};

struct ChipStats {
  std::uint8_t address = 0;
  std::uint32_t nonces = 0;
  std::uint32_t hardware_errors = 0;  // nonces that failed the ticket target
  Micros last_nonce{0};
  bool alive = true;
};

struct NonceEvent {
  int chip = 0;             // chain position
  std::uint32_t token = 0;  // the caller's token for the job (SendJob)
  std::uint8_t job_id = 0;
  std::uint8_t small_core = 0;
  std::uint8_t core = 0;  // wire byte 2 >> 1
  std::uint32_t nonce = 0;
  std::uint32_t version = 0;  // the full header version the chip hashed
  double ticket_difficulty = 0;
};

class ChainDriver {
 public:
  explicit ChainDriver(const DriverConfig& config);

  void Start(Micros now);
  // Holds the chain: no more work or polling until the next Start (thermal stop).
  void Idle();
  // New settings for the next Start (e.g. a lower clock after an overheat).
  void Reconfigure(const DriverConfig& config) { config_ = config; }
  Operation Poll(Micros now);
  void OnBytes(std::span<const std::uint8_t> bytes, Micros now);

  // Queues work; returns the job id used. `version` is the job's header version (for
  // BM1397 the version of midstate 0, later midstates are masked increments).
  Result<std::uint8_t> SendJob(const HeaderJob& job, std::uint32_t token);
  Result<std::uint8_t> SendJob(const MidstateJob& job, std::uint32_t version, std::uint32_t token);
  bool NextNonce(NonceEvent& out);
  // The caller checked a nonce's hash against the ticket: count it for that chip.
  void RecordVerdict(int chip, bool meets_ticket);

  ChainState state() const { return state_; }
  Status status() const { return status_; }
  int chips_found() const { return found_; }
  int expected_chips() const { return config_.expected_chips; }
  int missing_chips() const {
    return found_ < config_.expected_chips ? config_.expected_chips - found_ : 0;
  }
  int surplus_chips() const {
    return found_ > config_.expected_chips ? found_ - config_.expected_chips : 0;
  }
  const ChipStats& chip(int position) const { return chips_[static_cast<std::size_t>(position)]; }
  std::uint32_t host_baud() const { return baud_; }
  std::uint32_t bad_crc() const { return decoder_.bad_crc(); }
  int reinit_count() const { return reinits_; }
  double ticket_difficulty() const;
  const DriverConfig& config() const { return config_; }

 private:
  struct JobSlot {
    bool valid = false;
    std::uint32_t token = 0;
    std::uint32_t version = 0;
    std::uint32_t starting_nonce = 0;  // chips count from here plus their offset
  };

  Operation Write(const CommandFrame& frame) const;
  Operation ResetStep(Micros now);
  Operation EnumerateStep(Micros now);
  bool ConfigOp(std::size_t step, Operation& op, Micros& delay) const;
  void Fail(Status status);
  void OnResponse(const Response& r, Micros now);
  void OnNonce(const Response& r, Micros now);
  Operation CheckDeadChips(Micros now);
  int ChipForNonce(std::uint32_t nonce, std::uint32_t starting_nonce) const;
  int Interval() const;

  DriverConfig config_;
  ChainState state_ = ChainState::kIdle;
  Status status_;
  ResponseDecoder decoder_;
  Micros next_at_{0};
  Micros last_response_{0};
  std::size_t step_ = 0;
  std::uint32_t baud_ = kResetBaud;
  int found_ = 0;
  int reinits_ = 0;
  std::array<ChipStats, kMaxChips> chips_{};
  std::array<JobSlot, kJobSlots> slots_{};
  std::uint8_t next_job_id_ = 0;
  Operation pending_job_;
  std::array<NonceEvent, 64> events_{};
  std::size_t events_head_ = 0;
  std::size_t events_size_ = 0;
  int poll_chip_ = -1;  // a chip being checked for life
  Micros poll_sent_{0};
};

}  // namespace hashrig::hal::protocol
