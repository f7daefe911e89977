// The BM13xx models we drive, as one constexpr table (STYLE R9): identity, core geometry,
// job and result layouts, clocks (reference bm13xx-protocol.md §2.2, §2.3, §3.2, §4.3).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "hashrig/base/units.h"

namespace hashrig::hal::protocol {

enum class ChipModel : std::uint8_t { kBm1397, kBm1366, kBm1368, kBm1370 };

struct ChipInfo {
  ChipModel model;
  std::string_view name;
  std::uint16_t chip_id;       // CHIP_ID register bytes 0-1
  std::uint8_t core_num_byte;  // CHIP_ID register byte 2
  std::uint16_t cores;
  std::uint16_t small_cores;     // ESP's count, used for expected hashrate
  std::uint8_t small_core_bits;  // low bits of the result header naming the small core
  std::uint8_t job_id_step;      // ESP's job-id rotation step (mod 128)
  bool midstate_jobs;            // BM1397 takes midstates, the others full headers
  std::uint8_t response_size;    // after init (9, or 11 once version rolling is on)
  Megahertz default_frequency;
  std::uint16_t fbdiv_min;
  std::uint16_t fbdiv_max;
  bool postdiv_minus_one;   // PLL post-divider byte holds PD-1 (BM1366+)
  std::uint32_t fast_baud;  // host rate after the baud switch
  // Core voltage of a one-chip board (Bitaxe; a board of N chips in series domains sets
  // N times this at its regulator): ESP-Miner's default for the model, and the highest
  // the host accepts from --voltage (0.15 V above the default; the lowest is
  // kMinCoreVoltage, ESP-Miner's floor when it restarts a chain slower after an overheat).
  Volts default_core_voltage;
  Volts max_core_voltage;
};

inline constexpr Volts kMinCoreVoltage{1.00};

inline constexpr ChipInfo kChips[] = {
    {ChipModel::kBm1397,
     "BM1397",
     0x1397,
     0x18,
     168,
     672,
     2,
     4,
     true,
     9,
     {425},
     60,
     200,
     false,
     3'125'000,
     {1.40},
     {1.55}},
    {ChipModel::kBm1366,
     "BM1366",
     0x1366,
     0x00,
     112,
     894,
     3,
     8,
     false,
     11,
     {485},
     144,
     235,
     true,
     1'000'000,
     {1.20},
     {1.35}},
    {ChipModel::kBm1368,
     "BM1368",
     0x1368,
     0x00,
     80,
     1276,
     4,
     24,
     false,
     11,
     {490},
     144,
     235,
     true,
     1'000'000,
     {1.166},
     {1.316}},
    {ChipModel::kBm1370,
     "BM1370",
     0x1370,
     0x00,
     128,
     2040,
     4,
     24,
     false,
     11,
     {525},
     160,
     239,
     true,
     1'000'000,
     {1.15},
     {1.30}},
};

constexpr const ChipInfo& InfoOf(ChipModel model) { return kChips[static_cast<int>(model)]; }

// What `chips` chips of `model` hash at `clock` (hashes per second): clock x small cores x
// chips, the nominal rate ESP-Miner and bmminer ("rate_ideal") report.
constexpr double NominalHashrate(ChipModel model, Megahertz clock, int chips) {
  return clock.value * 1e6 * InfoOf(model).small_cores * chips;
}

constexpr std::optional<ChipModel> ModelByName(std::string_view name) {
  for (const ChipInfo& info : kChips) {
    if (info.name == name) {
      return info.model;
    }
  }
  return std::nullopt;
}

constexpr std::optional<ChipModel> ModelById(std::uint16_t chip_id) {
  for (const ChipInfo& info : kChips) {
    if (info.chip_id == chip_id) {
      return info.model;
    }
  }
  return std::nullopt;
}

// The reset-time UART rate (25 MHz / (8 x 27)); hosts open at 115,200.
inline constexpr std::uint32_t kResetBaud = 115'200;
inline constexpr double kCrystalMhz = 25.0;

}  // namespace hashrig::hal::protocol
