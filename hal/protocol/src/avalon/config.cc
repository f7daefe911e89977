#include "hashrig/hal/protocol/avalon/config.h"

#include "fields.h"

namespace hashrig::hal::protocol::avalon {

using detail::Blank;
using detail::Is;
using detail::kNoSuchType;
using detail::kWrongType;
using detail::SetWord;
using detail::Word;

namespace {

constexpr Status kLayoutOutOfRange{StatusCode::kInvalidArgument,
                                   "a value this Avalon generation's layout cannot carry"};
constexpr std::uint32_t kUnusedPllWord = 0x04400000;
// SET's unaligned mux/speed fields (§3.5).
constexpr std::size_t kSetMuxOffsets[] = {10, 14, 18, 22, 26};

std::uint32_t* MuxField(Set& set, std::size_t i) {
  std::uint32_t* fields[] = {&set.mux_l2h, &set.mux_h2l, &set.h2ltime0_spd, &set.spdlow,
                             &set.spdhigh};
  return fields[i];
}

Result<std::uint32_t> EncodeLevel(const GenerationInfo& info, int level) {
  if (level < info.volt_level_min || level > info.volt_level_max) {
    return kLayoutOutOfRange;
  }
  switch (info.volt) {
    case VoltEncoding::kFlagged:
      return 0x8000u | static_cast<std::uint32_t>(level);
    case VoltEncoding::kFlaggedSigned:
      return level < 0 ? 0x8080u | static_cast<std::uint32_t>(-level)
                       : 0x8000u | static_cast<std::uint32_t>(level);
    case VoltEncoding::kRaw:
      return static_cast<std::uint32_t>(level);
  }
  return kLayoutOutOfRange;
}

Result<int> DecodeLevel(const GenerationInfo& info, std::uint32_t word) {
  int level = 0;
  switch (info.volt) {
    case VoltEncoding::kFlagged:
    case VoltEncoding::kFlaggedSigned:
      if ((word & 0xFFFFFF00u) != 0x8000u) {
        return kLayoutOutOfRange;
      }
      level = static_cast<int>(word & 0x7F);
      if (info.volt == VoltEncoding::kFlaggedSigned && (word & 0x80) != 0) {
        level = -level;
      } else if ((word & 0x80) != 0) {
        return kLayoutOutOfRange;
      }
      break;
    case VoltEncoding::kRaw:
      if (word > 0xFF) {
        return kLayoutOutOfRange;
      }
      level = static_cast<int>(word);
      break;
  }
  if (level < info.volt_level_min || level > info.volt_level_max) {
    return kLayoutOutOfRange;
  }
  return level;
}

}  // namespace

Result<Packet> Empty(Generation generation, Kind kind) {
  auto p = Blank(generation, kind);
  if (!p) {
    return kNoSuchType;
  }
  return *p;
}

Result<Packet> Encode(Generation generation, const Detect& detect) {
  auto p = Blank(generation, Kind::kDetect);
  if (!p) {
    return kNoSuchType;
  }
  SetWord(*p, 7, detect.module_id);
  return *p;
}

Result<Detect> DecodeDetect(Generation generation, const Packet& packet) {
  if (!Is(generation, Kind::kDetect, packet)) {
    return kWrongType;
  }
  return Detect{Word(packet, 7)};
}

Result<Packet> Encode(Generation generation, const Sync& sync) {
  auto p = Blank(generation, Kind::kSync);
  if (!p) {
    return kNoSuchType;
  }
  for (std::size_t i = 0; i < sync.dna.size(); ++i) {
    p->data[i] = sync.dna[i];
  }
  return *p;
}

Result<Sync> DecodeSync(Generation generation, const Packet& packet) {
  if (!Is(generation, Kind::kSync, packet)) {
    return kWrongType;
  }
  Sync sync;
  for (std::size_t i = 0; i < sync.dna.size(); ++i) {
    sync.dna[i] = packet.data[i];
  }
  return sync;
}

Result<Packet> Encode(Generation generation, const Set& set) {
  auto p = Blank(generation, Kind::kSet);
  if (!p) {
    return kNoSuchType;
  }
  const SetLayout layout = InfoOf(generation).set;
  Set fields = set;
  const bool mux = layout != SetLayout::kBasic;
  for (std::size_t i = 0; i < 5; ++i) {
    if (!mux && *MuxField(fields, i) != 0) {
      return kLayoutOutOfRange;
    }
    StoreBe32(&p->data[kSetMuxOffsets[i]], *MuxField(fields, i));
  }
  if ((set.tbase != 0 && layout != SetLayout::kMuxTbase) ||
      (set.target_temperature != 0 && layout != SetLayout::kMuxTargetTemp)) {
    return kLayoutOutOfRange;
  }
  SetWord(*p, 1, set.freq_sel);
  p->data[8] = set.flags;
  p->data[9] = set.nonce_mask;
  p->data[30] = set.tbase;
  p->data[31] = set.target_temperature;
  return *p;
}

Result<Set> DecodeSet(Generation generation, const Packet& packet) {
  if (!Is(generation, Kind::kSet, packet)) {
    return kWrongType;
  }
  const SetLayout layout = InfoOf(generation).set;
  Set set;
  set.freq_sel = Word(packet, 1);
  set.flags = packet.data[8];
  set.nonce_mask = packet.data[9];
  if (layout != SetLayout::kBasic) {
    for (std::size_t i = 0; i < 5; ++i) {
      *MuxField(set, i) = LoadBe32(&packet.data[kSetMuxOffsets[i]]);
    }
  }
  set.tbase = layout == SetLayout::kMuxTbase ? packet.data[30] : 0;
  set.target_temperature = layout == SetLayout::kMuxTargetTemp ? packet.data[31] : 0;
  return set;
}

Result<Packet> Encode(Generation generation, const SetVolt& volt) {
  auto p = Blank(generation, Kind::kSetVolt);
  if (!p) {
    return kNoSuchType;
  }
  const GenerationInfo& info = InfoOf(generation);
  for (std::size_t i = 0; i < kMaxMiners; ++i) {
    if (i >= info.miners) {
      if (volt.levels[i] != 0) {
        return kLayoutOutOfRange;
      }
      continue;
    }
    auto word = EncodeLevel(info, volt.levels[i]);
    if (!word.ok()) {
      return word.status();
    }
    SetWord(*p, i, *word);
  }
  if (volt.adjust_switch != 0 && !info.volt_adjust_switch) {
    return kLayoutOutOfRange;
  }
  SetWord(*p, 6, volt.adjust_switch);
  return *p;
}

Result<SetVolt> DecodeSetVolt(Generation generation, const Packet& packet) {
  if (!Is(generation, Kind::kSetVolt, packet)) {
    return kWrongType;
  }
  const GenerationInfo& info = InfoOf(generation);
  SetVolt volt;
  for (std::size_t i = 0; i < info.miners; ++i) {
    auto level = DecodeLevel(info, Word(packet, i));
    if (!level.ok()) {
      return level.status();
    }
    volt.levels[i] = *level;
  }
  volt.adjust_switch = info.volt_adjust_switch ? Word(packet, 6) : 0;
  return volt;
}

Result<SetPll> PllSettingFor(Generation generation, std::span<const std::uint32_t> words,
                             Megahertz fmax, std::uint8_t miner) {
  const GenerationInfo& info = InfoOf(generation);
  if (words.size() > info.pll_points || fmax.value < 1 || fmax.value > 0xFFFF ||
      miner >= info.miners) {
    return kLayoutOutOfRange;
  }
  SetPll pll;
  for (std::size_t i = 0; i < info.pll_points; ++i) {
    const std::uint32_t unused = info.pll == PllLayout::kSixPoints ? 0 : kUnusedPllWord;
    pll.words[i] = i < words.size() ? words[i] : unused;
  }
  const auto f = static_cast<std::uint32_t>(fmax.value);
  if (info.pll == PllLayout::kSixPoints) {
    pll.after_words = (0x2000000u / f) * 40 / 4;
    pll.timeout = 0x2000000u / f * 98 / 100;
  } else {
    pll.after_words = 100;
    pll.timeout = 419430400u / f * 83 / 100;
  }
  pll.miner = miner;
  return pll;
}

Result<Packet> Encode(Generation generation, const SetPll& pll) {
  const GenerationInfo& info = InfoOf(generation);
  if (pll.miner >= info.miners) {
    return kLayoutOutOfRange;
  }
  auto p = Blank(generation, Kind::kSetPll, static_cast<std::uint8_t>(pll.miner + 1), info.miners);
  if (!p) {
    return kNoSuchType;
  }
  for (std::size_t i = 0; i < kMaxPllPoints; ++i) {
    if (i >= info.pll_points && pll.words[i] != 0) {
      return kLayoutOutOfRange;
    }
  }
  const bool targeted = info.pll == PllLayout::kFourPointsTarget;
  if (targeted ? pll.asic != 0xFF : pll.asic != 0xFF && pll.asic != 0) {
    return kLayoutOutOfRange;  // per-chip PLL (A10, IDX counting chips) is not produced
  }
  for (std::size_t i = 0; i < info.pll_points; ++i) {
    SetWord(*p, i, pll.words[i]);
  }
  SetWord(*p, info.pll_points, pll.after_words);
  SetWord(*p, info.pll_points + 1u, pll.timeout);
  if (targeted) {
    SetWord(*p, info.pll_points + 2u, pll.miner);
    SetWord(*p, info.pll_points + 3u, pll.asic);
  }
  return *p;
}

Result<SetPll> DecodeSetPll(Generation generation, const Packet& packet) {
  if (!Is(generation, Kind::kSetPll, packet)) {
    return kWrongType;
  }
  const GenerationInfo& info = InfoOf(generation);
  if (packet.idx < 1 || packet.idx > info.miners) {
    return kLayoutOutOfRange;
  }
  SetPll pll;
  for (std::size_t i = 0; i < info.pll_points; ++i) {
    pll.words[i] = Word(packet, i);
  }
  pll.after_words = Word(packet, info.pll_points);
  pll.timeout = Word(packet, info.pll_points + 1u);
  pll.miner = static_cast<std::uint8_t>(packet.idx - 1);
  if (info.pll == PllLayout::kFourPointsTarget) {
    pll.asic = Word(packet, info.pll_points + 3u);
  }
  return pll;
}

std::uint16_t FanPwm(Percent duty) {
  const double clamped = duty.value < 0 ? 0 : duty.value > 100 ? 100 : duty.value;
  return static_cast<std::uint16_t>(0x3FF - static_cast<int>(clamped) * 0x3FF / 100);
}

Result<Packet> Encode(Generation generation, const Polling& polling) {
  auto p = Blank(generation, Kind::kPolling);
  if (!p) {
    return kNoSuchType;
  }
  SetWord(*p, 0, polling.led);
  if (InfoOf(generation).poll == PollLayout::kRebootWord) {
    if (polling.fan_pwm) {
      return kLayoutOutOfRange;  // the A10 MM runs its fan
    }
    SetWord(*p, 1, polling.reboot ? 1 : 0);
    return *p;
  }
  if (polling.fan_pwm && *polling.fan_pwm > 0x3FF) {
    return kLayoutOutOfRange;
  }
  SetWord(*p, 1, polling.fan_pwm ? 0x80000000u | *polling.fan_pwm : 0);
  p->data[8] = polling.reboot ? 1 : 0;
  return *p;
}

Result<Polling> DecodePolling(Generation generation, const Packet& packet) {
  if (!Is(generation, Kind::kPolling, packet)) {
    return kWrongType;
  }
  Polling polling;
  polling.led = Word(packet, 0);
  if (InfoOf(generation).poll == PollLayout::kRebootWord) {
    polling.reboot = Word(packet, 1) != 0;
    return polling;
  }
  const std::uint32_t fan = Word(packet, 1);
  if ((fan & 0x80000000u) != 0) {
    polling.fan_pwm = static_cast<std::uint16_t>(fan & 0x3FF);
  }
  polling.reboot = packet.data[8] != 0;
  return polling;
}

Result<Packet> Encode(Generation generation, const SmartSpeed& ss) {
  auto p = Blank(generation, Kind::kSetSs);
  if (!p) {
    return kNoSuchType;
  }
  const SmartSpeedLayout layout = InfoOf(generation).smart_speed;
  if (layout != SmartSpeedLayout::kPacked) {
    if (ss.mssel != 0 || ss.levels != std::array<SmartSpeedLevel, 4>{} ||
        (layout == SmartSpeedLayout::kFiveWords && ss.add != 0)) {
      return kLayoutOutOfRange;
    }
    const std::uint32_t words[] = {ss.pass, ss.fail, ss.init, ss.ms, ss.timeout, ss.add};
    for (std::size_t i = 0; i < 6; ++i) {
      SetWord(*p, i, words[i]);
    }
    return *p;
  }
  if (ss.pass > 0xFFFF || ss.fail > 0xFFFF || ss.init > 0xFFFF || ss.ms != 0 || ss.add != 0) {
    return kLayoutOutOfRange;
  }
  SetWord(*p, 0, ss.pass << 16 | ss.fail);
  SetWord(*p, 1, static_cast<std::uint32_t>(ss.mssel) << 16 | ss.init);
  SetWord(*p, 2, ss.timeout);
  for (std::size_t pair = 0; pair < 2; ++pair) {
    std::uint32_t word = 0;
    for (std::size_t half = 0; half < 2; ++half) {
      const SmartSpeedLevel& level = ss.levels[2 * pair + half];
      if (level.ms > 0x7FFF) {
        return kLayoutOutOfRange;
      }
      word |= (static_cast<std::uint32_t>(level.add) << 15 | level.ms) << (16 * half);
    }
    SetWord(*p, 3 + pair, word);
  }
  return *p;
}

Result<SmartSpeed> DecodeSmartSpeed(Generation generation, const Packet& packet) {
  if (!Is(generation, Kind::kSetSs, packet)) {
    return kWrongType;
  }
  SmartSpeed ss;
  const SmartSpeedLayout layout = InfoOf(generation).smart_speed;
  if (layout != SmartSpeedLayout::kPacked) {
    std::uint32_t* words[] = {&ss.pass, &ss.fail, &ss.init, &ss.ms, &ss.timeout, &ss.add};
    const std::size_t count = layout == SmartSpeedLayout::kFiveWords ? 5 : 6;
    for (std::size_t i = 0; i < count; ++i) {
      *words[i] = Word(packet, i);
    }
    return ss;
  }
  ss.pass = Word(packet, 0) >> 16;
  ss.fail = Word(packet, 0) & 0xFFFF;
  ss.mssel = static_cast<std::uint16_t>(Word(packet, 1) >> 16);
  ss.init = Word(packet, 1) & 0xFFFF;
  ss.timeout = Word(packet, 2);
  for (std::size_t i = 0; i < 4; ++i) {
    const std::uint32_t half = Word(packet, 3 + i / 2) >> (16 * (i % 2));
    ss.levels[i] = {(half & 0x8000) != 0, static_cast<std::uint16_t>(half & 0x7FFF)};
  }
  return ss;
}

Result<Packet> Encode(Generation generation, const PerMiner& per_miner) {
  if (per_miner.kind != Kind::kSetAsicOtp && per_miner.kind != Kind::kSetHashOd) {
    return kNoSuchType;
  }
  auto p = Blank(generation, per_miner.kind);
  if (!p) {
    return kNoSuchType;
  }
  const std::size_t miners = InfoOf(generation).miners;
  for (std::size_t i = 0; i < kMaxMiners; ++i) {
    if (i >= miners && per_miner.values[i] != 0) {
      return kLayoutOutOfRange;
    }
    if (i < miners) {
      SetWord(*p, i, per_miner.values[i]);
    }
  }
  return *p;
}

Result<PerMiner> DecodePerMiner(Generation generation, Kind kind, const Packet& packet) {
  if ((kind != Kind::kSetAsicOtp && kind != Kind::kSetHashOd) || !Is(generation, kind, packet)) {
    return kWrongType;
  }
  PerMiner per_miner{kind, {}};
  for (std::size_t i = 0; i < InfoOf(generation).miners; ++i) {
    per_miner.values[i] = Word(packet, i);
  }
  return per_miner;
}

namespace {

constexpr bool IsValueKind(Kind kind) {
  return kind == Kind::kSetOc || kind == Kind::kSetFacPll || kind == Kind::kSetFacVolt ||
         kind == Kind::kSetSsSwitch || kind == Kind::kSetSsdnPro;
}

}  // namespace

Result<Packet> EncodeValue(Generation generation, Kind kind, std::uint8_t value) {
  auto p = IsValueKind(kind) ? Blank(generation, kind) : std::nullopt;
  if (!p) {
    return kNoSuchType;
  }
  p->data[0] = value;
  return *p;
}

Result<std::uint8_t> DecodeValue(Generation generation, Kind kind, const Packet& packet) {
  if (!IsValueKind(kind) || !Is(generation, kind, packet)) {
    return kWrongType;
  }
  return packet.data[0];
}

Result<Packet> EncodeFactory(Generation generation, std::span<const std::uint8_t> bytes) {
  auto p = Blank(generation, Kind::kSetFac);
  if (!p) {
    return kNoSuchType;
  }
  if (bytes.size() > InfoOf(generation).factory_bytes) {
    return kLayoutOutOfRange;
  }
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    p->data[i] = bytes[i];
  }
  return *p;
}

Result<Packet> Encode(Generation generation, const AdjustVolt& adjust) {
  auto p = Blank(generation, Kind::kSetAdjustVolt);
  if (!p) {
    return kNoSuchType;
  }
  const std::uint32_t words[] = {static_cast<std::uint32_t>(adjust.up_init),
                                 adjust.up_factor,
                                 adjust.up_threshold,
                                 static_cast<std::uint32_t>(adjust.down_init),
                                 adjust.down_factor,
                                 adjust.down_threshold,
                                 adjust.time};
  for (std::size_t i = 0; i < 7; ++i) {
    SetWord(*p, i, words[i]);
  }
  return *p;
}

Result<AdjustVolt> DecodeAdjustVolt(Generation generation, const Packet& packet) {
  if (!Is(generation, Kind::kSetAdjustVolt, packet)) {
    return kWrongType;
  }
  return AdjustVolt{static_cast<std::int32_t>(Word(packet, 0)),
                    Word(packet, 1),
                    Word(packet, 2),
                    static_cast<std::int32_t>(Word(packet, 3)),
                    Word(packet, 4),
                    Word(packet, 5),
                    Word(packet, 6)};
}

}  // namespace hashrig::hal::protocol::avalon
