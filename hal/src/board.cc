#include "hashrig/hal/board.h"

#include "hashrig/hal/bitaxe_raw.h"
#include "hashrig/hal/protocol/devices/emc2101.h"

namespace hashrig::hal {
namespace {

class BitaxeRawBoard final : public BoardPeripherals {
 public:
  explicit BitaxeRawBoard(std::unique_ptr<ByteLink> link)
      : link_(std::move(link)), control_(*link_), i2c_(control_), emc_(i2c_) {}

  Error Init() {
    if (Status s = emc_.Init(); !s.ok()) {
      return Error(s).Context("fan/temperature controller on " + link_->Describe());
    }
    return Error(emc_.SetFan(Percent{100})).Context(link_->Describe());  // until a reading
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
  std::string Describe() const override { return "EMC2101 on " + link_->Describe(); }

 private:
  std::unique_ptr<ByteLink> link_;
  BitaxeRawControl control_;
  BitaxeRawI2c i2c_;
  protocol::Emc2101 emc_;
};

}  // namespace

Expected<std::unique_ptr<BoardPeripherals>> OpenBitaxeRawBoard(std::unique_ptr<ByteLink> control) {
  auto board = std::make_unique<BitaxeRawBoard>(std::move(control));
  if (Error e = board->Init(); !e.ok()) {
    return e;
  }
  return std::unique_ptr<BoardPeripherals>(std::move(board));
}

}  // namespace hashrig::hal
