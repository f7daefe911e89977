// The board-link codec (docs/board-link.md): frames byte for byte against vectors computed
// independently (Python's binascii.crc_hqx, i.e. CRC-16/CCITT-FALSE), every message round
// trip, and damaged frames that must be skipped and counted, never acted on.
#include "hashrig/hal/protocol/board_link/messages.h"
#include "hashrig/hal/protocol/board_link/session.h"

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
      Vec(EncodeMessage(0x2A, work).span()),
      testing::FromHex(
          "485201042a540078563412000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e"
          "1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f40414243444546474849"
          "4a4b4c4d4e4f0b35"));
  EXPECT_EQ(Vec(EncodeMessage(7, Ack{static_cast<std::uint8_t>(Type::kWork)}).span()),
            testing::FromHex("48520190070100044ba3"));
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
  Telemetry telemetry{};
  telemetry.temperature_decidegrees = kNoTemperature;
  telemetry.fan_rpm = 5400;
  telemetry.fan_percent = 80;
  telemetry.chips_alive = 107;
  telemetry.stop_reason = 2;
  FlashWrite write;
  write.offset = 0x4000;
  write.size = 256;
  write.data.fill(0xAB);
  Work work;
  work.token = 99;
  std::vector<std::uint8_t> stream;
  for (const Encoded& e :
       {EncodeMessage(1, hello), EncodeMessage(2, configure), EncodeMessage(3, work),
        EncodeMessage(0, nonce), EncodeMessage(4, telemetry), EncodeMessage(5, write),
        EncodeMessage(6, Refusal{static_cast<std::uint8_t>(Type::kFlashVerify),
                                 static_cast<std::uint8_t>(ErrorCode::kVerifyFailed)})}) {
    stream.insert(stream.end(), e.bytes.begin(),
                  e.bytes.begin() + static_cast<std::ptrdiff_t>(e.size));
  }
  Decoder decoder;
  const auto frames = DecodeAll(stream, decoder);
  ASSERT_EQ(frames.size(), 7u);
  EXPECT_EQ(DecodeMessage<HelloReply>(frames[0].body())->chips, 108);
  EXPECT_EQ(std::string(DecodeMessage<HelloReply>(frames[0].body())->board_model.data()),
            "mps2-an386");
  EXPECT_EQ(DecodeMessage<Configure>(frames[1].body())->ticket_difficulty, 0.001f);
  EXPECT_EQ(DecodeMessage<Configure>(frames[1].body())->version_mask, 0x1fffe000u);
  EXPECT_EQ(DecodeMessage<Work>(frames[2].body())->token, 99u);
  EXPECT_EQ(frames[3].sequence, 0);  // unsolicited
  EXPECT_EQ(DecodeMessage<Nonce>(frames[3].body())->nonce, 0x7552034cu);
  EXPECT_EQ(DecodeMessage<Telemetry>(frames[4].body())->temperature_decidegrees, -32768);
  EXPECT_EQ(DecodeMessage<Telemetry>(frames[4].body())->chips_alive, 107);
  EXPECT_EQ(DecodeMessage<Telemetry>(frames[4].body())->stop_reason, 2);
  EXPECT_EQ(DecodeMessage<FlashWrite>(frames[5].body())->size, 256);
  EXPECT_EQ(frames[6].type, Type::kError);
  EXPECT_EQ(frames[6].body()[1], static_cast<std::uint8_t>(ErrorCode::kVerifyFailed));
  EXPECT_EQ(decoder.bad_frames(), 0u);
}

TEST(BoardLinkTest, DamagedFramesAreSkippedAndCounted) {
  const Ack ack{static_cast<std::uint8_t>(Type::kReboot)};
  const auto good = Vec(EncodeMessage(9, ack).span());
  auto bad_crc = good;
  bad_crc.back() ^= 1;
  auto bad_version = Vec(EncodeMessage(9, ack).span());
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
  EXPECT_FALSE(DecodeMessage<Work>(short_payload).has_value());
  EXPECT_FALSE(DecodeMessage<Nonce>(short_payload).has_value());
  EXPECT_FALSE(DecodeMessage<Telemetry>(short_payload).has_value());
  EXPECT_FALSE(DecodeMessage<Configure>(short_payload).has_value());
  EXPECT_FALSE(DecodeMessage<HelloReply>(short_payload).has_value());
  EXPECT_FALSE(DecodeMessage<FlashWrite>(short_payload).has_value());
  std::array<std::uint8_t, kMaxPayload + 1> huge{};
  EXPECT_EQ(Encode(Type::kWork, 1, huge).size, 0u);
}

// The host's session: answers matched to requests by sequence, refusals with the board's
// code, requests the board never answers timed out, unsolicited frames as events, and a
// frame cut short given up after the frame timeout.
TEST(BoardSessionTest, AnswersRefusalsSilenceAndUnsolicitedFrames) {
  BoardSession session(Micros(200'000), Micros(2'000'000));
  const Encoded hello = session.Send(Hello{}, Micros(0));
  EXPECT_EQ(hello.bytes[4], 1);  // the first sequence number
  const Encoded reset = session.Send(ChainReset{}, Micros(0));
  const Encoded silent = session.Send(TelemetryRequest{}, Micros(0), Micros(500'000));
  EXPECT_EQ(session.pending(), 3u);
  HelloReply reply;
  reply.chips = 4;
  std::vector<std::uint8_t> bytes = Vec(EncodeMessage(hello.bytes[4], reply).span());
  const auto refusal =
      Vec(EncodeMessage(reset.bytes[4], Refusal{static_cast<std::uint8_t>(Type::kChainReset),
                                                static_cast<std::uint8_t>(ErrorCode::kBusy)})
              .span());
  const auto nonce = Vec(EncodeMessage(0, Nonce{7, 1, 2, 0xDEADBEEF, 0x20000000}).span());
  bytes.insert(bytes.end(), refusal.begin(), refusal.end());
  bytes.insert(bytes.end(), nonce.begin(), nonce.end());
  session.OnBytes(bytes, Micros(10'000));
  auto e = session.Next();
  ASSERT_TRUE(e && std::holds_alternative<HelloReply>(*e));
  EXPECT_EQ(std::get<HelloReply>(*e).chips, 4);
  e = session.Next();
  ASSERT_TRUE(e && std::holds_alternative<event::Answered>(*e));
  EXPECT_EQ(std::get<event::Answered>(*e).request, Type::kHello);
  e = session.Next();
  ASSERT_TRUE(e && std::holds_alternative<event::Refused>(*e));
  EXPECT_EQ(std::get<event::Refused>(*e).code, ErrorCode::kBusy);
  EXPECT_EQ(std::get<event::Refused>(*e).request, Type::kChainReset);
  e = session.Next();
  ASSERT_TRUE(e && std::holds_alternative<Nonce>(*e));
  EXPECT_EQ(std::get<Nonce>(*e).nonce, 0xDEADBEEFu);
  EXPECT_FALSE(session.Next().has_value());
  session.OnTime(Micros(400'000));
  EXPECT_FALSE(session.Next().has_value());  // not yet
  session.OnTime(Micros(600'000));
  e = session.Next();
  ASSERT_TRUE(e && std::holds_alternative<event::Unanswered>(*e));
  EXPECT_EQ(std::get<event::Unanswered>(*e).sequence, silent.bytes[4]);
  EXPECT_EQ(session.pending(), 0u);
  // A frame whose length promises more than comes: given up, the frame behind it found.
  auto cut = Vec(EncodeMessage(0, Nonce{1, 0, 0, 1, 1}).span());
  cut.resize(cut.size() - 3);
  session.OnBytes(cut, Micros(700'000));
  session.OnTime(Micros(800'000));
  EXPECT_FALSE(session.Next().has_value());
  session.OnTime(Micros(950'000));
  EXPECT_GE(session.bad_frames(), 1u);
  session.OnBytes(nonce, Micros(960'000));
  e = session.Next();
  ASSERT_TRUE(e && std::holds_alternative<Nonce>(*e));
}

}  // namespace
}  // namespace hashrig::hal::protocol::link
