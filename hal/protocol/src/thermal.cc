#include "hashrig/hal/protocol/thermal.h"

#include <algorithm>

namespace hashrig::hal::protocol {

const char* ToString(ThermalState state) {
  switch (state) {
    case ThermalState::kNormal:
      return "normal";
    case ThermalState::kHot:
      return "hot";
    case ThermalState::kStopped:
      return "stopped";
  }
  return "?";
}

ThermalController::ThermalController(const ThermalConfig& config, Megahertz frequency)
    : config_(config), frequency_(frequency) {}

void ThermalController::set_frequency(Megahertz frequency) {
  const double earned = config_.step_down.value * overheats_;
  frequency_.value = overheats_ == 0
                         ? frequency.value
                         : std::max(config_.min_frequency.value, frequency.value - earned);
}

ThermalDecision ThermalController::Stop(Micros now, const char* reason, bool overheat) {
  if (state_ != ThermalState::kStopped) {
    state_ = ThermalState::kStopped;
    stopped_at_ = now;
    integral_ = 0;
    if (overheat) {
      ++overheats_;
      frequency_.value =
          std::max(config_.min_frequency.value, frequency_.value - config_.step_down.value);
    }
  }
  ThermalDecision d;
  d.state = state_;
  d.fan_percent = 100;
  d.stop_chain = true;
  d.frequency = frequency_;
  d.reason = reason;
  return d;
}

ThermalDecision ThermalController::Update(double celsius, Micros now) {
  const double dt = started_ ? static_cast<double>((now - last_).count()) / 1e6 : 0;
  started_ = true;
  last_ = now;
  if (celsius != last_reading_) {
    last_reading_ = celsius;
    unchanged_since_ = now;
  }
  const bool stuck = now - unchanged_since_ >= config_.stuck_after;
  // NaN compares false both ways: it lands here as a failed sensor.
  const bool valid = celsius >= -40 && celsius <= 150 && !stuck;
  if (!valid) {
    if (!sensor_failed_) {
      sensor_failed_ = true;
      failed_since_ = now;
    }
    if (state_ == ThermalState::kStopped || now - failed_since_ >= config_.failed_sensor_grace) {
      return Stop(now, "temperature sensor failed", false);
    }
    ThermalDecision d;
    d.state = state_ = ThermalState::kHot;  // a failed sensor is treated as hot
    d.fan_percent = 100;
    d.frequency = frequency_;
    d.reason = "temperature sensor failed: treated as hot";
    return d;
  }
  sensor_failed_ = false;
  if (celsius >= config_.dangerous_c) {
    return Stop(now, "dangerous temperature", true);
  }
  if (state_ == ThermalState::kStopped) {
    if (now - stopped_at_ < config_.cool_down || celsius > config_.resume_c) {
      return Stop(now, "cooling down", false);
    }
    state_ = ThermalState::kNormal;
    ThermalDecision d;
    d.state = state_;
    d.fan_percent = 100;
    d.restart_chain = true;
    d.frequency = frequency_;
    d.reason = "cool again: restarting at a lower clock";
    return d;
  }
  ThermalDecision d;
  d.frequency = frequency_;
  if (celsius >= config_.hot_c) {
    d.state = state_ = ThermalState::kHot;
    d.fan_percent = 100;
    d.reason = "hot: fans at 100 %";
    return d;
  }
  state_ = ThermalState::kNormal;
  const double error = celsius - config_.target_c;
  integral_ = std::clamp(integral_ + error * dt, -100.0 / std::max(config_.ki, 1e-9),
                         100.0 / std::max(config_.ki, 1e-9));
  d.state = state_;
  d.fan_percent = std::clamp(config_.min_fan_percent + config_.kp * error + config_.ki * integral_,
                             config_.min_fan_percent, 100.0);
  return d;
}

}  // namespace hashrig::hal::protocol
