// Simulated twins of the board peripherals in hal/protocol/peripherals.h, on a simulated
// I2C bus: a TPS546 (PMBus: VOUT_MODE, VOUT_COMMAND, OPERATION, READ_VOUT/IOUT/
// TEMPERATURE_1, STATUS_WORD) and an EMC2101 (fan setting, tach, diode temperature) whose
// temperature comes from a ThermalModel. Faults: a bus that NAKs, a regulator fault, an
// open temperature diode, a stuck sensor (ThermalModel), a diode that now and then reads
// 0 °C for one reading (a glitch, as noisy boards give).
#pragma once

#include <cstdint>
#include <map>

#include "hashrig/hal/protocol/devices/emc2101.h"
#include "hashrig/hal/protocol/devices/tps546.h"
#include "hashrig/hal/sim/thermal.h"

namespace hashrig::hal::sim {

struct SimTps546 {
  int vout_exponent = -9;  // VOUT_MODE, as the TPS546D24A reports
  std::uint16_t vout_command = 0;
  bool on = false;
  double amps_per_volt = 10;  // load: current = this x volts when on
  double temperature_c = 40;
  std::uint16_t status_word = 0;
  bool present = true;        // false: a board without one (nothing acknowledges 0x24)
  double output_scale = 1.0;  // what the output reaches of VOUT_COMMAND (a sagging supply)

  double volts() const {
    return on ? protocol::DecodeUlinear16(vout_command, vout_exponent) * output_scale : 0;
  }
};

struct SimEmc2101 {
  std::uint8_t product_id = 0x16;
  std::uint8_t fan_setting = 63;
  std::uint32_t max_rpm = 6000;
  bool diode_open = false;
  ThermalModel* board = nullptr;  // where the external diode's temperature comes from
  int glitch_every = 0;           // every Nth diode reading (high byte) is 0 °C; 0: never
  int readings = 0;               // diode readings served (high byte reads)
  int glitches = 0;               // of them, glitches

  double fan_percent() const { return fan_setting * 100.0 / 63; }
};

class SimI2cBus final : public protocol::I2cBus {
 public:
  Status Write(std::uint8_t address, std::span<const std::uint8_t> bytes) override;
  Status WriteRead(std::uint8_t address, std::span<const std::uint8_t> out,
                   std::span<std::uint8_t> in) override;

  SimTps546 tps546;
  SimEmc2101 emc2101;
  bool nak_everything = false;  // a dead bus

 private:
  std::uint16_t PmbusWord(std::uint8_t command) const;
  std::uint8_t EmcRegister(std::uint8_t reg);
  bool glitching_ = false;  // the current diode reading is a glitch (high and low byte)
};

}  // namespace hashrig::hal::sim
