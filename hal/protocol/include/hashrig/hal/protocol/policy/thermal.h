// The thermal safety policy, one for the host (chains it drives) and the firmware alike
// (reference stratum-and-ecosystem.md §4.5, bm13xx-protocol.md §9.2): a PI fan loop to a
// target temperature; hot → fans 100 %; dangerous → chain stopped; a failed sensor counts
// as hot and, if it stays failed, stops the chain within a bounded time; after an
// overheat the chain restarts only when cool, at a lower clock. Pure and freestanding:
// readings and times in, a decision out.
//
// Readings are believed when they say "hotter"; a reading that says "suddenly much
// cooler" (falling faster than `max_fall_c_per_s` from the last believed one) is a
// glitch, handled like a failed reading. A stopped chain restarts only after a sustained
// run of believed readings at or below the resume point (`resume_hold`): one glitch of
// 0 °C never restarts a hot chain.
#pragma once

#include <cstdint>
#include <optional>

#include "hashrig/base/names.h"
#include "hashrig/base/units.h"
#include "hashrig/hal/protocol/chain/chip_driver.h"

namespace hashrig::hal::protocol {

struct ThermalConfig {
  double target_c = 60;
  double hot_c = 75;        // fans to 100 %
  double dangerous_c = 85;  // stop the chain
  double resume_c = 50;     // an overheated chain may restart at or below this
  double min_fan_percent = 25;
  double kp = 5;                          // fan % per °C above target
  double ki = 0.1;                        // fan % per °C·s
  Micros failed_sensor_grace{5'000'000};  // a failed sensor stops the chain after this
  // No reading at all for this long (a control port that hangs, a reader not run) is a
  // failed reading (hal/direct_chain.h: the host reads its board's sensors on a thread).
  Micros stale_after{3'000'000};
  // A reading that does not change at all for this long is a stuck sensor (real diodes
  // read in 0.125 °C steps and drift): it is then treated as failed.
  Micros stuck_after{600'000'000};
  Micros cool_down{30'000'000};  // at least this long stopped after an overheat
  // Believed readings at or below resume_c for this long before a restart.
  Micros resume_hold{5'000'000};
  // A board cools by itself no faster than this; a faster fall is a glitch.
  double max_fall_c_per_s = 10;
  Megahertz step_down{100};  // each overheat restarts this much slower
  Megahertz min_frequency{400};
};

enum class ThermalState : std::uint8_t { kNormal, kHot, kStopped };
inline constexpr EnumName<ThermalState> kThermalStateNames[] = {
    {ThermalState::kNormal, "normal"},
    {ThermalState::kHot, "hot"},
    {ThermalState::kStopped, "stopped"}};
constexpr const char* ToString(ThermalState s) { return NameOf(kThermalStateNames, s); }

// Why a chain is not mining although it was asked to. Carried unchanged from the board
// that decided it to every report (board link Telemetry, the host's status, the API).
enum class StopReason : std::uint8_t {
  kNone,
  kOverheat,      // a dangerous temperature
  kSensorFailed,  // no believable reading for longer than the grace
  kIdled,         // on purpose: host silence, an operator, shutdown
};
inline constexpr EnumName<StopReason> kStopReasonNames[] = {
    {StopReason::kNone, ""},
    {StopReason::kOverheat, "overheat"},
    {StopReason::kSensorFailed, "temperature sensor failed"},
    {StopReason::kIdled, "idled"},
};
constexpr const char* ToString(StopReason r) { return NameOf(kStopReasonNames, r); }

struct ThermalDecision {
  ThermalState state = ThermalState::kNormal;
  Percent fan{100};
  bool stop_chain = false;                     // the chain must not hash now
  bool restart_chain = false;                  // once, when it may hash again (at `frequency`)
  StopReason stop_reason = StopReason::kNone;  // while stopped: why
  Megahertz frequency{0};
  const char* note = "";  // what happened, in words
};

class ThermalController {
 public:
  ThermalController(const ThermalConfig& config, Megahertz frequency);

  // The hottest sensor; empty (or outside -40..150 °C) is a failed reading.
  ThermalDecision Update(std::optional<Celsius> reading, Micros now);
  // The temperature the policy believes: the last believed reading (a glitch — a fall
  // faster than any board cools — leaves it as it was); empty while the latest reading is
  // no reading at all (failed, out of range, stuck) and before any believed reading.
  std::optional<Celsius> believed() const {
    return believed_ && !invalid_ ? std::optional<Celsius>(Celsius{*believed_}) : std::nullopt;
  }
  std::uint32_t overheats() const { return overheats_; }
  Megahertz frequency() const { return frequency_; }
  // A new clock setting: the chain runs at it less the step-downs its overheats earned
  // (never below the minimum). The thermal state is kept — a new setting never cuts a
  // cool-down short nor undoes a step-down.
  void set_frequency(Megahertz frequency);
  // The fan loop's target (an operator's setting): kept kMinTarget..hot_c - 5, so the
  // fans still have room before "hot" takes over. Returns the target now in force.
  double set_target(double celsius);
  const ThermalConfig& config() const { return config_; }
  static constexpr double kMinTarget = 35;

 private:
  bool Believable(double celsius, Micros now);
  ThermalDecision Stop(Micros now, StopReason reason, const char* note);
  ThermalDecision Failed(Micros now);
  ThermalDecision WhileStopped(double celsius, Micros now);
  ThermalDecision Regulate(double celsius, double dt);

  ThermalConfig config_;
  Megahertz frequency_;
  ThermalState state_ = ThermalState::kNormal;
  StopReason stop_reason_ = StopReason::kNone;
  double integral_ = 0;
  Micros last_{0};
  bool started_ = false;
  bool sensor_failed_ = false;
  double last_reading_ = -1000;
  Micros unchanged_since_{0};
  std::optional<double> believed_;  // the last believed reading
  bool invalid_ = false;            // the latest reading was none (failed, out of range, stuck)
  Micros believed_at_{0};
  Micros failed_since_{0};
  Micros stopped_at_{0};
  std::optional<Micros> cool_since_;  // believed readings at or below resume_c since
  std::uint32_t overheats_ = 0;
};

}  // namespace hashrig::hal::protocol
