// The thermal policy against the thermal model: the fan loop holds the target; hot means
// fans 100 %; dangerous stops the chain; a failed or absent sensor is hot and then stops;
// an overheated chain restarts only when cool, at a lower clock.
#include "hashrig/hal/protocol/policy/thermal.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "hashrig/hal/sim/rigs.h"
#include "hashrig/hal/sim/thermal.h"

namespace hashrig::hal {
namespace {

using protocol::Micros;
using protocol::StopReason;
using protocol::ThermalState;
using namespace std::chrono_literals;

std::optional<Celsius> C(double celsius) { return Celsius{celsius}; }

TEST(ThermalPolicyTest, FanLoopHoldsTheTarget) {
  const auto& rig = *sim::FindRig("antminer-s21");
  sim::ThermalModel board(rig.thermal);
  protocol::ThermalController controller({}, {490});
  const double watts = rig.nominal_watts() / rig.chains;
  double fan = 100;
  Micros now{0};
  for (int i = 0; i < 1800; ++i) {  // 30 minutes, 1 s steps
    board.Step(1s, watts, fan);
    const auto d = controller.Update(board.Read(), now);
    EXPECT_FALSE(d.stop_chain);
    fan = d.fan.value;
    now += Micros(1'000'000);
  }
  EXPECT_NEAR(board.temperature().value, 60, 1.5);
  EXPECT_GT(fan, 25);
  EXPECT_LT(fan, 100);
}

TEST(ThermalPolicyTest, HotThenDangerousThenCoolRestartAtALowerClock) {
  protocol::ThermalController controller({}, {525});
  EXPECT_EQ(controller.Update(C(76), Micros(0)).fan.value, 100);
  EXPECT_EQ(controller.Update(C(76), Micros(1)).state, ThermalState::kHot);
  auto stop = controller.Update(C(86), Micros(1'000'000));
  EXPECT_TRUE(stop.stop_chain);
  EXPECT_EQ(stop.stop_reason, StopReason::kOverheat);
  EXPECT_EQ(stop.fan.value, 100);
  EXPECT_EQ(controller.overheats(), 1u);
  EXPECT_TRUE(controller.Update(C(40), Micros(10'000'000)).stop_chain);  // cooled, but too soon
  EXPECT_TRUE(controller.Update(C(60), Micros(40'000'000)).stop_chain);  // late, but still warm
  EXPECT_TRUE(controller.Update(C(45), Micros(42'000'000)).stop_chain);  // cool only just now
  const auto resume = controller.Update(C(45), Micros(47'000'000));      // cool for resume_hold
  EXPECT_TRUE(resume.restart_chain);
  EXPECT_FALSE(resume.stop_chain);
  EXPECT_EQ(resume.frequency.value, 425);
  EXPECT_FALSE(controller.Update(C(45), Micros(48'000'000)).restart_chain);  // once
}

TEST(ThermalPolicyTest, FailedSensorIsHotThenStopsWithinTheGrace) {
  protocol::ThermalController controller({}, {525});
  auto first = controller.Update(std::nullopt, Micros(0));
  EXPECT_EQ(first.fan.value, 100);
  EXPECT_FALSE(first.stop_chain);
  EXPECT_FALSE(controller.Update(C(-127), Micros(4'000'000)).stop_chain);  // absent diode reads
  const auto stop = controller.Update(std::nullopt, Micros(5'000'000));
  EXPECT_TRUE(stop.stop_chain);
  EXPECT_EQ(stop.stop_reason, StopReason::kSensorFailed);  // the reason, not "overheat"
  EXPECT_EQ(controller.overheats(), 0u);
  EXPECT_FALSE(controller.believed().has_value());  // reported as failed, never a number
}

// A 0 °C glitch among good readings (`hashrig sim --sensor-glitch-every 4` on a Bitaxe
// showed "0.0C" in the status line): the believed temperature stays the last good one and
// the chain keeps mining; a failed reading is no temperature, not the last good one.
TEST(ThermalPolicyTest, AGlitchIsNeverTheTemperatureShown) {
  protocol::ThermalController controller({}, {525});
  Micros now{0};
  for (int i = 1; i <= 40; ++i) {  // 10 s, every 4th reading 0 °C
    now += Micros(250'000);
    const auto d = controller.Update(C(i % 4 == 0 ? 0 : 50), now);
    EXPECT_FALSE(d.stop_chain) << i;
    ASSERT_TRUE(controller.believed().has_value()) << i;
    EXPECT_EQ(controller.believed()->value, 50) << i;
  }
  // No reading at all is shown as none at once (the status says the sensor failed).
  controller.Update(std::nullopt, now + Micros(250'000));
  EXPECT_FALSE(controller.believed().has_value());
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
    const auto d = controller.Update(board.Read(), now);
    fan = d.fan.value;
    stopped = d.stop_chain;
    if (i < 80) {
      EXPECT_FALSE(stopped) << i;  // not before stuck_after + grace
    }
    now += Micros(1'000'000);
  }
  EXPECT_TRUE(stopped);
  EXPECT_LE(now.count(), Micros(100'000'000).count());  // within stuck_after + grace + a bit
}

// Issue 11 (7b): at 90 °C, after the 30 s cool-down, a single 1.5 s reading of 0 °C must
// not restart the chain; a restart needs a sustained run of believable readings at or
// below the resume point.
TEST(ThermalPolicyTest, AGlitchToZeroNeverRestartsAHotChain) {
  protocol::ThermalController controller({}, {525});
  Micros now{0};
  auto at = [&](double celsius, Micros step = Micros(250'000)) {
    now += step;
    return controller.Update(C(celsius), now);
  };
  ASSERT_TRUE(at(90).stop_chain);
  for (int i = 0; i < 124; ++i) {  // 31 s at 90 °C
    ASSERT_FALSE(at(90).restart_chain);
  }
  for (int i = 0; i < 6; ++i) {  // 1.5 s of 0 °C
    const auto d = at(0);
    EXPECT_FALSE(d.restart_chain) << i;
    EXPECT_TRUE(d.stop_chain) << i;
  }
  for (int i = 0; i < 40; ++i) {  // 90 °C again
    EXPECT_FALSE(at(90).restart_chain) << i;
  }
  EXPECT_EQ(controller.Update(C(90), now).stop_reason, StopReason::kOverheat);
  // A real cool-down (a few °C a second) restarts it once the board stays cool.
  bool restarted = false;
  for (double t = 90; t > 30 && !restarted; t -= 0.5) {
    restarted = at(t).restart_chain;
  }
  for (int i = 0; i < 40 && !restarted; ++i) {
    restarted = at(30).restart_chain;
  }
  EXPECT_TRUE(restarted);
}

}  // namespace
}  // namespace hashrig::hal
