#include "hashrig/hal/protocol/avalon/replies.h"

#include "fields.h"

namespace hashrig::hal::protocol::avalon {

using detail::Blank;
using detail::Is;
using detail::kNoSuchType;
using detail::kWrongType;
using detail::SetWord;
using detail::Word;

namespace {

constexpr Status kReplyOutOfRange{StatusCode::kInvalidArgument,
                                  "a value this Avalon generation's reply cannot carry"};

void StoreOneReport(Packet& p, const NonceReport& r) {
  SetWord(p, 0, static_cast<std::uint32_t>(r.chip) << 16 | r.miner);
  SetWord(p, 1, r.nonce2);
  SetWord(p, 2, r.ntime_offset);
  StoreLe32(&p.data[12], r.nonce.value);
  StoreBe16(&p.data[16], r.job_tag);
  StoreLe16(&p.data[18], r.pool);
}

bool FitsSlot(const NonceReport& r) {
  return r.micro_job <= 0xF && r.ntime_offset <= 0xFF && r.miner <= 0xFF && r.chip <= 0xFF;
}

void StoreSlot(Packet& p, std::size_t at, const NonceReport& r) {
  StoreBe32(&p.data[at], 1u << 28 | static_cast<std::uint32_t>(r.micro_job) << 24 |
                             r.ntime_offset << 16 | static_cast<std::uint32_t>(r.miner) << 8 |
                             r.chip);
  StoreLe32(&p.data[at + 4], r.nonce.value);
  StoreBe32(&p.data[at + 8], r.nonce2);
  StoreBe16(&p.data[at + 12], r.job_tag);
  StoreLe16(&p.data[at + 14], r.pool);
}

NonceReport LoadSlot(const Packet& p, std::size_t at) {
  const std::uint32_t head = LoadBe32(&p.data[at]);
  NonceReport r;
  r.micro_job = static_cast<std::uint8_t>(head >> 24 & 0xF);
  r.ntime_offset = head >> 16 & 0xFF;
  r.miner = static_cast<std::uint16_t>(head >> 8 & 0xFF);
  r.chip = static_cast<std::uint16_t>(head & 0xFF);
  r.nonce = Nonce{LoadLe32(&p.data[at + 4])};
  r.nonce2 = LoadBe32(&p.data[at + 8]);
  r.job_tag = LoadBe16(&p.data[at + 12]);
  r.pool = LoadLe16(&p.data[at + 14]);
  return r;
}

}  // namespace

std::string_view AckDetect::version_string() const {
  std::size_t n = 0;
  while (n < version.size() && version[n] != '\0') {
    ++n;
  }
  return {version.data(), n};
}

Result<Packet> Encode(Generation generation, const AckDetect& ack) {
  auto p = Blank(generation, Kind::kAckDetect);
  if (!p) {
    return kNoSuchType;
  }
  const GenerationInfo& info = InfoOf(generation);
  if (ack.version_string().size() > info.version_length) {
    return kReplyOutOfRange;
  }
  for (std::size_t i = 0; i < ack.dna.size(); ++i) {
    p->data[i] = ack.dna[i];
  }
  for (std::size_t i = 0; i < info.version_length; ++i) {
    p->data[8 + i] = static_cast<std::uint8_t>(ack.version[i]);
  }
  StoreBe32(&p->data[info.asic_count_offset], ack.asic_count);
  return *p;
}

Result<AckDetect> DecodeAckDetect(Generation generation, const Packet& packet) {
  if (!Is(generation, Kind::kAckDetect, packet)) {
    return kWrongType;
  }
  const GenerationInfo& info = InfoOf(generation);
  AckDetect ack;
  for (std::size_t i = 0; i < ack.dna.size(); ++i) {
    ack.dna[i] = packet.data[i];
  }
  for (std::size_t i = 0; i < info.version_length; ++i) {
    ack.version[i] = static_cast<char>(packet.data[8 + i]);
  }
  ack.asic_count = LoadBe32(&packet.data[info.asic_count_offset]);
  return ack;
}

Result<Packet> Encode(Generation generation, std::span<const NonceReport> reports,
                      std::uint8_t opt) {
  auto p = Blank(generation, Kind::kNonce);
  if (!p) {
    return kNoSuchType;
  }
  p->opt = opt;
  if (InfoOf(generation).nonce == NonceLayout::kOneReport) {
    if (reports.size() != 1 || reports[0].micro_job != 0) {
      return kReplyOutOfRange;
    }
    StoreOneReport(*p, reports[0]);
    return *p;
  }
  if (reports.empty() || reports.size() > 2) {
    return kReplyOutOfRange;
  }
  for (std::size_t i = 0; i < reports.size(); ++i) {
    if (!FitsSlot(reports[i])) {
      return kReplyOutOfRange;
    }
    StoreSlot(*p, 16 * i, reports[i]);
  }
  return *p;
}

Result<NonceReports> DecodeNonce(Generation generation, const Packet& packet) {
  if (!Is(generation, Kind::kNonce, packet)) {
    return kWrongType;
  }
  NonceReports out;
  if (InfoOf(generation).nonce == NonceLayout::kOneReport) {
    NonceReport& r = out.reports[0];
    r.miner = static_cast<std::uint16_t>(Word(packet, 0) & 0xFFFF);
    r.chip = static_cast<std::uint16_t>(Word(packet, 0) >> 16);
    r.nonce2 = Word(packet, 1);
    r.ntime_offset = Word(packet, 2);
    r.nonce = Nonce{LoadLe32(&packet.data[12])};
    r.job_tag = LoadBe16(&packet.data[16]);
    r.pool = LoadLe16(&packet.data[18]);
    out.count = 1;
    return out;
  }
  for (std::size_t at : {0u, 16u}) {
    if ((packet.data[at] >> 4) != 0) {
      out.reports[out.count++] = LoadSlot(packet, at);
    }
  }
  return out;
}

Result<Packet> Encode(Generation generation, const ModuleStatus& s, std::uint8_t opt) {
  const GenerationInfo& info = InfoOf(generation);
  auto p = Blank(generation, Kind::kStatus, s.miner, s.miner_count);
  if (!p) {
    return kNoSuchType;
  }
  p->opt = opt;
  SetWord(*p, 0, static_cast<std::uint32_t>(s.temperature));
  if (info.status == StatusLayout::kOneFan) {
    if (s.fan_rpm[1] != 0 || s.fan_duty != 0) {
      return kReplyOutOfRange;
    }
    const std::uint32_t words[] = {s.fan_rpm[0],  s.local_works,  s.hw_errors,
                                   s.miner_error, s.module_error, s.crc_errors};
    for (std::size_t i = 0; i < 6; ++i) {
      SetWord(*p, 1 + i, words[i]);
    }
    return *p;
  }
  if (s.hw_errors != 0) {
    return kReplyOutOfRange;
  }
  const std::uint32_t words[] = {s.fan_rpm[0],  s.fan_rpm[1],   s.local_works, s.fan_duty,
                                 s.miner_error, s.module_error, s.crc_errors};
  for (std::size_t i = 0; i < 7; ++i) {
    SetWord(*p, 1 + i, words[i]);
  }
  return *p;
}

Result<ModuleStatus> DecodeStatus(Generation generation, const Packet& packet) {
  if (!Is(generation, Kind::kStatus, packet)) {
    return kWrongType;
  }
  ModuleStatus s;
  s.miner = packet.idx;
  s.miner_count = packet.cnt;
  s.temperature = static_cast<std::int32_t>(Word(packet, 0));
  if (InfoOf(generation).status == StatusLayout::kOneFan) {
    std::uint32_t* fields[] = {&s.fan_rpm[0],  &s.local_works,  &s.hw_errors,
                               &s.miner_error, &s.module_error, &s.crc_errors};
    for (std::size_t i = 0; i < 6; ++i) {
      *fields[i] = Word(packet, 1 + i);
    }
    return s;
  }
  std::uint32_t* fields[] = {&s.fan_rpm[0],  &s.fan_rpm[1],   &s.local_works, &s.fan_duty,
                             &s.miner_error, &s.module_error, &s.crc_errors};
  for (std::size_t i = 0; i < 7; ++i) {
    *fields[i] = Word(packet, 1 + i);
  }
  return s;
}

Result<StatusVolt> DecodeStatusVolt(Generation generation, const Packet& packet) {
  if (!Is(generation, Kind::kStatusVolt, packet)) {
    return kWrongType;
  }
  const GenerationInfo& info = InfoOf(generation);
  StatusVolt v;
  if (info.status_volt == StatusVoltLayout::kCoreBe16) {
    v.raw[0] = LoadBe16(&packet.data[0]);
    v.count = 1;
    return v;
  }
  for (std::size_t i = 0; i < info.miners; ++i) {
    v.raw[i] = Word(packet, i);
  }
  v.count = info.miners;
  return v;
}

Result<StatusPmu> DecodeStatusPmu(Generation generation, const Packet& packet) {
  if (!Is(generation, Kind::kStatusPmu, packet)) {
    return kWrongType;
  }
  StatusPmu pmu;
  for (std::size_t i = 0; i < kMaxMiners; ++i) {
    pmu.vin_adc[i] = LoadBe16(&packet.data[8 + 2 * i]);
  }
  pmu.power_good = packet.data[16];
  for (std::size_t i = 0; i < pmu.versions.size(); ++i) {
    pmu.versions[i] = static_cast<char>(packet.data[24 + i]);
  }
  return pmu;
}

Result<PowerSupply> DecodeStatusPower(Generation generation, const Packet& packet) {
  if (!Is(generation, Kind::kStatusPower, packet)) {
    return kWrongType;
  }
  if (packet.data[12] == 0) {
    return Status(StatusCode::kNotFound, "the module reports no PSU reading");
  }
  auto at = [&](std::size_t i) { return static_cast<double>(LoadBe16(&packet.data[2 * i])); };
  return PowerSupply{LoadBe16(&packet.data[0]),
                     Volts{at(1) / 100},
                     Volts{at(2) / 100},
                     Amperes{at(3)},
                     Watts{at(4)},
                     Volts{at(5) / 100}};
}

Result<StatusPll> DecodeStatusPll(Generation generation, const Packet& packet) {
  if (!Is(generation, Kind::kStatusPll, packet)) {
    return kWrongType;
  }
  const StatusPllLayout layout = InfoOf(generation).status_pll;
  StatusPll pll;
  pll.miner = packet.idx;
  pll.count = layout == StatusPllLayout::kSixCounts   ? 6
              : layout == StatusPllLayout::kTwoMiners ? 8
                                                      : 4;
  for (std::size_t i = 0; i < pll.count; ++i) {
    pll.counts[i] = Word(packet, i);
  }
  if (layout == StatusPllLayout::kCountsFrequencies) {
    for (std::size_t i = 0; i < 4; ++i) {
      pll.frequencies_mhz[i] = Word(packet, 4 + i);
    }
  }
  return pll;
}

Result<StatusAsic> DecodeStatusAsic(Generation generation, const Packet& packet) {
  if (!Is(generation, Kind::kStatusAsic, packet)) {
    return kWrongType;
  }
  const StatusAsicLayout layout = InfoOf(generation).status_asic;
  StatusAsic a;
  a.index = packet.idx;
  a.pass = Word(packet, 0);
  a.fail = Word(packet, 1);
  if (layout == StatusAsicLayout::kA3212) {
    a.sum_failed = Word(packet, 2);
    a.sum_num = Word(packet, 3);
    a.sum_xor = Word(packet, 4);
    for (std::size_t i = 0; i < 6; ++i) {
      a.pll_counts[i] = packet.data[20 + i];
    }
    return a;
  }
  a.fail_valid = layout != StatusAsicLayout::kPassFailFlagged || packet.data[31] != 0;
  for (std::size_t i = 0; i < 4; ++i) {
    a.pll_counts[i] = packet.data[8 + i];
    a.mhz[i] = LoadBe16(&packet.data[12 + 2 * i]);
  }
  return a;
}

Result<StatusPvt> DecodeStatusPvt(Generation generation, const Packet& packet) {
  if (!Is(generation, Kind::kStatusPvt, packet)) {
    return kWrongType;
  }
  const GenerationInfo& info = InfoOf(generation);
  if (info.pvt == PvtLayout::kA3212) {
    return Status(StatusCode::kFailedPrecondition, "Avalon 7's PVT layout is not decoded");
  }
  const std::size_t stride = info.pvt == PvtLayout::kTempVoltRing ? 6 : 4;
  StatusPvt pvt;
  pvt.chip = packet.idx;
  pvt.count = info.miners;
  for (std::size_t i = 0; i < info.miners; ++i) {
    const std::uint8_t* at = &packet.data[stride * i];
    pvt.miners[i].temperature_code = LoadBe16(at);
    pvt.miners[i].voltage_code = LoadBe16(at + 2);
    if (stride == 6) {
      pvt.miners[i].ring_oscillator = LoadBe16(at + 4);
    }
  }
  return pvt;
}

Celsius PvtTemperature(std::uint16_t code) {
  return Celsius{60 + 200 * (code / 4094.0 - 0.5) - 0.625};
}

Volts PvtVoltage(std::uint16_t code) { return Volts{1.2 / 5 * (6 * (code - 0.5) / 16384 - 1)}; }

Result<std::uint8_t> DecodeStatusValue(Generation generation, Kind kind, const Packet& packet) {
  if ((kind != Kind::kStatusFac && kind != Kind::kStatusOc) || !Is(generation, kind, packet)) {
    return kWrongType;
  }
  return packet.data[0];
}

}  // namespace hashrig::hal::protocol::avalon
