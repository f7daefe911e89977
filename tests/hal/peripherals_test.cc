// The TPS546 and EMC2101 drivers against their simulated twins.
#include "hashrig/hal/protocol/devices/emc2101.h"
#include "hashrig/hal/protocol/devices/tps546.h"

#include <cmath>

#include <gtest/gtest.h>

#include "hashrig/hal/bitaxe_raw.h"
#include "hashrig/hal/board.h"
#include "hashrig/hal/sim/peripherals.h"
#include "hashrig/hal/sim/rigs.h"
#include "hashrig/hal/sim_link.h"
#include "support/forwarding_link.h"

namespace hashrig::hal {
namespace {

using namespace std::chrono_literals;

TEST(PmbusTest, Linear11AndUlinear16RoundTrip) {
  for (double v : {0.0, 1.0, -1.0, 12.5, 55.25, 0.0625, 1000.0, -273.0}) {
    EXPECT_NEAR(protocol::DecodeLinear11(protocol::EncodeLinear11(v)), v, std::fabs(v) / 512 + 1e-9)
        << v;
  }
  EXPECT_EQ(protocol::DecodeLinear11(0xD3E8), 15.625);  // exponent -6, mantissa 1000
}

TEST(Tps546Test, SetsReadsAndReportsFaults) {
  sim::SimI2cBus bus;
  protocol::Tps546 vr(bus);
  ASSERT_TRUE(vr.SetOutput(Volts{1.150}).ok());
  ASSERT_TRUE(vr.Enable(true).ok());
  auto vout = vr.ReadOutput();
  ASSERT_TRUE(vout.ok());
  EXPECT_NEAR(vout->value, 1.150, 1.0 / 512);  // 2^-9 V steps
  auto amps = vr.ReadCurrent();
  ASSERT_TRUE(amps.ok());
  EXPECT_NEAR(amps->value, 11.5, 0.05);
  EXPECT_EQ(*vr.ReadStatusWord(), 0);
  bus.tps546.status_word = 0x0040;  // OFF
  EXPECT_NE(*vr.ReadStatusWord(), 0);
  ASSERT_TRUE(vr.Enable(false).ok());
  EXPECT_EQ(vr.ReadOutput()->value, 0);
  EXPECT_EQ(vr.SetOutput(Volts{-5}).code(), StatusCode::kInvalidArgument);
  bus.nak_everything = true;
  EXPECT_EQ(vr.ReadOutput().status().code(), StatusCode::kUnavailable);
}

TEST(Emc2101Test, FanTachAndDiodeTemperature) {
  sim::ThermalModel board(sim::FindRig("bitaxe-gamma")->thermal);
  sim::SimI2cBus bus;
  bus.emc2101.board = &board;
  protocol::Emc2101 fan(bus);
  ASSERT_TRUE(fan.Init().ok());
  ASSERT_TRUE(fan.SetFan(Percent{50}).ok());
  auto rpm = fan.ReadFanSpeed();
  ASSERT_TRUE(rpm.ok());
  EXPECT_NEAR(rpm->value, 3000, 60);
  ASSERT_TRUE(fan.SetFan(Percent{0}).ok());
  EXPECT_EQ(fan.ReadFanSpeed()->value, 0);
  for (int i = 0; i < 100; ++i) {
    board.Step(1s, 18, 50);
  }
  auto temp = fan.ReadExternalTemperature();
  ASSERT_TRUE(temp.ok());
  EXPECT_NEAR(temp->value, board.temperature().value, 0.125);
  bus.emc2101.diode_open = true;
  EXPECT_EQ(fan.ReadExternalTemperature().status().code(), StatusCode::kUnavailable);
  bus.emc2101.diode_open = false;
  board.set_sensor_failed(true);
  EXPECT_FALSE(fan.ReadExternalTemperature().ok());  // a failed sensor is never a reading
  bus.emc2101.product_id = 0x99;
  EXPECT_EQ(fan.Init().code(), StatusCode::kMismatch);
}

// `hashrig sim --sensor-glitch-every N`: every Nth diode reading is a 0 °C glitch (the
// thermal policy's glitch filter is tested on such readings in thermal_test.cc).
TEST(Emc2101Test, EveryNthReadingIsAGlitch) {
  sim::ThermalModel board(sim::FindRig("bitaxe-gamma")->thermal);
  for (int i = 0; i < 100; ++i) {
    board.Step(1s, 18, 50);
  }
  sim::SimI2cBus bus;
  bus.emc2101.board = &board;
  bus.emc2101.glitch_every = 3;
  protocol::Emc2101 fan(bus);
  ASSERT_TRUE(fan.Init().ok());
  for (int reading = 1; reading <= 9; ++reading) {
    const auto temp = fan.ReadExternalTemperature();
    ASSERT_TRUE(temp.ok());
    if (reading % 3 == 0) {
      EXPECT_EQ(temp->value, 0.0) << reading;
    } else {
      EXPECT_NEAR(temp->value, board.temperature().value, 0.125) << reading;
    }
  }
  EXPECT_EQ(bus.emc2101.readings, 9);
  EXPECT_EQ(bus.emc2101.glitches, 3);
}

}  // namespace
}  // namespace hashrig::hal

namespace hashrig::hal {
namespace {

// Issue 12, point 5: a Bitaxe's chips are powered by its TPS546, which the host must set.
// The simulated board is silent until then; opening it through bitaxe-raw sets the
// voltage, turns the regulator on and reads it back.
std::shared_ptr<SimBoardClock> RegulatedBoard() {
  sim::BoardConfig config;
  config.chain = {protocol::ChipModel::kBm1370, 1, 1e6, 1};
  config.core_from_regulator = true;
  return std::make_shared<SimBoardClock>(config);
}

TEST(BitaxeBoardTest, TheHostPowersTheCoreAndReadsItBack) {
  auto board = RegulatedBoard();
  EXPECT_FALSE(board->With([](sim::Board& b) { return b.powered(); }));
  EXPECT_TRUE(board->With([](sim::Board& b) { return b.in_reset(); }));
  auto opened = OpenBitaxeRawBoard(std::make_unique<SimControlLink>(board), Volts{1.2});
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  EXPECT_TRUE(board->With([](sim::Board& b) { return b.powered(); }));
  EXPECT_NEAR(board->With([](sim::Board& b) { return b.bus().tps546.volts(); }), 1.2, 0.002);
  const auto core = (*opened)->ReadCore();
  ASSERT_TRUE(core.has_value());
  EXPECT_NEAR(core->voltage.value, 1.2, 0.002);
  EXPECT_NEAR(core->current.value, 12.0, 0.05);  // the twin's load: 10 A per volt
  EXPECT_NEAR(core->power.value, 14.4, 0.1);
  EXPECT_EQ(core->status_word, 0);
  ASSERT_TRUE(core->temperature.has_value());
  EXPECT_NE((*opened)->Describe().find("core 1.200 V by its TPS546"), std::string::npos)
      << (*opened)->Describe();
  board->With([](sim::Board& b) { b.bus().tps546.status_word = 0x0040; });  // OFF
  EXPECT_EQ((*opened)->ReadCore()->status_word, 0x0040);
  opened->reset();  // the host lets the board go: the chips lose their supply
  EXPECT_FALSE(board->With([](sim::Board& b) { return b.bus().tps546.on; }));
  EXPECT_FALSE(board->With([](sim::Board& b) { return b.powered(); }));
}

TEST(BitaxeBoardTest, ABoardWithoutARegulatorPowersItself) {
  auto board = RegulatedBoard();
  board->With([](sim::Board& b) { b.bus().tps546.present = false; });
  auto opened = OpenBitaxeRawBoard(std::make_unique<SimControlLink>(board), Volts{1.15});
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  EXPECT_FALSE((*opened)->ReadCore().has_value());
  EXPECT_NE((*opened)->Describe().find("no TPS546 answered"), std::string::npos);
}

// A control port on which requests to the regulator (I2C 0x24) get no reply at all, as
// when one is lost on a loaded host; everything else passes.
class RegulatorUnansweredLink final : public testing::ForwardingLink {
 public:
  explicit RegulatorUnansweredLink(std::shared_ptr<SimBoardClock> board)
      : ForwardingLink(std::make_unique<SimControlLink>(std::move(board))) {}
  Error Write(std::span<const std::uint8_t> bytes) override {
    // [length (2), id, bus, page, command, I2C address, ...]
    if (bytes.size() > 6 && bytes[4] == bitaxe_raw::kPageI2c && bytes[6] == 0x24) {
      return {};
    }
    return ForwardingLink::Write(bytes);
  }
};

// Found in the suite under load: one probe of the TPS546 that got no reply made the host
// open a Bitaxe as a board "without" a regulator (its chips unpowered, then a fan write
// timed out and the board went down). No reply is an error now (the host opens the board
// again); only a refusal (nothing acknowledges 0x24) means no regulator.
TEST(BitaxeBoardTest, ARegulatorThatDoesNotAnswerIsAnErrorNotAnAbsence) {
  auto opened =
      OpenBitaxeRawBoard(std::make_unique<RegulatorUnansweredLink>(RegulatedBoard()), Volts{1.2});
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code(), StatusCode::kTimeout) << opened.error().message();
  EXPECT_NE(opened.error().message().find("TPS546"), std::string::npos) << opened.error().message();
}

TEST(BitaxeBoardTest, ACoreThatDoesNotReachItsVoltageIsTurnedOffAndSaid) {
  auto board = RegulatedBoard();
  board->With([](sim::Board& b) { b.bus().tps546.output_scale = 0.8; });
  auto opened = OpenBitaxeRawBoard(std::make_unique<SimControlLink>(board), Volts{1.2});
  ASSERT_FALSE(opened.ok());
  // 80 % of 1.200 V, in the regulator's 2^-9 V steps.
  EXPECT_NE(opened.error().message().find("reads 0.959 V after being set to 1.200 V; turned off"),
            std::string::npos)
      << opened.error().message();
  EXPECT_FALSE(board->With([](sim::Board& b) { return b.bus().tps546.on; }));
}

}  // namespace
}  // namespace hashrig::hal
