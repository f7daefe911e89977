#include "hashrig/hal/board.h"

#include "hashrig/hal/bitaxe_raw.h"
#include "hashrig/hal/protocol/devices/emc2101.h"
#include "hashrig/hal/protocol/devices/tps546.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>

namespace hashrig::hal {
namespace {

class BitaxeRawBoard final : public BoardPeripherals {
 public:
  explicit BitaxeRawBoard(std::unique_ptr<ByteLink> link)
      : link_(std::move(link)), control_(*link_), i2c_(control_), emc_(i2c_), tps_(i2c_) {}
  // The chips lose their supply when the host lets the board go (as ESP-Miner does when
  // it stops): nothing draws power that no one watches.
  ~BitaxeRawBoard() override {
    if (regulated_) {
      (void)tps_.Enable(false);
    }
  }
  BitaxeRawBoard(const BitaxeRawBoard&) = delete;
  BitaxeRawBoard& operator=(const BitaxeRawBoard&) = delete;

  Error Init(Volts core_voltage) {
    if (Status s = emc_.Init(); !s.ok()) {
      return Error(s).Context("fan/temperature controller on " + link_->Describe());
    }
    if (Error e = Error(emc_.SetFan(Percent{100})).Context(link_->Describe()); !e.ok()) {
      return e;  // 100 % until a reading
    }
    return PowerCore(core_voltage);
  }
  std::optional<Celsius> Temperature() override {
    const auto t = emc_.ReadExternalTemperature();
    return t.ok() ? std::optional<Celsius>(*t) : std::nullopt;
  }
  Error SetFan(Percent duty) override { return Error(emc_.SetFan(duty)).Context("fan"); }
  std::optional<Rpm> FanSpeed() override {
    const auto rpm = emc_.ReadFanSpeed();
    return rpm.ok() ? std::optional<Rpm>(*rpm) : std::nullopt;
  }
  Error SetReset(bool asserted) override { return control_.SetAsicReset(asserted); }
  std::optional<CoreReading> ReadCore() override {
    if (!regulated_) {
      return std::nullopt;
    }
    const auto volts = tps_.ReadOutput();
    const auto amps = tps_.ReadCurrent();
    const auto status = tps_.ReadStatusWord();
    if (!volts.ok() || !amps.ok() || !status.ok()) {
      return std::nullopt;
    }
    const auto temperature = tps_.ReadTemperature();
    return CoreReading{*volts, *amps, Watts{volts->value * amps->value}, *status,
                       temperature.ok() ? std::optional<Celsius>(*temperature) : std::nullopt};
  }
  Error SetCoreVoltage(Volts voltage) override {
    if (!regulated_) {
      return BoardPeripherals::SetCoreVoltage(voltage);
    }
    if (Status s = tps_.SetOutput(voltage); !s.ok()) {
      return Error(s).Context("core voltage regulator (TPS546) on " + link_->Describe());
    }
    set_voltage_ = voltage;
    return {};
  }
  std::string Describe() const override {
    char volts[16];
    std::snprintf(volts, sizeof volts, "%.3f", set_voltage_.value);
    return "EMC2101 on " + link_->Describe() +
           (regulated_ ? std::string("; core ") + volts + " V by its TPS546"
                       : std::string("; no TPS546 answered: the board powers its chips"));
  }

 private:
  std::unique_ptr<ByteLink> link_;
  BitaxeRawControl control_;
  BitaxeRawI2c i2c_;
  protocol::Emc2101 emc_;
  protocol::Tps546 tps_;
  bool regulated_ = false;
  Volts set_voltage_{};

  // The chain stays in reset while its supply comes up (as ESP-Miner and mujina do).
  Error PowerCore(Volts voltage) {
    if (Error e = control_.SetAsicReset(true); !e.ok()) {
      return e.Context("nRST on " + link_->Describe());
    }
    const auto where = "core voltage regulator (TPS546) on " + link_->Describe();
    if (const auto probe = tps_.ReadOutput(); !probe.ok()) {
      // No reply at all says nothing about the board (a slow control port): an error, to
      // open it again. Refused (nothing acknowledges 0x24): an older board sets its core
      // voltage itself.
      return probe.status().code() == StatusCode::kTimeout ? Error(probe.status()).Context(where)
                                                           : Error();
    }
    if (Status s = tps_.SetOutput(voltage); !s.ok()) {
      return Error(s).Context(where);
    }
    if (Status s = tps_.Enable(true); !s.ok()) {
      return Error(s).Context(where);
    }
    std::this_thread::sleep_for(kSettle);
    const auto read = tps_.ReadOutput();
    if (!read.ok()) {
      return Error(read.status()).Context(where);
    }
    if (std::abs(read->value - voltage.value) > 0.1 * voltage.value) {
      (void)tps_.Enable(false);
      char text[96];
      std::snprintf(text, sizeof text, "reads %.3f V after being set to %.3f V; turned off",
                    read->value, voltage.value);
      return Error(StatusCode::kMismatch, text).Context(where);
    }
    regulated_ = true;
    set_voltage_ = voltage;
    return {};
  }
  static constexpr std::chrono::milliseconds kSettle{100};
};

}  // namespace

Expected<std::unique_ptr<BoardPeripherals>> OpenBitaxeRawBoard(std::unique_ptr<ByteLink> control,
                                                               Volts core_voltage) {
  auto board = std::make_unique<BitaxeRawBoard>(std::move(control));
  if (Error e = board->Init(core_voltage); !e.ok()) {
    return e;
  }
  return std::unique_ptr<BoardPeripherals>(std::move(board));
}

}  // namespace hashrig::hal
