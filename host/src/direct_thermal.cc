#include "hashrig/host/direct_thermal.h"

#include <cmath>
#include <limits>

#include "hashrig/hal/bitaxe_raw.h"
#include "hashrig/hal/protocol/peripherals.h"

namespace hashrig::host {
namespace {

namespace p = hal::protocol;

constexpr p::Micros kPeriod{250'000};

class BitaxeRawSensors final : public BoardSensors {
 public:
  explicit BitaxeRawSensors(std::unique_ptr<hal::ByteLink> link)
      : link_(std::move(link)), control_(*link_), i2c_(control_), emc_(i2c_) {}

  Status Init() {
    if (Status s = emc_.Init(); !s.ok()) {
      return s;
    }
    return emc_.SetFanPercent(100);  // until the first reading
  }
  double TemperatureC() override {
    const auto t = emc_.ReadExternalTemperatureC();
    return t.ok() ? *t : std::numeric_limits<double>::quiet_NaN();
  }
  bool SetFanPercent(double percent) override { return emc_.SetFanPercent(percent).ok(); }
  std::string Describe() const override { return "EMC2101 on " + link_->Describe(); }

 private:
  std::unique_ptr<hal::ByteLink> link_;
  hal::BitaxeRawControl control_;
  hal::BitaxeRawI2c i2c_;
  p::Emc2101 emc_;
};

}  // namespace

std::unique_ptr<BoardSensors> OpenBitaxeRawSensors(std::unique_ptr<hal::ByteLink> control,
                                                   std::string& error) {
  auto sensors = std::make_unique<BitaxeRawSensors>(std::move(control));
  if (Status s = sensors->Init(); !s.ok()) {
    error = std::string("fan/temperature controller: ") + s.message();
    return nullptr;
  }
  return sensors;
}

DirectThermal::DirectThermal(std::unique_ptr<BoardSensors> sensors, const p::ThermalConfig& config,
                             p::Megahertz frequency)
    : sensors_(std::move(sensors)), policy_(config, frequency) {}

void DirectThermal::Run(p::Micros now, hal::DirectChain& chain, bool& has_work) {
  if (now < next_) {
    return;
  }
  next_ = now + kPeriod;
  temperature_ = sensors_->TemperatureC();
  const p::ThermalDecision d = policy_.Update(temperature_, now);
  reason_ = d.reason;
  if (std::lround(d.fan_percent) != std::lround(fan_) || d.state != p::ThermalState::kNormal) {
    sensors_->SetFanPercent(d.fan_percent);
  }
  fan_ = d.fan_percent;
  if (d.stop_chain && !stopped_) {
    stopped_ = true;
    (void)chain.Hold();  // a link error shows on the next Step
  }
  if (d.restart_chain) {
    stopped_ = false;
    p::DriverConfig config = chain.driver().config();
    config.frequency = d.frequency;
    chain.Restart(config);
    has_work = true;
  }
}

}  // namespace hashrig::host
