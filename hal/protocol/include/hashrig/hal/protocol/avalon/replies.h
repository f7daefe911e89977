// Avalon replies, MM -> host (reference avalon-protocol.md §3.5 ACKDETECT, §3.7), typed:
// decoders for the host, encoders for the simulated module. OPT of every reply but
// ACKDETECT is the last byte of the module's DNA (§3.1; a different value is the symptom
// of two modules on one address, §7.3); the encoders take it as `opt`. A module answers
// each POLLING with one packet: a NONCE if it has one queued, else a status packet.
// Errors as in config.h.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "hashrig/base/status.h"
#include "hashrig/base/units.h"
#include "hashrig/hal/protocol/avalon/config.h"
#include "hashrig/hal/protocol/avalon/generation.h"
#include "hashrig/hal/protocol/avalon/packet.h"

namespace hashrig::hal::protocol::avalon {

// ACKDETECT 0x40, OPT 0: DNA, the version string (the generation's version_length: 15
// chars, A10 20), then the BE32 total ASIC count (data[23..26], A10 data[28..31]). The
// version's first characters name the model ("851", "LC3", "1041").
struct AckDetect {
  Dna dna{};
  std::array<char, 20> version{};  // NUL-padded
  std::uint32_t asic_count = 0;
  // The version up to its first NUL.
  std::string_view version_string() const;
  friend bool operator==(const AckDetect&, const AckDetect&) = default;
};
// `version` longer than the generation's version_length is refused.
Result<Packet> Encode(Generation generation, const AckDetect& ack);
Result<AckDetect> DecodeAckDetect(Generation generation, const Packet& packet);

// One nonce a module found. The nonce is the header's (Nonce::value = header bytes 76..79
// read little-endian): on the wire those four bytes as they sit in the header (§4.4).
struct NonceReport {
  std::uint16_t miner = 0;  // 0-based
  std::uint16_t chip = 0;   // within the miner
  std::uint32_t nonce2 = 0;
  std::uint32_t ntime_offset = 0;  // seconds added to the job's ntime
  Nonce nonce{};
  std::uint16_t job_tag = 0;  // JOB_ID's tag
  std::uint16_t pool = 0;
  std::uint8_t micro_job = 0;  // A10: which VMASK version (0..3); 0 elsewhere
  friend bool operator==(const NonceReport&, const NonceReport&) = default;
};
struct NonceReports {
  std::array<NonceReport, 2> reports{};
  std::size_t count = 0;
  std::span<const NonceReport> span() const { return {reports.data(), count}; }
};
// NONCE 0x42. A7/A8/LC3, one report: BE32 chip<<16 | miner, BE32 nonce2, BE32 ntime
// offset, nonce (header order), BE16 job tag, LE16 pool. A10, two 16-byte slots (a slot
// whose top nibble is 0 is empty): BE32 valid(4 bits, 1) | micro job (4) | ntime offset (8) |
// miner (8) | chip (8), nonce, BE32 nonce2, BE16 job tag, LE16 pool. Encode takes 1 report
// (A10: 1 or 2); a field wider than its slot is refused.
Result<Packet> Encode(Generation generation, std::span<const NonceReport> reports,
                      std::uint8_t opt);
Result<NonceReports> DecodeNonce(Generation generation, const Packet& packet);

// STATUS 0x41, IDX = the miner (0-based), CNT = the module's miner count. Counters are
// per miner and the host adds them up.
struct ModuleStatus {
  std::uint8_t miner = 0;
  std::uint8_t miner_count = 0;
  std::int32_t temperature = 0;            // °C, the MM/board sensor
  std::array<std::uint32_t, 2> fan_rpm{};  // A7/A8/LC3: one fan
  std::uint32_t fan_duty = 0;              // A10: %
  std::uint32_t local_works = 0;
  std::uint32_t hw_errors = 0;  // A7/A8/LC3
  std::uint32_t miner_error = 0;
  std::uint32_t module_error = 0;
  std::uint32_t crc_errors = 0;
  friend bool operator==(const ModuleStatus&, const ModuleStatus&) = default;
};
Result<Packet> Encode(Generation generation, const ModuleStatus& status, std::uint8_t opt);
Result<ModuleStatus> DecodeStatus(Generation generation, const Packet& packet);

// STATUS_VOLT 0x46: A7/A8 one raw ADC BE32 per miner (mV = raw x the model's vout ratio /
// chips / 100, a model figure this layer does not know); LC3/A10 one BE16 core voltage at
// data[0..1] (its unit is not public), count 1.
struct StatusVolt {
  std::array<std::uint32_t, kMaxMiners> raw{};
  std::size_t count = 0;
  friend bool operator==(const StatusVolt&, const StatusVolt&) = default;
};
Result<StatusVolt> DecodeStatusVolt(Generation generation, const Packet& packet);
// A7/A8: `count` = the generation's miners; LC3/A10: count 1, raw[0] <= 0xFFFF.
Result<Packet> Encode(Generation generation, const StatusVolt& volt, std::uint8_t opt);

// STATUS_PMU 0x48 (A7/A8): input-voltage ADC per miner (BE16 at data[8 + 2i]), power-good
// bits (data[16]), two 4-character PMU firmware versions (data[24..31]).
struct StatusPmu {
  std::array<std::uint16_t, kMaxMiners> vin_adc{};
  std::uint8_t power_good = 0;
  std::array<char, 8> versions{};
  friend bool operator==(const StatusPmu&, const StatusPmu&) = default;
};
Result<StatusPmu> DecodeStatusPmu(Generation generation, const Packet& packet);
Result<Packet> Encode(Generation generation, const StatusPmu& pmu, std::uint8_t opt);

// STATUS_POWER 0x48 (LC3/A10): the PSU, six BE16 at data[0..11], valid when data[12] != 0
// (else kNotFound). Error bits as §5.3 (1 input under-voltage, ... 2048 fan failure).
struct PowerSupply {
  std::uint16_t error_bits = 0;
  Volts input{};   // 10 mV units on the wire
  Volts output{};  // 10 mV
  Amperes current{};
  Watts power{};
  Volts set_point{};  // 10 mV (LC3's host does not read it)
  friend bool operator==(const PowerSupply&, const PowerSupply&) = default;
};
Result<PowerSupply> DecodeStatusPower(Generation generation, const Packet& packet);
// data[12] = 1 (a reading); each value rounded to its wire unit, refused past 0xFFFF units
// or below 0.
Result<Packet> Encode(Generation generation, const PowerSupply& psu, std::uint8_t opt);

// STATUS_PLL 0x49: units running at each PLL point. A7: IDX = miner, 6 counts; A8/LC3:
// IDX = miner, 4 counts then the 4 frequencies actually set; A10: miners 0 and 1, 4 counts
// each (counts[0..3], counts[4..7]).
struct StatusPll {
  std::uint8_t miner = 0;
  std::array<std::uint32_t, 8> counts{};
  std::size_t count = 0;
  std::array<std::uint32_t, 4> frequencies_mhz{};  // A8/LC3; 0 = not reported
  friend bool operator==(const StatusPll&, const StatusPll&) = default;
};
Result<StatusPll> DecodeStatusPll(Generation generation, const Packet& packet);
// `count` must be the layout's (A7 6, A8/LC3 4, A10 8); frequencies only on A8/LC3.
Result<Packet> Encode(Generation generation, const StatusPll& pll, std::uint8_t opt);

// STATUS_ASIC 0x4B, IDX = miner x chips + chip. A7: speed pass/fail, sum failed/num/xor,
// 6 per-PLL counts (bytes 20..25). A8/LC3/A10: pass, fail (A10: only if data[31] != 0,
// else fail_valid false), 4 per-PLL counts (8..11), 4 x BE16 MHz per point (12..19; 0
// where the model does not send them).
struct StatusAsic {
  std::uint8_t index = 0;
  std::uint32_t pass = 0;
  std::uint32_t fail = 0;
  bool fail_valid = true;
  std::array<std::uint8_t, 6> pll_counts{};
  std::array<std::uint16_t, 4> mhz{};
  std::uint32_t sum_failed = 0;  // A7
  std::uint32_t sum_num = 0;     // A7
  std::uint32_t sum_xor = 0;     // A7
  friend bool operator==(const StatusAsic&, const StatusAsic&) = default;
};
Result<StatusAsic> DecodeStatusAsic(Generation generation, const Packet& packet);
// Fields the generation's layout lacks must be zero (fail_valid true off A10).
Result<Packet> Encode(Generation generation, const StatusAsic& asic, std::uint8_t opt);

// STATUS_PVT 0x4C, IDX = chip: one reading per miner. A8 (851's layout; 821/831/841 send
// another, not decoded here)/LC3: BE16 temperature and voltage codes at 4i; A10: 6 bytes
// per miner, + ring-oscillator count. A7's A3212 layout is not decoded (kFailedPrecondition).
struct PvtReading {
  std::uint16_t temperature_code = 0;
  std::uint16_t voltage_code = 0;
  std::uint16_t ring_oscillator = 0;  // A10
  friend bool operator==(const PvtReading&, const PvtReading&) = default;
};
struct StatusPvt {
  std::uint8_t chip = 0;
  std::array<PvtReading, kMaxMiners> miners{};
  std::size_t count = 0;
  friend bool operator==(const StatusPvt&, const StatusPvt&) = default;
};
Result<StatusPvt> DecodeStatusPvt(Generation generation, const Packet& packet);
// `count` = the generation's miners; ring oscillator counts only on A10; A7 refused.
Result<Packet> Encode(Generation generation, const StatusPvt& pvt, std::uint8_t opt);
// T = 60 + 200 x (code / 4094 - 0.5) - 0.625 °C; V = 1.2 / 5 x (6 x (code - 0.5) / 16384 - 1).
Celsius PvtTemperature(std::uint16_t code);
Volts PvtVoltage(std::uint16_t code);

// STATUS_FAC 0x4D and STATUS_OC 0x4E (A8/LC3): data[0].
Result<std::uint8_t> DecodeStatusValue(Generation generation, Kind kind, const Packet& packet);

}  // namespace hashrig::hal::protocol::avalon
