#include "hashrig/hal/protocol/chain/controller.h"

#include <cmath>

#include "hashrig/sha256/target.h"

namespace hashrig::hal::protocol {

ChainController::ChainController(ChipDriver& driver, const ControllerConfig& config)
    : driver_(driver),
      config_(config),
      settings_(driver.settings()),
      thermal_(config.thermal, driver.settings().frequency) {
  if (!config_.has_sensor) {
    fan_due_ = false;
  }
}

Status ChainController::Start(Micros now) {
  if (thermal_state_ == ThermalState::kStopped) {
    return Status(StatusCode::kBusy, "the chain is cooling down after an overheat");
  }
  wanted_ = true;
  stop_ = StopReason::kNone;
  driver_.Apply(settings_);
  driver_.Start(now);
  has_work_ = received_work_;  // the latest work again once it mines
  return Status::Ok();
}

void ChainController::Stop() {
  wanted_ = false;
  has_work_ = false;
  if (stop_ == StopReason::kNone) {
    stop_ = StopReason::kIdled;
  }
  driver_.Idle();
  reset_due_ = true;
}

void ChainController::Configure(const ChainSettings& settings) {
  thermal_.set_frequency(settings.frequency);
  settings_ = settings;
  settings_.frequency = thermal_.frequency();  // less what overheats took off
}

void ChainController::SetWork(const ChainWork& work) {
  pending_ = work;
  has_work_ = true;
  received_work_ = true;
}

void ChainController::SetManualFan(std::optional<Percent> fan) {
  manual_fan_ = fan;
  UpdateFan();
}

ChainState ChainController::state() const { return driver_.state(); }

Operation ChainController::Poll(Micros now) {
  Operation op;
  if (reset_due_) {  // the chips stop at once: nRST held until the next Start
    reset_due_ = false;
    op.kind = Operation::Kind::kReset;
    op.reset_asserted = true;
    return op;
  }
  if (fan_due_) {
    fan_due_ = false;
    op.kind = Operation::Kind::kSetFan;
    op.fan = fan_;
    return op;
  }
  if (has_work_ && driver_.state() == ChainState::kMining) {
    if (driver_.SendWork(pending_).ok()) {
      has_work_ = false;
      recent_[recent_next_] = {pending_, true};
      recent_next_ = (recent_next_ + 1) % recent_.size();
    }
  }
  return driver_.Poll(now);
}

void ChainController::OnBytes(std::span<const std::uint8_t> bytes, Micros now) {
  driver_.OnBytes(bytes, now);
}

const ChainController::Recent* ChainController::FindWork(WorkToken token) const {
  for (const Recent& r : recent_) {
    if (r.valid && r.work.token == token) {
      return &r;
    }
  }
  return nullptr;
}

bool ChainController::NextNonce(CheckedNonce& out) {
  NonceEvent e;
  while (driver_.NextNonce(e)) {
    const Recent* recent = FindWork(e.token);
    if (recent == nullptr) {
      ++unmatched_;  // work older than the ring: cannot be checked, so never reported
      continue;
    }
    const auto header = driver_.HeaderFor(recent->work, e);
    out.event = e;
    out.hash = sha256::ScalarDoubleHash(header);
    const auto ticket = sha256::Difficulty::From(e.ticket_difficulty);
    out.meets_ticket = ticket && ticket->IsMetBy(out.hash);
    driver_.RecordVerdict(e.chip, out.meets_ticket);
    return true;
  }
  return false;
}

bool ChainController::ThermalDue(Micros now) const {
  return config_.has_sensor && now >= next_thermal_;
}

void ChainController::OnTemperature(std::optional<Celsius> reading, Micros now) {
  next_thermal_ = now + config_.thermal_period;
  ApplyThermal(thermal_.Update(reading, now), now);
  temperature_ = thermal_.believed();
}

void ChainController::ApplyThermal(const ThermalDecision& d, Micros now) {
  thermal_state_ = d.state;
  thermal_fan_ = d.fan;
  if (d.stop_chain) {
    stop_ = d.stop_reason;
    if (driver_.state() != ChainState::kIdle) {
      driver_.Idle();
      reset_due_ = true;
    }
  }
  if (d.restart_chain) {
    settings_.frequency = d.frequency;
    if (wanted_) {
      stop_ = StopReason::kNone;
      driver_.Apply(settings_);
      driver_.Start(now);
      has_work_ = received_work_;
    }
  }
  UpdateFan();
}

void ChainController::UpdateFan() {
  if (!config_.has_sensor && !manual_fan_) {
    return;
  }
  const bool manual = manual_fan_ && thermal_state_ == ThermalState::kNormal;
  const Percent want = manual ? *manual_fan_ : thermal_fan_;
  if (std::lround(want.value) != std::lround(fan_.value)) {
    fan_ = want;
    fan_due_ = true;
  }
}

}  // namespace hashrig::hal::protocol
