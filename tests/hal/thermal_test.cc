// The thermal policy against the thermal model: the fan loop holds the target; hot means
// fans 100 %; dangerous stops the chain; a failed or absent sensor is hot and then stops;
// an overheated chain restarts only when cool, at a lower clock.
#include "hashrig/hal/protocol/thermal.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "hashrig/hal/sim/rigs.h"
#include "hashrig/hal/sim/thermal.h"

namespace hashrig::hal {
namespace {

using protocol::Micros;
using protocol::ThermalState;
using namespace std::chrono_literals;

TEST(ThermalPolicyTest, FanLoopHoldsTheTarget) {
  const auto& rig = *sim::FindRig("antminer-s21");
  sim::ThermalModel board(rig.thermal);
  protocol::ThermalController controller({}, {490});
  const double watts = rig.nominal_watts() / rig.chains;
  double fan = 100;
  Micros now{0};
  for (int i = 0; i < 1800; ++i) {  // 30 minutes, 1 s steps
    board.Step(1s, watts, fan);
    const auto d = controller.Update(board.Read().value, now);
    EXPECT_FALSE(d.stop_chain);
    fan = d.fan_percent;
    now += Micros(1'000'000);
  }
  EXPECT_NEAR(board.temperature().value, 60, 1.5);
  EXPECT_GT(fan, 25);
  EXPECT_LT(fan, 100);
}

TEST(ThermalPolicyTest, HotThenDangerousThenCoolRestartAtALowerClock) {
  protocol::ThermalController controller({}, {525});
  EXPECT_EQ(controller.Update(76, Micros(0)).fan_percent, 100);
  EXPECT_EQ(controller.Update(76, Micros(1)).state, ThermalState::kHot);
  auto stop = controller.Update(86, Micros(1'000'000));
  EXPECT_TRUE(stop.stop_chain);
  EXPECT_EQ(stop.fan_percent, 100);
  EXPECT_EQ(controller.overheats(), 1u);
  EXPECT_TRUE(controller.Update(40, Micros(10'000'000)).stop_chain);  // cooled, but too soon
  EXPECT_TRUE(controller.Update(60, Micros(40'000'000)).stop_chain);  // late, but still warm
  const auto resume = controller.Update(45, Micros(41'000'000));
  EXPECT_TRUE(resume.restart_chain);
  EXPECT_FALSE(resume.stop_chain);
  EXPECT_EQ(resume.frequency.value, 425);
  EXPECT_FALSE(controller.Update(45, Micros(42'000'000)).restart_chain);  // once
}

TEST(ThermalPolicyTest, FailedSensorIsHotThenStopsWithinTheGrace) {
  protocol::ThermalController controller({}, {525});
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto first = controller.Update(nan, Micros(0));
  EXPECT_EQ(first.fan_percent, 100);
  EXPECT_FALSE(first.stop_chain);
  EXPECT_FALSE(controller.Update(-127, Micros(4'000'000)).stop_chain);  // absent diode reads
  EXPECT_TRUE(controller.Update(nan, Micros(5'000'000)).stop_chain);
  EXPECT_EQ(controller.overheats(), 0u);
}

TEST(ThermalPolicyTest, AStuckSensorIsTreatedAsFailed) {
  sim::ThermalModel board(sim::FindRig("bitaxe-gamma")->thermal);
  protocol::ThermalConfig config;
  config.stuck_after = Micros(60'000'000);
  protocol::ThermalController controller(config, {525});
  double fan = 100;
  Micros now{0};
  bool stopped = false;
  for (int i = 0; i < 200 && !stopped; ++i) {
    board.Step(1s, 18, fan);
    if (i == 30) {
      board.set_sensor_stuck(true);  // from here the reading never changes
    }
    const auto d = controller.Update(board.Read().value, now);
    fan = d.fan_percent;
    stopped = d.stop_chain;
    if (i < 80) {
      EXPECT_FALSE(stopped) << i;  // not before stuck_after + grace
    }
    now += Micros(1'000'000);
  }
  EXPECT_TRUE(stopped);
  EXPECT_LE(now.count(), Micros(100'000'000).count());  // within stuck_after + grace + a bit
}

}  // namespace
}  // namespace hashrig::hal
