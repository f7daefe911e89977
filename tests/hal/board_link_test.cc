// The board-link codec (docs/board-link.md): frames byte for byte against vectors computed
// independently (Python's binascii.crc_hqx, i.e. CRC-16/CCITT-FALSE), every message round
// trip, and damaged frames that must be skipped and counted, never acted on.
#include "hashrig/hal/protocol/board_link.h"

#include <gtest/gtest.h>

#include "support/shared_data.h"

namespace hashrig::hal::protocol::link {
namespace {

std::vector<std::uint8_t> Vec(std::span<const std::uint8_t> s) { return {s.begin(), s.end()}; }

std::vector<Frame> DecodeAll(const std::vector<std::uint8_t>& bytes, Decoder& decoder) {
  std::vector<Frame> frames;
  for (std::uint8_t b : bytes) {
    decoder.Push(b);
    while (auto f = decoder.Next()) {
      frames.push_back(*f);
    }
  }
  return frames;
}

TEST(BoardLinkTest, FramesMatchIndependentVectors) {
  const std::uint8_t hello[] = {1};
  EXPECT_EQ(Vec(Encode(Type::kHello, 5, hello).span()), testing::FromHex("48520101050100017ab5"));
  Work work;
  work.token = 0x12345678;
  for (std::size_t i = 0; i < 80; ++i) {
    work.header[i] = static_cast<std::uint8_t>(i);
  }
  EXPECT_EQ(
      Vec(EncodeWork(0x2A, work).span()),
      testing::FromHex(
          "485201042a540078563412000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e"
          "1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f40414243444546474849"
          "4a4b4c4d4e4f0b35"));
  EXPECT_EQ(Vec(EncodeAck(7, Type::kWork).span()), testing::FromHex("48520190070100044ba3"));
}

TEST(BoardLinkTest, EveryMessageRoundTrips) {
  HelloReply hello;
  hello.chip_model = 2;
  hello.chips = 108;
  hello.firmware_version = 0x00010002;
  std::copy_n("mps2-an386", 10, hello.board_model.begin());
  std::copy_n("HR-0001", 7, hello.serial.begin());
  Configure configure{1960, 1200, 0.001f, 0x1fffe000};
  Nonce nonce{7, 3, 38, 0x7552034c, 0x20b44000};
  Telemetry telemetry{-32768, 5400, 80, 1150, 9800, 1, 107, 123456, 3};
  FlashWrite write;
  write.offset = 0x4000;
  write.size = 256;
  write.data.fill(0xAB);
  Work work;
  work.token = 99;
  std::vector<std::uint8_t> stream;
  for (const Encoded& e :
       {EncodeHelloReply(1, hello), EncodeConfigure(2, configure), EncodeWork(3, work),
        EncodeNonce(nonce), EncodeTelemetry(4, telemetry), EncodeFlashWrite(5, write),
        EncodeError(6, Type::kFlashVerify, ErrorCode::kVerifyFailed)}) {
    stream.insert(stream.end(), e.bytes.begin(),
                  e.bytes.begin() + static_cast<std::ptrdiff_t>(e.size));
  }
  Decoder decoder;
  const auto frames = DecodeAll(stream, decoder);
  ASSERT_EQ(frames.size(), 7u);
  EXPECT_EQ(DecodeHelloReply(frames[0].body())->chips, 108);
  EXPECT_EQ(std::string(DecodeHelloReply(frames[0].body())->board_model.data()), "mps2-an386");
  EXPECT_EQ(DecodeConfigure(frames[1].body())->ticket_difficulty, 0.001f);
  EXPECT_EQ(DecodeConfigure(frames[1].body())->version_mask, 0x1fffe000u);
  EXPECT_EQ(DecodeWork(frames[2].body())->token, 99u);
  EXPECT_EQ(frames[3].sequence, 0);  // unsolicited
  EXPECT_EQ(DecodeNonce(frames[3].body())->nonce, 0x7552034cu);
  EXPECT_EQ(DecodeTelemetry(frames[4].body())->temperature_decidegrees, -32768);
  EXPECT_EQ(DecodeTelemetry(frames[4].body())->chips_alive, 107);
  EXPECT_EQ(DecodeFlashWrite(frames[5].body())->size, 256);
  EXPECT_EQ(frames[6].type, Type::kError);
  EXPECT_EQ(frames[6].body()[1], static_cast<std::uint8_t>(ErrorCode::kVerifyFailed));
  EXPECT_EQ(decoder.bad_frames(), 0u);
}

TEST(BoardLinkTest, DamagedFramesAreSkippedAndCounted) {
  const auto good = Vec(EncodeAck(9, Type::kReboot).span());
  auto bad_crc = good;
  bad_crc.back() ^= 1;
  auto bad_version = Vec(EncodeAck(9, Type::kReboot).span());
  bad_version[2] = 2;
  std::vector<std::uint8_t> stream = {0x00, 0x48, 0x48,
                                      0x52, 0xFF, 0xFF};  // garbage, an absurd length
  stream.insert(stream.end(), bad_crc.begin(), bad_crc.end());
  stream.insert(stream.end(), bad_version.begin(), bad_version.end());
  stream.insert(stream.end(), good.begin(), good.end());
  Decoder decoder;
  const auto frames = DecodeAll(stream, decoder);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].sequence, 9);
  EXPECT_GE(decoder.bad_frames(), 2u);
  // Well-formed frames with payloads of the wrong size decode to nothing.
  const std::uint8_t short_payload[] = {1, 2, 3};
  EXPECT_FALSE(DecodeWork(short_payload).has_value());
  EXPECT_FALSE(DecodeNonce(short_payload).has_value());
  EXPECT_FALSE(DecodeTelemetry(short_payload).has_value());
  EXPECT_FALSE(DecodeConfigure(short_payload).has_value());
  EXPECT_FALSE(DecodeHelloReply(short_payload).has_value());
  EXPECT_FALSE(DecodeFlashWrite(short_payload).has_value());
  std::array<std::uint8_t, kMaxPayload + 1> huge{};
  EXPECT_EQ(Encode(Type::kWork, 1, huge).size, 0u);
}

}  // namespace
}  // namespace hashrig::hal::protocol::link
