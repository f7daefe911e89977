// The USB pieces that run without a device: VID:PID matching, FTDI divisors (checked
// against the well-known values FTDI's application note and libftdi give), CP210x and
// CDC-ACM requests, FTDI status stripping, the bitaxe-raw control packets of the
// reference (§7.3), Canaan's AUC (how a Write is cut into bulk OUT transfers and what of a
// bulk IN packet a read returns, against avalon-protocol.md §2.2 and §6's bytes, which
// avalon_examples.py derives), and the error when no device is attached. hal/README.md
// says how the USB path is exercised end to end.
#include "hashrig/hal/usb.h"

#include <gtest/gtest.h>

#include "support/shared_data.h"

namespace hashrig::hal {
namespace {

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
  EXPECT_EQ(BridgeFor(0x29F1, 0x33F2, 0x0100), BridgeKind::kCanaanAuc);
  EXPECT_EQ(BridgeFor(0x29F1, 0x33F3, 0x0100), BridgeKind::kCdcAcm);  // Avalon nano: not an AUC
  EXPECT_EQ(BridgeName(BridgeKind::kCanaanAuc), "Canaan AUC");
  EXPECT_EQ(BridgeName(BridgeKind::kFtdiHighSpeed), "ftdi-h");
  EXPECT_EQ(BridgeName(BridgeKind::kCdcAcm), "cdc-acm");
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
  EXPECT_EQ(baud.data, testing::FromSpacedHex("40 42 0F 00"));
  const auto setup = Cp210xSetupRequests(115'200);
  ASSERT_EQ(setup.size(), 3u);
  EXPECT_EQ(setup[0].request, 0x00);  // IFC_ENABLE
  EXPECT_EQ(setup[0].value, 1);
  EXPECT_EQ(setup[2].value, 0x0800);  // 8N1
  const auto line = CdcSetLineCoding(115'200, 2);
  EXPECT_EQ(line.request_type, 0x21);
  EXPECT_EQ(line.request, 0x20);
  EXPECT_EQ(line.index, 2);
  EXPECT_EQ(line.data, testing::FromSpacedHex("00 C2 01 00 00 00 08"));
  EXPECT_EQ(CdcControlLineState(true, true, 0).value, 3);
  EXPECT_EQ(FtdiModemControl(true, 0).value, 0x0101);
}

// Canaan's AUC. The bytes are the reference's §6 (avalon_examples.py's output): the
// 64-byte RESET/DEINIT/INIT/INFO requests, an XFER carrying DETECT (48 bytes) and the
// replies, among them ACKDETECT's 44.
constexpr const char* kAucReset = "04 00 00 a0";
constexpr const char* kAucDeinit = "04 00 00 a2";
constexpr const char* kAucInit = "0c 00 00 a1 80 1a 06 00 00 4b 00 00";  // 400 kHz, xdelay 19200
constexpr const char* kAucInfo = "04 00 00 a6";
constexpr const char* kDetect =
    "43 4e 10 00 01 01 0000000000000000000000000000000000000000000000000000000000000001 10 21";
constexpr const char* kAckDetect =
    "43 4e 40 00 01 01 020100002c2af6183835312d4558414d504c4556455231000000680000000000 8a b9";

std::vector<std::uint8_t> Padded(const char* hex) {
  auto bytes = testing::FromSpacedHex(hex);
  bytes.resize(64, 0);
  return bytes;
}

std::vector<std::uint8_t> Concat(std::initializer_list<std::vector<std::uint8_t>> parts) {
  std::vector<std::uint8_t> out;
  for (const auto& part : parts) {
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

std::vector<std::uint8_t> Sent(const protocol::avalon::AucTransfer& t) {
  return {t.bytes.begin(), t.bytes.begin() + static_cast<std::ptrdiff_t>(t.size)};
}

TEST(UsbTest, AucRequestsAreOneTransferEach) {
  const auto detect_xfer = testing::FromSpacedHex(std::string("30 00 00 a5 28 28 00 00") + kDetect);
  ASSERT_EQ(detect_xfer.size(), 48u);
  // The driver's own encoders give these bytes (auc.h), padded or as spans.
  EXPECT_EQ(Sent(protocol::avalon::AucInit(400'000, 19'200)), Padded(kAucInit));
  // Host init and a detect, unpadded and padded mixed, in one Write.
  const auto write = Concat({testing::FromSpacedHex(kAucReset), Padded(kAucDeinit),
                             testing::FromSpacedHex(kAucInit), detect_xfer, Padded(kAucInfo)});
  const auto transfers = AucOutTransfers(write);
  ASSERT_TRUE(transfers.ok()) << transfers.error().message();
  ASSERT_EQ(transfers->size(), 5u);
  EXPECT_EQ(Sent((*transfers)[0]), Padded(kAucReset));  // 64 bytes, zero-padded
  EXPECT_EQ(Sent((*transfers)[1]), Padded(kAucDeinit));
  EXPECT_EQ(Sent((*transfers)[2]), Padded(kAucInit));
  EXPECT_EQ(Sent((*transfers)[3]), detect_xfer);  // exactly its 48 bytes
  EXPECT_EQ(Sent((*transfers)[4]), Padded(kAucInfo));
  // A job's packets to slave 0 with nothing to read back: one 48-byte transfer each,
  // and an XFER passed with the rest of its 64-byte buffer is still 48.
  const auto job = testing::FromSpacedHex(std::string("30 00 00 a5 28 00 00 00") + kDetect);
  const auto two = AucOutTransfers(Concat({job, job}));
  ASSERT_TRUE(two.ok());
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ(Sent((*two)[0]), job);
  const auto padded_xfer = AucOutTransfers(Concat({job, std::vector<std::uint8_t>(16, 0), job}));
  ASSERT_TRUE(padded_xfer.ok());
  ASSERT_EQ(padded_xfer->size(), 2u);
  EXPECT_EQ(Sent((*padded_xfer)[1]), job);
  EXPECT_TRUE(AucOutTransfers({})->empty());
}

TEST(UsbTest, DamagedAucRequestsAreRefusedWhole) {
  const auto detect_xfer = testing::FromSpacedHex(std::string("30 00 00 a5 28 28 00 00") + kDetect);
  const std::vector<std::uint8_t> cut(detect_xfer.begin(), detect_xfer.end() - 1);
  const auto wrong_tx = testing::FromSpacedHex(std::string("30 00 00 a5 27 28 00 00") + kDetect);
  for (const auto& bad :
       {testing::FromSpacedHex("03 00 00 a0"), testing::FromSpacedHex("41 00 00 a0"),
        testing::FromSpacedHex("04 00 00 b0"), cut, wrong_tx,
        Concat({Padded(kAucReset), testing::FromSpacedHex("02")})}) {
    const auto transfers = AucOutTransfers(bad);
    ASSERT_FALSE(transfers.ok());
    EXPECT_EQ(transfers.error().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(transfers.error().message().find("not an AUC request at byte"), std::string::npos)
        << transfers.error().message();
  }
  // The offset is that of the damaged request (the 64-byte RESET before it is fine).
  EXPECT_NE(AucOutTransfers(Concat({Padded(kAucReset), testing::FromSpacedHex("02")}))
                .error()
                .message()
                .find("at byte 64"),
            std::string::npos);
}

TEST(UsbTest, AucReplyIsFramedByItsLengthByte) {
  const auto ack = testing::FromSpacedHex(std::string("2c 00 00 00") + kAckDetect);
  const auto init_reply = testing::FromSpacedHex("10 00 00 00 41 55 43 2d 32 30 31 35 31 32 30 38");
  const auto info_reply = testing::FromSpacedHex("0b 00 00 00 00 02 00 01 00 00 02");
  for (const auto& reply : {testing::FromSpacedHex("04 00 00 00"), init_reply, info_reply, ack}) {
    const auto returned = AucInBytes(reply);  // a short packet: all of it
    EXPECT_EQ(std::vector<std::uint8_t>(returned.begin(), returned.end()), reply);
    auto padded = reply;
    padded.resize(64, 0);  // a full packet: the padding dropped
    const auto trimmed = AucInBytes(padded);
    EXPECT_EQ(std::vector<std::uint8_t>(trimmed.begin(), trimmed.end()), reply);
  }
  const auto decoded = protocol::avalon::DecodeAucReply(AucInBytes(Padded("2c 00 00 00")));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->body_size, 40u);
  const auto ack_decoded = protocol::avalon::DecodeAucReply(AucInBytes(ack));
  ASSERT_TRUE(ack_decoded.ok());
  const auto body = ack_decoded->body_span();
  EXPECT_EQ(std::vector<std::uint8_t>(body.begin(), body.end()),
            testing::FromSpacedHex(kAckDetect));
  EXPECT_TRUE(AucInBytes({}).empty());  // a zero-length packet
  // Not framed: returned whole, and the driver's decoder names it.
  for (const auto& damaged :
       {testing::FromSpacedHex("02 00 00 00"), testing::FromSpacedHex("50 00 00 00 01 02")}) {
    const auto returned = AucInBytes(damaged);
    EXPECT_EQ(returned.size(), damaged.size());
    EXPECT_FALSE(protocol::avalon::DecodeAucReply(returned).ok());
  }
}

TEST(UsbTest, AucIsNotAUartBridgeAndAMissingOneIsAClearError) {
  const auto as_uart = OpenUsb(*ParseUsbId("29f1:33f2"), 115'200);
  ASSERT_FALSE(as_uart.ok());
  EXPECT_EQ(as_uart.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(as_uart.error().message().find("Canaan's AUC"), std::string::npos);
  const auto auc = OpenAuc(*ParseUsbId("29f1:33f2:NOSUCHSERIAL"));
  ASSERT_FALSE(auc.ok());
  EXPECT_EQ(auc.error().code(), StatusCode::kNotFound);
  EXPECT_NE(auc.error().message().find("usb:29f1:33f2#NOSUCHSERIAL"), std::string::npos)
      << auc.error().message();
}

TEST(UsbTest, NoDeviceIsAClearErrorNotAHang) {
  auto link = OpenUsb(*ParseUsbId("0403:6001:NOSUCHSERIAL"), 115'200);
  ASSERT_FALSE(link.ok());
  EXPECT_NE(link.error().message().find("usb:0403:6001#NOSUCHSERIAL"), std::string::npos)
      << link.error().message();
}

}  // namespace
}  // namespace hashrig::hal
