// The EMC2101 fan and temperature controller (reference bm13xx-protocol.md §9.1), as on
// Bitaxe boards: product id check, fan setting 0–63, tach → RPM, the ASIC's diode with
// an open or shorted diode as an error (never a temperature). Freestanding; hal/sim has
// its twin.
#pragma once

#include <cstdint>

#include "hashrig/base/status.h"
#include "hashrig/base/units.h"
#include "hashrig/hal/protocol/devices/i2c.h"

namespace hashrig::hal::protocol {

namespace emc2101 {
inline constexpr std::uint8_t kInternalTemp = 0x00;
inline constexpr std::uint8_t kExternalTempHigh = 0x01;
inline constexpr std::uint8_t kConfig = 0x03;
inline constexpr std::uint8_t kExternalTempLow = 0x10;
inline constexpr std::uint8_t kTachLow = 0x46;
inline constexpr std::uint8_t kTachHigh = 0x47;
inline constexpr std::uint8_t kFanSetting = 0x4C;  // 0..63
inline constexpr std::uint8_t kProductId = 0xFD;   // 0x16 EMC2101, 0x28 EMC2101-R
}  // namespace emc2101

class Emc2101 {
 public:
  static constexpr std::uint8_t kAddress = 0x4C;
  explicit Emc2101(I2cBus& bus) : bus_(bus) {}

  Status Init();  // checks the product id, enables PWM
  Status SetFan(Percent duty);
  Result<Rpm> ReadFanSpeed();                 // 0 when stopped
  Result<Celsius> ReadExternalTemperature();  // the ASIC's diode; fault codes as errors
  Result<Celsius> ReadInternalTemperature();

 private:
  Result<std::uint8_t> ReadRegister(std::uint8_t reg);
  I2cBus& bus_;
};

}  // namespace hashrig::hal::protocol
