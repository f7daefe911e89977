// A hashboard's temperature as a first-order system: it relaxes towards ambient +
// power x thermal resistance with the board's time constant, and the resistance falls
// as the fans speed up. The temperature sensor can be failed (reads NaN) or stuck (keeps
// returning one value) — the faults safety code must treat as hot.
#pragma once

#include <chrono>
#include <cmath>
#include <limits>

#include "hashrig/base/units.h"
#include "hashrig/hal/sim/rigs.h"

namespace hashrig::hal::sim {

class ThermalModel {
 public:
  explicit ThermalModel(const ThermalConstants& constants)
      : constants_(constants), temperature_(constants.ambient_c) {}

  void Step(std::chrono::duration<double> elapsed, double watts, double fan_percent) {
    const double fan = std::fmin(100.0, std::fmax(0.0, fan_percent)) / 100.0;
    const double resistance =
        constants_.resistance_still_c_per_w +
        (constants_.resistance_full_c_per_w - constants_.resistance_still_c_per_w) * fan;
    const double target = constants_.ambient_c + watts * resistance;
    const double k = 1.0 - std::exp(-elapsed.count() / constants_.time_constant_s);
    temperature_ += (target - temperature_) * k;
    if (!stuck_) {
      last_reading_ = temperature_;
    }
  }

  // The true board temperature.
  Celsius temperature() const { return {temperature_}; }
  // What the sensor reports.
  Celsius Read() const {
    return {failed_ ? std::numeric_limits<double>::quiet_NaN() : last_reading_};
  }
  void set_sensor_stuck(bool stuck) { stuck_ = stuck; }
  void set_sensor_failed(bool failed) { failed_ = failed; }
  // Steady-state temperature for a constant load.
  double SteadyState(double watts, double fan_percent) const {
    const double fan = fan_percent / 100.0;
    return constants_.ambient_c +
           watts *
               (constants_.resistance_still_c_per_w +
                (constants_.resistance_full_c_per_w - constants_.resistance_still_c_per_w) * fan);
  }

 private:
  ThermalConstants constants_;
  double temperature_;
  double last_reading_ = constants_.ambient_c;
  bool stuck_ = false;
  bool failed_ = false;
};

}  // namespace hashrig::hal::sim
