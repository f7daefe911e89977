// The USB pieces that run without a device: VID:PID matching, FTDI divisors (checked
// against the well-known values FTDI's application note and libftdi give), CP210x and
// CDC-ACM requests, FTDI status stripping, the bitaxe-raw control packets of the
// reference (§7.3), and the error when no device is attached. hal/README.md says how the
// USB path is exercised end to end.
#include "hashrig/hal/usb.h"

#include <gtest/gtest.h>

#include "support/shared_data.h"

namespace hashrig::hal {
namespace {

std::vector<std::uint8_t> Bytes(std::string spaced) {
  std::erase(spaced, ' ');
  return testing::FromHex(spaced);
}

TEST(UsbTest, ParsesAndMatchesIds) {
  auto plain = ParseUsbId("0403:6001");
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->vid, 0x0403);
  EXPECT_EQ(plain->pid, 0x6001);
  EXPECT_TRUE(Matches(*plain, 0x0403, 0x6001, "A1B2C3"));
  auto serial = ParseUsbId("c0de:cafe:1a2b3c4d");
  ASSERT_TRUE(serial.has_value());
  EXPECT_EQ(serial->serial, "1a2b3c4d");
  EXPECT_TRUE(Matches(*serial, 0xC0DE, 0xCAFE, "1a2b3c4d"));
  EXPECT_FALSE(Matches(*serial, 0xC0DE, 0xCAFE, "ffffffff"));
  EXPECT_EQ(ParseUsbId("10c4:ea60#0001")->serial, "0001");
  for (const char* bad :
       {"", "0403", "0403:", "zz03:6001", "04030:6001", "0403:6001:", "0403:6001#"}) {
    EXPECT_FALSE(ParseUsbId(bad).has_value()) << bad;
  }
}

TEST(UsbTest, BridgeKinds) {
  EXPECT_EQ(BridgeFor(0x0403, 0x6001, 0x0600), BridgeKind::kFtdi);           // FT232R
  EXPECT_EQ(BridgeFor(0x0403, 0x6010, 0x0500), BridgeKind::kFtdi);           // FT2232D
  EXPECT_EQ(BridgeFor(0x0403, 0x6010, 0x0700), BridgeKind::kFtdiHighSpeed);  // FT2232H
  EXPECT_EQ(BridgeFor(0x10C4, 0xEA60, 0x0100), BridgeKind::kCp210x);
  EXPECT_EQ(BridgeFor(0xC0DE, 0xCAFE, 0x0001), BridgeKind::kCdcAcm);  // bitaxe-raw
}

TEST(UsbTest, FtdiDivisorsMatchTheKnownValues) {
  struct Case {
    std::uint32_t baud;
    std::uint16_t value;
  };
  // FT232R/BM: 3 MHz base, eighths with the 0,3,2,4,1,5,6,7 fraction code.
  for (const Case& c :
       {Case{9600, 0x4138}, Case{19200, 0x809C}, Case{115200, 0x001A}, Case{1'000'000, 0x0003},
        Case{3'000'000, 0x0000}, Case{2'000'000, 0x0001}}) {
    auto r = FtdiBaudRequest(BridgeKind::kFtdi, 0x6001, c.baud, 0);
    ASSERT_TRUE(r.has_value()) << c.baud;
    EXPECT_EQ(r->value, c.value) << c.baud;
    EXPECT_EQ(r->index, 0) << c.baud;
    EXPECT_EQ(r->request, 0x03);
    EXPECT_EQ(r->request_type, 0x40);
  }
  EXPECT_FALSE(FtdiBaudRequest(BridgeKind::kFtdi, 0x6001, 3'125'000, 0).has_value());
  // FT2232H: 12 MHz base, bit 17 selects it; interface A in wIndex's low byte.
  auto fast = FtdiBaudRequest(BridgeKind::kFtdiHighSpeed, 0x6010, 3'125'000, 0);
  ASSERT_TRUE(fast.has_value());
  EXPECT_EQ(fast->value, 0xC003);  // 31 eighths: 3 + fraction 7/8
  EXPECT_EQ(fast->index, 0x0301);  // (0x3 << 8) | interface 1
  EXPECT_NEAR(FtdiActualBaud(BridgeKind::kFtdiHighSpeed, 3'125'000), 3'125'000, 3'125'000 * 0.01);
  EXPECT_EQ(FtdiActualBaud(BridgeKind::kFtdi, 115'200), 115'384u);  // 0.16 % high, as on hardware
}

TEST(UsbTest, FtdiStatusBytesAreStrippedPerPacket) {
  std::vector<std::uint8_t> bulk = {0x31, 0x60, 0xAA, 0x55};
  bulk.resize(64, 0x11);
  bulk.insert(bulk.end(), {0x31, 0x60, 0x22});
  const auto data = StripFtdiStatus(bulk, 64);
  ASSERT_EQ(data.size(), 62u + 1u);
  EXPECT_EQ(data[0], 0xAA);
  EXPECT_EQ(data.back(), 0x22);
  EXPECT_TRUE(StripFtdiStatus(std::vector<std::uint8_t>{0x31, 0x60}, 64).empty());  // status only
}

TEST(UsbTest, Cp210xAndCdcRequests) {
  const auto baud = Cp210xBaudRequest(1'000'000);
  EXPECT_EQ(baud.request_type, 0x41);
  EXPECT_EQ(baud.request, 0x1E);
  EXPECT_EQ(baud.data, Bytes("40 42 0F 00"));
  const auto setup = Cp210xSetupRequests(115'200);
  ASSERT_EQ(setup.size(), 3u);
  EXPECT_EQ(setup[0].request, 0x00);  // IFC_ENABLE
  EXPECT_EQ(setup[0].value, 1);
  EXPECT_EQ(setup[2].value, 0x0800);  // 8N1
  const auto line = CdcSetLineCoding(115'200, 2);
  EXPECT_EQ(line.request_type, 0x21);
  EXPECT_EQ(line.request, 0x20);
  EXPECT_EQ(line.index, 2);
  EXPECT_EQ(line.data, Bytes("00 C2 01 00 00 00 08"));
  EXPECT_EQ(CdcControlLineState(true, true, 0).value, 3);
  EXPECT_EQ(FtdiModemControl(true, 0).value, 0x0101);
}

TEST(UsbTest, NoDeviceIsAClearErrorNotAHang) {
  auto link = OpenUsb(*ParseUsbId("0403:6001:NOSUCHSERIAL"), 115'200);
  ASSERT_FALSE(link.ok());
  EXPECT_NE(link.error().message().find("usb:0403:6001#NOSUCHSERIAL"), std::string::npos)
      << link.error().message();
}

}  // namespace
}  // namespace hashrig::hal
