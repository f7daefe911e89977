// A board for the firmware app's tests: a clock the test moves, host-link queues, the
// chain on hal/sim in the same process (real SHA-256), and sensors the test sets. It
// records what the app did to the hardware: fan, reset line, watchdog feeds, reboots.
#pragma once

#include <chrono>
#include <cmath>
#include <deque>
#include <optional>
#include <vector>

#include "hashrig/firmware/bsp.h"
#include "hashrig/hal/protocol/board_link/messages.h"
#include "hashrig/hal/sim/chain.h"

namespace hashrig::firmware {

class FakeBsp final : public Bsp {
  // Moves what fits of `from` into `out`; how much.
  static std::size_t Drain(std::deque<std::uint8_t>& from, std::span<std::uint8_t> out) {
    std::size_t n = 0;
    for (; n < out.size() && !from.empty(); ++n) {
      out[n] = from.front();
      from.pop_front();
    }
    return n;
  }

 public:
  explicit FakeBsp(hal::sim::ChainConfig chain) : chain_(chain) {}

  Micros Now() override { return now; }
  std::size_t HostRead(std::span<std::uint8_t> out) override { return Drain(to_board, out); }
  bool HostWrite(std::span<const std::uint8_t> bytes) override {
    if (host_gone) {
      return false;
    }
    from_board.insert(from_board.end(), bytes.begin(), bytes.end());
    return true;
  }
  std::size_t ChainRead(std::span<std::uint8_t> out) override {
    // The chain runs for the time that passed since it was last looked at.
    chain_.Advance(std::chrono::duration_cast<std::chrono::nanoseconds>(now - chain_time_));
    chain_time_ = now;
    for (const std::uint8_t b : chain_.TakeOutput(baud_)) {
      chain_out_.push_back(b);
    }
    return Drain(chain_out_, out);
  }
  void ChainWrite(std::span<const std::uint8_t> bytes) override {
    if (!reset_asserted) {
      chain_.Receive(bytes, baud_);
    }
  }
  void ChainSetBaud(std::uint32_t baud) override { baud_ = baud; }
  void ChainReset(bool asserted) override {
    reset_asserted = asserted;
    if (asserted) {
      chain_.HardwareReset();
      chain_out_.clear();
    }
  }
  std::optional<Celsius> Temperature() override {
    now += sensor_delay;  // a slow (or hung) sensor bus takes this long
    return std::isnan(temperature) ? std::nullopt : std::optional<Celsius>(Celsius{temperature});
  }
  void SetFan(Percent duty) override { fan = duty.value; }
  Rpm FanSpeed() override { return Rpm{std::round(fan * 60)}; }
  bool SetCoreVoltage(Volts voltage) override {
    millivolts = static_cast<std::uint16_t>(std::lround(voltage.value * 1000));
    return millivolts >= 1000 && millivolts <= 1500;
  }
  PowerReading ReadPower() override { return {Volts{millivolts / 1000.0}, Amperes{9}}; }
  void FeedWatchdog() override {
    ++feeds;
    last_feed = now;
  }
  void Reboot() override { ++reboots; }
  void WaitForEvent(Micros limit) override { now += limit; }

  hal::sim::Chain& chain() { return chain_; }

  // What the test sets and reads.
  Micros now{0};
  Micros sensor_delay{0};
  double temperature = 45;
  double fan = -1;
  bool reset_asserted = false;
  bool host_gone = false;
  std::uint16_t millivolts = 0;
  int feeds = 0;
  Micros last_feed{0};
  int reboots = 0;
  std::deque<std::uint8_t> to_board;
  std::vector<std::uint8_t> from_board;

 private:
  hal::sim::Chain chain_;
  std::deque<std::uint8_t> chain_out_;
  Micros chain_time_{0};
  std::uint32_t baud_ = 115'200;
};

}  // namespace hashrig::firmware
