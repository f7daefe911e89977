// A simulated Canaan Avalon rig at the wire level (reference avalon-protocol.md, "the
// reference"): 1..6 MM modules of one generation (Avalon 7, 8, LC3 or 10 "1041") on one
// bus, reached either
//   - on a raw byte stream: 40-byte CN packets whose OPT is the module id, 0 = every
//     module (§8b.1); each reply is one CN packet, or
//   - through a simulated AUC (§2): the host's AUC requests (RESET, DEINIT, INIT, INFO as
//     64 zero-padded bytes, XFER as its own length) and the AUC's replies; an XFER's slave
//     address is the module id and OPT stays 0.
// Every packet goes through the codec (hal/protocol/avalon). The modules answer DETECT,
// SYNC, configuration and POLLING as hal/sim/README.md "Avalon" describes, build their work
// from the job packets as an MM does (§4.2: nonce2 into the coinbase, the midstate
// finished, the branch folded, ntime and — Avalon 10 — the four VMASK versions rolled) and
// hash for real with the project's SHA-256 core, reporting every nonce whose sha256d meets
// the TARGET exactly (§8b.3). Telemetry comes from a thermal/power model of the module.
// Pure: bytes and time in, bytes out; no threads, no I/O, no clock.
//
//   AvalonBus bus({.generation = Generation::kAvalon10, .modules = 2});
//   bus.Receive(Encode(Detect{1}) wire bytes);   // answered by one fresh module
//   auto reply = bus.TakeOutput();                // its ACKDETECT
//   ... SYNC, SET ..., the job packets, then POLLING to id 1 while bus.Advance(10ms) ...
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hashrig/base/units.h"
#include "hashrig/hal/protocol/avalon/config.h"
#include "hashrig/hal/protocol/avalon/generation.h"

namespace hashrig::hal::sim {

using protocol::avalon::Dna;
using protocol::avalon::Generation;

inline constexpr int kAvalonMaxModules = 6;  // one AUC serves module ids 1..6 (§1.1)

// A module gone from the bus for a while (simulated time since the bus was made): absent
// in [from, until), then back at power-on (no id: the host must detect it again).
struct AvalonOutage {
  int module = 0;  // position on the bus, 0-based
  std::chrono::nanoseconds from{0};
  std::chrono::nanoseconds until{0};
};

// Faults to inject (STYLE R13). Each probability is per reply the bus sends.
struct AvalonFaults {
  double garbage_rate = 0;  // raw: 1..16 random bytes before the reply; AUC: a garbage body
  double corrupt_rate = 0;  // one DATA byte of the reply flipped: its CRC fails
  double drop_rate = 0;     // the reply lost (raw: nothing; AUC: a timeout result)
  std::vector<int> bad_nonce_modules;  // positions whose nonces fail the target
  std::vector<AvalonOutage> outages;
};

struct AvalonConfig {
  Generation generation = Generation::kAvalon10;
  int modules = 1;   // 1..kAvalonMaxModules
  bool auc = false;  // behind a simulated AUC (else a raw CN stream)
  // Real SHA-256 work all modules together may do per second of simulated time.
  double cpu_hashes_per_second = 4e6;
  std::uint64_t seed = 1;  // DNAs and faults
  // The version string's model ("741", "851", "LC3", "1041"); empty = the generation's.
  std::string model;
  double ambient_c = 25;
  AvalonFaults faults;
  // Nonces an MM scans in one header before it rolls ntime / nonce2 (a real module's
  // chips sweep all 2^32 in milliseconds; a CPU takes minutes, so tests may shorten it).
  std::uint64_t header_sweep = std::uint64_t{1} << 32;
  // The most hashing one Advance does (as chain.h): time beyond it is lost work.
  std::chrono::milliseconds max_catch_up{50};
};

// What a module did, for tests and the server's log (cumulative over replugs).
struct AvalonModuleCounters {
  std::uint64_t hashes = 0;
  std::uint64_t nonces_found = 0;     // met the target (or, bad-nonce module, were damaged)
  std::uint64_t nonces_reported = 0;  // left in a NONCE packet
  std::uint64_t nonces_dropped = 0;   // queue full, or their job no longer among the last 4
  std::uint64_t packets = 0;          // host packets it took
  std::uint64_t refused = 0;          // host packets it refused (bad layout, wrong kind)
  std::uint64_t polls = 0;
  std::uint64_t jobs = 0;        // complete job hand-offs (JOB_FIN)
  std::uint64_t bad_jobs = 0;    // JOB_FIN of an incomplete or inconsistent hand-off
  std::uint64_t detections = 0;  // ACKDETECTs sent
};

// A module's state as the host configured it.
struct AvalonModuleView {
  bool present = false;
  std::uint8_t id = 0;  // 0: not addressed (needs DETECT and SYNC)
  Dna dna{};
  bool configured = false;  // SET_FIN seen since power-on
  bool has_job = false;
  Megahertz frequency{};  // highest PLL point of miner 0
  int volt_level = 0;     // miner 0's SET_VOLT level
  Celsius temperature{};
  Percent fan{};
  Watts power{};
  std::size_t queued_nonces = 0;
};

struct AvalonBusCounters {
  std::uint64_t bad_crc = 0;        // host packets with a bad CRC (raw stream)
  std::uint64_t skipped_bytes = 0;  // host bytes that were no packet / request
  std::uint64_t unaddressed = 0;    // packets for an id no present module has
  std::uint64_t refused = 0;        // packets of a kind no module takes (a reply kind, ...)
  std::uint64_t auc_requests = 0;
  std::uint64_t auc_refused = 0;  // malformed AUC requests (answered "invalid command")
  std::uint64_t faults = 0;       // replies damaged, garbled or dropped on purpose
};

class AvalonBus {
 public:
  explicit AvalonBus(AvalonConfig config);
  ~AvalonBus();
  AvalonBus(AvalonBus&&) noexcept;
  AvalonBus& operator=(AvalonBus&&) noexcept;

  // Bytes from the host: CN packets (raw) or AUC requests (auc), in any pieces.
  void Receive(std::span<const std::uint8_t> bytes);
  // Simulated time passes: modules hash (within the CPU budget), heat and cool; scheduled
  // outages begin and end.
  void Advance(std::chrono::nanoseconds elapsed);
  // What the bus sent to the host since the last call.
  std::vector<std::uint8_t> TakeOutput();

  // Unplugs (false) or plugs back (true, at power-on: no id, no job) module `position`.
  void SetPresent(int position, bool present);

  const AvalonConfig& config() const;
  int module_count() const;
  AvalonModuleView module(int position) const;
  AvalonModuleCounters counters(int position) const;
  AvalonBusCounters bus_counters() const;
  // The DNA module `position` reports: deterministic from the seed and the position,
  // distinct last bytes (§6's example DNA for position 0 with seed 1).
  static Dna DnaFor(std::uint64_t seed, int position);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The generation named by `name`: "7", "8", "lc3", "10", "avalon7" ... "avalon10", or a
// model ("741", "851", "1041"); empty if none.
std::optional<Generation> AvalonGenerationByName(std::string_view name);
// The model string a generation's modules report by default ("741", "851", "LC3", "1041").
std::string_view AvalonDefaultModel(Generation generation);

}  // namespace hashrig::hal::sim
