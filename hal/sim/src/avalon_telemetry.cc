// A simulated module's heat, power and telemetry replies (reference §3.7, §8b.4): each
// POLLING without a nonce to report is answered with the next packet of a fixed rotation
// — STATUS, STATUS_VOLT, STATUS_PMU or STATUS_POWER, STATUS_PLL, STATUS_ASIC, STATUS_PVT
// (not on Avalon 7: its A3212 layout is not in the codec) — each kind's IDX (miner or
// chip) moving on every time the kind comes round. Figures come from the module model:
// the board temperature from thermal.h, power from the spec sheet scaled by clock and
// voltage level, fans from the host's PWM (A7/A8/LC3) or the MM's own loop (A10).
#include <algorithm>
#include <cmath>

#include "avalon_module.h"

namespace hashrig::hal::sim::avalon_detail {
namespace {

using av::Kind;

constexpr double kFullRpm = 6000;
constexpr double kDefaultTargetC = 65;  // A10's SET default (§5.4)
constexpr double kIdleShare = 0.05;     // of nominal power, a module without work
constexpr double kChipVolts = 0.40;     // at the model's default level; 5 mV per level
constexpr double kVoltsPerLevel = 0.005;
constexpr double kPsuVolts = 12.6;  // A10/LC3 PSU output at the default level; 20 mV/level
// STATUS_VOLT's ADC: mV = raw x ratio / chips / 100 (§3.7: MM741's and MM851's ratios).
constexpr double kVoutRatioA7 = 3.3 / 1024 * 63 / 20 * 1e6;
constexpr double kVoutRatioA8 = 3.3 / 4095 * 72.3 / 20 * 1e6;
constexpr std::uint16_t kVinAdc = 3000;  // a fixed 12-bit reading: the vin ratio is not public

std::vector<Kind> RotationOf(Generation generation) {
  switch (generation) {
    case Generation::kAvalon7:
      return {Kind::kStatus, Kind::kStatusVolt, Kind::kStatusPmu, Kind::kStatusPll,
              Kind::kStatusAsic};
    case Generation::kAvalon8:
      return {Kind::kStatus,    Kind::kStatusVolt, Kind::kStatusPmu,
              Kind::kStatusPll, Kind::kStatusAsic, Kind::kStatusPvt};
    default:
      return {Kind::kStatus,    Kind::kStatusVolt, Kind::kStatusPower,
              Kind::kStatusPll, Kind::kStatusAsic, Kind::kStatusPvt};
  }
}

std::uint16_t Clamp16(double value, double max) {
  return static_cast<std::uint16_t>(std::clamp(std::round(value), 0.0, max));
}

// Inverses of the host's PVT formulas (replies.h PvtTemperature / PvtVoltage).
std::uint16_t TemperatureCode(double celsius) {
  return Clamp16(((celsius + 0.625 - 60) / 200 + 0.5) * 4094, 4095);
}
std::uint16_t VoltageCode(double volts) {
  return Clamp16((volts * 5 / 1.2 + 1) * 16384 / 6 + 0.5, 0xFFFF);
}

// `total` spread over `parts`, the remainder to the first ones: part `i`'s share.
std::uint32_t ShareOf(std::uint64_t total, int parts, int i) {
  const auto n = static_cast<std::uint64_t>(parts);
  const auto k = static_cast<std::uint64_t>(i);
  return static_cast<std::uint32_t>(total / n + (k < total % n ? 1 : 0));
}

}  // namespace

av::Packet SimModule::Telemetry() {
  const std::vector<Kind> kinds = RotationOf(config_.generation);
  const Kind kind = kinds[rotation_ % kinds.size()];
  const auto round = static_cast<std::uint32_t>(rotation_ / kinds.size());
  ++rotation_;
  const int chips = model_.chips_per_miner;
  switch (kind) {
    case Kind::kStatusVolt:
      return VoltagePacket();
    case Kind::kStatusPmu:
    case Kind::kStatusPower:
      return PowerPacket();
    case Kind::kStatusPll:
      return PllPacket(static_cast<std::uint8_t>(round % miners_));
    case Kind::kStatusAsic:
      return AsicPacket(round % static_cast<std::uint32_t>(miners_ * chips));
    case Kind::kStatusPvt:
      if (auto pvt = PvtPacket(round % static_cast<std::uint32_t>(chips))) {
        return *pvt;
      }
      return StatusOf(0);
    default:
      return StatusOf(static_cast<std::uint8_t>(round % miners_));
  }
}

av::Packet SimModule::StatusOf(std::uint8_t miner) const {
  av::ModuleStatus s;
  s.miner = miner;
  s.miner_count = static_cast<std::uint8_t>(miners_);
  s.temperature = static_cast<std::int32_t>(std::lround(thermal_.Read().value));
  const double fan = FanPercent();
  s.fan_rpm[0] = static_cast<std::uint32_t>(fan * kFullRpm / 100);
  const bool two_fans = av::InfoOf(config_.generation).status == av::StatusLayout::kTwoFans;
  if (two_fans) {
    s.fan_rpm[1] = static_cast<std::uint32_t>(fan * kFullRpm / 100 * 0.98);
    s.fan_duty = static_cast<std::uint32_t>(std::lround(fan));
  } else {
    s.hw_errors = miner_bad_[miner];
  }
  s.local_works = cursor_ ? ShareOf(cursor_->headers(), miners_, miner) : 0;
  s.crc_errors = miner == 0 ? crc_errors_ : 0;
  return *av::Encode(config_.generation, s, dna_[7]);
}

av::Packet SimModule::VoltagePacket() const {
  const Generation g = config_.generation;
  av::StatusVolt volt;
  if (av::InfoOf(g).status_volt == av::StatusVoltLayout::kCoreBe16) {
    volt.raw[0] = Clamp16(ChipVolts(0) * 1000, 0xFFFF);  // millivolts: the unit is not public
    volt.count = 1;
    return *av::Encode(g, volt, dna_[7]);
  }
  const double ratio = g == Generation::kAvalon7 ? kVoutRatioA7 : kVoutRatioA8;
  for (int m = 0; m < miners_; ++m) {
    volt.raw[m] = Clamp16(ChipVolts(m) * 1000 * model_.chips_per_miner * 100 / ratio, 4095);
  }
  volt.count = static_cast<std::size_t>(miners_);
  return *av::Encode(g, volt, dna_[7]);
}

av::Packet SimModule::PowerPacket() const {
  const Generation g = config_.generation;
  if (av::TypeOf(g, Kind::kStatusPmu)) {
    av::StatusPmu pmu;
    for (int m = 0; m < miners_; ++m) {
      pmu.vin_adc[m] = kVinAdc;
    }
    pmu.power_good = static_cast<std::uint8_t>((1u << miners_) - 1);
    constexpr std::string_view kVersions = "PMU1PMU1";
    std::copy(kVersions.begin(), kVersions.end(), pmu.versions.begin());
    return *av::Encode(g, pmu, dna_[7]);
  }
  const double out = kPsuVolts + 0.02 * (volt_levels_[0] - model_.default_volt_level);
  const double watts = PowerWatts();
  const av::PowerSupply psu{0,
                            Volts{12.0},
                            Volts{out},
                            Amperes{std::round(watts / out)},
                            hashrig::Watts{std::round(watts)},
                            Volts{out}};
  return *av::Encode(g, psu, dna_[7]);
}

av::Packet SimModule::PllPacket(std::uint8_t miner) const {
  const av::StatusPllLayout layout = av::InfoOf(config_.generation).status_pll;
  const auto chips = static_cast<std::uint32_t>(model_.chips_per_miner);
  av::StatusPll pll;
  pll.miner = miner;
  if (layout == av::StatusPllLayout::kSixCounts) {
    pll.count = 6;
    pll.counts[5] = chips;  // every chip at the highest point
  } else if (layout == av::StatusPllLayout::kTwoMiners) {
    pll.miner = 0;
    pll.count = 8;
    pll.counts[3] = chips;
    pll.counts[7] = chips;
  } else {
    pll.count = 4;
    pll.counts[3] = chips;
    pll.frequencies_mhz[3] = static_cast<std::uint32_t>(mhz_[miner]);
  }
  return *av::Encode(config_.generation, pll, dna_[7]);
}

av::Packet SimModule::AsicPacket(std::uint32_t index) const {
  const int chips = model_.chips_per_miner;
  const int miner = static_cast<int>(index) / chips;
  const int chip = static_cast<int>(index) % chips;
  av::StatusAsic a;
  a.index = static_cast<std::uint8_t>(index);
  a.pass = ShareOf(miner_nonces_[miner] - miner_bad_[miner], chips, chip);
  a.fail = ShareOf(miner_bad_[miner], chips, chip);
  if (av::InfoOf(config_.generation).status_asic == av::StatusAsicLayout::kA3212) {
    a.pll_counts[5] = 1;
  } else {
    a.pll_counts[3] = 1;
    a.mhz[3] = Clamp16(mhz_[miner], 0xFFFF);
  }
  return *av::Encode(config_.generation, a, dna_[7]);
}

std::optional<av::Packet> SimModule::PvtPacket(std::uint32_t chip) const {
  av::StatusPvt pvt;
  pvt.chip = static_cast<std::uint8_t>(chip);
  pvt.count = static_cast<std::size_t>(miners_);
  const bool ring = av::InfoOf(config_.generation).pvt == av::PvtLayout::kTempVoltRing;
  for (int m = 0; m < miners_; ++m) {
    const double chip_c = thermal_.Read().value + 2 + static_cast<double>(chip % 7);
    pvt.miners[m] = {TemperatureCode(chip_c), VoltageCode(ChipVolts(m)),
                     ring ? Clamp16(mhz_[m] * 10, 0xFFFF) : std::uint16_t{0}};
  }
  auto packet = av::Encode(config_.generation, pvt, dna_[7]);
  return packet.ok() ? std::optional(*packet) : std::nullopt;
}

double SimModule::ChipVolts(int miner) const {
  return kChipVolts + kVoltsPerLevel * (volt_levels_[miner] - model_.default_volt_level);
}

double SimModule::PowerWatts() const {
  if (!present_) {
    return 0;
  }
  if (!hashing()) {
    return model_.nominal_watts * kIdleShare;
  }
  double clock = 0;
  double level = 0;
  for (int m = 0; m < miners_; ++m) {
    clock += mhz_[m] / model_.default_mhz / miners_;
    level += static_cast<double>(volt_levels_[m] - model_.default_volt_level) / miners_;
  }
  return model_.nominal_watts * clock * (1 + 0.01 * level);
}

// A10: the MM's own loop towards SET's target temperature; others: the host's PWM
// (full speed until the host sets one).
double SimModule::FanPercent() const {
  if (!present_) {
    return 0;
  }
  if (av::InfoOf(config_.generation).poll == av::PollLayout::kRebootWord) {
    const double target = set_.target_temperature != 0 ? set_.target_temperature : kDefaultTargetC;
    return std::clamp(30 + 5 * (thermal_.temperature().value - target), 10.0, 100.0);
  }
  if (!fan_pwm_) {
    return 100;
  }
  return (0x3FF - std::min<int>(*fan_pwm_, 0x3FF)) * 100.0 / 0x3FF;
}

void SimModule::Heat(std::chrono::nanoseconds elapsed) {
  thermal_.Step(std::chrono::duration<double>(elapsed), PowerWatts(), FanPercent());
}

AvalonModuleView SimModule::view() const {
  AvalonModuleView v;
  v.present = present_;
  v.id = id_;
  v.dna = dna_;
  v.configured = configured_;
  v.has_job = has_job_;
  v.frequency = Megahertz{mhz_[0]};
  v.volt_level = volt_levels_[0];
  v.temperature = thermal_.temperature();
  v.fan = Percent{FanPercent()};
  v.power = hashrig::Watts{PowerWatts()};
  v.queued_nonces = queue_.size();
  return v;
}

}  // namespace hashrig::hal::sim::avalon_detail
