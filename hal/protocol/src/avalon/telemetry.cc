// Encoders of the telemetry replies (replies.h: STATUS_VOLT, STATUS_PMU, STATUS_POWER,
// STATUS_PLL, STATUS_ASIC, STATUS_PVT), the simulated module's side; each writes exactly
// what its decoder in replies.cc reads, so decode(encode(x)) == x.
#include <cmath>

#include "fields.h"
#include "hashrig/hal/protocol/avalon/replies.h"

namespace hashrig::hal::protocol::avalon {

using detail::Blank;
using detail::kNoSuchType;
using detail::SetWord;

namespace {

constexpr Status kTelemetryOutOfRange{StatusCode::kInvalidArgument,
                                      "a value this Avalon generation's telemetry cannot carry"};

// `value` / `unit` rounded to a BE16 at data[2 x i]; false past 16 bits or below 0.
bool StoreUnits(Packet& p, std::size_t i, double value, double unit) {
  const double units = std::round(value / unit);
  if (!(units >= 0 && units <= 0xFFFF)) {
    return false;
  }
  StoreBe16(&p.data[2 * i], static_cast<std::uint16_t>(units));
  return true;
}

std::size_t PllCounts(StatusPllLayout layout) {
  return layout == StatusPllLayout::kSixCounts ? 6 : layout == StatusPllLayout::kTwoMiners ? 8 : 4;
}

}  // namespace

Result<Packet> Encode(Generation generation, const StatusVolt& volt, std::uint8_t opt) {
  auto p = Blank(generation, Kind::kStatusVolt);
  if (!p) {
    return kNoSuchType;
  }
  p->opt = opt;
  const GenerationInfo& info = InfoOf(generation);
  if (info.status_volt == StatusVoltLayout::kCoreBe16) {
    if (volt.count != 1 || volt.raw[0] > 0xFFFF) {
      return kTelemetryOutOfRange;
    }
    StoreBe16(&p->data[0], static_cast<std::uint16_t>(volt.raw[0]));
    return *p;
  }
  if (volt.count != info.miners) {
    return kTelemetryOutOfRange;
  }
  for (std::size_t i = 0; i < volt.count; ++i) {
    SetWord(*p, i, volt.raw[i]);
  }
  return *p;
}

Result<Packet> Encode(Generation generation, const StatusPmu& pmu, std::uint8_t opt) {
  auto p = Blank(generation, Kind::kStatusPmu);
  if (!p) {
    return kNoSuchType;
  }
  p->opt = opt;
  for (std::size_t i = 0; i < kMaxMiners; ++i) {
    StoreBe16(&p->data[8 + 2 * i], pmu.vin_adc[i]);
  }
  p->data[16] = pmu.power_good;
  for (std::size_t i = 0; i < pmu.versions.size(); ++i) {
    p->data[24 + i] = static_cast<std::uint8_t>(pmu.versions[i]);
  }
  return *p;
}

Result<Packet> Encode(Generation generation, const PowerSupply& psu, std::uint8_t opt) {
  auto p = Blank(generation, Kind::kStatusPower);
  if (!p) {
    return kNoSuchType;
  }
  p->opt = opt;
  StoreBe16(&p->data[0], psu.error_bits);
  const bool fits =
      StoreUnits(*p, 1, psu.input.value, 0.01) && StoreUnits(*p, 2, psu.output.value, 0.01) &&
      StoreUnits(*p, 3, psu.current.value, 1) && StoreUnits(*p, 4, psu.power.value, 1) &&
      StoreUnits(*p, 5, psu.set_point.value, 0.01);
  if (!fits) {
    return kTelemetryOutOfRange;
  }
  p->data[12] = 1;  // a reading
  return *p;
}

Result<Packet> Encode(Generation generation, const StatusPll& pll, std::uint8_t opt) {
  const StatusPllLayout layout = InfoOf(generation).status_pll;
  auto p = Blank(generation, Kind::kStatusPll, pll.miner);
  if (!p) {
    return kNoSuchType;
  }
  p->opt = opt;
  const bool frequencies = layout == StatusPllLayout::kCountsFrequencies;
  const bool stray_frequency =
      !frequencies && (pll.frequencies_mhz != decltype(pll.frequencies_mhz){});
  if (pll.count != PllCounts(layout) || stray_frequency) {
    return kTelemetryOutOfRange;
  }
  for (std::size_t i = 0; i < pll.count; ++i) {
    SetWord(*p, i, pll.counts[i]);
  }
  for (std::size_t i = 0; frequencies && i < 4; ++i) {
    SetWord(*p, 4 + i, pll.frequencies_mhz[i]);
  }
  return *p;
}

Result<Packet> Encode(Generation generation, const StatusAsic& a, std::uint8_t opt) {
  const StatusAsicLayout layout = InfoOf(generation).status_asic;
  auto p = Blank(generation, Kind::kStatusAsic, a.index);
  if (!p) {
    return kNoSuchType;
  }
  p->opt = opt;
  SetWord(*p, 0, a.pass);
  SetWord(*p, 1, a.fail);
  if (layout == StatusAsicLayout::kA3212) {
    if (!a.fail_valid || a.mhz != decltype(a.mhz){}) {
      return kTelemetryOutOfRange;
    }
    SetWord(*p, 2, a.sum_failed);
    SetWord(*p, 3, a.sum_num);
    SetWord(*p, 4, a.sum_xor);
    for (std::size_t i = 0; i < 6; ++i) {
      p->data[20 + i] = a.pll_counts[i];
    }
    return *p;
  }
  const bool flagged = layout == StatusAsicLayout::kPassFailFlagged;
  if (a.sum_failed != 0 || a.sum_num != 0 || a.sum_xor != 0 || a.pll_counts[4] != 0 ||
      a.pll_counts[5] != 0 || (!flagged && !a.fail_valid) || (!a.fail_valid && a.fail != 0)) {
    return kTelemetryOutOfRange;
  }
  for (std::size_t i = 0; i < 4; ++i) {
    p->data[8 + i] = a.pll_counts[i];
    StoreBe16(&p->data[12 + 2 * i], a.mhz[i]);
  }
  p->data[31] = flagged && a.fail_valid ? 1 : 0;
  return *p;
}

Result<Packet> Encode(Generation generation, const StatusPvt& pvt, std::uint8_t opt) {
  const GenerationInfo& info = InfoOf(generation);
  auto p = Blank(generation, Kind::kStatusPvt, pvt.chip);
  if (!p) {
    return kNoSuchType;
  }
  p->opt = opt;
  if (info.pvt == PvtLayout::kA3212) {
    return Status(StatusCode::kFailedPrecondition, "Avalon 7's PVT layout is not encoded");
  }
  const bool ring = info.pvt == PvtLayout::kTempVoltRing;
  if (pvt.count != info.miners) {
    return kTelemetryOutOfRange;
  }
  const std::size_t stride = ring ? 6 : 4;
  for (std::size_t i = 0; i < pvt.count; ++i) {
    const PvtReading& r = pvt.miners[i];
    if (!ring && r.ring_oscillator != 0) {
      return kTelemetryOutOfRange;
    }
    StoreBe16(&p->data[stride * i], r.temperature_code);
    StoreBe16(&p->data[stride * i + 2], r.voltage_code);
    if (ring) {
      StoreBe16(&p->data[stride * i + 4], r.ring_oscillator);
    }
  }
  return *p;
}

}  // namespace hashrig::hal::protocol::avalon
