// The miner's state as every report reads it (cgminer API, /metrics, the terminal
// screen, the status line): one type, taken on the I/O thread when a report is due.
// Rates are hashes per second; temperatures, fan and clock in their units (base/units.h);
// a chain's state, thermal state and stop reason are the enums of hal/protocol, so a
// seam never passes them as free text.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hashrig/base/units.h"
#include "hashrig/base/version.h"
#include "hashrig/hal/protocol/avalon/driver.h"
#include "hashrig/hal/protocol/bm13xx/chip.h"
#include "hashrig/hal/protocol/chain/chip_driver.h"
#include "hashrig/hal/protocol/devices/tps546.h"
#include "hashrig/hal/protocol/policy/thermal.h"

namespace hashrig::host {

using hal::protocol::ChainState;
using hal::protocol::ChipCounters;
using hal::protocol::StopReason;
using hal::protocol::ThermalState;

// What an operator may change on a chain while it runs (the dashboard's settings, the
// cgminer API's ascset), and within what. A chain that cannot change a thing says so here.
struct ChainLimits {
  // The clock: any the chips' PLL makes (as --frequency), for chains the host or our
  // firmware drives; empty: not settable (a CPU board).
  std::optional<hal::protocol::ChipModel> pll_model;
  // The core voltage at a regulator the host drives (bitaxe:, sim); 0: none.
  Volts min_voltage{}, max_voltage{};
  // The fan loop's target temperature, °C, where the host runs the thermal policy.
  bool thermal_target = false;
  double min_target_c = 0, max_target_c = 0, target_c = 0;
};

// A change an operator asked for (ApiAction::Kind::kTune): what is set is changed.
struct ChainTuning {
  std::optional<Megahertz> frequency;
  std::optional<Volts> voltage;
  std::optional<double> target_c;
};

// "clock 400 MHz, core 1.150 V, fan target 55 C": what is set, for the log.
std::string Describe(const ChainTuning& tuning);

// The byte link to a chain whose frames the host decodes itself (a BM13xx chain, Canaan MM
// modules, a board running our firmware), counted since the board was opened (a board lost
// and opened again starts from 0): a count that keeps rising is a bad cable, connector or
// baud rate, long before the hardware errors show it. The counts overlap: a frame whose CRC
// failed is dropped a byte at a time, so its bytes are skipped bytes too, and an Avalon poll
// answered with a damaged packet is a bad frame and, once its wait is over, a timeout.
struct LinkCounters {
  std::uint64_t bad_frames = 0;     // frames (packets) whose CRC or layout failed
  std::uint64_t skipped_bytes = 0;  // bytes dropped looking for a frame
  std::uint64_t timeouts = 0;       // requests without a good answer (Avalon polls)
};

// What a chain says about itself (HashChain::status()).
struct ChainStatus {
  ChainState state = ChainState::kIdle;
  ThermalState thermal = ThermalState::kNormal;
  StopReason stop = StopReason::kNone;
  std::string problem;  // the latest problem in words (a missing chip, a link error); "" if none
  int chips = 0;        // found (alive ones for a board that only counts those)
  int expected_chips = 0;
  bool has_sensor = false;
  std::optional<Celsius> temperature;  // empty: no sensor, or no reading
  std::optional<Percent> fan;          // empty: the host does not set it
  std::optional<Rpm> fan_speed;
  Megahertz frequency{};
  // What the chain should hash at its clock (clock x small cores x expected chips), H/s;
  // 0: not known (a CPU board). Fleet tools call it the ideal or nominal rate.
  double nominal_hashrate = 0;
  std::string serial;                       // the board's serial number, where it reports one
  double ticket_difficulty = 0;             // what the chips report nonces at; 0: not known
  std::vector<ChipCounters> chip_counters;  // per chip, where the chain reports them
  // The core-voltage regulator, where the host drives one (a Bitaxe's TPS546).
  std::optional<hal::protocol::CoreReading> core;
  // What the chain's hash boards draw, where the host reads it: the core regulator's output
  // (core->power), or the sum of the Canaan modules' PSU outputs (STATUS_POWER, LC3/A10).
  std::optional<Watts> power;
  // Empty: the host does not see the chain's bytes (cpu:), or the board is not open (down).
  std::optional<LinkCounters> link;
  ChainLimits limits;
  // A chain of Canaan MM modules (an AUC or a raw link): its generation and each module
  // it has found (present or lost), as estats reports them (avalon-protocol.md §5.2).
  std::optional<hal::protocol::avalon::Generation> avalon;
  std::vector<hal::protocol::avalon::ModuleInfo> modules;
};
// "mining", "stopped: overheat", "down: serial:/dev/ttyUSB0: …", "failed: no chip answered…".
std::string Describe(const ChainStatus& status);
// The chain is hashing.
inline bool Mining(const ChainStatus& s) { return s.state == ChainState::kMining; }

struct ChainSnapshot {
  std::string name;
  ChainStatus status;
  double hashrate_5s = 0;       // H/s, from the chain's verified nonces
  double hashrate_avg = 0;      // H/s since start
  std::uint64_t submitted = 0;  // shares sent to the pool (cgminer's per-device "Accepted")
  std::uint64_t hardware_errors = 0;
  double diff1_work = 0;
};

struct PoolSnapshot {
  // The pool client's index of the pool. Reports number pools by position (0.. in
  // priority order, as cgminer renumbers after a removal); an action names this id.
  int id = 0;
  std::string url;
  std::string user;
  bool alive = false;
  bool active = false;
  bool enabled = true;
  std::uint64_t accepted = 0;
  std::uint64_t rejected = 0;
  std::uint64_t stale = 0;
  double difficulty_accepted = 0;
  double difficulty_rejected = 0;
  double last_share_difficulty = 0;
  double work_difficulty = 0;
  std::int64_t last_share_time = 0;  // Unix seconds
};

struct MinerSnapshot {
  std::string version{kVersion};
  double elapsed_s = 0;
  double hashrate_5s = 0, hashrate_1m = 0, hashrate_5m = 0, hashrate_15m = 0, hashrate_avg = 0;
  // discarded: never sent (no pool took it, the submit queue was full, the pool's rules
  // refuse it, stopping). nonces: verified nonces of every chain, at their tickets.
  std::uint64_t nonces = 0;
  std::uint64_t accepted = 0, rejected = 0, stale = 0, lost = 0, discarded = 0, hardware_errors = 0,
                found_blocks = 0;
  double difficulty_accepted = 0, difficulty_rejected = 0, difficulty_stale = 0;
  double best_share = 0, diff1_work = 0;
  std::map<std::string, std::uint64_t> rejected_by_reason;  // the pool's reason text
  std::vector<PoolSnapshot> pools;
  std::vector<ChainSnapshot> chains;
};

// "12.34 MH/s".
std::string FormatHashrate(double hashes_per_second);

}  // namespace hashrig::host
