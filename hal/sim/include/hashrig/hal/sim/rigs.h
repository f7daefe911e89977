// The rigs hashrig models, as data (STYLE R9: one constexpr table). Figures are the
// makers' public spec-sheet values (nominal hashrate, efficiency); chip counts for the
// Bitmain rigs are the stock chain layouts (reference bm13xx-protocol.md §2.1). The BM13xx
// rigs are simulated at the wire level; Canaan, MicroBT and Auradine rigs, whose chip
// protocols are not implemented yet, at the hashrate/power level.
#pragma once

#include <optional>
#include <string_view>

#include "hashrig/hal/protocol/bm13xx/chip.h"

namespace hashrig::hal::sim {

struct PowerLevel {
  std::string_view name;
  double hashrate_factor;  // of nominal
  double power_factor;     // of nominal
};

struct ThermalConstants {
  double ambient_c = 25;
  double resistance_still_c_per_w;  // board-to-air with the fans stopped
  double resistance_full_c_per_w;   // with the fans at 100 %
  double time_constant_s;
};

struct RigProfile {
  std::string_view name;
  std::string_view maker;
  std::optional<protocol::ChipModel> chip;  // empty: modelled at the hashrate/power level
  int chips_per_chain;
  int chains;
  double nominal_ths;
  double joules_per_th;
  ThermalConstants thermal;  // per chain (hashboard)

  double nominal_watts() const { return nominal_ths * joules_per_th; }
};

inline constexpr PowerLevel kPowerLevels[] = {
    {"eco", 0.80, 0.70},
    {"normal", 1.00, 1.00},
    {"turbo", 1.10, 1.25},
};

inline constexpr RigProfile kRigs[] = {
    {"antminer-s17pro",
     "Bitmain",
     protocol::ChipModel::kBm1397,
     48,
     3,
     53,
     39.5,
     {25, 0.060, 0.028, 40}},
    {"antminer-s19xp",
     "Bitmain",
     protocol::ChipModel::kBm1366,
     110,
     3,
     140,
     21.5,
     {25, 0.060, 0.028, 40}},
    {"antminer-s21",
     "Bitmain",
     protocol::ChipModel::kBm1368,
     108,
     3,
     200,
     17.5,
     {25, 0.060, 0.028, 40}},
    {"antminer-s21pro",
     "Bitmain",
     protocol::ChipModel::kBm1370,
     65,
     3,
     234,
     15.0,
     {25, 0.060, 0.028, 40}},
    {"bitaxe-max",
     "Bitaxe (open hardware)",
     protocol::ChipModel::kBm1397,
     1,
     1,
     0.4,
     30.0,
     {25, 6.0, 2.4, 20}},
    {"bitaxe-ultra",
     "Bitaxe (open hardware)",
     protocol::ChipModel::kBm1366,
     1,
     1,
     0.5,
     24.0,
     {25, 6.0, 2.4, 20}},
    {"bitaxe-supra",
     "Bitaxe (open hardware)",
     protocol::ChipModel::kBm1368,
     1,
     1,
     0.7,
     21.0,
     {25, 5.0, 2.2, 20}},
    {"bitaxe-gamma",
     "Bitaxe (open hardware)",
     protocol::ChipModel::kBm1370,
     1,
     1,
     1.2,
     15.0,
     {25, 4.5, 1.9, 20}},
    {"avalon-a1466", "Canaan", std::nullopt, 0, 3, 150, 21.5, {25, 0.060, 0.028, 40}},
    {"whatsminer-m60s", "MicroBT", std::nullopt, 0, 3, 186, 18.5, {25, 0.055, 0.025, 40}},
    {"teraflux-at2880", "Auradine", std::nullopt, 0, 3, 260, 16.0, {25, 0.050, 0.022, 40}},
};

constexpr const RigProfile* FindRig(std::string_view name) {
  for (const RigProfile& rig : kRigs) {
    if (rig.name == name) {
      return &rig;
    }
  }
  return nullptr;
}

constexpr const PowerLevel* FindPowerLevel(std::string_view name) {
  for (const PowerLevel& level : kPowerLevels) {
    if (level.name == name) {
      return &level;
    }
  }
  return nullptr;
}

}  // namespace hashrig::hal::sim
