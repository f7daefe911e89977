#include "hashrig/hal/board_monitor.h"

#include <algorithm>

namespace hashrig::hal {

BoardMonitor::BoardMonitor(std::unique_ptr<BoardPeripherals> board,
                           std::chrono::microseconds period)
    : board_(std::move(board)),
      period_(period),
      thread_([this](const std::stop_token& stop) { Run(stop); }) {}

BoardMonitor::~BoardMonitor() {
  thread_.request_stop();
  if (thread_.joinable()) {
    thread_.join();
  }
}

std::optional<BoardMonitor::Temperature> BoardMonitor::TakeTemperature() {
  const std::lock_guard lock(mutex_);
  return std::exchange(temperature_, std::nullopt);
}

BoardMonitor::Clock::time_point BoardMonitor::last_reading_at() const {
  const std::lock_guard lock(mutex_);
  return last_reading_at_;
}

std::optional<CoreReading> BoardMonitor::core() const {
  const std::lock_guard lock(mutex_);
  return core_;
}

void BoardMonitor::SetFan(Percent duty) {
  {
    const std::lock_guard lock(mutex_);
    fan_ = duty;
  }
  wake_.notify_all();
}

Error BoardMonitor::TakeError() {
  const std::lock_guard lock(mutex_);
  return std::exchange(error_, Error());
}

// The fan first (the thermal policy asked for it; a failed write is tried again after a
// period, and reported after kFanAttempts in a row), then whichever reading is due first:
// the temperature every period, the regulator every kCoreEvery. Each transfer holds the
// board's lock only, so the chain's thread takes what was last read at any time.
void BoardMonitor::Run(const std::stop_token& stop) {
  auto next_temperature = Clock::now();
  auto next_core = next_temperature;
  std::unique_lock lock(mutex_);
  while (!stop.stop_requested()) {
    const auto now = Clock::now();
    if (fan_ && now >= fan_retry_at_) {
      const Percent duty = *std::exchange(fan_, std::nullopt);
      lock.unlock();
      Error status = Transfer([duty](BoardPeripherals& board) { return board.SetFan(duty); });
      lock.lock();
      if (status.ok()) {
        fan_failures_ = 0;
      } else if (++fan_failures_ >= kFanAttempts) {
        fan_failures_ = 0;
        if (error_.ok()) {
          error_ = std::move(status);
        }
      } else {
        // Again after a period (readings go on meanwhile), unless a newer setting came.
        fan_ = fan_.value_or(duty);
        fan_retry_at_ = Clock::now() + period_;
      }
      continue;
    }
    // Both due (transfers slower than the period): the one due first, so neither starves.
    if (now >= next_temperature && next_temperature <= next_core) {
      next_temperature = now + period_;
      lock.unlock();
      const auto celsius = Transfer([](BoardPeripherals& board) { return board.Temperature(); });
      const auto at = Clock::now();
      lock.lock();
      temperature_ = Temperature{celsius};
      last_reading_at_ = at;
      continue;
    }
    if (now >= next_core) {
      next_core = now + kCoreEvery;
      lock.unlock();
      const auto core = Transfer([](BoardPeripherals& board) { return board.ReadCore(); });
      lock.lock();
      core_ = core;
      continue;
    }
    auto until = std::min(next_temperature, next_core);
    if (fan_) {
      until = std::min(until, fan_retry_at_);
    }
    (void)wake_.wait_until(lock, stop, until,
                           [this] { return fan_.has_value() && Clock::now() >= fan_retry_at_; });
  }
}

}  // namespace hashrig::hal
