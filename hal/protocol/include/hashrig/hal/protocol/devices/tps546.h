// The TPS546 core-voltage regulator over PMBus (reference bm13xx-protocol.md §9.1), as on
// Bitaxe boards: VOUT_MODE / VOUT_COMMAND in ULINEAR16, OPERATION, READ_VOUT/IOUT/
// TEMPERATURE_1 in LINEAR11, STATUS_WORD. Freestanding; hal/sim has its twin.
#pragma once

#include <cstdint>
#include <optional>

#include "hashrig/base/status.h"
#include "hashrig/base/units.h"
#include "hashrig/hal/protocol/devices/i2c.h"

namespace hashrig::hal::protocol {

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

// The regulator's telemetry as the host reports it: READ_VOUT, READ_IOUT, STATUS_WORD and
// READ_TEMPERATURE_1.
struct CoreReading {
  Volts voltage;
  Amperes current;
  Watts power;                         // voltage x current
  std::uint16_t status_word = 0;       // PMBus STATUS_WORD; non-zero: a fault or warning
  std::optional<Celsius> temperature;  // the regulator's own
};

class Tps546 {
 public:
  static constexpr std::uint8_t kAddress = 0x24;
  explicit Tps546(I2cBus& bus) : bus_(bus) {}

  Status SetOutput(Volts voltage);  // VOUT_COMMAND (after reading VOUT_MODE); 0..5 V
  Status Enable(bool on);           // OPERATION
  Result<Volts> ReadOutput();
  Result<Amperes> ReadCurrent();
  Result<Celsius> ReadTemperature();
  Result<std::uint16_t> ReadStatusWord();  // non-zero: a fault (PMBus STATUS_WORD)

 private:
  Result<int> VoutExponent();
  Result<std::uint16_t> ReadWord(std::uint8_t command);
  I2cBus& bus_;
};

}  // namespace hashrig::hal::protocol
