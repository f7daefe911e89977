// bitaxe-raw's control port, end to end against a fake board that speaks the V1
// protocol and puts its I2C on the simulated TPS546/EMC2101 twins: the peripheral
// drivers run unchanged over it; refusals and silence are clear errors.
#include "hashrig/hal/bitaxe_raw.h"

#include <thread>

#include <gtest/gtest.h>

#include "hashrig/hal/protocol/devices/emc2101.h"
#include "hashrig/hal/protocol/devices/tps546.h"
#include "hashrig/hal/sim/control_port.h"
#include "support/control_port_link.h"
#include "support/forwarding_link.h"

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
  ASSERT_TRUE(vr.SetOutput(Volts{1.150}).ok());
  ASSERT_TRUE(vr.Enable(true).ok());
  auto vout = vr.ReadOutput();
  ASSERT_TRUE(vout.ok());
  EXPECT_NEAR(vout->value, 1.150, 0.002);
  EXPECT_TRUE(port.bus.tps546.on);
  protocol::Emc2101 fan(i2c);
  ASSERT_TRUE(fan.Init().ok());
  ASSERT_TRUE(fan.SetFan(Percent{100}).ok());
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
  const auto refused = control.Transact(0x42, 0x01, {});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.error().message().find("status 17"), std::string::npos)
      << refused.error().message();
  port.bus.nak_everything = true;
  BitaxeRawI2c i2c(control);
  EXPECT_FALSE(protocol::Tps546(i2c).Enable(true).ok());
  port.twin.silent = true;
  const auto silent = control.Transact(bitaxe_raw::kPageGpio, 0, {}, 50ms);
  ASSERT_FALSE(silent.ok());
  EXPECT_EQ(silent.error().code(), StatusCode::kTimeout);
}

// Found in the suite under load (conformance sensor-glitch): "bitaxe-raw I2C write: no
// reply within 1 s" while the reply was waiting. A host thread run again only after the
// deadline (here: its first read returns after twice the timeout, with nothing) judged
// the time before reading what had arrived meanwhile.
class StarvedLink final : public testing::ForwardingLink {
 public:
  explicit StarvedLink(ByteLink& inner) : ForwardingLink(inner) {}
  Error ReadFor(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout,
                std::size_t& received) override {
    if (!slept_) {
      slept_ = true;
      std::this_thread::sleep_for(100ms);  // descheduled past the 50 ms deadline
      received = 0;
      return {};
    }
    return ForwardingLink::ReadFor(buffer, timeout, received);
  }

 private:
  bool slept_ = false;
};

TEST(BitaxeRawTest, AReplyWaitingWhenTheDeadlinePassesIsTaken) {
  FakeControlPort port;
  StarvedLink starved(port.link);
  BitaxeRawControl control(starved);
  const auto reply = control.Transact(bitaxe_raw::kPageGpio, 0, {}, 50ms);
  ASSERT_TRUE(reply.ok()) << reply.error().message();
}

std::vector<std::uint8_t> Bytes(const char* hex) {
  std::vector<std::uint8_t> out;
  for (const char* p = hex; *p != '\0';) {
    if (*p == ' ') {
      ++p;
      continue;
    }
    out.push_back(static_cast<std::uint8_t>(std::stoul(std::string(p, 2), nullptr, 16)));
    p += 2;
  }
  return out;
}

std::vector<std::uint8_t> RequestBytes(std::uint8_t id, std::uint8_t page, std::uint8_t command,
                                       const std::vector<std::uint8_t>& data) {
  bitaxe_raw::Request r{id, page, command, {}};
  EXPECT_TRUE(r.data.Assign(data));
  const auto packet = bitaxe_raw::Encode(r);
  return {packet.bytes.begin(), packet.bytes.begin() + static_cast<std::ptrdiff_t>(packet.size)};
}

// The packets of the reference (§7.3), byte for byte, from the one codec both sides use.
TEST(BitaxeRawTest, ControlPacketsOfTheReference) {
  namespace raw = bitaxe_raw;
  EXPECT_EQ(RequestBytes(1, raw::kPageI2c, raw::kI2cSetFrequency, {0x80, 0x1A, 0x06, 0x00}),
            Bytes("0A 00 01 00 05 10 80 1A 06 00"));  // 400 kHz
  EXPECT_EQ(RequestBytes(1, raw::kPageI2c, raw::kI2cWrite, {0x4F, 0xDE}),
            Bytes("08 00 01 00 05 20 4F DE"));
  EXPECT_EQ(RequestBytes(1, raw::kPageI2c, raw::kI2cRead, {0x4C, 0x01}),
            Bytes("08 00 01 00 05 30 4C 01"));
  EXPECT_EQ(RequestBytes(1, raw::kPageI2c, raw::kI2cWriteRead, {0x32, 0xFE, 0x02}),
            Bytes("09 00 01 00 05 40 32 FE 02"));
  EXPECT_EQ(RequestBytes(0, raw::kPageGpio, raw::kGpioAsicReset, {0x00}),
            Bytes("07 00 00 00 06 00 00"));
  EXPECT_EQ(RequestBytes(0, raw::kPageAdc, 0x50, {}), Bytes("06 00 00 00 07 50"));
  EXPECT_EQ(RequestBytes(0, raw::kPageFan, 0x10, {0x32}), Bytes("07 00 00 00 09 10 32"));
  // What the board sends, split anywhere and after garbage, decodes the same.
  raw::ReplyDecoder replies;
  for (const std::uint8_t b : Bytes("FF FF 00 06 00 07 00 AB CD 05 00 08 11")) {
    replies.Push(b);
  }
  auto first = replies.Next();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->id, 7);
  EXPECT_EQ(first->status, raw::kOk);
  EXPECT_EQ(std::vector<std::uint8_t>(first->data.span().begin(), first->data.span().end()),
            Bytes("AB CD"));
  EXPECT_FALSE(replies.Next().has_value());  // incomplete: waits for more
  replies.Push(0xEE);
  auto second = replies.Next();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->status, raw::kInvalid);
  EXPECT_GT(replies.bad(), 0u);
  raw::RequestDecoder requests;
  for (const std::uint8_t b : RequestBytes(9, raw::kPageI2c, raw::kI2cWrite, {0x4F, 0xDE})) {
    requests.Push(b);
  }
  const auto request = requests.Next();
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->id, 9);
  EXPECT_EQ(request->command, raw::kI2cWrite);
  EXPECT_EQ(request->data.size, 2u);
}

}  // namespace
}  // namespace hashrig::hal
