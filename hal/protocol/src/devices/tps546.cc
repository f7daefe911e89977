#include "hashrig/hal/protocol/devices/tps546.h"

#include <cmath>

namespace hashrig::hal::protocol {

double DecodeLinear11(std::uint16_t raw) {
  int exponent = raw >> 11;
  int mantissa = raw & 0x7FF;
  if (exponent > 15) {
    exponent -= 32;
  }
  if (mantissa > 1023) {
    mantissa -= 2048;
  }
  return std::ldexp(static_cast<double>(mantissa), exponent);
}

std::uint16_t EncodeLinear11(double value) {
  // The largest mantissa magnitude that fits 11 signed bits, for the finest exponent.
  for (int exponent = -16; exponent <= 15; ++exponent) {
    const double mantissa = std::round(std::ldexp(value, -exponent));
    if (mantissa >= -1024 && mantissa <= 1023) {
      return static_cast<std::uint16_t>(((exponent & 0x1F) << 11) |
                                        (static_cast<int>(mantissa) & 0x7FF));
    }
  }
  return 0x7BFF;  // the largest value
}

double DecodeUlinear16(std::uint16_t raw, int exponent) { return std::ldexp(raw, exponent); }

std::uint16_t EncodeUlinear16(double value, int exponent) {
  const double raw = std::round(std::ldexp(value, -exponent));
  return raw <= 0 ? 0 : raw >= 65535 ? 0xFFFF : static_cast<std::uint16_t>(raw);
}

Result<std::uint16_t> Tps546::ReadWord(std::uint8_t command) {
  std::uint8_t in[2] = {};
  const std::uint8_t out[] = {command};
  if (Status s = bus_.WriteRead(kAddress, out, in); !s.ok()) {
    return s;
  }
  return static_cast<std::uint16_t>(in[0] | in[1] << 8);  // SMBus words are little-endian
}

Result<int> Tps546::VoutExponent() {
  std::uint8_t mode = 0;
  const std::uint8_t out[] = {pmbus::kVoutMode};
  if (Status s = bus_.WriteRead(kAddress, out, std::span(&mode, 1)); !s.ok()) {
    return s;
  }
  int exponent = mode & 0x1F;
  return exponent > 15 ? exponent - 32 : exponent;
}

Status Tps546::SetOutput(Volts voltage) {
  if (voltage.value < 0 || voltage.value > 5) {
    return Status(StatusCode::kInvalidArgument, "core voltage outside 0..5 V");
  }
  const auto exponent = VoutExponent();
  if (!exponent.ok()) {
    return exponent.status();
  }
  const std::uint16_t raw = EncodeUlinear16(voltage.value, *exponent);
  const std::uint8_t bytes[] = {pmbus::kVoutCommand, static_cast<std::uint8_t>(raw),
                                static_cast<std::uint8_t>(raw >> 8)};
  return bus_.Write(kAddress, bytes);
}

Status Tps546::Enable(bool on) {
  const std::uint8_t bytes[] = {pmbus::kOperation, on ? pmbus::kOperationOn : pmbus::kOperationOff};
  return bus_.Write(kAddress, bytes);
}

Result<Volts> Tps546::ReadOutput() {
  const auto exponent = VoutExponent();
  const auto raw =
      exponent.ok() ? ReadWord(pmbus::kReadVout) : Result<std::uint16_t>(exponent.status());
  if (!raw.ok()) {
    return raw.status();
  }
  return Volts{DecodeUlinear16(*raw, *exponent)};
}

Result<Amperes> Tps546::ReadCurrent() {
  const auto raw = ReadWord(pmbus::kReadIout);
  return raw.ok() ? Result<Amperes>(Amperes{DecodeLinear11(*raw)}) : Result<Amperes>(raw.status());
}

Result<Celsius> Tps546::ReadTemperature() {
  const auto raw = ReadWord(pmbus::kReadTemperature1);
  return raw.ok() ? Result<Celsius>(Celsius{DecodeLinear11(*raw)}) : Result<Celsius>(raw.status());
}

Result<std::uint16_t> Tps546::ReadStatusWord() { return ReadWord(pmbus::kStatusWord); }

}  // namespace hashrig::hal::protocol
