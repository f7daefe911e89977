// bitaxe-raw's control port, end to end against a fake board that speaks the V1
// protocol and puts its I2C on the simulated TPS546/EMC2101 twins: the peripheral
// drivers run unchanged over it; refusals and silence are clear errors.
#include "hashrig/hal/bitaxe_raw.h"

#include <deque>

#include <gtest/gtest.h>

#include "hashrig/hal/sim/peripherals.h"
#include "hashrig/hal/usb.h"

namespace hashrig::hal {
namespace {

using namespace std::chrono_literals;

// The board side of the control port, in memory.
class FakeControlPort final : public ByteLink {
 public:
  LinkStatus Write(std::span<const std::uint8_t> bytes) override {
    requests.emplace_back(bytes.begin(), bytes.end());
    if (silent) {
      return {};
    }
    const std::uint8_t id = bytes[2];
    const std::uint8_t page = bytes[4];
    const std::uint8_t cmd = bytes[5];
    const std::vector<std::uint8_t> data(bytes.begin() + 6, bytes.end());
    std::vector<std::uint8_t> payload;
    std::uint8_t status = 0;
    if (page == bitaxe_raw::kPageI2c && cmd == bitaxe_raw::kI2cWrite) {
      status = bus.Write(data[0], std::span(data).subspan(1)).ok() ? 0 : 0x13;
    } else if (page == bitaxe_raw::kPageI2c && cmd == bitaxe_raw::kI2cWriteRead) {
      payload.resize(data.back());
      status = bus.WriteRead(data[0], std::span(data).subspan(1, data.size() - 2), payload).ok()
                   ? 0
                   : 0x13;
    } else if (page == bitaxe_raw::kPageGpio) {
      reset_level = data.empty() ? reset_level : data[0];
      payload = {reset_level};
    } else {
      status = 0x11;
    }
    if (status != 0) {
      payload.clear();
    }
    const std::size_t length = 4 + payload.size();
    replies.insert(replies.end(), {static_cast<std::uint8_t>(length),
                                   static_cast<std::uint8_t>(length >> 8), id, status});
    replies.insert(replies.end(), payload.begin(), payload.end());
    return {};
  }
  LinkStatus ReadFor(std::span<std::uint8_t> buffer, std::chrono::milliseconds,
                     std::size_t& received) override {
    received = std::min(buffer.size(), replies.size());
    std::copy(replies.begin(), replies.begin() + static_cast<std::ptrdiff_t>(received),
              buffer.begin());
    replies.erase(replies.begin(), replies.begin() + static_cast<std::ptrdiff_t>(received));
    return {};
  }
  LinkStatus SetBaud(std::uint32_t) override { return {}; }
  LinkStatus SetReset(bool) override { return {}; }
  std::string Describe() const override { return "fake bitaxe-raw control port"; }

  sim::SimI2cBus bus;
  std::deque<std::uint8_t> replies;
  std::vector<std::vector<std::uint8_t>> requests;
  std::uint8_t reset_level = 1;
  bool silent = false;
};

TEST(BitaxeRawTest, PeripheralDriversRunOverTheControlPort) {
  FakeControlPort port;
  BitaxeRawControl control(port);
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
  EXPECT_EQ(port.reset_level, 0);  // active low
  ASSERT_TRUE(control.SetAsicReset(false).ok());
  EXPECT_EQ(port.reset_level, 1);
  // Every request is a well-formed packet with an increasing id.
  for (std::size_t i = 0; i < port.requests.size(); ++i) {
    EXPECT_EQ(port.requests[i][0] | port.requests[i][1] << 8,
              static_cast<int>(port.requests[i].size()));
    EXPECT_EQ(port.requests[i][2], static_cast<std::uint8_t>(i));
  }
}

TEST(BitaxeRawTest, RefusalsAndSilenceAreErrors) {
  FakeControlPort port;
  BitaxeRawControl control(port);
  std::vector<std::uint8_t> reply;
  const auto refused = control.Transact(0x42, 0x01, {}, reply);
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.message().find("status 17"), std::string::npos) << refused.message();
  port.bus.nak_everything = true;
  BitaxeRawI2c i2c(control);
  EXPECT_FALSE(protocol::Tps546(i2c).Enable(true).ok());
  port.silent = true;
  const auto silent = control.Transact(bitaxe_raw::kPageGpio, 0, {}, reply, 50ms);
  EXPECT_EQ(silent.code(), StatusCode::kTimeout);
}

}  // namespace
}  // namespace hashrig::hal
