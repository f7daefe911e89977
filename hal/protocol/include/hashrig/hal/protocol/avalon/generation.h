// The Avalon generations whose host ⇄ module protocol is public — Avalon 7 (cgminer's
// driver-avalon7), Avalon 8 (driver-avalon8), LC3 (driver-avalonlc3) and the first Avalon
// 10, "1041" (driver-avalon10) — as data (STYLE R9): which packet TYPE byte means what in
// each (reference avalon-protocol.md §3.4), and the layout parameters that differ between
// them (§3.5–3.7, §4.3, §5.5). Codecs take a Generation and read these rows; nothing is
// written once per generation.
//
// The same byte can mean different packets: 0x48 is STATUS_PMU on Avalon 7/8 and
// STATUS_POWER on LC3/Avalon 10; 0x50 is SET_ASIC_OTP on Avalon 8/LC3 and SET_FAC_PLL on
// Avalon 10. Avalon 10 gives 0x51 two names (SET_ADJUST_VOLT and SET_FAC_VOLT, §7.9): both
// rows are here, KindOf() answers the first (kSetAdjustVolt).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "hashrig/base/names.h"
#include "hashrig/base/units.h"

namespace hashrig::hal::protocol::avalon {

enum class Generation : std::uint8_t { kAvalon7, kAvalon8, kLc3, kAvalon10 };

// What a packet is, independent of the byte a generation gives it.
enum class Kind : std::uint8_t {
  // host -> MM: jobs (broadcast)
  kDetect,
  kStatic,
  kJobId,
  kCoinbase,
  kMerkles,
  kHeader,
  kTarget,
  kJobFin,
  kVmask,
  kMid,
  // host -> MM: configuration and polling (addressed)
  kSet,
  kSetFin,
  kSetVolt,
  kSetPmu,
  kSetPll,
  kSetSs,
  kSetFac,
  kSetOc,
  kPolling,
  kSync,
  kTest,
  kRstMmTx,
  kGetVolt,
  kSetAsicOtp,
  kSetFacPll,
  kSetAdjustVolt,
  kSetFacVolt,
  kSetSsSwitch,
  kSetSsdnPro,
  kSetHashOd,
  // MM -> host
  kAckDetect,
  kStatus,
  kNonce,
  kTestRet,
  kStatusVolt,
  kStatusPmu,
  kStatusPower,
  kStatusPll,
  kStatusLog,
  kStatusAsic,
  kStatusPvt,
  kStatusFac,
  kStatusOc,
  kStatusOtp,
};

enum class Direction : std::uint8_t { kToModule, kFromModule };

// kSent: the public host sends or decodes it. kDefined: only named in the host's header
// ("defined, unused" in §3.4) — encodable, never sent by a driver that follows cgminer.
enum class Use : std::uint8_t { kSent, kDefined };

// One bit per Generation, for the type table.
constexpr std::uint8_t Bit(Generation g) {
  return static_cast<std::uint8_t>(1u << static_cast<unsigned>(g));
}
inline constexpr std::uint8_t kA7 = Bit(Generation::kAvalon7);
inline constexpr std::uint8_t kA8 = Bit(Generation::kAvalon8);
inline constexpr std::uint8_t kLc3 = Bit(Generation::kLc3);
inline constexpr std::uint8_t kA10 = Bit(Generation::kAvalon10);
inline constexpr std::uint8_t kAll = kA7 | kA8 | kLc3 | kA10;

struct TypeRow {
  Kind kind;
  std::uint8_t type;
  Direction direction;
  Use use;
  std::uint8_t generations;  // Bit() of each generation that has it
  const char* name;          // cgminer's name, without its AVA*_P_ prefix
};

// §3.4, the Avalon 7, 8/LC3 and 10 columns.
inline constexpr TypeRow kTypes[] = {
    {Kind::kDetect, 0x10, Direction::kToModule, Use::kSent, kAll, "DETECT"},
    {Kind::kStatic, 0x11, Direction::kToModule, Use::kSent, kAll, "STATIC"},
    {Kind::kJobId, 0x12, Direction::kToModule, Use::kSent, kAll, "JOB_ID"},
    {Kind::kCoinbase, 0x13, Direction::kToModule, Use::kSent, kAll, "COINBASE"},
    {Kind::kMerkles, 0x14, Direction::kToModule, Use::kSent, kAll, "MERKLES"},
    {Kind::kHeader, 0x15, Direction::kToModule, Use::kSent, kAll, "HEADER"},
    {Kind::kTarget, 0x16, Direction::kToModule, Use::kSent, kAll, "TARGET"},
    {Kind::kJobFin, 0x17, Direction::kToModule, Use::kSent, kAll, "JOB_FIN"},
    {Kind::kVmask, 0x19, Direction::kToModule, Use::kSent, kA10, "VMASK"},
    {Kind::kMid, 0xA7, Direction::kToModule, Use::kDefined, kA7, "MID"},
    {Kind::kSet, 0x20, Direction::kToModule, Use::kSent, kAll, "SET"},
    {Kind::kSetFin, 0x21, Direction::kToModule, Use::kSent, kAll, "SET_FIN"},
    {Kind::kSetVolt, 0x22, Direction::kToModule, Use::kSent, kAll, "SET_VOLT"},
    {Kind::kSetPmu, 0x24, Direction::kToModule, Use::kDefined, kAll, "SET_PMU"},
    {Kind::kSetPll, 0x25, Direction::kToModule, Use::kSent, kAll, "SET_PLL"},
    {Kind::kSetSs, 0x26, Direction::kToModule, Use::kSent, kAll, "SET_SS"},
    {Kind::kSetFac, 0x28, Direction::kToModule, Use::kSent, kAll, "SET_FAC"},
    {Kind::kSetOc, 0x29, Direction::kToModule, Use::kSent, kA8 | kLc3, "SET_OC"},
    {Kind::kPolling, 0x30, Direction::kToModule, Use::kSent, kAll, "POLLING"},
    {Kind::kSync, 0x31, Direction::kToModule, Use::kSent, kAll, "SYNC"},
    {Kind::kTest, 0x32, Direction::kToModule, Use::kDefined, kAll, "TEST"},
    {Kind::kRstMmTx, 0x33, Direction::kToModule, Use::kSent, kAll, "RSTMMTX"},
    {Kind::kGetVolt, 0x34, Direction::kToModule, Use::kDefined, kAll, "GET_VOLT"},
    {Kind::kSetAsicOtp, 0x50, Direction::kToModule, Use::kSent, kA8 | kLc3, "SET_ASIC_OTP"},
    {Kind::kSetFacPll, 0x50, Direction::kToModule, Use::kSent, kA10, "SET_FAC_PLL"},
    {Kind::kSetAdjustVolt, 0x51, Direction::kToModule, Use::kSent, kA10, "SET_ADJUST_VOLT"},
    {Kind::kSetFacVolt, 0x51, Direction::kToModule, Use::kSent, kA10, "SET_FAC_VOLT"},
    {Kind::kSetSsSwitch, 0x52, Direction::kToModule, Use::kSent, kA10, "SET_SS_SWITCH"},
    {Kind::kSetSsdnPro, 0x53, Direction::kToModule, Use::kSent, kA10, "SET_SSDN_PRO"},
    {Kind::kSetHashOd, 0x54, Direction::kToModule, Use::kSent, kA10, "SET_HASH_OD"},
    {Kind::kAckDetect, 0x40, Direction::kFromModule, Use::kSent, kAll, "ACKDETECT"},
    {Kind::kStatus, 0x41, Direction::kFromModule, Use::kSent, kAll, "STATUS"},
    {Kind::kNonce, 0x42, Direction::kFromModule, Use::kSent, kAll, "NONCE"},
    {Kind::kTestRet, 0x43, Direction::kFromModule, Use::kDefined, kAll, "TEST_RET"},
    {Kind::kStatusVolt, 0x46, Direction::kFromModule, Use::kSent, kAll, "STATUS_VOLT"},
    {Kind::kStatusPmu, 0x48, Direction::kFromModule, Use::kSent, kA7 | kA8, "STATUS_PMU"},
    {Kind::kStatusPower, 0x48, Direction::kFromModule, Use::kSent, kLc3 | kA10, "STATUS_POWER"},
    {Kind::kStatusPll, 0x49, Direction::kFromModule, Use::kSent, kAll, "STATUS_PLL"},
    {Kind::kStatusLog, 0x4A, Direction::kFromModule, Use::kDefined, kA7 | kA8 | kLc3, "STATUS_LOG"},
    {Kind::kStatusAsic, 0x4B, Direction::kFromModule, Use::kSent, kAll, "STATUS_ASIC"},
    {Kind::kStatusPvt, 0x4C, Direction::kFromModule, Use::kSent, kAll, "STATUS_PVT"},
    {Kind::kStatusFac, 0x4D, Direction::kFromModule, Use::kSent, kAll, "STATUS_FAC"},
    {Kind::kStatusOc, 0x4E, Direction::kFromModule, Use::kSent, kA8 | kLc3, "STATUS_OC"},
    {Kind::kStatusOtp, 0x4F, Direction::kFromModule, Use::kSent, kA8 | kLc3, "STATUS_OTP"},
};

namespace detail {
inline constexpr std::size_t kGenerations = 4;
inline constexpr std::size_t kKinds = static_cast<std::size_t>(Kind::kStatusOtp) + 1;  // the last

// kTypes indexed both ways, built at compile time (a row whose kind or generation is out
// of range does not compile): every packet decoded or encoded asks, and a scan of the 44
// rows was a quarter of fuzz_avalon's time. The first row for a pair wins, as a scan's.
// table[key(row)][generation] = value(row), for each generation the row names.
template <typename Value, std::size_t kKeys, typename KeyOf, typename ValueOf>
constexpr auto IndexTypeRows(KeyOf key_of, ValueOf value_of) {
  std::array<std::array<std::optional<Value>, kGenerations>, kKeys> table{};
  for (const TypeRow& row : kTypes) {
    for (std::size_t g = 0; g < kGenerations; ++g) {
      auto& slot = table[key_of(row)][g];
      if ((row.generations & (1u << g)) != 0 && !slot) {
        slot = value_of(row);
      }
    }
  }
  return table;
}
inline constexpr auto kTypeOf = IndexTypeRows<std::uint8_t, kKinds>(
    [](const TypeRow& row) { return static_cast<std::size_t>(row.kind); },
    [](const TypeRow& row) { return row.type; });
inline constexpr auto kKindOf =
    IndexTypeRows<Kind, 256>([](const TypeRow& row) { return std::size_t{row.type}; },
                             [](const TypeRow& row) { return row.kind; });
}  // namespace detail

// The TYPE byte of `kind` in `generation`; empty if that generation has no such packet.
constexpr std::optional<std::uint8_t> TypeOf(Generation generation, Kind kind) {
  return detail::kTypeOf[static_cast<std::size_t>(kind)][static_cast<std::size_t>(generation)];
}

// What TYPE byte `type` is in `generation`; empty for a byte that generation does not use.
constexpr std::optional<Kind> KindOf(Generation generation, std::uint8_t type) {
  return detail::kKindOf[type][static_cast<std::size_t>(generation)];
}

// cgminer's name of `kind` ("SET_PLL"), "?" for none.
constexpr const char* NameOf(Kind kind) {
  for (const TypeRow& row : kTypes) {
    if (row.kind == kind) {
      return row.name;
    }
  }
  return "?";
}

// How a generation lays out the packets whose shape changed between drivers.
enum class NonceLayout : std::uint8_t {
  kOneReport,  // A7/A8/LC3: one report in data[0..19] (§3.7)
  kTwoSlots,   // A10: two 16-byte slots with a packed first word
};
enum class StatusLayout : std::uint8_t {
  kOneFan,   // A7/A8/LC3: temperature, fan, works, HW errors, codes, CRC errors
  kTwoFans,  // A10: temperature, two fans, works, fan duty, codes, CRC errors
};
enum class PollLayout : std::uint8_t {
  kFanPwm,      // A7–A9/LC3: LED, 0x80000000 | PWM or 0, data[8] reboot
  kRebootWord,  // A10: LED, BE32 reboot (the MM runs the fan)
};
enum class SetLayout : std::uint8_t {
  kBasic,          // A7: data[0..9]
  kMux,            // A8: + mux/speed fields at 10, 14, 18, 22, 26
  kMuxTbase,       // LC3: + tbase at data[30]
  kMuxTargetTemp,  // A10: + target temperature (°C) at data[31]
};
enum class VoltEncoding : std::uint8_t {
  kFlagged,        // A7: 0x8000 | level
  kFlaggedSigned,  // A8: 0x8000 | level, negative 0x8080 | -level
  kRaw,            // LC3, A10: the level
};
enum class PllLayout : std::uint8_t {
  kSixPoints,         // A7: 6 words, (0x2000000 / fmax) x 40 / 4, 0x2000000 / fmax x 98 / 100
  kFourPoints,        // A8/LC3: 4 words, 100, 419430400 / fmax x 83 / 100
  kFourPointsTarget,  // A10: as A8, then miner id and asic id (0xff = all)
};
enum class SmartSpeedLayout : std::uint8_t {
  kFiveWords,  // A7: pass, fail, init, ms, timeout
  kSixWords,   // A8/LC3: + add
  kPacked,     // A10: pass<<16|fail, mssel<<16|init, timeout, level pairs
};
enum class StatusVoltLayout : std::uint8_t {
  kPerMinerAdc,  // A7/A8: per miner BE32 raw ADC
  kCoreBe16,     // LC3/A10: data[0..1] BE16 core voltage
};
enum class StatusPllLayout : std::uint8_t {
  kSixCounts,          // A7: IDX = miner, 6 x BE32 units per PLL point
  kCountsFrequencies,  // A8/LC3: IDX = miner, 4 x BE32 counts, 4 x BE32 MHz actually set
  kTwoMiners,          // A10: 2 miners x 4 x BE32 counts
};
enum class StatusAsicLayout : std::uint8_t {
  kA3212,            // A7: 5 x BE32 speed/sum counters, 6 per-PLL counts at 20..25
  kPassFail,         // A8/LC3: pass, fail, 4 per-PLL counts, 4 x BE16 MHz (851's)
  kPassFailFlagged,  // A10: as A8, the fail count valid only if data[31] != 0
};
enum class PvtLayout : std::uint8_t {
  kA3212,         // A7: 8 raw bytes per miner (the A3212 polynomial): not decoded here
  kTempVolt,      // A8 (851's), LC3: IDX = chip, per miner BE16 temp + BE16 voltage code
  kTempVoltRing,  // A10: IDX = chip, per miner BE16 temp, voltage, ring-oscillator count
};

struct GenerationInfo {
  Generation generation;
  std::string_view name;           // "Avalon 8"
  std::string_view driver;         // cgminer's driver, "avalon8"
  std::uint8_t miners;             // hash boards ("miners") per module (§1.3)
  std::uint8_t pll_points;         // PLL words per miner in SET_PLL (§5.5)
  std::uint8_t version_length;     // ACKDETECT version string (§3.5)
  std::uint8_t asic_count_offset;  // ACKDETECT data[] of the BE32 total ASIC count
  double diff_max;                 // DRV_DIFFMAX, the highest share difficulty sent (§4.3)
  bool vmask;                      // sends VMASK after STATIC (§4.5)
  int volt_level_min;              // SET_VOLT levels (§3.5)
  int volt_level_max;
  bool volt_adjust_switch;  // SET_VOLT data[24..27] carries the adjust-voltage switch
  NonceLayout nonce;
  StatusLayout status;
  PollLayout poll;
  SetLayout set;
  VoltEncoding volt;
  PllLayout pll;
  SmartSpeedLayout smart_speed;
  StatusVoltLayout status_volt;
  StatusPllLayout status_pll;
  StatusAsicLayout status_asic;
  PvtLayout pvt;
  std::uint8_t factory_bytes;  // SET_FAC's raw bytes (§3.5)
};

inline constexpr GenerationInfo kGenerations[] = {
    {Generation::kAvalon7,
     "Avalon 7",
     "avalon7",
     4,
     6,
     15,
     23,
     500,
     false,
     0,
     15,
     false,
     NonceLayout::kOneReport,
     StatusLayout::kOneFan,
     PollLayout::kFanPwm,
     SetLayout::kBasic,
     VoltEncoding::kFlagged,
     PllLayout::kSixPoints,
     SmartSpeedLayout::kFiveWords,
     StatusVoltLayout::kPerMinerAdc,
     StatusPllLayout::kSixCounts,
     StatusAsicLayout::kA3212,
     PvtLayout::kA3212,
     1},
    {Generation::kAvalon8,
     "Avalon 8",
     "avalon8",
     4,
     4,
     15,
     23,
     2700,
     false,
     -15,
     15,
     false,
     NonceLayout::kOneReport,
     StatusLayout::kOneFan,
     PollLayout::kFanPwm,
     SetLayout::kMux,
     VoltEncoding::kFlaggedSigned,
     PllLayout::kFourPoints,
     SmartSpeedLayout::kSixWords,
     StatusVoltLayout::kPerMinerAdc,
     StatusPllLayout::kCountsFrequencies,
     StatusAsicLayout::kPassFail,
     PvtLayout::kTempVolt,
     4},
    {Generation::kLc3,
     "LC3",
     "avalonlc3",
     4,
     4,
     15,
     23,
     2700,
     false,
     0,
     31,
     false,
     NonceLayout::kOneReport,
     StatusLayout::kOneFan,
     PollLayout::kFanPwm,
     SetLayout::kMuxTbase,
     VoltEncoding::kRaw,
     PllLayout::kFourPoints,
     SmartSpeedLayout::kSixWords,
     StatusVoltLayout::kCoreBe16,
     StatusPllLayout::kCountsFrequencies,
     StatusAsicLayout::kPassFail,
     PvtLayout::kTempVolt,
     4},
    {Generation::kAvalon10,
     "Avalon 10 (1041)",
     "avalon10",
     2,
     4,
     20,
     28,
     1024,
     true,
     0,
     75,
     true,
     NonceLayout::kTwoSlots,
     StatusLayout::kTwoFans,
     PollLayout::kRebootWord,
     SetLayout::kMuxTargetTemp,
     VoltEncoding::kRaw,
     PllLayout::kFourPointsTarget,
     SmartSpeedLayout::kPacked,
     StatusVoltLayout::kCoreBe16,
     StatusPllLayout::kTwoMiners,
     StatusAsicLayout::kPassFailFlagged,
     PvtLayout::kTempVoltRing,
     32},
};

constexpr const GenerationInfo& InfoOf(Generation generation) {
  return kGenerations[static_cast<int>(generation)];
}

// The largest miner count any generation has, and the most PLL points: sizes of the
// fixed arrays in messages.h.
inline constexpr std::size_t kMaxMiners = 4;
inline constexpr std::size_t kMaxPllPoints = 6;

// The PLL word the public host sends for `frequency` (§3.5, §5.5). Only the entries the
// reference prints are known (the drivers' full tables are not in it): Avalon 7's 600 MHz;
// Avalon 8/LC3's 0, 25, 500, 525, 650, 800, 850 and 1200 MHz; Avalon 10's 0, 525 and
// 575 MHz. 0 MHz is the "unused point" word 0x04400000. Empty otherwise.
std::optional<std::uint32_t> PllWordFor(Generation generation, Megahertz frequency);
// The other way: the frequency a known PLL word stands for on `generation` (a module
// simulator reading SET_PLL); empty for words not among those entries.
std::optional<Megahertz> PllFrequencyOf(Generation generation, std::uint32_t word);

}  // namespace hashrig::hal::protocol::avalon
