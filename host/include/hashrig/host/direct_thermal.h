// Heat safety for chains the host drives itself (DESIGN.md: the same policy the firmware
// applies, hal/protocol/thermal.h): the board's sensors read every 250 ms, the fan set
// from the PI loop, hot → fans 100 %, dangerous or a failed sensor past its grace → the
// chain held in reset, restarted at a lower clock once cool. Sensors come from the board:
// on Bitaxe-class boards through bitaxe-raw, the EMC2101 on the control port's I2C.
#pragma once

#include <memory>
#include <string>

#include "hashrig/hal/direct_chain.h"
#include "hashrig/hal/link.h"
#include "hashrig/hal/protocol/thermal.h"

namespace hashrig::host {

class BoardSensors {
 public:
  virtual ~BoardSensors() = default;
  virtual double TemperatureC() = 0;  // the hottest reading; NaN: the sensor does not answer
  virtual bool SetFanPercent(double percent) = 0;
  virtual std::string Describe() const = 0;
};

// bitaxe-raw's control port: initialises the EMC2101 (product id checked) and sets the fan
// to 100 % until the first reading. Empty with `error` if the board does not answer.
std::unique_ptr<BoardSensors> OpenBitaxeRawSensors(std::unique_ptr<hal::ByteLink> control,
                                                   std::string& error);

class DirectThermal {
 public:
  DirectThermal(std::unique_ptr<BoardSensors> sensors, const hal::protocol::ThermalConfig& config,
                hal::protocol::Megahertz frequency);

  // Runs the policy when due. `has_work` is set when a restarted chain needs its work again.
  void Run(hal::protocol::Micros now, hal::DirectChain& chain, bool& has_work);

  bool stopped() const { return stopped_; }
  double temperature_c() const { return temperature_; }
  double fan_percent() const { return fan_; }
  const char* reason() const { return reason_; }
  const BoardSensors& sensors() const { return *sensors_; }

 private:
  std::unique_ptr<BoardSensors> sensors_;
  hal::protocol::ThermalController policy_;
  hal::protocol::Micros next_{0};
  bool stopped_ = false;
  double temperature_ = 0;
  double fan_ = 100;
  const char* reason_ = "";
};

}  // namespace hashrig::host
