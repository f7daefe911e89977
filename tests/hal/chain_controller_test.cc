// The chain controller (hal/protocol/chain/controller.h) — the one loop the firmware, the
// host's chains and the simulated board all run — on a simulated board in one process,
// clocked by a fake time: the real BM13xx driver on the board's chain, the thermal policy
// on the board's EMC2101 — fan to target, hot → 100 %, dangerous → chain held (reset),
// failed sensor → held after its grace, restart slower with the work again — and every
// nonce checked against the work it was found on.
#include "hashrig/hal/protocol/chain/controller.h"

#include <optional>

#include <gtest/gtest.h>

#include "hashrig/hal/protocol/bm13xx/driver.h"
#include "hashrig/hal/protocol/devices/emc2101.h"
#include "hashrig/hal/sim/board.h"
#include "hashrig/hal/sim/sim_registers.h"
#include "hashrig/sha256/sha256.h"
#include "hashrig/sha256/target.h"

namespace hashrig::hal {
namespace {

namespace p = protocol;
using p::Micros;
using namespace std::chrono_literals;

p::DriverConfig Config() {
  p::DriverConfig c;
  c.model = p::ChipModel::kBm1368;
  c.expected_chips = 2;
  c.frequency = Megahertz{490};
  c.ticket_difficulty = 1.0 / 65536;  // ~16 nonces/s per chip at the board's 4 MH/s
  c.sub_one_ticket = &sim::kSubOneTicket;
  c.reset_hold = 1ms;
  c.enumeration_silence = 30ms;
  c.ramp_step_delay = 1ms;
  return c;
}

p::ControllerConfig Controller(bool sensor) {
  p::ControllerConfig c;
  c.has_sensor = sensor;
  c.thermal.failed_sensor_grace = 1s;
  c.thermal.cool_down = 2s;
  c.thermal.resume_hold = 500ms;
  return c;
}

// A board at a fixed temperature: no load heats it.
sim::ThermalModel Heat(double celsius) {
  return sim::ThermalModel(sim::ThermalConstants{celsius, 0, 0, 10.0});
}

struct Harness {
  explicit Harness(bool sensor = true, std::vector<int> bad_nonce_chips = {})
      : board(BoardConfig(std::move(bad_nonce_chips))),
        driver(Config()),
        chain(driver, Controller(sensor)),
        emc(board.bus()) {
    board.thermal() = Heat(45);
    EXPECT_TRUE(emc.Init().ok());
    EXPECT_TRUE(chain.Start(now).ok());
  }
  static sim::BoardConfig BoardConfig(std::vector<int> bad) {
    sim::BoardConfig c;
    c.chain = {p::ChipModel::kBm1368, 2, 4e6, 1};
    c.faults.bad_nonce_chips = std::move(bad);
    return c;
  }

  void Run(Micros duration) {
    const Micros until = now + duration;
    for (; now < until; now += Micros(1000)) {
      if (chain.ThermalDue(now)) {
        const auto t = emc.ReadExternalTemperature();
        chain.OnTemperature(t.ok() ? std::optional<Celsius>(*t) : std::nullopt, now);
      }
      for (p::Operation op = chain.Poll(now); op.kind != p::Operation::Kind::kNone;
           op = chain.Poll(now)) {
        Perform(op);
      }
      board.Advance(1ms);
      chain.OnBytes(board.TakeOutput(driver.host_baud()), now);
      p::CheckedNonce n;
      while (chain.NextNonce(n)) {
        nonces.push_back(n);
      }
    }
  }
  void Perform(const p::Operation& op) {
    switch (op.kind) {
      case p::Operation::Kind::kWrite:
        (void)board.Receive(op.data(), driver.host_baud());
        return;
      case p::Operation::Kind::kReset:
        resets += op.reset_asserted ? 1 : 0;
        return board.SetReset(op.reset_asserted);
      case p::Operation::Kind::kSetFan:
        ++fan_ops;
        EXPECT_TRUE(emc.SetFan(op.fan).ok());
        return;
      default:
        return;
    }
  }
  bool RunUntilMining(Micros limit = Micros(5'000'000)) {
    const Micros until = now + limit;
    while (now < until && !chain.mining()) {
      Run(Micros(10'000));
    }
    return chain.mining();
  }
  p::ChainWork Work(std::uint32_t token) const {
    p::ChainWork w{WorkToken{token}, {}};
    for (std::size_t i = 0; i < 80; ++i) {
      w.header[i] = static_cast<std::uint8_t>(i * 7 + token);
    }
    w.header[0] = 0x00;
    w.header[3] = 0x20;  // version 0x20000000
    return w;
  }

  sim::Board board;
  p::Bm13xxDriver driver;
  p::ChainController chain;
  p::Emc2101 emc;
  Micros now{0};
  std::vector<p::CheckedNonce> nonces;
  int resets = 0;
  int fan_ops = 0;
};

TEST(ChainControllerTest, FanFollowsHeatDangerStopsTheChainAndItRestartsSlower) {
  Harness h;
  ASSERT_TRUE(h.RunUntilMining());
  h.chain.SetWork(h.Work(1));
  h.Run(1s);
  EXPECT_EQ(h.chain.thermal_state(), p::ThermalState::kNormal);
  ASSERT_TRUE(h.chain.temperature().has_value());
  EXPECT_NEAR(h.chain.temperature()->value, 45, 1);
  EXPECT_LT(h.board.bus().emc2101.fan_percent(), 50) << "cool board: fan near its minimum";

  h.board.thermal() = Heat(79);  // hot
  h.Run(1s);
  EXPECT_NEAR(h.board.bus().emc2101.fan_percent(), 100, 0.1);
  EXPECT_TRUE(h.chain.mining());

  h.board.thermal() = Heat(90);  // dangerous
  h.Run(300ms);
  EXPECT_FALSE(h.chain.mining());
  EXPECT_EQ(h.chain.state(), p::ChainState::kIdle);
  EXPECT_EQ(h.chain.stop_reason(), p::StopReason::kOverheat);
  EXPECT_TRUE(h.board.in_reset()) << "the chips are held in reset";
  EXPECT_EQ(h.chain.Start(h.now).code(), StatusCode::kBusy) << "no restart while cooling";

  h.board.thermal() = Heat(40);  // a fall of 50 °C at once is believed only after 5 s
  h.nonces.clear();
  h.Run(7s);  // then cool for 0.5 s (and the 2 s cool-down passed): restarts 100 MHz slower
  EXPECT_EQ(h.chain.stop_reason(), p::StopReason::kNone);
  EXPECT_DOUBLE_EQ(h.chain.frequency().value, 400);  // 490 - 100, not below the 400 minimum
  ASSERT_TRUE(h.RunUntilMining());
  EXPECT_NEAR(h.board.chain().frequency(0).value, 400, 7) << "the chips run at the lower clock";
  h.Run(1s);
  EXPECT_FALSE(h.nonces.empty()) << "the work was sent again after the restart";
}

TEST(ChainControllerTest, AFailedSensorCountsAsHotThenStopsTheChain) {
  Harness h;
  ASSERT_TRUE(h.RunUntilMining());
  h.board.bus().emc2101.diode_open = true;
  h.Run(300ms);
  EXPECT_FALSE(h.chain.temperature().has_value());
  EXPECT_NEAR(h.board.bus().emc2101.fan_percent(), 100, 0.1) << "failed sensor is hot";
  EXPECT_TRUE(h.chain.mining()) << "within its grace";
  h.Run(1500ms);
  EXPECT_FALSE(h.chain.mining());
  EXPECT_EQ(h.chain.stop_reason(), p::StopReason::kSensorFailed);
}

TEST(ChainControllerTest, EveryNonceIsCheckedAgainstItsWork) {
  Harness h(true, {1});
  ASSERT_TRUE(h.RunUntilMining());
  const p::ChainWork work = h.Work(7);
  h.chain.SetWork(work);
  h.Run(2s);
  ASSERT_FALSE(h.nonces.empty());
  int good = 0;
  int bad = 0;
  for (const p::CheckedNonce& n : h.nonces) {
    EXPECT_EQ(n.event.token, WorkToken{7});
    const auto header = h.driver.HeaderFor(work, n.event);
    EXPECT_EQ(n.hash, sha256::DoubleHash(header)) << "the hash of the header it completes";
    const bool meets = sha256::Difficulty::From(n.event.ticket_difficulty)->IsMetBy(n.hash);
    EXPECT_EQ(n.meets_ticket, meets);
    (n.meets_ticket ? good : bad) += 1;
    EXPECT_EQ(n.meets_ticket, n.event.chip == 0) << "chip 1 sends bad nonces";
  }
  EXPECT_GT(good, 0);
  EXPECT_GT(bad, 0);
  EXPECT_EQ(h.driver.chip(0).hardware_errors, 0u);
  EXPECT_EQ(h.driver.chip(1).hardware_errors, static_cast<std::uint32_t>(bad));
}

TEST(ChainControllerTest, AChainWithNoSensorHasNoReadingAndNoFanDecisions) {
  Harness h(false);
  ASSERT_TRUE(h.RunUntilMining());
  h.board.thermal() = Heat(95);
  h.Run(1s);
  EXPECT_FALSE(h.chain.has_sensor());
  EXPECT_FALSE(h.chain.temperature().has_value()) << "no sensor is no reading, never 0 °C";
  EXPECT_EQ(h.fan_ops, 0);
  EXPECT_TRUE(h.chain.mining());
  h.chain.Stop();
  h.Run(10ms);
  EXPECT_EQ(h.chain.stop_reason(), p::StopReason::kIdled);
  EXPECT_TRUE(h.board.in_reset());
}

}  // namespace
}  // namespace hashrig::hal
