// The rigs hashrig models, as data (STYLE R9: one constexpr table). Figures are the
// makers' public spec-sheet values (nominal hashrate, efficiency); chip counts for the
// Bitmain rigs are the stock chain layouts (reference bm13xx-protocol.md §2.1). Each row
// says how far hashrig can model it (`RigProtocol`): the BM13xx rigs and Canaan's Avalon
// 8 (851) and 10 (1041) at the wire level, because their host-to-hashboard protocols are
// public (bm13xx-protocol.md; avalon-protocol.md §1.3, §2–§4); every other rig only at
// the hashrate/power level, because no such protocol is public: Canaan's integrated
// boxes (1026/1047/1066, the 11xx–14xx) and the Nano 3/3S (avalon-protocol.md §1.3, §3.9,
// §7.17), and
// MicroBT (Whatsminer) and Auradine (Teraflux), which publish only management APIs
// (§8). No protocol is guessed for those.
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

// The host-to-hashboard protocol hashrig models a rig by.
enum class RigProtocol {
  kBm13xxWire,      // BM13xx chains byte for byte (hal/protocol/bm13xx, hal/sim chain)
  kAvalonWire,      // Avalon MM modules behind the AUC, CN packets (hal/protocol/avalon)
  kPowerLevelOnly,  // hashrate, power and heat only: no public protocol to model
};

// As `hashrig rigs` prints it.
constexpr std::string_view ProtocolWords(RigProtocol protocol) {
  switch (protocol) {
    case RigProtocol::kBm13xxWire:
      return "BM13xx wire-level";
    case RigProtocol::kAvalonWire:
      return "Avalon wire-level (AUC + CN packets)";
    case RigProtocol::kPowerLevelOnly:
      return "power-level model: no public protocol";
  }
  return "?";
}

struct RigProfile {
  std::string_view name;
  std::string_view maker;
  RigProtocol host_protocol;
  std::optional<protocol::ChipModel> chip;  // the BM13xx chip; empty for other makers
  int chips_per_chain;                      // Avalon: chips per miner (hash board); 0: not public
  int chains;                               // Avalon: miners (hash boards)
  double nominal_ths;
  double joules_per_th;
  ThermalConstants thermal;  // per chain (hashboard)

  constexpr double nominal_watts() const { return nominal_ths * joules_per_th; }
};

inline constexpr PowerLevel kPowerLevels[] = {
    {"eco", 0.80, 0.70},
    {"normal", 1.00, 1.00},
    {"turbo", 1.10, 1.25},
};

inline constexpr RigProfile kRigs[] = {
    {"antminer-s17pro",
     "Bitmain",
     RigProtocol::kBm13xxWire,
     protocol::ChipModel::kBm1397,
     48,
     3,
     53,
     39.5,
     {25, 0.060, 0.028, 40}},
    {"antminer-s19xp",
     "Bitmain",
     RigProtocol::kBm13xxWire,
     protocol::ChipModel::kBm1366,
     110,
     3,
     140,
     21.5,
     {25, 0.060, 0.028, 40}},
    {"antminer-s21",
     "Bitmain",
     RigProtocol::kBm13xxWire,
     protocol::ChipModel::kBm1368,
     108,
     3,
     200,
     17.5,
     {25, 0.060, 0.028, 40}},
    {"antminer-s21pro",
     "Bitmain",
     RigProtocol::kBm13xxWire,
     protocol::ChipModel::kBm1370,
     65,
     3,
     234,
     15.0,
     {25, 0.060, 0.028, 40}},
    {"bitaxe-max",
     "Bitaxe (open hardware)",
     RigProtocol::kBm13xxWire,
     protocol::ChipModel::kBm1397,
     1,
     1,
     0.4,
     30.0,
     {25, 6.0, 2.4, 20}},
    {"bitaxe-ultra",
     "Bitaxe (open hardware)",
     RigProtocol::kBm13xxWire,
     protocol::ChipModel::kBm1366,
     1,
     1,
     0.5,
     24.0,
     {25, 6.0, 2.4, 20}},
    {"bitaxe-supra",
     "Bitaxe (open hardware)",
     RigProtocol::kBm13xxWire,
     protocol::ChipModel::kBm1368,
     1,
     1,
     0.7,
     21.0,
     {25, 5.0, 2.2, 20}},
    {"bitaxe-gamma",
     "Bitaxe (open hardware)",
     RigProtocol::kBm13xxWire,
     protocol::ChipModel::kBm1370,
     1,
     1,
     1.2,
     15.0,
     {25, 4.5, 1.9, 20}},
    // Avalon wire-level: one MM module, miners x chips as the reference's §1.3 gives them
    // (the 851's 4 x 26 A3210; the 1041's 2 miners of at most 120 chips, cgminer
    // driver-avalon10's AVA10_DEFAULT_MINER_CNT/ASIC_MAX). TH/s and W: Canaan's
    // AvalonMiner 851 (14.5 TH/s, 1450 W) and 1041 (31 TH/s, 1984 W) spec sheets.
    {"avalon-851",
     "Canaan",
     RigProtocol::kAvalonWire,
     std::nullopt,
     26,
     4,
     14.5,
     100.0,
     {25, 0.18, 0.08, 40}},
    {"avalon-1041",
     "Canaan",
     RigProtocol::kAvalonWire,
     std::nullopt,
     120,
     2,
     31,
     64.0,
     {25, 0.065, 0.030, 40}},
    // Power-level only: no public host-to-hashboard protocol (§1.3: Canaan's integrated
    // boxes from the 1026 on, §3.9: the Nano 3S's in-box IPC is not a wire protocol;
    // §8: MicroBT and Auradine publish management APIs only). Chip counts are left 0
    // (only PYASIC's unverifiable figures exist, §7.12). TH/s and J/TH: the makers'
    // launch spec sheets (A1126 Pro 68 TH/s at 50 J/TH, A1246 90 at 38, A1366 130 at 25,
    // A1466 150 at 21.5, Nano 3 4 TH/s at 140 W, Nano 3S 6 TH/s at 140 W).
    {"avalon-a1126pro",
     "Canaan",
     RigProtocol::kPowerLevelOnly,
     std::nullopt,
     0,
     3,
     68,
     50.0,
     {25, 0.060, 0.028, 40}},
    {"avalon-a1246",
     "Canaan",
     RigProtocol::kPowerLevelOnly,
     std::nullopt,
     0,
     3,
     90,
     38.0,
     {25, 0.060, 0.028, 40}},
    {"avalon-a1366",
     "Canaan",
     RigProtocol::kPowerLevelOnly,
     std::nullopt,
     0,
     3,
     130,
     25.0,
     {25, 0.060, 0.028, 40}},
    {"avalon-a1466",
     "Canaan",
     RigProtocol::kPowerLevelOnly,
     std::nullopt,
     0,
     3,
     150,
     21.5,
     {25, 0.060, 0.028, 40}},
    {"avalon-nano3",
     "Canaan",
     RigProtocol::kPowerLevelOnly,
     std::nullopt,
     0,
     1,
     4,
     35.0,
     {25, 0.45, 0.21, 30}},
    {"avalon-nano3s",
     "Canaan",
     RigProtocol::kPowerLevelOnly,
     std::nullopt,
     0,
     1,
     6,
     23.3,
     {25, 0.45, 0.21, 30}},
    {"whatsminer-m60s",
     "MicroBT",
     RigProtocol::kPowerLevelOnly,
     std::nullopt,
     0,
     3,
     186,
     18.5,
     {25, 0.055, 0.025, 40}},
    {"teraflux-at2880",
     "Auradine",
     RigProtocol::kPowerLevelOnly,
     std::nullopt,
     0,
     3,
     260,
     16.0,
     {25, 0.050, 0.022, 40}},
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
