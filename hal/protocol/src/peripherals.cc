#include "hashrig/hal/protocol/peripherals.h"

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

Status Tps546::SetOutput(Millivolts voltage) {
  if (voltage.value < 0 || voltage.value > 5000) {
    return Status(StatusCode::kInvalidArgument, "core voltage outside 0..5 V");
  }
  const auto exponent = VoutExponent();
  if (!exponent.ok()) {
    return exponent.status();
  }
  const std::uint16_t raw = EncodeUlinear16(voltage.value / 1000.0, *exponent);
  const std::uint8_t bytes[] = {pmbus::kVoutCommand, static_cast<std::uint8_t>(raw),
                                static_cast<std::uint8_t>(raw >> 8)};
  return bus_.Write(kAddress, bytes);
}

Status Tps546::Enable(bool on) {
  const std::uint8_t bytes[] = {pmbus::kOperation, on ? pmbus::kOperationOn : pmbus::kOperationOff};
  return bus_.Write(kAddress, bytes);
}

Result<Millivolts> Tps546::ReadOutput() {
  const auto exponent = VoutExponent();
  const auto raw =
      exponent.ok() ? ReadWord(pmbus::kReadVout) : Result<std::uint16_t>(exponent.status());
  if (!raw.ok()) {
    return raw.status();
  }
  return Millivolts{DecodeUlinear16(*raw, *exponent) * 1000.0};
}

Result<double> Tps546::ReadCurrentAmps() {
  const auto raw = ReadWord(pmbus::kReadIout);
  return raw.ok() ? Result<double>(DecodeLinear11(*raw)) : Result<double>(raw.status());
}

Result<double> Tps546::ReadTemperatureC() {
  const auto raw = ReadWord(pmbus::kReadTemperature1);
  return raw.ok() ? Result<double>(DecodeLinear11(*raw)) : Result<double>(raw.status());
}

Result<std::uint16_t> Tps546::ReadStatusWord() { return ReadWord(pmbus::kStatusWord); }

Result<std::uint8_t> Emc2101::ReadRegister(std::uint8_t reg) {
  std::uint8_t value = 0;
  const std::uint8_t out[] = {reg};
  if (Status s = bus_.WriteRead(kAddress, out, std::span(&value, 1)); !s.ok()) {
    return s;
  }
  return value;
}

Status Emc2101::Init() {
  const auto id = ReadRegister(emc2101::kProductId);
  if (!id.ok()) {
    return id.status();
  }
  if (*id != 0x16 && *id != 0x28) {
    return Status(StatusCode::kMismatch, "no EMC2101 at 0x4C (wrong product id)");
  }
  const std::uint8_t config[] = {emc2101::kConfig, 0x04};  // PWM output, tach input
  return bus_.Write(kAddress, config);
}

Status Emc2101::SetFanPercent(double percent) {
  const double clamped = percent < 0 ? 0 : percent > 100 ? 100 : percent;
  const std::uint8_t bytes[] = {emc2101::kFanSetting,
                                static_cast<std::uint8_t>(std::lround(clamped * 63 / 100))};
  return bus_.Write(kAddress, bytes);
}

Result<std::uint32_t> Emc2101::ReadFanRpm() {
  const auto low = ReadRegister(emc2101::kTachLow);
  const auto high = low.ok() ? ReadRegister(emc2101::kTachHigh) : low;
  if (!high.ok()) {
    return high.status();
  }
  const std::uint32_t count = static_cast<std::uint32_t>(*high) << 8 | *low;
  return count == 0 || count == 0xFFFF ? 0u : 5'400'000u / count;
}

Result<double> Emc2101::ReadExternalTemperatureC() {
  const auto high = ReadRegister(emc2101::kExternalTempHigh);
  const auto low = high.ok() ? ReadRegister(emc2101::kExternalTempLow) : high;
  if (!low.ok()) {
    return low.status();
  }
  // Diode faults read as 0x7F.E0 (open) or 0x7F.C0 (short) — never a temperature.
  if (*high == 0x7F && (*low == 0xE0 || *low == 0xC0)) {
    return Status(StatusCode::kUnavailable, "ASIC temperature diode open or shorted");
  }
  return static_cast<std::int8_t>(*high) + (*low >> 5) * 0.125;
}

Result<double> Emc2101::ReadInternalTemperatureC() {
  const auto raw = ReadRegister(emc2101::kInternalTemp);
  return raw.ok() ? Result<double>(static_cast<std::int8_t>(*raw)) : Result<double>(raw.status());
}

}  // namespace hashrig::hal::protocol
