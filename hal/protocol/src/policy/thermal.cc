#include "hashrig/hal/protocol/policy/thermal.h"

#include <algorithm>

namespace hashrig::hal::protocol {

ThermalController::ThermalController(const ThermalConfig& config, Megahertz frequency)
    : config_(config), frequency_(frequency) {}

void ThermalController::set_frequency(Megahertz frequency) {
  const double earned = config_.step_down.value * overheats_;
  frequency_.value = overheats_ == 0
                         ? frequency.value
                         : std::max(config_.min_frequency.value, frequency.value - earned);
}

double ThermalController::set_target(double celsius) {
  config_.target_c = std::clamp(celsius, kMinTarget, config_.hot_c - 5);
  integral_ = 0;  // the loop starts over from the new target
  return config_.target_c;
}

ThermalDecision ThermalController::Stop(Micros now, StopReason reason, const char* note) {
  if (state_ != ThermalState::kStopped) {
    state_ = ThermalState::kStopped;
    stop_reason_ = reason;
    stopped_at_ = now;
    cool_since_.reset();
    integral_ = 0;
    if (reason == StopReason::kOverheat) {
      ++overheats_;
      frequency_.value =
          std::max(config_.min_frequency.value, frequency_.value - config_.step_down.value);
    }
  }
  ThermalDecision d;
  d.state = state_;
  d.fan = Percent{100};
  d.stop_chain = true;
  d.stop_reason = stop_reason_;  // the first reason stands until the chain restarts
  d.frequency = frequency_;
  d.note = note;
  return d;
}

bool ThermalController::Believable(double celsius, Micros now) {
  if (celsius != last_reading_) {
    last_reading_ = celsius;
    unchanged_since_ = now;
  }
  const bool stuck = now - unchanged_since_ >= config_.stuck_after;
  // NaN compares false both ways: it lands here as a failed reading.
  invalid_ = !(celsius >= -40 && celsius <= 150) || stuck;
  if (invalid_) {
    return false;
  }
  if (believed_) {
    const double seconds = static_cast<double>((now - believed_at_).count()) / 1e6;
    if (celsius < *believed_ - config_.max_fall_c_per_s * seconds) {
      return false;  // cooler than any board cools: a glitch
    }
  }
  believed_ = celsius;
  believed_at_ = now;
  return true;
}

ThermalDecision ThermalController::Failed(Micros now) {
  if (!sensor_failed_) {
    sensor_failed_ = true;
    failed_since_ = now;
  }
  cool_since_.reset();
  if (state_ == ThermalState::kStopped) {
    return Stop(now, stop_reason_, "no believable reading: staying stopped");
  }
  if (now - failed_since_ >= config_.failed_sensor_grace) {
    return Stop(now, StopReason::kSensorFailed, "temperature sensor failed");
  }
  ThermalDecision d;
  d.state = state_ = ThermalState::kHot;  // a failed reading is treated as hot
  d.fan = Percent{100};
  d.frequency = frequency_;
  d.note = "temperature sensor failed: treated as hot";
  return d;
}

ThermalDecision ThermalController::WhileStopped(double celsius, Micros now) {
  if (celsius > config_.resume_c) {
    cool_since_.reset();
  } else if (!cool_since_) {
    cool_since_ = now;
  }
  if (now - stopped_at_ < config_.cool_down || !cool_since_ ||
      now - *cool_since_ < config_.resume_hold) {
    return Stop(now, stop_reason_, "cooling down");
  }
  state_ = ThermalState::kNormal;
  stop_reason_ = StopReason::kNone;
  ThermalDecision d;
  d.state = state_;
  d.fan = Percent{100};
  d.restart_chain = true;
  d.frequency = frequency_;
  d.note = "cool again: restarting at a lower clock";
  return d;
}

ThermalDecision ThermalController::Regulate(double celsius, double dt) {
  ThermalDecision d;
  d.frequency = frequency_;
  if (celsius >= config_.hot_c) {
    d.state = state_ = ThermalState::kHot;
    d.fan = Percent{100};
    d.note = "hot: fans at 100 %";
    return d;
  }
  state_ = ThermalState::kNormal;
  const double error = celsius - config_.target_c;
  integral_ = std::clamp(integral_ + error * dt, -100.0 / std::max(config_.ki, 1e-9),
                         100.0 / std::max(config_.ki, 1e-9));
  d.state = state_;
  d.fan = Percent{std::clamp(config_.min_fan_percent + config_.kp * error + config_.ki * integral_,
                             config_.min_fan_percent, 100.0)};
  return d;
}

ThermalDecision ThermalController::Update(std::optional<Celsius> reading, Micros now) {
  const double dt = started_ ? static_cast<double>((now - last_).count()) / 1e6 : 0;
  started_ = true;
  last_ = now;
  const double celsius = reading ? reading->value : -1000;
  if (!Believable(celsius, now)) {
    return Failed(now);
  }
  sensor_failed_ = false;
  if (celsius >= config_.dangerous_c) {
    return Stop(now, StopReason::kOverheat, "dangerous temperature");
  }
  if (state_ == ThermalState::kStopped) {
    return WhileStopped(celsius, now);
  }
  return Regulate(celsius, dt);
}

}  // namespace hashrig::hal::protocol
