// Board peripherals behind small interfaces, freestanding so the firmware drives them
// too: an I2C bus, the TPS546 core-voltage regulator (PMBus) and the EMC2101 fan and
// temperature controller, as on Bitaxe boards (reference bm13xx-protocol.md §9.1).
// hal/sim has their simulated twins.
#pragma once

#include <cstdint>
#include <span>

#include "hashrig/base/status.h"

namespace hashrig::hal::protocol {

class I2cBus {
 public:
  virtual ~I2cBus() = default;
  virtual Status Write(std::uint8_t address, std::span<const std::uint8_t> bytes) = 0;
  virtual Status WriteRead(std::uint8_t address, std::span<const std::uint8_t> out,
                           std::span<std::uint8_t> in) = 0;
};

// PMBus numeric formats.
double DecodeLinear11(std::uint16_t raw);
std::uint16_t EncodeLinear11(double value);
double DecodeUlinear16(std::uint16_t raw, int exponent);
std::uint16_t EncodeUlinear16(double value, int exponent);

namespace pmbus {
inline constexpr std::uint8_t kOperation = 0x01;
inline constexpr std::uint8_t kVoutMode = 0x20;
inline constexpr std::uint8_t kVoutCommand = 0x21;
inline constexpr std::uint8_t kStatusWord = 0x79;
inline constexpr std::uint8_t kReadVout = 0x8B;
inline constexpr std::uint8_t kReadIout = 0x8C;
inline constexpr std::uint8_t kReadTemperature1 = 0x8D;
inline constexpr std::uint8_t kOperationOn = 0x80;
inline constexpr std::uint8_t kOperationOff = 0x00;
}  // namespace pmbus

struct Millivolts {
  double value = 0;
};

class Tps546 {
 public:
  static constexpr std::uint8_t kAddress = 0x24;
  explicit Tps546(I2cBus& bus) : bus_(bus) {}

  Status SetOutput(Millivolts voltage);  // VOUT_COMMAND (after reading VOUT_MODE)
  Status Enable(bool on);                // OPERATION
  Result<Millivolts> ReadOutput();
  Result<double> ReadCurrentAmps();
  Result<double> ReadTemperatureC();
  Result<std::uint16_t> ReadStatusWord();  // non-zero: a fault (PMBus STATUS_WORD)

 private:
  Result<int> VoutExponent();
  Result<std::uint16_t> ReadWord(std::uint8_t command);
  I2cBus& bus_;
};

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
  Status SetFanPercent(double percent);
  Result<std::uint32_t> ReadFanRpm();         // 0 when stopped
  Result<double> ReadExternalTemperatureC();  // the ASIC's diode; fault codes as errors
  Result<double> ReadInternalTemperatureC();

 private:
  Result<std::uint8_t> ReadRegister(std::uint8_t reg);
  I2cBus& bus_;
};

}  // namespace hashrig::hal::protocol
