// Rig profiles and the thermal model.
#include "hashrig/hal/sim/rigs.h"

#include <cmath>

#include <gtest/gtest.h>

#include "hashrig/hal/protocol/bm13xx/registers.h"
#include "hashrig/hal/sim/thermal.h"

namespace hashrig::hal::sim {
namespace {

using namespace std::chrono_literals;

TEST(RigsTest, EveryMakerIsModelled) {
  for (std::string_view maker : {"Bitmain", "Canaan", "MicroBT", "Auradine"}) {
    bool found = false;
    for (const RigProfile& rig : kRigs) {
      found |= rig.maker == maker;
    }
    EXPECT_TRUE(found) << maker;
  }
  for (std::string_view name : {"antminer-s19xp", "antminer-s21", "antminer-s21pro", "bitaxe-ultra",
                                "bitaxe-supra", "bitaxe-gamma"}) {
    ASSERT_NE(FindRig(name), nullptr) << name;
    EXPECT_TRUE(FindRig(name)->chip.has_value()) << name;
  }
  EXPECT_EQ(FindRig("nope"), nullptr);
  EXPECT_NEAR(FindRig("antminer-s21")->nominal_watts(), 3500, 1);
}

// Issue 16, point 6: what is not public is said in the table, as a typed field.
TEST(RigsTest, EveryRowSaysHowFarItIsModelled) {
  for (const RigProfile& rig : kRigs) {
    SCOPED_TRACE(std::string(rig.name));
    // A BM13xx chip <=> BM13xx wire-level, and only Bitmain and Bitaxe rigs have one.
    EXPECT_EQ(rig.chip.has_value(), rig.host_protocol == RigProtocol::kBm13xxWire);
    if (rig.maker == "MicroBT" || rig.maker == "Auradine") {
      EXPECT_EQ(rig.host_protocol, RigProtocol::kPowerLevelOnly);  // management APIs only (§8)
    }
    if (rig.host_protocol == RigProtocol::kAvalonWire) {
      EXPECT_EQ(rig.maker, "Canaan");
      EXPECT_GT(rig.chips_per_chain, 0);
    }
    if (rig.host_protocol == RigProtocol::kPowerLevelOnly) {
      EXPECT_EQ(rig.chips_per_chain, 0);  // no guessed chip counts either
    }
    EXPECT_GT(rig.nominal_watts(), 0);
  }
  for (std::string_view name : {"whatsminer-m60s", "teraflux-at2880"}) {
    ASSERT_NE(FindRig(name), nullptr) << name;
  }
  // Avalon 8 (851) and 10 (1041): public through the AUC, modelled at the wire level.
  for (std::string_view name : {"avalon-851", "avalon-1041"}) {
    ASSERT_NE(FindRig(name), nullptr) << name;
    EXPECT_EQ(FindRig(name)->host_protocol, RigProtocol::kAvalonWire) << name;
  }
  EXPECT_EQ(FindRig("avalon-851")->chains * FindRig("avalon-851")->chips_per_chain, 4 * 26);
  // Canaan's later boxes and the Nano 3/3S: no public host-to-hashboard protocol.
  for (std::string_view name : {"avalon-a1126pro", "avalon-a1246", "avalon-a1366", "avalon-a1466",
                                "avalon-nano3", "avalon-nano3s"}) {
    ASSERT_NE(FindRig(name), nullptr) << name;
    EXPECT_EQ(FindRig(name)->host_protocol, RigProtocol::kPowerLevelOnly) << name;
  }
  EXPECT_EQ(ProtocolWords(RigProtocol::kPowerLevelOnly), "power-level model: no public protocol");
  EXPECT_EQ(ProtocolWords(RigProtocol::kBm13xxWire), "BM13xx wire-level");
  EXPECT_EQ(ProtocolWords(RigProtocol::kAvalonWire), "Avalon wire-level (AUC + CN packets)");
}

// A BM13xx rig's nominal hashrate is reachable by its chips at a frequency inside the
// chip's PLL range (ESP-Miner's expected-hashrate formula: f x small cores per chip).
TEST(RigsTest, BmRigsReachTheirNominalHashrateWithinThePllRange) {
  for (const RigProfile& rig : kRigs) {
    if (!rig.chip) {
      continue;
    }
    const auto& info = protocol::InfoOf(*rig.chip);
    const double chips = rig.chips_per_chain * rig.chains;
    const double mhz = rig.nominal_ths * 1e12 / (chips * info.small_cores * 1e6);
    SCOPED_TRACE(std::string(rig.name) + " needs " + std::to_string(mhz) + " MHz");
    EXPECT_TRUE(protocol::SolvePll(*rig.chip, {mhz}).ok());
    EXPECT_GT(mhz, 300);
    EXPECT_LT(mhz, 700);
  }
}

TEST(ThermalTest, TemperatureFollowsPowerAndFan) {
  const RigProfile& rig = *FindRig("antminer-s21");
  ThermalModel board(rig.thermal);
  const double watts = rig.nominal_watts() / rig.chains;
  for (int i = 0; i < 600; ++i) {
    board.Step(1s, watts, 100);
  }
  EXPECT_NEAR(board.temperature().value, board.SteadyState(watts, 100), 0.1);
  const double cooled = board.temperature().value;
  for (int i = 0; i < 600; ++i) {
    board.Step(1s, watts, 30);
  }
  EXPECT_GT(board.temperature().value, cooled + 10);  // slower fans: hotter
  for (int i = 0; i < 600; ++i) {
    board.Step(1s, 0, 100);
  }
  EXPECT_NEAR(board.temperature().value, rig.thermal.ambient_c, 0.5);  // idle: ambient
}

TEST(ThermalTest, StuckAndFailedSensors) {
  ThermalModel board(FindRig("bitaxe-gamma")->thermal);
  board.Step(5s, 18, 50);
  board.set_sensor_stuck(true);
  const double frozen = board.Read().value;
  for (int i = 0; i < 100; ++i) {
    board.Step(1s, 18, 0);
  }
  EXPECT_EQ(board.Read().value, frozen);
  EXPECT_GT(board.temperature().value, frozen + 20);
  board.set_sensor_failed(true);
  EXPECT_TRUE(std::isnan(board.Read().value));
}

}  // namespace
}  // namespace hashrig::hal::sim
