#include "hashrig/hal/protocol/devices/emc2101.h"

#include <cmath>

namespace hashrig::hal::protocol {

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

Status Emc2101::SetFan(Percent duty) {
  const double clamped = duty.value < 0 ? 0 : duty.value > 100 ? 100 : duty.value;
  const std::uint8_t bytes[] = {emc2101::kFanSetting,
                                static_cast<std::uint8_t>(std::lround(clamped * 63 / 100))};
  return bus_.Write(kAddress, bytes);
}

Result<Rpm> Emc2101::ReadFanSpeed() {
  const auto low = ReadRegister(emc2101::kTachLow);
  const auto high = low.ok() ? ReadRegister(emc2101::kTachHigh) : low;
  if (!high.ok()) {
    return high.status();
  }
  const std::uint32_t count = static_cast<std::uint32_t>(*high) << 8 | *low;
  return Rpm{count == 0 || count == 0xFFFF ? 0.0 : 5'400'000.0 / count};
}

Result<Celsius> Emc2101::ReadExternalTemperature() {
  const auto high = ReadRegister(emc2101::kExternalTempHigh);
  const auto low = high.ok() ? ReadRegister(emc2101::kExternalTempLow) : high;
  if (!low.ok()) {
    return low.status();
  }
  // Diode faults read as 0x7F.E0 (open) or 0x7F.C0 (short) — never a temperature.
  if (*high == 0x7F && (*low == 0xE0 || *low == 0xC0)) {
    return Status(StatusCode::kUnavailable, "ASIC temperature diode open or shorted");
  }
  return Celsius{static_cast<std::int8_t>(*high) + (*low >> 5) * 0.125};
}

Result<Celsius> Emc2101::ReadInternalTemperature() {
  const auto raw = ReadRegister(emc2101::kInternalTemp);
  return raw.ok() ? Result<Celsius>(Celsius{static_cast<double>(static_cast<std::int8_t>(*raw))})
                  : Result<Celsius>(raw.status());
}

}  // namespace hashrig::hal::protocol
