// Heat safety for a chain the host drives itself: the real ChainDriver on a simulated
// chain (SimLink), the board's EMC2101 twin behind a simulated bitaxe-raw control port,
// and the policy of hal/protocol/thermal.h applied by DirectThermal — fan to target, hot
// → 100 %, dangerous → chain held, failed sensor → held after its grace, restart slower.
#include "hashrig/host/direct_thermal.h"

#include <cmath>
#include <optional>

#include <gtest/gtest.h>

#include "hashrig/hal/sim/control_port.h"
#include "hashrig/hal/sim_link.h"
#include "support/control_port_link.h"

namespace hashrig::host {
namespace {

namespace p = hal::protocol;
using namespace std::chrono_literals;

struct Board {
  Board() {
    board_heat.emplace(Heat(45));
    twin.bus.emc2101.board = &*board_heat;
    p::DriverConfig c;
    c.model = p::ChipModel::kBm1368;
    c.expected_chips = 2;
    c.frequency = p::Megahertz{490};
    c.ticket_difficulty = 1.0 / 4096;
    c.reset_hold = 1ms;
    c.enumeration_silence = 30ms;
    c.ramp_step_delay = 1ms;
    auto link = std::make_unique<hal::SimLink>(hal::sim::ChainConfig{c.model, 2, 4e6, 1});
    sim = link.get();
    chain.emplace(std::move(link), c);
    std::string error;
    auto sensors = OpenBitaxeRawSensors(std::make_unique<testing::ControlPortLink>(twin), error);
    EXPECT_TRUE(sensors) << error;
    p::ThermalConfig t;
    t.failed_sensor_grace = 1s;
    t.cool_down = 2s;
    thermal.emplace(std::move(sensors), t, c.frequency);
    chain->Start();
    const Error status = chain->RunUntilMining(5s);
    EXPECT_TRUE(status.ok()) << status.message();
  }
  static hal::sim::ThermalModel Heat(double celsius) {
    // No load is put on it: the board sits at this temperature.
    return hal::sim::ThermalModel(hal::sim::ThermalConstants{celsius, 0.5, 0.1, 10.0});
  }
  void SetTemperature(double celsius) {
    board_heat.emplace(Heat(celsius));
    twin.bus.emc2101.board = &*board_heat;
  }
  // Runs the policy for `duration` of its own time, as the chain's Poll loop does.
  void Run(p::Micros duration) {
    const p::Micros until = now + duration;
    for (; now < until; now += p::Micros(50'000)) {
      thermal->Run(now, *chain, has_work);
      (void)chain->Step(0ms);
    }
  }

  hal::sim::ControlPortTwin twin;
  std::optional<hal::sim::ThermalModel> board_heat;
  hal::SimLink* sim = nullptr;
  std::optional<hal::DirectChain> chain;
  std::optional<DirectThermal> thermal;
  p::Micros now{0};
  bool has_work = false;
};

TEST(DirectThermalTest, FanFollowsHeatDangerStopsTheChainAndItRestartsSlower) {
  Board b;
  b.Run(1s);
  EXPECT_FALSE(b.thermal->stopped());
  EXPECT_NEAR(b.thermal->temperature_c(), 45, 1);
  EXPECT_LT(b.twin.bus.emc2101.fan_percent(), 50) << "cool board: fan near its minimum";

  b.SetTemperature(79);  // hot
  b.Run(1s);
  EXPECT_NEAR(b.twin.bus.emc2101.fan_percent(), 100, 0.1);
  EXPECT_FALSE(b.thermal->stopped());

  b.SetTemperature(90);  // dangerous
  b.Run(300ms);
  EXPECT_TRUE(b.thermal->stopped());
  EXPECT_EQ(b.chain->driver().state(), p::ChainState::kIdle);
  EXPECT_NE(std::string(b.thermal->reason()), "");

  b.SetTemperature(40);
  b.Run(3s);  // cool-down 2 s, then it restarts 100 MHz slower with its work
  EXPECT_FALSE(b.thermal->stopped());
  EXPECT_TRUE(b.has_work);
  EXPECT_DOUBLE_EQ(b.chain->driver().config().frequency.value, 400);
  const Error status = b.chain->RunUntilMining(5s);
  EXPECT_TRUE(status.ok()) << status.message();
}

TEST(DirectThermalTest, AFailedSensorCountsAsHotThenStopsTheChain) {
  Board b;
  b.Run(500ms);
  b.twin.bus.emc2101.diode_open = true;
  b.Run(300ms);
  EXPECT_TRUE(std::isnan(b.thermal->temperature_c()));
  EXPECT_NEAR(b.twin.bus.emc2101.fan_percent(), 100, 0.1) << "failed sensor is hot";
  EXPECT_FALSE(b.thermal->stopped()) << "within its grace";
  b.Run(1500ms);
  EXPECT_TRUE(b.thermal->stopped());
  EXPECT_EQ(b.chain->driver().state(), p::ChainState::kIdle);
}

TEST(DirectThermalTest, ABoardThatDoesNotAnswerIsRefusedAtOpen) {
  hal::sim::ControlPortTwin twin;
  twin.silent = true;
  std::string error;
  EXPECT_FALSE(OpenBitaxeRawSensors(std::make_unique<testing::ControlPortLink>(twin), error));
  EXPECT_NE(error.find("fan/temperature controller"), std::string::npos) << error;
}

}  // namespace
}  // namespace hashrig::host
