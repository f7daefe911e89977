#include "hashrig/hal/sim/peripherals.h"

#include <cmath>

namespace hashrig::hal::sim {
namespace {

namespace p = protocol;

Status Nak() { return Status(StatusCode::kUnavailable, "I2C: no acknowledge"); }

}  // namespace

Status SimI2cBus::Write(std::uint8_t address, std::span<const std::uint8_t> bytes) {
  if (nak_everything || bytes.empty()) {
    return Nak();
  }
  if (address == p::Tps546::kAddress && tps546.present) {
    if (bytes[0] == p::pmbus::kOperation && bytes.size() >= 2) {
      tps546.on = (bytes[1] & 0x80) != 0;
    } else if (bytes[0] == p::pmbus::kVoutCommand && bytes.size() >= 3) {
      tps546.vout_command = static_cast<std::uint16_t>(bytes[1] | bytes[2] << 8);
    }
    return {};
  }
  if (address == p::Emc2101::kAddress) {
    if (bytes[0] == p::emc2101::kFanSetting && bytes.size() >= 2) {
      emc2101.fan_setting = bytes[1] > 63 ? 63 : bytes[1];
    }
    return {};
  }
  return Nak();
}

Status SimI2cBus::WriteRead(std::uint8_t address, std::span<const std::uint8_t> out,
                            std::span<std::uint8_t> in) {
  if (nak_everything || out.empty()) {
    return Nak();
  }
  if (address == p::Tps546::kAddress && tps546.present) {
    if (out[0] == p::pmbus::kVoutMode) {
      if (!in.empty()) {
        in[0] = static_cast<std::uint8_t>(tps546.vout_exponent & 0x1F);
      }
      return {};
    }
    const std::uint16_t word = PmbusWord(out[0]);
    for (std::size_t i = 0; i < in.size() && i < 2; ++i) {
      in[i] = static_cast<std::uint8_t>(word >> (8 * i));
    }
    return {};
  }
  if (address == p::Emc2101::kAddress) {
    for (std::uint8_t& b : in) {
      b = EmcRegister(out[0]);
    }
    return {};
  }
  return Nak();
}

std::uint16_t SimI2cBus::PmbusWord(std::uint8_t command) const {
  switch (command) {
    case p::pmbus::kReadVout:
      return p::EncodeUlinear16(tps546.volts(), tps546.vout_exponent);
    case p::pmbus::kReadIout:
      return p::EncodeLinear11(tps546.volts() * tps546.amps_per_volt);
    case p::pmbus::kReadTemperature1:
      return p::EncodeLinear11(tps546.temperature_c);
    case p::pmbus::kStatusWord:
      return tps546.status_word;
    case p::pmbus::kVoutCommand:
      return tps546.vout_command;
    default:
      return 0;
  }
}

std::uint8_t SimI2cBus::EmcRegister(std::uint8_t reg) {
  const double celsius = emc2101.board != nullptr ? emc2101.board->Read().value : 25.0;
  const bool invalid = emc2101.diode_open || std::isnan(celsius);
  switch (reg) {
    case p::emc2101::kProductId:
      return emc2101.product_id;
    case p::emc2101::kFanSetting:
      return emc2101.fan_setting;
    case p::emc2101::kExternalTempHigh:
      ++emc2101.readings;
      glitching_ = emc2101.glitch_every > 0 && emc2101.readings % emc2101.glitch_every == 0;
      emc2101.glitches += glitching_ ? 1 : 0;
      if (glitching_) {
        return 0;
      }
      return invalid ? 0x7F
                     : static_cast<std::uint8_t>(static_cast<std::int8_t>(std::floor(celsius)));
    case p::emc2101::kExternalTempLow:
      if (glitching_) {
        return 0;
      }
      return invalid ? 0xE0
                     : static_cast<std::uint8_t>(
                           static_cast<int>((celsius - std::floor(celsius)) * 8) << 5);
    case p::emc2101::kInternalTemp:
      return 30;
    case p::emc2101::kTachLow:
    case p::emc2101::kTachHigh: {
      const double rpm = emc2101.max_rpm * emc2101.fan_percent() / 100;
      const std::uint16_t count = rpm < 1 ? 0xFFFF : static_cast<std::uint16_t>(5'400'000 / rpm);
      return static_cast<std::uint8_t>(reg == p::emc2101::kTachLow ? count : count >> 8);
    }
    default:
      return 0;
  }
}

}  // namespace hashrig::hal::sim
