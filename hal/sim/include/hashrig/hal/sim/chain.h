// A simulated BM13xx chain that consumes the real wire bytes and answers as the chips
// do (reference bm13xx-protocol.md): frames with a bad CRC are ignored; chain inactive,
// address assignment down the chain, register reads and writes; the baud register
// switches the chain's UART (a host at another rate gets garbage both ways); PLL, HCN,
// ticket mask and version rolling shape the work. Each chip searches its part of the
// nonce space (from the job's starting nonce plus its CHIP_NONCE_OFFSET) and its part of
// the version space with the real sha256 core, at the chip's simulated rate (frequency x
// small cores) capped by a CPU budget, and reports the nonces that meet its ticket.
// Pure: bytes and time in, bytes out; hal/sim/README.md documents the conventions.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <vector>

#include "hashrig/hal/protocol/bm13xx/chip.h"
#include "hashrig/hal/protocol/bm13xx/frames.h"

namespace hashrig::hal::sim {

using protocol::ChipModel;

struct ChainConfig {
  ChipModel model = ChipModel::kBm1370;
  int chips = 1;
  // Real SHA-256 work the whole chain may do per second of simulated time; each chip
  // hashes at min(its nominal rate, this / chips).
  double cpu_hashes_per_second = 4e6;
  std::uint64_t seed = 1;
  // The most hashing one Advance does: time beyond it (a descheduled thread, a loaded
  // machine) is lost work — a lower hashrate, honestly reported — never a backlog.
  std::chrono::milliseconds max_catch_up{50};
};

// Faults to inject, per chain or per chip (STYLE R13: behavioural fakes).
struct Faults {
  double corrupt_byte_rate = 0;   // each byte to the host flipped with this probability
  double drop_response_rate = 0;  // each response silently lost
  std::chrono::milliseconds response_delay{0};
  std::vector<int> dead_chips;       // chain positions that never answer nor hash
  std::vector<int> bad_nonce_chips;  // positions that report nonces failing their ticket
  // The chips stay at their reset rate whatever is written to their baud register (a
  // chip whose fast UART clock does not come up): a host must notice and talk at 115,200.
  bool rate_switch_ignored = false;
};

struct ChipCounters {
  std::uint64_t hashes = 0;
  std::uint64_t nonces = 0;
};

// A run of host bytes and the rate they went at (see Chain::Receive).
struct HeardRun {
  std::uint32_t baud = 0;
  std::size_t bytes = 0;
};

class Chain {
 public:
  explicit Chain(ChainConfig config);
  ~Chain();
  Chain(Chain&&) noexcept;
  Chain& operator=(Chain&&) noexcept;

  // Bytes from the host, sent at `host_baud`. `or_baud` (non-zero): the host changed its
  // rate from `or_baud` while these bytes were in flight (a PTY carries no timing, and a
  // starved simulator reads late). Bytes written before that change went at `or_baud`,
  // and only one thing explains them: a host that told the chips to switch rates and then
  // switched itself (bm13xx-protocol.md §1.6). So the leading bytes through the first
  // frame that switches the chips' rate went at `or_baud` if the chips listen there; every
  // other byte went at `host_baud` (a host that switched to talk at `host_baud` to chips
  // left at `or_baud` is not heard, however soon after its change it wrote). Returns the
  // rate each byte went at, in runs.
  std::vector<HeardRun> Receive(std::span<const std::uint8_t> bytes, std::uint32_t host_baud,
                                std::uint32_t or_baud = 0);
  // Simulated time passes: chips hash and queue their nonce responses.
  void Advance(std::chrono::nanoseconds elapsed);
  // Bytes the chain has sent, as a host listening at `host_baud` (or, non-zero, `or_baud`:
  // see Receive) receives them.
  std::vector<std::uint8_t> TakeOutput(std::uint32_t host_baud, std::uint32_t or_baud = 0);
  // The nRST line: every chip back to power-on state (addresses, registers, baud).
  void HardwareReset();

  void SetFaults(Faults faults);
  // The host rate that matches the chain's current UART rate.
  std::uint32_t host_baud() const;
  int chip_count() const;
  // The chip has work and hashes (not dead).
  bool hashing(int position) const;
  ChipCounters counters(int position) const;
  std::uint8_t address(int position) const;
  Megahertz frequency(int position) const;
  std::uint32_t bad_crc_frames() const;
  const ChainConfig& config() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace hashrig::hal::sim
