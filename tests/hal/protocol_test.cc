// hal/protocol against the real frames and vectors collected in
// ../shared/reference/bm13xx-protocol.md ("Known real test vectors", KV-1..KV-8, and the
// init tables of §3): every captured frame is reproduced byte for byte by our encoders
// and decoded back; the real BM1370 round trip gives the pool's share.
#include <algorithm>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "hashrig/hal/protocol/bm13xx/frames.h"
#include "hashrig/hal/protocol/bm13xx/nonce.h"
#include "hashrig/hal/protocol/bm13xx/registers.h"
#include "hashrig/hal/protocol/byte_window.h"
#include "hashrig/hal/protocol/crc.h"
#include "hashrig/sha256/sha256.h"
#include "support/shared_data.h"

namespace hashrig::hal::protocol {
namespace {

using testing::FromHex;

std::vector<std::uint8_t> Vec(std::span<const std::uint8_t> s) { return {s.begin(), s.end()}; }

// The one frame in `bytes`, as a chip's decoder takes it.
std::optional<HostFrame> DecodeOne(const std::vector<std::uint8_t>& bytes) {
  HostFrameDecoder decoder;
  for (const std::uint8_t b : bytes) {
    decoder.Push(b);
  }
  return decoder.Next();
}

// KV-1: command frames; the last byte is CRC5 over bytes 2..n-2.
const char* const kCommandFrames[] = {
    "55 AA 52 05 00 00 0A",
    "55 AA 53 05 00 00 03",
    "55 AA 40 05 00 00 1C",
    "55 AA 40 05 02 00 01",
    "55 AA 40 05 04 00 03",
    "55 AA 40 05 06 00 1E",
    "55 AA 40 05 08 00 07",
    "55 AA 51 09 00 A4 90 00 FF FF 1C",
    "55 AA 51 09 00 A8 00 07 00 00 03",
    "55 AA 51 09 00 18 FF 0F C1 00 00",
    "55 AA 51 09 00 18 F0 00 C1 00 04",
    "55 AA 51 09 00 3C 80 00 85 40 0C",
    "55 AA 51 09 00 3C 80 00 80 20 19",
    "55 AA 51 09 00 3C 80 00 8B 00 12",
    "55 AA 51 09 00 3C 80 00 80 0C 11",
    "55 AA 51 09 00 3C 80 00 8D EE 1B",
    "55 AA 51 09 00 54 00 00 00 03 1D",
    "55 AA 51 09 00 54 00 00 00 02 18",
    "55 AA 51 09 00 58 02 11 11 11 06",
    "55 AA 51 09 00 58 00 01 11 11 0D",
    "55 AA 51 09 00 B9 00 00 44 80 0D",
    "55 AA 51 09 00 14 00 00 00 FF 08",
    "55 AA 51 09 00 10 00 00 1E B5 0F",
    "55 AA 51 09 00 28 11 30 02 00 03",
    "55 AA 41 09 00 2C 00 7C 00 03 03",
    "55 AA 41 09 00 A8 00 07 01 F0 15",
    "55 AA 41 09 00 18 F0 00 C1 00 0C",
    "55 AA 41 09 00 3C 80 00 8B 00 1A",
    "55 AA 41 09 00 3C 80 00 80 0C 19",
    "55 AA 41 09 00 3C 80 00 82 AA 05",
    "55 AA 41 09 01 00 13 70 00 01 0A",
};

std::uint32_t Be32(const std::vector<std::uint8_t>& b, std::size_t at) {
  return static_cast<std::uint32_t>(b[at]) << 24 | b[at + 1] << 16 | b[at + 2] << 8 | b[at + 3];
}

// Every decoder's window (byte_window.h) against a plain deque: pushes, drops of the
// front, frames taken whole, and a full window that loses its oldest byte, in a seeded
// random order — the bytes held, their order and the skipped count always agree.
TEST(ProtocolTest, TheByteWindowHoldsWhatADequeWould) {
  ByteWindow<11> window;
  std::deque<std::uint8_t> model;
  std::uint32_t skipped = 0;
  int overflows = 0;
  std::mt19937 random(13);
  for (int step = 0; step < 20000; ++step) {
    const unsigned action = random() % 4;
    if (action < 3 || model.empty()) {
      const auto byte = static_cast<std::uint8_t>(random());
      if (model.size() == 11) {
        model.pop_front();
        ++skipped;
        ++overflows;
      }
      model.push_back(byte);
      window.Push(byte);
    } else {
      const std::size_t count = 1 + random() % model.size();
      const bool garbage = random() % 2 == 0;
      model.erase(model.begin(), model.begin() + static_cast<std::ptrdiff_t>(count));
      skipped += garbage ? static_cast<std::uint32_t>(count) : 0;
      window.Drop(count, garbage);
    }
    ASSERT_EQ(window.size(), model.size()) << "step " << step;
    const std::vector<std::uint8_t> held = Vec(window.span(0, window.size()));
    ASSERT_EQ(held, std::vector<std::uint8_t>(model.begin(), model.end())) << "step " << step;
    for (std::size_t i = 0; i < model.size(); ++i) {
      ASSERT_EQ(window[i], model[i]);
    }
    ASSERT_EQ(window.skipped(), skipped);
  }
  EXPECT_GT(overflows, 100);  // the full window was reached, not only short ones
}

TEST(ProtocolTest, EveryCapturedCommandFrameIsReproducedAndDecoded) {
  for (const char* text : kCommandFrames) {
    const auto frame = testing::FromSpacedHex(text);
    SCOPED_TRACE(text);
    EXPECT_EQ(Crc5(std::span(frame).subspan(2, frame.size() - 3)), frame.back());
    CommandFrame ours;
    const std::uint8_t t = frame[2];
    if (t == 0x52) {
      ours = BroadcastReadFrame(frame[5]);
    } else if (t == 0x53) {
      ours = ChainInactiveFrame();
    } else if (t == 0x40) {
      ours = SetAddressFrame(frame[4]);
    } else if (t == 0x51) {
      ours = BroadcastWriteFrame(frame[5], Be32(frame, 6));
    } else if (t == 0x41) {
      ours = WriteRegisterFrame(frame[4], frame[5], Be32(frame, 6));
    }
    EXPECT_EQ(Vec(ours.span()), frame);

    auto decoded = DecodeOne(frame);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(decoded->type, t);
    EXPECT_EQ(Vec(decoded->body()), std::vector(frame.begin() + 4, frame.end() - 1));
  }
}

TEST(ProtocolTest, RegisterResponsesDecodeAndEncode) {
  struct Case {
    const char* frame;
    std::uint32_t value;
    std::uint8_t address;
    std::uint8_t reg;
  };
  for (const Case& c : {Case{"AA 55 13 70 00 00 00 00 00 00 10", 0x13700000, 0, 0},
                        Case{"AA 55 13 70 00 00 00 00 06", 0x13700000, 0, 0},
                        Case{"AA 55 13 68 00 00 00 00 00 00 0F", 0x13680000, 0, 0},
                        Case{"AA 55 00 00 C1 00 00 18 02", 0x0000C100, 0, 0x18}}) {
    const auto frame = testing::FromSpacedHex(c.frame);
    ResponseDecoder decoder(frame.size());
    for (std::uint8_t b : frame) {
      decoder.Push(b);
    }
    auto r = decoder.Next();
    ASSERT_TRUE(r.has_value()) << c.frame;
    EXPECT_FALSE(r->nonce);
    EXPECT_EQ(r->register_value(), c.value);
    EXPECT_EQ(r->byte6, c.address);
    EXPECT_EQ(r->byte7, c.reg);
    EXPECT_EQ(Vec(EncodeResponse(*r, frame.size()).span()), frame) << c.frame;
  }
  // What our simulated chips answer for CHIP_ID.
  Response id;
  const std::uint32_t v = ChipIdRegister(ChipModel::kBm1370, 0);
  id.data = {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
             static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
  EXPECT_EQ(Vec(EncodeResponse(id, 11).span()),
            testing::FromSpacedHex("AA 55 13 70 00 00 00 00 00 00 10"));
}

// KV-3: the BM1370 round trip from the mujina Bitaxe Gamma capture.
TEST(ProtocolTest, RealBm1370JobAndNonceGiveThePoolsShare) {
  const auto capture = testing::ReadJson("stratum/mujina_bitaxe_gamma_capture_2025-06-19.json");
  const auto header = FromHex(capture["expected"]["header_hex"].get<std::string>());
  HeaderJob job;
  job.job_id = 0x68;
  job.nbits = 0x17023a04;
  job.ntime = 0x685468d7;
  job.version = 0x20000000;
  std::copy(header.begin() + 4, header.begin() + 36, job.prev_hash.begin());
  std::copy(header.begin() + 36, header.begin() + 68, job.merkle_root.begin());
  const auto frame = EncodeHeaderJob(job);
  EXPECT_EQ(Vec(frame), FromHex(capture["bm1370_wire"]["job_tx_frame_hex"].get<std::string>()));
  HostFrameDecoder host;
  for (std::uint8_t b : frame) {
    host.Push(b);
  }
  auto decoded = host.Next();
  ASSERT_TRUE(decoded.has_value());
  EXPECT_TRUE(decoded->is_job());
  const HeaderJob back = DecodeHeaderJobBody(decoded->body());
  EXPECT_EQ(back.merkle_root, job.merkle_root);
  EXPECT_EQ(back.prev_hash, job.prev_hash);

  const auto reply = FromHex(capture["bm1370_wire"]["nonce_rx_frame_hex"].get<std::string>());
  ResponseDecoder decoder(11);
  for (std::uint8_t b : reply) {
    decoder.Push(b);
  }
  auto r = decoder.Next();
  ASSERT_TRUE(r.has_value());
  ASSERT_TRUE(r->nonce);
  const NonceReport n = DecodeNonce(ChipModel::kBm1370, *r);
  EXPECT_EQ(n.nonce, 0x7552034Cu);
  EXPECT_EQ(n.job_id, 0x68);
  EXPECT_EQ(n.small_core, 2);
  EXPECT_EQ(n.core, 38);
  EXPECT_EQ(n.version_bits, 0x00B44000u);
  EXPECT_EQ(n.excess, 0x0C);
  EXPECT_EQ(ResultHeader(ChipModel::kBm1370, n.job_id, n.small_core), r->byte7);
  EXPECT_EQ(Vec(EncodeResponse(*r, 11).span()), reply);

  // Rebuild the header from job + nonce: it is the capture's, and its hash its share.
  std::vector<std::uint8_t> rebuilt(header.begin(), header.end());
  const std::uint32_t version = job.version | n.version_bits;
  for (int i = 0; i < 4; ++i) {
    rebuilt[i] = static_cast<std::uint8_t>(version >> (8 * i));
    rebuilt[76 + i] = static_cast<std::uint8_t>(n.nonce >> (8 * i));
  }
  EXPECT_EQ(rebuilt, header);
  EXPECT_EQ(testing::OpenSslSha256d(rebuilt), Vec(sha256::DoubleHash(rebuilt)));
}

TEST(ProtocolTest, OtherCapturedJobFramesHaveTheirCrc16) {
  // KV-4 (mujina crc.rs, ESP capture) and KV-7 (BM1397 starting-nonce job, derived CRC).
  const auto job = testing::FromSpacedHex(
      "55 AA 21 56 18 01 00 00 00 00 38 FA 01 17 DC 17 D6 68 15 16 AB 3D 16 42 BB 1F E2 E2 37 7F"
      "8A C5 83 E5 DA 99 6C 6B C7 05 3E AE 56 4B 02 03 CC 4E D2 37 00 00 00 00 00 00 00 00 A2 5C"
      "00 00 A1 E7 AB 5E 5F 24 46 A3 5F 9C BB EA 3F 53 16 E5 4E 39 93 DE 00 00 00 20 6B 18");
  EXPECT_EQ(Crc16False(std::span(job).subspan(2, job.size() - 4)), 0x6B18);
  auto frame = DecodeOne(job);
  ASSERT_TRUE(frame.has_value());
  EXPECT_EQ(Vec(EncodeHeaderJob(DecodeHeaderJobBody(frame->body()))), job);

  auto body = testing::FromSpacedHex("18 04 9B 04 4C 0A 3A AE 05 17 A0 84 73 64 50 E3 71 61");
  body.resize(18 + 64, 0);
  const auto midstate2 = testing::FromSpacedHex(
      "7E 02 70 35 B1 AC BA F2 3E A0 1A 52 73 44 FA F7 6A B4 76 D3 28 21 61 18 B7 76 0F 7B 1B 22 "
      "D2 29");
  body.insert(body.end(), midstate2.begin(), midstate2.end());
  body.resize(146, 0);
  std::vector<std::uint8_t> covered = {0x21, 0x96};
  covered.insert(covered.end(), body.begin(), body.end());
  EXPECT_EQ(Crc16False(covered), 0x76F9);
  const MidstateJob m = DecodeMidstateJobBody(body);
  EXPECT_EQ(m.starting_nonce, 0x0A4C049Bu);
  auto encoded = EncodeMidstateJob(m);
  EXPECT_EQ(std::vector(encoded.begin() + 4, encoded.end() - 2), body);
  EXPECT_EQ(encoded[150], 0x76);
  EXPECT_EQ(encoded[151], 0xF9);
}

TEST(ProtocolTest, CapturedNonceResponsesDecode) {
  struct Case {
    const char* frame;
    ChipModel model;
    std::uint32_t nonce;
    int job;  // id bits as the reference states them (job byte >> 3)
    int small_core;
    std::uint16_t version_field;
  };
  const Case cases[] = {
      {"AA 55 18 00 A6 40 02 99 22 F9 91", ChipModel::kBm1370, 0x40A60018, 9, 9, 0x22F9},
      {"AA 55 07 35 CD CF 02 5E 00 2E 96", ChipModel::kBm1370, 0xCFCD3507, 5, 14, 0x002E},
      {"AA 55 46 03 32 E7 00 C3 2C 83 99", ChipModel::kBm1370, 0xE7320346, 12, 3, 0x2C83},
      {"AA 55 50 03 41 D6 00 81 18 01 9B", ChipModel::kBm1370, 0xD6410350, 8, 1, 0x1801},
      {"AA 55 6D B8 8E E1 01 04 03 54 94", ChipModel::kBm1366, 0xE18EB86D, 0, 4, 0x0354},
  };
  for (const Case& c : cases) {
    const auto frame = testing::FromSpacedHex(c.frame);
    ResponseDecoder decoder(11);
    for (std::uint8_t b : frame) {
      decoder.Push(b);
    }
    auto r = decoder.Next();
    ASSERT_TRUE(r.has_value()) << c.frame;
    const NonceReport n = DecodeNonce(c.model, *r);
    EXPECT_EQ(n.nonce, c.nonce) << c.frame;
    EXPECT_EQ(n.job_id >> 3, c.job) << c.frame;
    EXPECT_EQ(n.small_core, c.small_core) << c.frame;
    EXPECT_EQ(r->version_field, c.version_field) << c.frame;
  }
  for (const char* other :
       {"AA 55 7B 8D 81 60 02 55 00 85 81", "AA 55 32 2A 84 5A 02 52 01 B2 8C"}) {
    const auto frame = testing::FromSpacedHex(other);
    EXPECT_EQ(Crc5(std::span(frame).subspan(2)), 0) << other;
  }
}

TEST(ProtocolTest, DerivedSelfTestFramesOfKv6) {
  const auto expected_job = testing::FromSpacedHex(
      "55 AA 21 56 30 01 00 00 00 00 3A AE 05 17 B5 25 70 64 D6 37 78 EB BF 77 08 7D 9D 1A 37 6B"
      "0A 97 FC 3A 07 A1 C3 A5 87 3E DF 8E 49 9C 33 93 5B DC 19 68 00 00 00 00 00 00 00 00 52 43"
      "05 00 65 A4 F2 3D 11 B7 2E C2 FA 52 74 A5 73 83 49 A3 45 95 85 0C 04 00 00 20 FD D5");
  auto frame = DecodeOne(expected_job);
  ASSERT_TRUE(frame.has_value());
  EXPECT_EQ(Vec(EncodeHeaderJob(DecodeHeaderJobBody(frame->body()))), expected_job);

  // The simulator's answer for nonce 0x0A029ED1 at version slot 0, excess byte 2.
  Response r;
  r.nonce = true;
  r.data = {0xD1, 0x9E, 0x02, 0x0A};
  r.byte6 = 2;
  r.byte7 = ResultHeader(ChipModel::kBm1370, 0x30, 0);
  EXPECT_EQ(Vec(EncodeResponse(r, 11).span()),
            testing::FromSpacedHex("AA 55 D1 9E 02 0A 02 60 00 00 83"));
  r.byte7 = ResultHeader(ChipModel::kBm1366, 0x30, 0);
  EXPECT_EQ(Vec(EncodeResponse(r, 11).span()),
            testing::FromSpacedHex("AA 55 D1 9E 02 0A 02 30 00 00 87"));
}

TEST(ProtocolTest, DecodersResynchroniseAfterGarbageAndCountBadCrcs) {
  const auto good = testing::FromSpacedHex("AA 55 13 70 00 00 00 00 00 00 10");
  auto corrupt = good;
  corrupt[5] ^= 0x01;
  std::vector<std::uint8_t> stream = {0x00, 0xAA, 0xAA, 0x13};
  stream.insert(stream.end(), corrupt.begin(), corrupt.end());
  stream.insert(stream.end(), good.begin(), good.end());
  stream.push_back(0xAA);  // a partial frame at the end
  stream.insert(stream.end(), good.begin(), good.end());
  ResponseDecoder decoder(11);
  int found = 0;
  for (std::uint8_t b : stream) {
    decoder.Push(b);
    while (auto r = decoder.Next()) {
      EXPECT_EQ(r->register_value(), 0x13700000u);
      ++found;
    }
  }
  EXPECT_EQ(found, 2);
  EXPECT_GE(decoder.bad_crc(), 1u);

  // Host side: a corrupt job header hiding a real command right behind it.
  HostFrameDecoder host;
  std::vector<std::uint8_t> hidden = {0x55, 0xAA, 0x21, 0x56};
  const auto inactive = testing::FromSpacedHex("55 AA 53 05 00 00 03");
  for (int i = 0; i < 3; ++i) {
    hidden.insert(hidden.end(), inactive.begin(), inactive.end());
  }
  hidden.resize(100, 0x00);
  int commands = 0;
  for (std::uint8_t b : hidden) {
    host.Push(b);
    while (auto f = host.Next()) {
      commands += f->type == 0x53 ? 1 : 0;
    }
  }
  EXPECT_EQ(commands, 3);
  EXPECT_EQ(host.bad_crc(), 1u);
}

TEST(RegistersTest, PllSolverMatchesEspMinersChoices) {
  struct Case {
    ChipModel model;
    double mhz;
    Pll pll;
    const char* frame;
  };
  const Case cases[] = {
      {ChipModel::kBm1366, 56.25, {189, 2, 7, 6}, "55 AA 51 09 00 08 40 BD 02 65 01"},
      {ChipModel::kBm1366, 485, {194, 2, 5, 1}, "55 AA 51 09 00 08 50 C2 02 40 1C"},
      {ChipModel::kBm1368, 490, {196, 2, 5, 1}, "55 AA 51 09 00 08 50 C4 02 40 06"},
      {ChipModel::kBm1370, 525, {168, 2, 4, 1}, "55 AA 51 09 00 08 40 A8 02 30 03"},
      {ChipModel::kBm1370, 600, {192, 2, 4, 1}, "55 AA 51 09 00 08 50 C0 02 30 05"},
      {ChipModel::kBm1397, 425, {68, 2, 2, 1}, "55 AA 51 09 00 08 40 44 02 21 07"},
      {ChipModel::kBm1397, 450, {72, 2, 2, 1}, nullptr},  // ESP test_pll.c
  };
  for (const Case& c : cases) {
    auto pll = SolvePll(c.model, {c.mhz});
    ASSERT_TRUE(pll.ok()) << c.mhz;
    EXPECT_EQ(*pll, c.pll) << InfoOf(c.model).name << " " << c.mhz;
    EXPECT_NEAR(pll->frequency().value, c.mhz, 0.01);
    if (c.frame != nullptr) {
      const std::uint32_t value = PllRegister(c.model, *pll);
      EXPECT_EQ(Vec(BroadcastWriteFrame(reg::kPll0, value).span()),
                testing::FromSpacedHex(c.frame));
      EXPECT_EQ(PllFromRegister(c.model, value), *pll);
    }
  }
  EXPECT_FALSE(SolvePll(ChipModel::kBm1370, {5000}).ok());
}

TEST(RegistersTest, TicketVersionBaudAndHashCountingNumber) {
  EXPECT_EQ(Vec(BroadcastWriteFrame(reg::kTicketMask, TicketMaskRegister(16)).span()),
            testing::FromSpacedHex("55 AA 51 09 00 14 00 00 00 F0 1E"));
  EXPECT_EQ(TicketMaskRegister(256), 0x000000FFu);
  EXPECT_EQ(TicketMaskRegister(512), 0x000080FFu);
  EXPECT_EQ(TicketMaskRegister(1024), 0x0000C0FFu);
  EXPECT_EQ(TicketMaskRegister(1000), 0x000080FFu);  // floor to a power of two: 512
  EXPECT_EQ(TicketDifficulty(TicketMaskRegister(1024)), 1024);
  EXPECT_EQ(TicketZeroBits(TicketMaskRegister(256)), 40);
  EXPECT_EQ(TicketDifficulty(TicketMaskRegister(0.5)), 1);

  EXPECT_EQ(VersionRollingRegister(0x1fffe000), 0x9000FFFFu);
  EXPECT_EQ(VersionRollingRegister(0xffffffff), 0x9000FFFFu);
  EXPECT_EQ(PoolMaskFromVersionRegister(0x9000FFFF), 0x1fffe000u);

  EXPECT_EQ(ChipBaud(ChipModel::kBm1370, FastBaudRegister(ChipModel::kBm1370)), 1'041'666u);
  EXPECT_EQ(HostBaudFor(1'041'666), 1'000'000u);
  EXPECT_EQ(ChipBaud(ChipModel::kBm1370, ResetBaudRegister(ChipModel::kBm1370)), 115'740u);
  EXPECT_EQ(HostBaudFor(115'740), 115'200u);
  EXPECT_EQ(ChipBaud(ChipModel::kBm1397, FastBaudRegister(ChipModel::kBm1397)), 3'125'000u);
  EXPECT_EQ(ChipBaud(ChipModel::kBm1370, 0x01300000), 3'125'000u);

  EXPECT_EQ(HashCountingNumber(ChipModel::kBm1366, 1, {485}), 864'804u);
  EXPECT_EQ(HashCountingNumber(ChipModel::kBm1366, 6, {485}), 108'100u);
  EXPECT_EQ(HashCountingNumber(ChipModel::kBm1368, 1, {490}), 855'980u);
  EXPECT_EQ(HashCountingNumber(ChipModel::kBm1370, 1, {525}), 798'647u);
  EXPECT_EQ(HashCountingNumber(ChipModel::kBm1370, 2, {525}), 399'189u);
  EXPECT_EQ(Vec(BroadcastWriteFrame(reg::kHashCountingNumber, 798'647).span()),
            testing::FromSpacedHex("55 AA 51 09 00 10 00 0C 2F B7 18"));
}

TEST(RegistersTest, JobIdsRotateAsEspMinerDoes) {
  std::uint8_t id = 0;
  std::vector<int> seq;
  for (int i = 0; i < 16; ++i) {
    id = NextJobId(ChipModel::kBm1370, id);
    seq.push_back(id);
  }
  EXPECT_EQ(seq,
            (std::vector<int>{24, 48, 72, 96, 120, 16, 40, 64, 88, 112, 8, 32, 56, 80, 104, 0}));
  EXPECT_EQ(NextJobId(ChipModel::kBm1397, 124), 0);
  EXPECT_EQ(NextJobId(ChipModel::kBm1366, 8), 16);
  EXPECT_EQ(IncrementVersion(0x20000004, 0x00ffff00), 0x20000104u);
  EXPECT_EQ(IncrementVersion(0x20000204, 0x00ffff00), 0x20000304u);
}

}  // namespace
}  // namespace hashrig::hal::protocol

namespace hashrig::hal::protocol {
namespace {

TEST(RegistersTest, CoreRegisterWordsOfTheInitSequences) {
  // The words ESP-Miner writes (reference §3.1 table).
  EXPECT_EQ(EncodeCoreRegister({true, 0, 0x05, 0x40}), 0x80008540u);
  EXPECT_EQ(EncodeCoreRegister({true, 0, 0x00, 0x0C}), 0x8000800Cu);
  EXPECT_EQ(EncodeCoreRegister({true, 0, 0x02, 0xAA}), 0x800082AAu);
  EXPECT_EQ(DecodeCoreRegister(0x80008DEE), (CoreRegisterWrite{true, 0, 0x0D, 0xEE}));
  EXPECT_EQ(DecodeCoreRegister(EncodeCoreRegister({false, 37, 0x0B, 0x00})),
            (CoreRegisterWrite{false, 37, 0x0B, 0x00}));
}

TEST(RegistersTest, CounterHashrateWraps) {
  // A BM1370 at 1.071 TH/s advances its total counter by ~249 a second.
  EXPECT_NEAR(CounterHashrate(1000, 1249, 1.0) / 1e12, 1.069, 0.001);
  EXPECT_NEAR(CounterHashrate(0xFFFFFF9Cu, 0x00000095u, 1.0) / 1e12, 1.069, 0.001);
  EXPECT_EQ(CounterHashrate(1, 2, 0), 0);
}

TEST(NonceTest, ReconstructsTheCapturedHeader) {
  const auto capture = testing::ReadJson("stratum/mujina_bitaxe_gamma_capture_2025-06-19.json");
  const auto frame =
      testing::FromHex(capture["bm1370_wire"]["job_tx_frame_hex"].get<std::string>());
  const HeaderJob job = DecodeHeaderJobBody(std::span(frame).subspan(4, 82));
  const auto header = ReconstructHeader(job, job.version | 0x00B44000, 0x7552034C);
  EXPECT_EQ(std::vector(header.begin(), header.end()),
            testing::FromHex(capture["expected"]["header_hex"].get<std::string>()));
}

}  // namespace
}  // namespace hashrig::hal::protocol
