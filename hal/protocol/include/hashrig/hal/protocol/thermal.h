// The thermal safety policy, one for the host (chains it drives) and the firmware alike
// (reference stratum-and-ecosystem.md §4.5, bm13xx-protocol.md §9.2): a PI fan loop to a
// target temperature; hot → fans 100 %; dangerous → chain stopped; a failed sensor counts
// as hot and, if it stays failed, stops the chain within a bounded time; after an
// overheat the chain restarts only when cool, at a lower clock. Pure and freestanding:
// readings and times in, a decision out.
#pragma once

#include <cstdint>

#include "hashrig/hal/protocol/chain_driver.h"
#include "hashrig/hal/protocol/chip.h"

namespace hashrig::hal::protocol {

struct ThermalConfig {
  double target_c = 60;
  double hot_c = 75;        // fans to 100 %
  double dangerous_c = 85;  // stop the chain
  double resume_c = 50;     // an overheated chain may restart below this
  double min_fan_percent = 25;
  double kp = 5;                          // fan % per °C above target
  double ki = 0.1;                        // fan % per °C·s
  Micros failed_sensor_grace{5'000'000};  // a failed sensor stops the chain after this
  // A reading that does not change at all for this long is a stuck sensor (real diodes
  // read in 0.125 °C steps and drift): it is then treated as failed.
  Micros stuck_after{600'000'000};
  Micros cool_down{30'000'000};  // at least this long stopped after an overheat
  Megahertz step_down{100};      // each overheat restarts this much slower
  Megahertz min_frequency{400};
};

enum class ThermalState : std::uint8_t { kNormal, kHot, kStopped };
const char* ToString(ThermalState state);

struct ThermalDecision {
  ThermalState state = ThermalState::kNormal;
  double fan_percent = 100;
  bool stop_chain = false;     // the chain must not hash now
  bool restart_chain = false;  // once, when it may hash again (at `frequency`)
  Megahertz frequency{0};
  const char* reason = "";
};

class ThermalController {
 public:
  ThermalController(const ThermalConfig& config, Megahertz frequency);

  // `celsius` is the hottest sensor; a NaN, or below -40 / above 150, is a failed sensor.
  ThermalDecision Update(double celsius, Micros now);
  std::uint32_t overheats() const { return overheats_; }
  Megahertz frequency() const { return frequency_; }
  // A new clock setting: the chain runs at it less the step-downs its overheats earned
  // (never below the minimum). The thermal state is kept — a new setting never cuts a
  // cool-down short nor undoes a step-down.
  void set_frequency(Megahertz frequency);

 private:
  ThermalDecision Stop(Micros now, const char* reason, bool overheat);

  ThermalConfig config_;
  Megahertz frequency_;
  ThermalState state_ = ThermalState::kNormal;
  double integral_ = 0;
  Micros last_{0};
  bool started_ = false;
  bool sensor_failed_ = false;
  double last_reading_ = -1000;
  Micros unchanged_since_{0};
  Micros failed_since_{0};
  Micros stopped_at_{0};
  std::uint32_t overheats_ = 0;
};

}  // namespace hashrig::hal::protocol
