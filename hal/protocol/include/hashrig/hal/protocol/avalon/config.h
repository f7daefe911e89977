// Avalon discovery, configuration and polling packets, host -> MM (reference
// avalon-protocol.md §3.5), typed. Each has an encoder (the host's side) and a decoder
// (the simulated module's side) for a Generation; the generation's row in generation.h
// picks the layout. All numbers are BE32 in DATA unless a field says otherwise.
//
// Errors: an encoder refuses (kInvalidArgument) a packet the generation does not have or a
// value its layout cannot carry; a decoder refuses (kMismatch) a packet of another type and
// (kInvalidArgument) bytes that break the layout.
//
// Sequence the public host follows (§5.1): DETECT(id) broadcast -> ACKDETECT; SYNC(DNA) to
// the new id; then SET, (A10: SET_HASH_OD), SET_VOLT, (A8/LC3: SET_ASIC_OTP), SET_PLL per
// miner, SET_SS, SET_FIN; POLLING every 10-20 ms, RSTMMTX after a failed poll.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "hashrig/base/status.h"
#include "hashrig/base/units.h"
#include "hashrig/hal/protocol/avalon/generation.h"
#include "hashrig/hal/protocol/avalon/packet.h"

namespace hashrig::hal::protocol::avalon {

// An MM's unique device id, as ACKDETECT reports it and SYNC echoes it.
using Dna = std::array<std::uint8_t, 8>;

// A packet of `kind` with 32 zero bytes: SET_FIN, JOB_FIN, RSTMMTX, and the "defined"
// kinds (TEST, GET_VOLT, SET_PMU ...). Refused if the generation has no such packet.
Result<Packet> Empty(Generation generation, Kind kind);

// DETECT 0x10, broadcast: data[28..31] = the id (1..6; the host's 7 probes for "overloaded").
struct Detect {
  std::uint32_t module_id = 0;
  friend bool operator==(const Detect&, const Detect&) = default;
};
Result<Packet> Encode(Generation generation, const Detect& detect);
Result<Detect> DecodeDetect(Generation generation, const Packet& packet);

// SYNC 0x31, addressed to the new id: data[0..7] = the DNA ACKDETECT reported.
struct Sync {
  Dna dna{};
  friend bool operator==(const Sync&, const Sync&) = default;
};
Result<Packet> Encode(Generation generation, const Sync& sync);
Result<Sync> DecodeSync(Generation generation, const Packet& packet);

// SET 0x20 flag bits (data[8]).
inline constexpr std::uint8_t kSetSmartSpeed = 0x01;
inline constexpr std::uint8_t kSetNonceCheck = 0x02;       // always set by the public host
inline constexpr std::uint8_t kSetRollEnable = 0x04;       // A7: "ASIC debug"
inline constexpr std::uint8_t kSetCoreClockSelect = 0x08;  // A10
inline constexpr std::uint8_t kSetSsdnPro = 0x10;          // A10

// SET 0x20. Fields a generation's layout lacks must be 0 (the encoder refuses others).
// mux_l2h .. spdhigh are unaligned BE32 at data[10], [14], [18], [22], [26]; only their
// names are public.
struct Set {
  std::uint32_t freq_sel = 0;   // data[4..7], a PLL-point selector
  std::uint8_t flags = 0;       // data[8], kSet* bits
  std::uint8_t nonce_mask = 0;  // data[9], 24..32
  std::uint32_t mux_l2h = 0;    // A8, LC3, A10
  std::uint32_t mux_h2l = 0;
  std::uint32_t h2ltime0_spd = 0;
  std::uint32_t spdlow = 0;
  std::uint32_t spdhigh = 0;
  std::uint8_t tbase = 0;               // LC3: data[30]
  std::uint8_t target_temperature = 0;  // A10: data[31], °C the MM's fan loop holds (65)
  friend bool operator==(const Set&, const Set&) = default;
};
Result<Packet> Encode(Generation generation, const Set& set);
Result<Set> DecodeSet(Generation generation, const Packet& packet);

// SET_VOLT 0x22: one level per miner (generation's `miners`) at data[4 x i], encoded as
// the generation's VoltEncoding within [volt_level_min, volt_level_max]: A7 0x8000 | level
// (0..15; board units 3889 + 78 x level), A8 0x8000 | level or 0x8080 | -level (-15..15),
// LC3 raw 0..31, A10 raw 0..75 plus the adjust-voltage switch at data[24..27].
struct SetVolt {
  std::array<int, kMaxMiners> levels{};
  std::uint32_t adjust_switch = 0;  // A10 only (the public host sends 1)
  friend bool operator==(const SetVolt&, const SetVolt&) = default;
};
Result<Packet> Encode(Generation generation, const SetVolt& volt);
Result<SetVolt> DecodeSetVolt(Generation generation, const Packet& packet);

// SET_PLL 0x25, one per miner: IDX = miner + 1, CNT = the generation's miner count. The
// wire fields as they are; PllSettingFor() computes the two words after the PLL words.
struct SetPll {
  std::array<std::uint32_t, kMaxPllPoints> words{};  // the generation's pll_points used
  std::uint32_t after_words = 0;                     // A7: (0x2000000 / fmax) x 40 / 4; others: 100
  std::uint32_t timeout = 0;  // A7: 0x2000000 / fmax x 98 / 100; 419430400 / fmax x 83 / 100
  std::uint8_t miner = 0;     // 0-based
  std::uint32_t asic = 0xFF;  // A10: 0xFF = every chip of the miner (the only form sent)
  friend bool operator==(const SetPll&, const SetPll&) = default;
};
// `words` (at most the generation's pll_points, the rest 0x04400000 on A8+ or 0) for a
// miner whose highest PLL point is `fmax` (>= 1 MHz; integer arithmetic as the host's C).
Result<SetPll> PllSettingFor(Generation generation, std::span<const std::uint32_t> words,
                             Megahertz fmax, std::uint8_t miner);
Result<Packet> Encode(Generation generation, const SetPll& pll);
Result<SetPll> DecodeSetPll(Generation generation, const Packet& packet);

// SET_SS 0x26, smart-speed thresholds. A7: pass, fail, init, ms, timeout; A8/LC3: + add;
// A10 packs pass<<16|fail, mssel<<16|init, timeout, then levels 1..4 as
// lv(2k+1)_add<<31 | lv(2k+1)_ms<<16 | lv(2k)_add<<15 | lv(2k)_ms (16-bit fields, 15-bit ms).
struct SmartSpeedLevel {
  bool add = false;
  std::uint16_t ms = 0;
  friend bool operator==(const SmartSpeedLevel&, const SmartSpeedLevel&) = default;
};
struct SmartSpeed {
  std::uint32_t pass = 0;
  std::uint32_t fail = 0;
  std::uint32_t init = 0;
  std::uint32_t ms = 0;  // A7, A8, LC3
  std::uint32_t timeout = 0;
  std::uint32_t add = 0;                    // A8, LC3
  std::uint16_t mssel = 0;                  // A10
  std::array<SmartSpeedLevel, 4> levels{};  // A10
  friend bool operator==(const SmartSpeed&, const SmartSpeed&) = default;
};
Result<Packet> Encode(Generation generation, const SmartSpeed& ss);
Result<SmartSpeed> DecodeSmartSpeed(Generation generation, const Packet& packet);

// POLLING 0x30, addressed; the MM answers with one packet (replies.h). A7/A8/LC3: LED,
// then 0x80000000 | pwm when the host sets the fan (else 0), data[8] = 1 reboots. A10: LED,
// then BE32 1 = reboot (its MM runs the fan itself).
struct Polling {
  std::uint32_t led = 0;                 // 1 = locate LED on
  std::optional<std::uint16_t> fan_pwm;  // A7/A8/LC3: FanPwm(), 10-bit
  bool reboot = false;
  friend bool operator==(const Polling&, const Polling&) = default;
};
// The host's PWM word for a fan duty: 0x3FF - pct x 0x3FF / 100 (inverted: 0x3FF = off).
std::uint16_t FanPwm(Percent duty);
Result<Packet> Encode(Generation generation, const Polling& polling);
Result<Polling> DecodePolling(Generation generation, const Packet& packet);

// One BE32 per miner: SET_ASIC_OTP 0x50 on A8/LC3 (the chip whose OTP to read, default
// 0) and SET_HASH_OD 0x54 on A10 (0/1).
struct PerMiner {
  Kind kind = Kind::kSetAsicOtp;
  std::array<std::uint32_t, kMaxMiners> values{};
  friend bool operator==(const PerMiner&, const PerMiner&) = default;
};
Result<Packet> Encode(Generation generation, const PerMiner& per_miner);
Result<PerMiner> DecodePerMiner(Generation generation, Kind kind, const Packet& packet);

// data[0] = a value: SET_OC 0x29 (A8/LC3), SET_FAC_PLL 0x50, SET_FAC_VOLT 0x51,
// SET_SS_SWITCH 0x52, SET_SSDN_PRO 0x53 (A10). SET_FAC 0x28's raw factory bytes (the
// generation's factory_bytes: A7 1, A8/LC3 4, A10 up to 32) go through EncodeFactory.
Result<Packet> EncodeValue(Generation generation, Kind kind, std::uint8_t value);
Result<std::uint8_t> DecodeValue(Generation generation, Kind kind, const Packet& packet);
Result<Packet> EncodeFactory(Generation generation, std::span<const std::uint8_t> bytes);

// SET_ADJUST_VOLT 0x51 (A10): seven BE32 in this order.
struct AdjustVolt {
  std::int32_t up_init = 0;
  std::uint32_t up_factor = 0;
  std::uint32_t up_threshold = 0;
  std::int32_t down_init = 0;
  std::uint32_t down_factor = 0;
  std::uint32_t down_threshold = 0;
  std::uint32_t time = 0;
  friend bool operator==(const AdjustVolt&, const AdjustVolt&) = default;
};
Result<Packet> Encode(Generation generation, const AdjustVolt& adjust);
Result<AdjustVolt> DecodeAdjustVolt(Generation generation, const Packet& packet);

}  // namespace hashrig::hal::protocol::avalon
