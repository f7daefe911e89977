#include "hashrig/hal/direct_chain.h"

#include <array>

namespace hashrig::hal {
template <class Driver>
protocol::Micros DirectChainOf<Driver>::Now() const {
  return std::chrono::duration_cast<protocol::Micros>(std::chrono::steady_clock::now() - epoch_);
}

template <class Driver>
Error DirectChainOf<Driver>::Perform(const protocol::Operation& op) {
  switch (op.kind) {
    case protocol::Operation::Kind::kWrite:
      return link_->Write(op.data());
    case protocol::Operation::Kind::kSetBaud:
      return link_->SetBaud(op.baud);
    case protocol::Operation::Kind::kReset:
      // Where the board routes nRST (bitaxe-raw's GPIO), the link's DTR does nothing.
      return monitor_ != nullptr ? monitor_->With([&op](BoardPeripherals& board) {
        return board.SetReset(op.reset_asserted);
      })
                                 : link_->SetReset(op.reset_asserted);
    case protocol::Operation::Kind::kSetFan:
      if constexpr (kDriverSensor) {
        driver_.SetFan(op.fan);  // sent to the modules with their next poll
      }
      if (monitor_ != nullptr) {
        monitor_->SetFan(op.fan);  // written by the monitor; a failure comes back in Step
      }
      return {};
    case protocol::Operation::Kind::kNone:
      return {};
  }
  return {};
}

template <class Driver>
Error DirectChainOf<Driver>::ReadSensors(protocol::Micros now) {
  if constexpr (kDriverSensor) {
    // The modules' own reading, once one has reported (before, no decision is made).
    if (const auto t = driver_.temperature(); t && monitor_ == nullptr && chain_.ThermalDue(now)) {
      chain_.OnTemperature(t, now);
    }
  }
  if (monitor_ == nullptr) {
    return {};
  }
  // Fed at `now`, when this loop learns it (a reading's own time may fall before a
  // stale verdict given meanwhile; the policy's clock only goes forward).
  if (const auto reading = monitor_->TakeTemperature()) {
    chain_.OnTemperature(reading->celsius, now);
  } else if (chain_.ThermalDue(now) &&
             std::chrono::steady_clock::now() - monitor_->last_reading_at() >=
                 chain_.thermal_config().stale_after) {
    chain_.OnTemperature(std::nullopt, now);
  }
  core_ = monitor_->core();
  return monitor_->TakeError();  // BoardPeripherals::SetFan says "fan: …"
}

template <class Driver>
Error DirectChainOf<Driver>::Step(std::chrono::milliseconds wait) {
  if (Error status = ReadSensors(Now()); !status.ok()) {
    return status;
  }
  // Whatever arrived before `now` is read before the driver judges time by it: on a
  // starved host (a loaded control board, this thread not run for a while) a poll that
  // came first took the chips' answers waiting in the link for silence, and the
  // enumeration ended short, then counted one read's answers in the next (7 of 4 chips).
  const protocol::Micros now = Now();
  if (Error status = ReadInput(std::chrono::milliseconds(0), now); !status.ok()) {
    return status;
  }
  for (int i = 0; i < 64; ++i) {
    const protocol::Operation op = chain_.Poll(i == 0 ? now : Now());
    if (op.kind == protocol::Operation::Kind::kNone) {
      break;
    }
    if (Error status = Perform(op); !status.ok()) {
      return status;
    }
  }
  return ReadInput(wait, std::nullopt);
}

template <class Driver>
Error DirectChainOf<Driver>::ReadInput(std::chrono::milliseconds wait,
                                       std::optional<protocol::Micros> now) {
  std::array<std::uint8_t, 4096> buffer;  // NOLINT(cppcoreguidelines-pro-type-member-init)
  std::size_t received = 0;
  Error status = link_->ReadFor(buffer, wait, received);
  // A full buffer means more is waiting (a host may read a mining chain only every few
  // tens of milliseconds): read on, up to 64 KiB a step.
  for (int i = 0; received > 0; ++i) {
    chain_.OnBytes(std::span(buffer.data(), received), now ? *now : Now());
    if (!status.ok() || received < buffer.size() || i == 15) {
      break;
    }
    status = link_->ReadFor(buffer, std::chrono::milliseconds(0), received);
  }
  return status;
}

template <class Driver>
Error DirectChainOf<Driver>::RunUntilMining(std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (Error status = Step(std::chrono::milliseconds(1)); !status.ok()) {
      return status;
    }
    if (chain_.state() == protocol::ChainState::kMining) {
      return {};
    }
    if (chain_.state() == protocol::ChainState::kFailed) {
      return driver_.status();
    }
  }
  return {StatusCode::kTimeout, "chain not mining within the time limit"};
}

template class DirectChainOf<protocol::Bm13xxDriver>;
template class DirectChainOf<protocol::avalon::AvalonDriver>;

}  // namespace hashrig::hal
