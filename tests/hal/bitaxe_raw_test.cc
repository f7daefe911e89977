// bitaxe-raw's control port, end to end against a fake board that speaks the V1
// protocol and puts its I2C on the simulated TPS546/EMC2101 twins: the peripheral
// drivers run unchanged over it; refusals and silence are clear errors.
#include "hashrig/hal/bitaxe_raw.h"

#include <gtest/gtest.h>

#include "hashrig/hal/sim/control_port.h"
#include "hashrig/hal/usb.h"
#include "support/control_port_link.h"

namespace hashrig::hal {
namespace {

using namespace std::chrono_literals;

// The board side of the control port, in memory.
struct FakeControlPort {
  sim::ControlPortTwin twin;
  sim::SimI2cBus& bus = twin.bus;
  testing::ControlPortLink link{twin};
};

TEST(BitaxeRawTest, PeripheralDriversRunOverTheControlPort) {
  FakeControlPort port;
  BitaxeRawControl control(port.link);
  BitaxeRawI2c i2c(control);
  protocol::Tps546 vr(i2c);
  ASSERT_TRUE(vr.SetOutput({1150}).ok());
  ASSERT_TRUE(vr.Enable(true).ok());
  auto vout = vr.ReadOutput();
  ASSERT_TRUE(vout.ok());
  EXPECT_NEAR(vout->value, 1150, 2);
  EXPECT_TRUE(port.bus.tps546.on);
  protocol::Emc2101 fan(i2c);
  ASSERT_TRUE(fan.Init().ok());
  ASSERT_TRUE(fan.SetFanPercent(100).ok());
  EXPECT_EQ(port.bus.emc2101.fan_setting, 63);
  ASSERT_TRUE(control.SetAsicReset(true).ok());
  EXPECT_EQ(port.twin.reset_level, 0);  // active low
  ASSERT_TRUE(control.SetAsicReset(false).ok());
  EXPECT_EQ(port.twin.reset_level, 1);
  // Every request is a well-formed packet with an increasing id.
  for (std::size_t i = 0; i < port.link.requests.size(); ++i) {
    EXPECT_EQ(port.link.requests[i][0] | port.link.requests[i][1] << 8,
              static_cast<int>(port.link.requests[i].size()));
    EXPECT_EQ(port.link.requests[i][2], static_cast<std::uint8_t>(i));
  }
}

TEST(BitaxeRawTest, RefusalsAndSilenceAreErrors) {
  FakeControlPort port;
  BitaxeRawControl control(port.link);
  std::vector<std::uint8_t> reply;
  const auto refused = control.Transact(0x42, 0x01, {}, reply);
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.message().find("status 17"), std::string::npos) << refused.message();
  port.bus.nak_everything = true;
  BitaxeRawI2c i2c(control);
  EXPECT_FALSE(protocol::Tps546(i2c).Enable(true).ok());
  port.twin.silent = true;
  const auto silent = control.Transact(bitaxe_raw::kPageGpio, 0, {}, reply, 50ms);
  EXPECT_EQ(silent.code(), StatusCode::kTimeout);
}

}  // namespace
}  // namespace hashrig::hal
