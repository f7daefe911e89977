// What a chain controller needs of a chip family's driver (BM13xx today, Canaan's MM
// modules next): an I/O-free state machine — bytes and time in, operations out, nonces
// and status as values. The vocabulary every chain speaks crosses here: ChainState,
// Operation, NonceEvent, ChipCounters. Freestanding (no heap, no exceptions): the
// firmware runs it on its MCU, the host on a chain thread.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>

#include "hashrig/base/names.h"
#include "hashrig/base/status.h"
#include "hashrig/base/units.h"
#include "hashrig/hal/protocol/chain/stratum_job.h"

namespace hashrig::hal::protocol {

using Micros = std::chrono::microseconds;  // driver time: any monotonic epoch

inline constexpr int kMaxChips = 256;

// Where a chain is. kDown is never a driver's: the host says it when the link is gone.
enum class ChainState : std::uint8_t {
  kIdle,
  kResetting,
  kEnumerating,
  kConfiguring,
  kMining,
  kFailed,
  kDown,
};
inline constexpr EnumName<ChainState> kChainStateNames[] = {
    {ChainState::kIdle, "idle"},
    {ChainState::kResetting, "resetting"},
    {ChainState::kEnumerating, "enumerating"},
    {ChainState::kConfiguring, "configuring"},
    {ChainState::kMining, "mining"},
    {ChainState::kFailed, "failed"},
    {ChainState::kDown, "down"},
};
constexpr const char* ToString(ChainState s) { return NameOf(kChainStateNames, s); }
// Starting up: on its way to mining by itself.
constexpr bool IsStarting(ChainState s) {
  return s == ChainState::kResetting || s == ChainState::kEnumerating ||
         s == ChainState::kConfiguring;
}

inline constexpr std::size_t kMaxOperationBytes = 160;  // the largest frame a driver writes

struct Operation {
  enum class Kind : std::uint8_t { kNone, kWrite, kSetBaud, kReset, kSetFan };
  Kind kind = Kind::kNone;
  std::array<std::uint8_t, kMaxOperationBytes> bytes{};
  std::size_t size = 0;
  std::uint32_t baud = 0;       // kSetBaud
  bool reset_asserted = false;  // kReset: drive nRST low (true) or release it
  Percent fan{};                // kSetFan (a chain controller's, never a driver's)
  std::span<const std::uint8_t> data() const { return {bytes.data(), size}; }
};

// A chip's counters, the one shape every layer reports (driver, board link, API).
struct ChipCounters {
  ChipAddress address{};
  std::uint32_t nonces = 0;
  std::uint32_t hardware_errors = 0;  // nonces that failed the ticket target
  bool alive = true;
};

struct NonceEvent {
  int chip = 0;  // chain position
  WorkToken token{};
  std::uint8_t job_id = 0;
  std::uint8_t small_core = 0;
  std::uint8_t core = 0;
  Nonce nonce{};
  Version version{};  // the full header version the chip hashed
  double ticket_difficulty = 0;
  // Job work (ChainWork::job): the nonce2 and the full ntime the module rolled.
  std::uint32_t nonce2 = 0;
  std::uint32_t ntime = 0;
};

// Settings a chain runs at, applied at its next Start.
struct ChainSettings {
  Megahertz frequency{};
  double ticket_difficulty = 256;
  std::uint32_t version_mask = 0;
};

// Work as the scheduler hands it to a chain: one 80-byte header (nonce field ignored,
// version the job's) that the driver turns into its chips' form, and the version bits
// the pool lets the chips roll (BIP310; 0: none) — a change is written to the chips
// before the job. kKeepVersionMask: the chain's configured mask.
inline constexpr std::uint32_t kKeepVersionMask = 0xFFFFFFFFu;
//
// Chains that build their own headers (Canaan's MM modules) take the job instead: `job`
// (kept alive by the caller, chain/stratum_job.h) and the nonce2 values they may roll,
// [nonce2_start, nonce2_start + nonce2_range). `header` is then unused.
struct ChainWork {
  WorkToken token{};
  std::array<std::uint8_t, 80> header{};
  std::uint32_t version_mask = kKeepVersionMask;
  const StratumJob* job = nullptr;
  std::uint32_t nonce2_start = 0;
  std::uint32_t nonce2_range = 0;
};

class ChipDriver {
 public:
  virtual void Start(Micros now) = 0;  // reset and initialise the chain
  virtual void Idle() = 0;             // no more work or polling until the next Start
  virtual void Apply(const ChainSettings& settings) = 0;  // for the next Start
  virtual Operation Poll(Micros now) = 0;
  virtual void OnBytes(std::span<const std::uint8_t> bytes, Micros now) = 0;
  virtual Status SendWork(const ChainWork& work) = 0;  // only while mining
  // A new ticket difficulty while mining (policy/ticket.h): written to the chips at once;
  // a nonce is accounted at the lower of its job's ticket and the chips' (never a false
  // hardware error, never more work than was done). Kept for the next Start.
  virtual void SetTicket(double difficulty) = 0;
  virtual bool NextNonce(NonceEvent& out) = 0;
  // The caller checked a nonce's hash against the ticket: count it for that chip.
  virtual void RecordVerdict(int chip, bool meets_ticket) = 0;
  // The header a nonce completes, from the work it was found on.
  virtual std::array<std::uint8_t, 80> HeaderFor(const ChainWork& work,
                                                 const NonceEvent& nonce) const = 0;

  virtual ChainState state() const = 0;
  virtual Status status() const = 0;  // the latest problem (a missing chip, …), or ok
  virtual int chips_found() const = 0;
  virtual int expected_chips() const = 0;
  virtual ChipCounters chip(int position) const = 0;
  virtual ChainSettings settings() const = 0;

 protected:
  ~ChipDriver() = default;  // never deleted through this interface (no heap on the MCU)
};

}  // namespace hashrig::hal::protocol
