// The Avalon codec (hal/protocol/avalon) against the reference: every worked example of
// ../shared/reference/avalon-protocol.md §6 byte for byte — the bytes below are the output
// of ../shared/reference/avalon_examples.py (python3, standard library), copied as printed —
// the real block 542213 session down to the job file's mining.submit (the header re-hashed
// with OpenSSL), CRC known answers, the stream decoder on garbage, bad CRCs and cut input,
// and each generation's type table as §3.4 lists it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "avalon_job.h"
#include "hashrig/hal/protocol/avalon/auc.h"
#include "hashrig/hal/protocol/avalon/config.h"
#include "hashrig/hal/protocol/avalon/generation.h"
#include "hashrig/hal/protocol/avalon/job.h"
#include "hashrig/hal/protocol/avalon/packet.h"
#include "hashrig/hal/protocol/avalon/replies.h"
#include "hashrig/hal/protocol/avalon/work.h"
#include "hashrig/hal/protocol/crc.h"
#include "hashrig/hal/protocol/le.h"
#include "support/shared_data.h"

namespace hashrig::hal::protocol::avalon {
namespace {

using Bytes = std::vector<std::uint8_t>;
constexpr Generation kA8Gen = Generation::kAvalon8;
constexpr Generation kA10Gen = Generation::kAvalon10;

using testing::Hex;

Bytes Wire(const Packet& p) {
  const auto w = Encode(p);
  return {w.begin(), w.end()};
}

Bytes Wire(const Result<Packet>& p) {
  EXPECT_TRUE(p.ok()) << p.status().message();
  return p.ok() ? Wire(*p) : Bytes{};
}

Packet Parse(std::string_view hex) {
  const auto packet = Decode(Hex(hex));
  EXPECT_TRUE(packet.ok()) << packet.status().message();
  return packet.ok() ? *packet : Packet{};
}

std::uint16_t Crc(std::string_view text) {
  const Bytes bytes(text.begin(), text.end());
  return Crc16Xmodem(bytes);
}

const Dna kDna = {0x02, 0x01, 0x00, 0x00, 0x2c, 0x2a, 0xf6, 0x18};  // §6's example DNA

// avalon_examples.py, section 1, and the §3.2 table.
TEST(AvalonCrcTest, KnownAnswers) {
  EXPECT_EQ(Crc("123456789"), 0x31C3);
  EXPECT_EQ(Crc16Xmodem(Bytes{0x01}), 0x1021);  // table entry 1
  EXPECT_EQ(Crc16Xmodem(Bytes{0xFF}), 0x1EF0);  // table entry 255
  EXPECT_EQ(Crc16Xmodem(Hex("00000000000000000000000000000000000000000000000000000000 00000001")),
            0x1021);
  EXPECT_EQ(JobTag("blk542213"), 0xE9CD);
  EXPECT_EQ(Crc16Xmodem(Hex("e9cd0000" + std::string(56, '0'))), 0x5AE7);
  EXPECT_EQ(Crc16Xmodem(Hex("000000d4 00000076 00000004 00000024 00000002 00000000 ffffffff "
                            "00000001")),
            0x3D89);
  EXPECT_EQ(Crc16Xmodem(Bytes(32, 0)), 0x0000);
  // The BM13xx CRC shares the loop: CRC-16/CCITT-FALSE's check value is unchanged.
  const Bytes check{'1', '2', '3', '4', '5', '6', '7', '8', '9'};
  EXPECT_EQ(Crc16False(check), 0x29B1);
}

// The worked session's packets (§6 "3.1", "3.2", "3.4" and "4."), from the typed encoders.
TEST(AvalonSessionTest, DiscoveryAndConfigurationPacketsMatchTheScript) {
  EXPECT_EQ(Wire(Encode(kA8Gen, Detect{1})),
            Hex("43 4e 10 00 01 01 | 0000000000000000000000000000000000000000000000000000000000"
                "000001 | 10 21"));
  EXPECT_EQ(Wire(Encode(kA8Gen, Sync{kDna})),
            Hex("43 4e 31 00 01 01 | 020100002c2af618000000000000000000000000000000000000000000"
                "000000 | a4 19"));
  Set set;
  set.freq_sel = 3;
  set.flags = kSetSmartSpeed | kSetNonceCheck | kSetRollEnable;
  set.nonce_mask = 27;
  set.mux_h2l = 1;
  set.h2ltime0_spd = 3;
  set.spdlow = 2;
  set.spdhigh = 3;
  EXPECT_EQ(Wire(Encode(kA8Gen, set)),
            Hex("43 4e 20 00 01 01 | 0000000000000003071b00000000000000010000000300000002000000"
                "030000 | 23 30"));
  EXPECT_EQ(Wire(Encode(kA8Gen, SetVolt{{5, 5, 5, 5}})),
            Hex("43 4e 22 00 01 01 | 000080050000800500008005000080050000000000000000000000000"
                "0000000 | 39 42"));
  EXPECT_EQ(Wire(Encode(kA8Gen, PerMiner{Kind::kSetAsicOtp, {}})),
            Hex("43 4e 50 00 01 01 | " + std::string(64, '0') + " | 00 00"));
  const std::uint32_t unused = *PllWordFor(kA8Gen, Megahertz{0});
  const std::uint32_t words[] = {unused, unused, unused, *PllWordFor(kA8Gen, Megahertz{850})};
  for (std::uint8_t miner = 0; miner < 4; ++miner) {
    const auto pll = PllSettingFor(kA8Gen, words, Megahertz{850}, miner);
    ASSERT_TRUE(pll.ok());
    EXPECT_EQ(pll->timeout, 409561u);
    auto expected =
        Hex("43 4e 25 00 01 04 | 044000000440000004400000009084210000006400063fd90"
            "000000000000000 | fd 97");
    expected[4] = static_cast<std::uint8_t>(miner + 1);
    EXPECT_EQ(Wire(Encode(kA8Gen, *pll)), expected) << "miner " << int{miner};
  }
  SmartSpeed ss;
  ss.pass = 200;
  ss.fail = 7000;
  ss.init = 32767;
  ss.ms = 5;
  ss.timeout = 16000;
  ss.add = 1;
  EXPECT_EQ(Wire(Encode(kA8Gen, ss)),
            Hex("43 4e 26 00 01 01 | 000000c800001b5800007fff0000000500003e800000000100000000"
                "00000000 | ef a8"));
  EXPECT_EQ(Wire(Empty(kA8Gen, Kind::kSetFin)),
            Hex("43 4e 21 00 01 01 | " + std::string(64, '0') + " | 00 00"));
  EXPECT_EQ(Wire(Encode(kA8Gen, Polling{0, FanPwm(Percent{50}), false})),
            Hex("43 4e 30 00 01 01 | 00000000800002000000000000000000000000000000000000000000"
                "00000000 | 30 90"));
}

TEST(AvalonSessionTest, AckDetectBothWays) {
  const Packet ack = Parse(
      "43 4e 40 00 01 01 | 020100002c2af6183835312d4558414d504c4556455231000000680000000000 | "
      "8a b9");
  const auto decoded = DecodeAckDetect(kA8Gen, ack);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->dna, kDna);
  EXPECT_EQ(decoded->version_string(), "851-EXAMPLEVER1");
  EXPECT_EQ(decoded->asic_count, 4u * 26u);
  EXPECT_EQ(Wire(Encode(kA8Gen, *decoded)), Wire(ack));
  // Avalon 10: a 20-character version, the count at data[28..31].
  AckDetect a10{kDna, {}, 240};
  const std::string_view version = "1041-ABCDEFGHIJKLMNO";
  std::copy(version.begin(), version.end(), a10.version.begin());
  const auto packet = Encode(kA10Gen, a10);
  ASSERT_TRUE(packet.ok());
  EXPECT_EQ(packet->data[27], 'O');  // the version's last character, then the count
  EXPECT_EQ(packet->data[31], 240);
  EXPECT_EQ(DecodeAckDetect(kA10Gen, *packet)->version_string(), version);
  EXPECT_FALSE(Encode(kA8Gen, a10).ok());  // 20 characters do not fit Avalon 8's 15
}

using testing::Job542213;

// §6 "3.3": the whole hand-off, in order.
TEST(AvalonSessionTest, RealBlockJobPacketsMatchTheScript) {
  Job542213 real;
  const auto packets = JobPackets::Make(kA8Gen, real.job, {});
  ASSERT_TRUE(packets.ok()) << packets.status().message();
  const char* expected[] = {
      // STATIC
      "43 4e 11 00 01 01 | "
      "000000d40000007600000004000000240000000200000000ffffffff00000001"
      " | 3d 89",
      // TARGET
      "43 4e 16 00 01 01 | "
      "000000000000000000000000000000000000000000000000c0ff3f0000000000"
      " | 44 af",
      // JOB_ID
      "43 4e 12 00 01 01 | "
      "e9cd000000000000000000000000000000000000000000000000000000000000"
      " | 5a e7",
      // COINBASE 1/6 (midstate)
      "43 4e 13 00 01 06 | "
      "6f17581f760ba2d2e077f05a829657cf21c8024a9753b2e569ba19ceabea235d"
      " | fc 38",
      // COINBASE 2/6
      "43 4e 13 00 02 06 | "
      "3b205ba350dffabe6d6d3a3e92d9efff857664de632e89fa3182f1e793d00be2"
      " | b5 f2",
      // COINBASE 3/6
      "43 4e 13 00 03 06 | "
      "e71a117b273145945a810400000000000000db25000000000000ffffffff028a"
      " | a6 7e",
      // COINBASE 4/6
      "43 4e 13 00 04 06 | "
      "8f814a000000001976a914edf10a7fac6b32e24daa5305c723f3de58db1bc888"
      " | b7 b1",
      // COINBASE 5/6
      "43 4e 13 00 05 06 | "
      "ac0000000000000000266a24aa21a9ed4a657fcaa2149342376247e2e283a55a"
      " | 40 5c",
      // COINBASE 6/6
      "43 4e 13 00 06 06 | "
      "6b92dcc35d4d89e4ac7b74488cb63be200000000000000000000000000000000"
      " | 83 2c",
      // MERKLES 1/2
      "43 4e 14 00 01 02 | "
      "d7dadae1f07cb379e7812391eecaba37fdb41a23484482e9a19de94bebacbe66"
      " | 3e 16",
      // MERKLES 2/2
      "43 4e 14 00 02 02 | "
      "f3582962cbaaf6a1fd519a17eb98b5e0cc15a973d2c72886365b37f2fe5bb149"
      " | fb 83",
      // HEADER 1/4
      "43 4e 15 00 01 04 | "
      "20000000b1eb8089ccba3612d547c466c51b96adccf9c04600085a3800000000"
      " | f9 e8",
      // HEADER 2/4
      "43 4e 15 00 02 04 | "
      "0000000000000000000000000000000000000000000000000000000000000000"
      " | 00 00",
      // HEADER 3/4
      "43 4e 15 00 03 04 | "
      "000000005ba350df172819a10000000000000080000000000000000000000000"
      " | c8 ed",
      // HEADER 4/4
      "43 4e 15 00 04 04 | "
      "0000000000000000000000000000000000000000000000000000000080020000"
      " | b3 58",
      // JOB_FIN
      "43 4e 17 00 01 01 | "
      "0000000000000000000000000000000000000000000000000000000000000000"
      " | 00 00",
  };
  ASSERT_EQ(packets->size(), std::size(expected));
  for (std::size_t i = 0; i < packets->size(); ++i) {
    EXPECT_EQ(testing::ToHex(Wire(packets->at(i))), testing::ToHex(Hex(expected[i])))
        << "packet " << i;
  }
  EXPECT_EQ(packets->fields().coinbase_length, 212u);
  EXPECT_EQ(packets->fields().nonce2_offset, 118u);
  // JOB_ID suppressed: one packet fewer, the rest unchanged.
  const auto quiet = JobPackets::Make(kA8Gen, real.job, {0, 1, 0, 0, false});
  ASSERT_EQ(quiet->size(), packets->size() - 1);
  EXPECT_EQ(Wire(quiet->at(2)), Wire(packets->at(3)));
}

// §6 "3.4"/"3.5": the module's NONCE for the block, and the submit it maps to.
TEST(AvalonSessionTest, RealBlockNonceGivesTheJobFilesSubmit) {
  Job542213 real;
  const Packet nonce = Parse(
      "43 4e 42 18 01 01 | 000500010005baac000000001396e301e9cd0000000000000000000000000000 | "
      "81 5e");
  const auto reports = DecodeNonce(kA8Gen, nonce);
  ASSERT_TRUE(reports.ok());
  ASSERT_EQ(reports->count, 1u);
  const NonceReport& r = reports->reports[0];
  EXPECT_EQ(r.miner, 1);
  EXPECT_EQ(r.chip, 5);
  EXPECT_EQ(r.nonce2, 0x0005baacu);
  EXPECT_EQ(r.ntime_offset, 0u);
  EXPECT_EQ(r.job_tag, 0xe9cd);
  EXPECT_EQ(nonce.opt, kDna[7]);
  EXPECT_EQ(Wire(Encode(kA8Gen, reports->span(), kDna[7])), Wire(nonce));

  const auto submit = SubmitFor(kA8Gen, real.job, r);
  ASSERT_TRUE(submit.ok()) << submit.status().message();
  const auto& expected = real.file["submit"]["params"];  // worker, job, en2, ntime, nonce
  EXPECT_EQ(real.job_id, expected[1]);
  EXPECT_EQ(
      testing::ToHex(Bytes(submit->extranonce_bytes().begin(), submit->extranonce_bytes().end())),
      expected[2]);
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", submit->ntime);
  EXPECT_EQ(std::string(hex), expected[3]);
  std::snprintf(hex, sizeof hex, "%08x", submit->nonce.value);
  EXPECT_EQ(std::string(hex), expected[4]);
  EXPECT_FALSE(submit->version_bits);

  const auto header = HeaderFor(real.job, *submit);
  const Bytes bytes(header.begin(), header.end());
  EXPECT_EQ(testing::ToHex(bytes), real.file["expected"]["header_hex"]);
  auto hash = testing::OpenSslSha256d(bytes);
  std::reverse(hash.begin(), hash.end());
  EXPECT_EQ(testing::ToHex(hash), real.file["expected"]["block_hash"]);

  // Another job's tag, another pool, a micro job Avalon 8 has not: refused.
  NonceReport other = r;
  other.job_tag ^= 1;
  EXPECT_EQ(SubmitFor(kA8Gen, real.job, other).status().code(), StatusCode::kMismatch);
  other = r;
  other.pool = 1;
  EXPECT_EQ(SubmitFor(kA8Gen, real.job, other).status().code(), StatusCode::kMismatch);
  other = r;
  other.micro_job = 1;
  EXPECT_FALSE(SubmitFor(kA8Gen, real.job, other).ok());
}

// §6 "4.": Avalon 10's VMASK and two-slot NONCE; the version a micro job names.
TEST(AvalonSessionTest, Avalon10VmaskAndNonceMatchTheScript) {
  EXPECT_EQ(Wire(Encode(kA10Gen, Vmask{VersionsFor(0x20000000, 0)})),
            Hex("43 4e 19 00 01 01 | 2000000020000000200000002000000000000000000000000000000000"
                "000000 | 1d af"));
  const auto versions = VersionsFor(0x20000000, 0x1fffe000);
  EXPECT_EQ(versions,
            (std::array<std::uint32_t, 4>{0x20000000, 0x2000e000, 0x3fff0000, 0x3fffe000}));
  EXPECT_EQ(Wire(Encode(kA10Gen, Vmask{versions})),
            Hex("43 4e 19 00 01 01 | 200000002000e0003fff00003fffe0000000000000000000000000000"
                "0000000 | 16 ad"));
  const Packet nonce = Parse(
      "43 4e 42 18 01 01 | 100001051396e3010005baace9cd000000000000000000000000000000000000 | "
      "4f 16");
  const auto reports = DecodeNonce(kA10Gen, nonce);
  ASSERT_TRUE(reports.ok());
  ASSERT_EQ(reports->count, 1u);  // the second slot's top nibble is 0: empty
  const NonceReport& r = reports->reports[0];
  EXPECT_EQ(r.miner, 1);
  EXPECT_EQ(r.chip, 5);
  EXPECT_EQ(r.micro_job, 0);
  EXPECT_EQ(r.nonce2, 0x0005baacu);
  EXPECT_EQ(r.nonce.value, 0x01e39613u);
  EXPECT_EQ(Wire(Encode(kA10Gen, reports->span(), kDna[7])), Wire(nonce));

  // The real block on Avalon 10: the same submit; with a pool mask, micro job 2 hashes
  // version | H and submits H as its version bits.
  Job542213 real;
  auto submit = SubmitFor(kA10Gen, real.job, r);
  ASSERT_TRUE(submit.ok());
  const auto header = HeaderFor(real.job, *submit);
  EXPECT_EQ(testing::ToHex(Bytes(header.begin(), header.end())),
            real.file["expected"]["header_hex"]);
  real.job.version_mask = 0x1fffe000;
  NonceReport rolled = r;
  rolled.micro_job = 2;
  submit = SubmitFor(kA10Gen, real.job, rolled);
  ASSERT_TRUE(submit.ok());
  EXPECT_EQ(submit->version, 0x3fff0000u);
  EXPECT_EQ(submit->version_bits, 0x1fff0000u);
  rolled.micro_job = 4;
  EXPECT_FALSE(SubmitFor(kA10Gen, real.job, rolled).ok());
  // The A10 hand-off carries VMASK right after STATIC.
  const auto packets = JobPackets::Make(kA10Gen, real.job, {});
  ASSERT_TRUE(packets.ok());
  EXPECT_EQ(packets->size(), 17u);
  EXPECT_EQ(Wire(packets->at(1)), Wire(Encode(kA10Gen, Vmask{versions})));
}

// §6 "2.": the AUC's requests and replies.
TEST(AvalonAucTest, RequestsAndRepliesMatchTheScript) {
  auto padded = [](std::string_view head) {
    Bytes b = Hex(head);
    b.resize(kAucPacketSize, 0);
    return b;
  };
  auto bytes = [](const AucTransfer& t) { return Bytes(t.span().begin(), t.span().end()); };
  EXPECT_EQ(bytes(AucSimple(AucRequest::kReset)), padded("04 00 00 a0"));
  EXPECT_EQ(bytes(AucSimple(AucRequest::kDeinit)), padded("04 00 00 a2"));
  EXPECT_EQ(bytes(AucSimple(AucRequest::kInfo)), padded("04 00 00 a6"));
  EXPECT_EQ(bytes(AucInit(kAucDefaultSpeed, kAucDefaultXdelay)),
            padded("0c 00 00 a1 80 1a 06 00 00 4b 00 00"));
  const Bytes detect = Wire(Encode(kA8Gen, Detect{1}));
  const auto xfer = AucXfer(0, detect, 40);
  ASSERT_TRUE(xfer.ok());
  Bytes expected = Hex("30 00 00 a5 28 28 00 00");
  expected.insert(expected.end(), detect.begin(), detect.end());
  EXPECT_EQ(bytes(*xfer), expected);  // 48 bytes, not 64
  // "Reading the example": a job packet to every module, nothing read back; configuration
  // to module 1; POLLING to module 1 with its 40-byte answer.
  EXPECT_EQ(bytes(*AucXfer(0, detect, 0)).at(5), 0x00);
  const Bytes config = bytes(*AucXfer(1, detect, 0));
  EXPECT_EQ(Bytes(config.begin(), config.begin() + 8), Hex("30 00 00 a5 28 00 00 01"));
  const Bytes poll = bytes(*AucXfer(1, detect, 40));
  EXPECT_EQ(Bytes(poll.begin(), poll.begin() + 8), Hex("30 00 00 a5 28 28 00 01"));
  const auto request = DecodeAucRequest(xfer->span());
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->slave, 0);
  EXPECT_EQ(request->rx_length, 40);
  EXPECT_EQ(Bytes(request->tx_span().begin(), request->tx_span().end()), detect);

  const auto empty = DecodeAucReply(Hex("04 00 00 00"));
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->result, AucResult::kOk);
  EXPECT_EQ(empty->body_size, 0u);
  const auto version = DecodeAucReply(Hex("10 00 00 00 41 55 43 2d 32 30 31 35 31 32 30 38"));
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(std::string(version->body_span().begin(), version->body_span().end()), "AUC-20151208");
  const auto info_reply = DecodeAucReply(Hex("0b 00 00 00 00 02 00 01 00 00 02"));
  ASSERT_TRUE(info_reply.ok());
  const auto info = DecodeAucInfo(info_reply->body_span());
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->temperature_adc, 0x0200);
  EXPECT_EQ(info->response_queue, 1);
  EXPECT_EQ(info->state, 2);
  EXPECT_NEAR(AucTemperature(info->temperature_adc)->value, 25.0, 0.05);
  // A reply of 44 bytes carries the module's 40.
  AucReply ack;
  ack.body_size = kPacketSize;
  EXPECT_EQ(EncodeAucReply(ack).bytes[0], 0x2c);

  // Damage: a length byte that is not the size, an XFER too big, an unknown request.
  EXPECT_FALSE(DecodeAucReply(Hex("05 00 00 00")).ok());
  EXPECT_FALSE(DecodeAucReply(Hex("04 00 00")).ok());
  EXPECT_FALSE(AucXfer(1, Bytes(57, 0), 0).ok());
  EXPECT_FALSE(AucXfer(0x80, detect, 0).ok());
  EXPECT_FALSE(DecodeAucRequest(Hex("04 00 00 a9")).ok());
  EXPECT_FALSE(DecodeAucRequest(Hex("30 00 00 a5 28 28 00 00")).ok());  // cut short
  EXPECT_FALSE(AucTemperature(0).ok());
}

// Decode() of one packet, and the stream decoder on damaged input (R13).
TEST(AvalonPacketTest, DecodeRefusesDamage) {
  const Bytes detect = Wire(Encode(kA8Gen, Detect{1}));
  EXPECT_TRUE(Decode(detect).ok());
  EXPECT_EQ(Decode(Bytes(detect.begin(), detect.end() - 1)).status().code(),
            StatusCode::kInvalidArgument);
  Bytes bad = detect;
  bad[1] = 'V';  // cgminer would take it (§7.2); we do not
  EXPECT_EQ(Decode(bad).status().code(), StatusCode::kMismatch);
  bad = detect;
  bad[6 + 31] ^= 0x01;
  EXPECT_EQ(Decode(bad).status().code(), StatusCode::kBadCrc);
  bad = detect;
  std::swap(bad[38], bad[39]);  // the CRC low byte first, as the Avalon 4 era sent it
  EXPECT_EQ(Decode(bad).status().code(), StatusCode::kBadCrc);
  bad = detect;
  bad[2] = 0x11;  // TYPE, OPT, IDX and CNT are not covered by the CRC
  bad[5] = 0x07;
  EXPECT_TRUE(Decode(bad).ok());
}

TEST(AvalonPacketTest, StreamResynchronisesAfterGarbageAndBadCrc) {
  const Bytes a = Wire(Encode(kA8Gen, Detect{1}));
  const Bytes b = Wire(Encode(kA8Gen, Sync{kDna}));
  Bytes stream = {0x00, 0x43, 0x43, 0x4e, 0xff};  // garbage with a false start
  stream.insert(stream.end(), a.begin(), a.end());
  Bytes damaged = b;
  damaged[20] ^= 0x40;
  stream.insert(stream.end(), damaged.begin(), damaged.end());
  stream.insert(stream.end(), b.begin(), b.end());
  PacketDecoder decoder;
  std::vector<Packet> got;
  for (std::uint8_t byte : stream) {
    decoder.Push(byte);
    while (auto p = decoder.Next()) {
      got.push_back(*p);
    }
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(Wire(got[0]), a);
  EXPECT_EQ(Wire(got[1]), b);
  EXPECT_GE(decoder.bad_crc(), 1u);
  EXPECT_EQ(decoder.skipped_bytes(), 5u + kPacketSize);
  EXPECT_EQ(decoder.pending(), 0u);
}

TEST(AvalonPacketTest, PacketInsideABadCandidateIsFound) {
  // "CN" then 10 bytes, then a real packet: the 40-byte candidate at the first "CN" fails
  // its CRC and the real one starting inside it is still decoded.
  const Bytes real = Wire(Encode(kA8Gen, Detect{3}));
  Bytes stream = {0x43, 0x4e, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  stream.insert(stream.end(), real.begin(), real.end());
  PacketDecoder decoder;
  std::vector<Packet> out;
  decoder.Feed(stream, [&](const Packet& p) { out.push_back(p); });
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(DecodeDetect(kA8Gen, out[0])->module_id, 3u);
  EXPECT_EQ(decoder.bad_crc(), 1u);
  EXPECT_FALSE(decoder.Next());
}

// A read of a hundred packets at once (a 4 KiB PTY read) gives all hundred: the decoder's
// window holds two, so Feed takes each as it completes (a bulk push lost 98).
TEST(AvalonPacketTest, ALargeReadGivesEveryPacket) {
  Bytes stream;
  for (std::uint8_t i = 0; i < 100; ++i) {
    Packet p;
    p.type = 0x42;
    p.data[0] = i;
    const Bytes one = Wire(p);
    stream.insert(stream.end(), one.begin(), one.end());
  }
  PacketDecoder decoder;
  std::uint8_t next = 0;
  decoder.Feed(stream, [&](const Packet& p) { EXPECT_EQ(p.data[0], next++); });
  EXPECT_EQ(next, 100);
}

TEST(AvalonPacketTest, TruncatedPacketWaitsForTheRest) {
  const Bytes a = Wire(Encode(kA8Gen, Detect{2}));
  PacketDecoder decoder;
  decoder.Feed(std::span(a).first(25), [](const Packet&) { ADD_FAILURE() << "cut short"; });
  EXPECT_FALSE(decoder.Next());
  EXPECT_EQ(decoder.pending(), 25u);
  std::vector<Packet> out;
  decoder.Feed(std::span(a).subspan(25), [&](const Packet& p) { out.push_back(p); });
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(Wire(out[0]), a);
  // A stream that ends mid-packet leaves it pending, counted as neither bad nor skipped.
  decoder.Feed(std::span(a).first(39), [](const Packet&) { ADD_FAILURE() << "cut short"; });
  EXPECT_FALSE(decoder.Next());
  EXPECT_EQ(decoder.pending(), 39u);
  EXPECT_EQ(decoder.bad_crc(), 0u);
  EXPECT_EQ(decoder.skipped_bytes(), 0u);
}

// §3.4, column by column: every TYPE byte each generation uses, by cgminer's name.
TEST(AvalonGenerationTest, TypeTablesAreTheReferences) {
  const std::vector<std::pair<int, std::string>> common = {
      {0x10, "DETECT"},      {0x11, "STATIC"},     {0x12, "JOB_ID"},      {0x13, "COINBASE"},
      {0x14, "MERKLES"},     {0x15, "HEADER"},     {0x16, "TARGET"},      {0x17, "JOB_FIN"},
      {0x20, "SET"},         {0x21, "SET_FIN"},    {0x22, "SET_VOLT"},    {0x24, "SET_PMU"},
      {0x25, "SET_PLL"},     {0x26, "SET_SS"},     {0x28, "SET_FAC"},     {0x30, "POLLING"},
      {0x31, "SYNC"},        {0x32, "TEST"},       {0x33, "RSTMMTX"},     {0x34, "GET_VOLT"},
      {0x40, "ACKDETECT"},   {0x41, "STATUS"},     {0x42, "NONCE"},       {0x43, "TEST_RET"},
      {0x46, "STATUS_VOLT"}, {0x49, "STATUS_PLL"}, {0x4B, "STATUS_ASIC"}, {0x4C, "STATUS_PVT"},
      {0x4D, "STATUS_FAC"}};
  auto with = [&](std::vector<std::pair<int, std::string>> extra) {
    extra.insert(extra.end(), common.begin(), common.end());
    std::sort(extra.begin(), extra.end());
    return extra;
  };
  const std::vector<std::pair<int, std::string>> a8_lc3_extra = {{0x29, "SET_OC"},
                                                                 {0x4A, "STATUS_LOG"},
                                                                 {0x4E, "STATUS_OC"},
                                                                 {0x4F, "STATUS_OTP"},
                                                                 {0x50, "SET_ASIC_OTP"}};
  auto a8 = a8_lc3_extra;
  a8.emplace_back(0x48, "STATUS_PMU");
  auto lc3 = a8_lc3_extra;
  lc3.emplace_back(0x48, "STATUS_POWER");
  const std::pair<Generation, std::vector<std::pair<int, std::string>>> expected[] = {
      {Generation::kAvalon7, with({{0xA7, "MID"}, {0x48, "STATUS_PMU"}, {0x4A, "STATUS_LOG"}})},
      {Generation::kAvalon8, with(a8)},
      {Generation::kLc3, with(lc3)},
      {Generation::kAvalon10, with({{0x19, "VMASK"},
                                    {0x48, "STATUS_POWER"},
                                    {0x50, "SET_FAC_PLL"},
                                    {0x51, "SET_ADJUST_VOLT"},
                                    {0x52, "SET_SS_SWITCH"},
                                    {0x53, "SET_SSDN_PRO"},
                                    {0x54, "SET_HASH_OD"}})},
  };
  for (const auto& [generation, table] : expected) {
    std::vector<std::pair<int, std::string>> got;
    for (int type = 0; type < 256; ++type) {
      if (const auto kind = KindOf(generation, static_cast<std::uint8_t>(type))) {
        got.emplace_back(type, NameOf(*kind));
        EXPECT_EQ(TypeOf(generation, *kind), type) << NameOf(*kind);
      }
    }
    EXPECT_EQ(got, table) << InfoOf(generation).name;
  }
  // Avalon 10's second name for 0x51 (§7.9), and kinds a generation has not.
  EXPECT_EQ(TypeOf(kA10Gen, Kind::kSetFacVolt), 0x51);
  EXPECT_FALSE(TypeOf(Generation::kAvalon7, Kind::kVmask));
  EXPECT_FALSE(TypeOf(kA10Gen, Kind::kSetOc));
  EXPECT_FALSE(Encode(kA8Gen, Vmask{}).ok());
  EXPECT_FALSE(EncodeValue(kA10Gen, Kind::kSetOc, 1).ok());
  // Directions: MM -> host types are 0x40..0x4F.
  for (const TypeRow& row : kTypes) {
    EXPECT_EQ(row.direction == Direction::kFromModule, row.type >= 0x40 && row.type <= 0x4F)
        << row.name;
  }
}

TEST(AvalonGenerationTest, LayoutParametersAreTheReferences) {
  const GenerationInfo& a7 = InfoOf(Generation::kAvalon7);
  const GenerationInfo& a8 = InfoOf(kA8Gen);
  const GenerationInfo& lc3 = InfoOf(Generation::kLc3);
  const GenerationInfo& a10 = InfoOf(kA10Gen);
  EXPECT_EQ(a7.diff_max, 500);  // §4.3 DRV_DIFFMAX
  EXPECT_EQ(a8.diff_max, 2700);
  EXPECT_EQ(lc3.diff_max, 2700);
  EXPECT_EQ(a10.diff_max, 1024);
  EXPECT_EQ(a7.pll_points, 6);  // §5.5
  EXPECT_EQ(a8.pll_points, 4);
  EXPECT_EQ(a10.miners, 2);  // §1.3
  EXPECT_EQ(a8.asic_count_offset, 23);
  EXPECT_EQ(a10.asic_count_offset, 28);
  EXPECT_TRUE(a10.vmask);
  EXPECT_FALSE(a8.vmask);
  EXPECT_EQ(*PllWordFor(Generation::kAvalon7, Megahertz{600}), 0x0133f813u);
  EXPECT_EQ(*PllWordFor(kA10Gen, Megahertz{575}), 0x00968DA1u);
  EXPECT_FALSE(PllWordFor(kA8Gen, Megahertz{575}));  // not in the reference
  // PllFrequencyOf reads every known word back to its frequency, on its generations only.
  int known = 0;
  for (const auto& info : kGenerations) {
    for (int mhz = 0; mhz <= 1500; ++mhz) {
      if (const auto word = PllWordFor(info.generation, Megahertz{static_cast<double>(mhz)})) {
        ++known;
        const auto back = PllFrequencyOf(info.generation, *word);
        ASSERT_TRUE(back.has_value()) << mhz;
        EXPECT_EQ(back->value, mhz);
      }
    }
  }
  EXPECT_EQ(known, 1 + 8 + 8 + 3);  // Avalon 7, 8, LC3 and 10 (§3.5's words)
  EXPECT_EQ(PllFrequencyOf(kA10Gen, 0x00968DA1u)->value, 575);
  EXPECT_FALSE(PllFrequencyOf(kA8Gen, 0x00968DA1u));  // Avalon 10's word, not Avalon 8's
  EXPECT_FALSE(PllFrequencyOf(Generation::kAvalon7, 0x12345678u));
  // A difficulty above the cap is sent as the cap: Avalon 7 at 1024 sends 500.
  Job542213 real;
  const auto a7_job = JobPackets::Make(Generation::kAvalon7, real.job, {});
  ASSERT_TRUE(a7_job.ok());
  EXPECT_EQ(a7_job->target().bytes(), sha256::Difficulty::From(500)->ToTarget().bytes());
}

// Per-generation layouts of the configuration packets, and decoders as their inverse.
TEST(AvalonConfigTest, LayoutsPerGeneration) {
  // Voltage: A8 signed, A7 flagged 0..15, LC3 and A10 raw; A10's switch at data[24..27].
  auto volt = Encode(kA8Gen, SetVolt{{-15, 0, 15, 1}});
  ASSERT_TRUE(volt.ok());
  EXPECT_EQ(LoadBe32(&volt->data[0]), 0x808Fu);
  EXPECT_EQ(LoadBe32(&volt->data[8]), 0x800Fu);
  EXPECT_EQ(DecodeSetVolt(kA8Gen, *volt)->levels, (std::array<int, 4>{-15, 0, 15, 1}));
  EXPECT_FALSE(Encode(Generation::kAvalon7, SetVolt{{16, 0, 0, 0}}).ok());
  EXPECT_FALSE(Encode(Generation::kAvalon7, SetVolt{{-1, 0, 0, 0}}).ok());
  volt = Encode(kA10Gen, SetVolt{{49, 75, 0, 0}, 1});
  ASSERT_TRUE(volt.ok());
  EXPECT_EQ(LoadBe32(&volt->data[0]), 49u);
  EXPECT_EQ(LoadBe32(&volt->data[24]), 1u);
  EXPECT_FALSE(Encode(kA10Gen, SetVolt{{49, 49, 49, 0}}).ok());  // A10 has two miners
  // PLL: A7's two words from 0x2000000 / fmax; A10 adds miner id and 0xFF (all chips).
  const std::uint32_t a7_words[] = {0x0133f813};
  const auto a7 = PllSettingFor(Generation::kAvalon7, a7_words, Megahertz{600}, 2);
  ASSERT_TRUE(a7.ok());
  EXPECT_EQ(a7->after_words, 559240u);
  EXPECT_EQ(a7->timeout, 54805u);
  const auto a7_packet = Encode(Generation::kAvalon7, *a7);
  EXPECT_EQ(a7_packet->idx, 3);
  EXPECT_EQ(LoadBe32(&a7_packet->data[24]), 559240u);
  EXPECT_EQ(*DecodeSetPll(Generation::kAvalon7, *a7_packet), *a7);
  const std::uint32_t a10_words[] = {0x04400000, 0x04400000, 0x009F17C1, 0x00968DA1};
  const auto a10 = PllSettingFor(kA10Gen, a10_words, Megahertz{575}, 1);
  const auto a10_packet = Encode(kA10Gen, *a10);
  ASSERT_TRUE(a10_packet.ok());
  EXPECT_EQ(a10_packet->cnt, 2);
  EXPECT_EQ(LoadBe32(&a10_packet->data[16]), 100u);
  EXPECT_EQ(LoadBe32(&a10_packet->data[20]), 419430400u / 575 * 83 / 100);
  EXPECT_EQ(LoadBe32(&a10_packet->data[24]), 1u);
  EXPECT_EQ(LoadBe32(&a10_packet->data[28]), 0xFFu);
  EXPECT_FALSE(PllSettingFor(kA8Gen, a10_words, Megahertz{0}, 0).ok());
  // Smart speed, A10 packed with the driver's defaults (§3.5).
  SmartSpeed ss;
  ss.pass = 7;
  ss.fail = 1000;
  ss.init = 32767;
  ss.timeout = 1300000;
  ss.levels[0] = {true, 4};
  const auto packed = Encode(kA10Gen, ss);
  ASSERT_TRUE(packed.ok());
  EXPECT_EQ(testing::ToHex(Bytes(packed->data.begin(), packed->data.begin() + 20)),
            "000703e800007fff0013d62000008004"
            "00000000");
  EXPECT_EQ(*DecodeSmartSpeed(kA10Gen, *packed), ss);
  // SET: A10's target temperature at data[31], LC3's tbase at data[30]; A7 has neither.
  Set set;
  set.target_temperature = 65;
  const auto a10_set = Encode(kA10Gen, set);
  ASSERT_TRUE(a10_set.ok());
  EXPECT_EQ(a10_set->data[31], 65);
  EXPECT_EQ(*DecodeSet(kA10Gen, *a10_set), set);
  EXPECT_FALSE(Encode(Generation::kLc3, set).ok());
  set = Set{};
  set.spdlow = 2;
  EXPECT_FALSE(Encode(Generation::kAvalon7, set).ok());
  // Polling: A10 has no fan word, its data[4..7] is the reboot flag.
  EXPECT_FALSE(Encode(kA10Gen, Polling{0, std::uint16_t{0x200}, false}).ok());
  const auto poll = Encode(kA10Gen, Polling{1, std::nullopt, true});
  EXPECT_EQ(LoadBe32(&poll->data[4]), 1u);
  EXPECT_EQ(poll->data[8], 0);
  EXPECT_EQ(*DecodePolling(kA10Gen, *poll), (Polling{1, std::nullopt, true}));
  EXPECT_EQ(FanPwm(Percent{0}), 0x3FF);
  EXPECT_EQ(FanPwm(Percent{100}), 0);
  // Decoders refuse another type.
  EXPECT_EQ(DecodeSet(kA8Gen, *Encode(kA8Gen, Detect{1})).status().code(), StatusCode::kMismatch);
}

TEST(AvalonRepliesTest, StatusAndTelemetryLayouts) {
  ModuleStatus status;
  status.miner = 2;
  status.miner_count = 4;
  status.temperature = -3;
  status.fan_rpm[0] = 4200;
  status.local_works = 10;
  status.hw_errors = 1;
  status.crc_errors = 7;
  const auto a8 = Encode(kA8Gen, status, kDna[7]);
  ASSERT_TRUE(a8.ok());
  EXPECT_EQ(a8->idx, 2);
  EXPECT_EQ(a8->cnt, 4);
  EXPECT_EQ(LoadBe32(&a8->data[0]), 0xFFFFFFFDu);
  EXPECT_EQ(LoadBe32(&a8->data[4]), 4200u);
  EXPECT_EQ(LoadBe32(&a8->data[12]), 1u);
  EXPECT_EQ(LoadBe32(&a8->data[24]), 7u);
  EXPECT_EQ(*DecodeStatus(kA8Gen, *a8), status);
  EXPECT_FALSE(Encode(kA10Gen, status, 0).ok());  // A10 reports no HW-error count here
  status.hw_errors = 0;
  status.fan_rpm[1] = 4100;
  status.fan_duty = 60;
  const auto a10 = Encode(kA10Gen, status, 0);
  ASSERT_TRUE(a10.ok());
  EXPECT_EQ(LoadBe32(&a10->data[8]), 4100u);
  EXPECT_EQ(LoadBe32(&a10->data[12]), 10u);
  EXPECT_EQ(LoadBe32(&a10->data[16]), 60u);
  EXPECT_EQ(LoadBe32(&a10->data[28]), 7u);
  EXPECT_EQ(*DecodeStatus(kA10Gen, *a10), status);

  Packet power;
  power.type = 0x48;
  StoreBe16(&power.data[0], 2048);  // fan failure
  StoreBe16(&power.data[2], 1250);
  StoreBe16(&power.data[8], 1500);
  EXPECT_EQ(DecodeStatusPower(kA10Gen, power).status().code(), StatusCode::kNotFound);
  power.data[12] = 1;
  const auto psu = DecodeStatusPower(kA10Gen, power);
  ASSERT_TRUE(psu.ok());
  EXPECT_EQ(psu->error_bits, 2048);
  EXPECT_DOUBLE_EQ(psu->input.value, 12.5);
  EXPECT_DOUBLE_EQ(psu->power.value, 1500);
  EXPECT_FALSE(DecodeStatusPower(kA8Gen, power).ok());  // 0x48 is STATUS_PMU there
  EXPECT_TRUE(DecodeStatusPmu(kA8Gen, power).ok());

  Packet pvt;
  pvt.type = 0x4C;
  pvt.idx = 9;
  StoreBe16(&pvt.data[6], 2047);   // A10: miner 1's temperature code at 6
  StoreBe16(&pvt.data[10], 1234);  // and its ring oscillator at 10
  const auto a10_pvt = DecodeStatusPvt(kA10Gen, pvt);
  ASSERT_TRUE(a10_pvt.ok());
  EXPECT_EQ(a10_pvt->chip, 9);
  EXPECT_EQ(a10_pvt->miners[1].temperature_code, 2047);
  EXPECT_EQ(a10_pvt->miners[1].ring_oscillator, 1234);
  EXPECT_NEAR(PvtTemperature(2047).value, 59.375, 1e-9);
  EXPECT_NEAR(PvtVoltage(8192).value, 1.2 / 5 * (6 * 8191.5 / 16384 - 1), 1e-12);
  EXPECT_EQ(DecodeStatusPvt(Generation::kAvalon7, pvt).status().code(),
            StatusCode::kFailedPrecondition);

  Packet pll;
  pll.type = 0x49;
  pll.idx = 1;
  StoreBe32(&pll.data[12], 104);
  StoreBe32(&pll.data[28], 850);
  const auto a8_pll = DecodeStatusPll(kA8Gen, pll);
  EXPECT_EQ(a8_pll->counts[3], 104u);
  EXPECT_EQ(a8_pll->frequencies_mhz[3], 850u);
  EXPECT_EQ(DecodeStatusPll(kA10Gen, pll)->counts[7], 850u);  // miner 1's point 3

  Packet asic;
  asic.type = 0x4B;
  StoreBe32(&asic.data[4], 12);
  EXPECT_FALSE(DecodeStatusAsic(kA10Gen, asic)->fail_valid);  // data[31] == 0
  asic.data[31] = 1;
  EXPECT_EQ(DecodeStatusAsic(kA10Gen, asic)->fail, 12u);
  EXPECT_TRUE(DecodeStatusAsic(kA8Gen, asic)->fail_valid);

  // NONCE: a field wider than A10's slot, two reports on Avalon 8: refused.
  NonceReport wide;
  wide.ntime_offset = 256;
  EXPECT_FALSE(Encode(kA10Gen, std::span(&wide, 1), 0).ok());
  const NonceReport two[2] = {};
  EXPECT_FALSE(Encode(kA8Gen, two, 0).ok());
  EXPECT_TRUE(Encode(kA10Gen, two, 0).ok());
}

// The telemetry encoders (the simulated module's side) write what the decoders read,
// for every generation that has the packet, and refuse what a layout cannot carry.
TEST(AvalonRepliesTest, TelemetryEncodersRoundTrip) {
  for (const GenerationInfo& info : kGenerations) {
    const Generation g = info.generation;
    StatusVolt volt;
    volt.count = info.status_volt == StatusVoltLayout::kCoreBe16 ? 1 : info.miners;
    for (std::size_t i = 0; i < volt.count; ++i) {
      volt.raw[i] = 400 + static_cast<std::uint32_t>(i);
    }
    const auto v = Encode(g, volt, kDna[7]);
    ASSERT_TRUE(v.ok()) << info.name;
    EXPECT_EQ(v->opt, kDna[7]);
    EXPECT_EQ(*DecodeStatusVolt(g, *v), volt) << info.name;
    volt.count = 3;
    EXPECT_FALSE(Encode(g, volt, 0).ok()) << info.name;

    if (TypeOf(g, Kind::kStatusPmu)) {
      StatusPmu pmu{{3000, 3001, 3002, 3003}, 0x0F, {'P', 'M', 'U', '1', 'P', 'M', 'U', '2'}};
      EXPECT_EQ(*DecodeStatusPmu(g, *Encode(g, pmu, 1)), pmu) << info.name;
      EXPECT_FALSE(Encode(g, PowerSupply{}, 1).ok());
    } else {
      const PowerSupply psu{1, Volts{12}, Volts{12.6}, Amperes{123}, Watts{1550}, Volts{12.6}};
      const auto p = Encode(g, psu, 1);
      ASSERT_TRUE(p.ok());
      EXPECT_EQ(p->data[12], 1);
      EXPECT_EQ(*DecodeStatusPower(g, *p), psu) << info.name;
      EXPECT_FALSE(Encode(g, PowerSupply{0, Volts{700}, {}, {}, {}, {}}, 1).ok());
      EXPECT_FALSE(Encode(g, StatusPmu{}, 1).ok());
    }

    StatusPll pll;
    pll.miner = 1;
    pll.count = info.status_pll == StatusPllLayout::kSixCounts   ? 6
                : info.status_pll == StatusPllLayout::kTwoMiners ? 8
                                                                 : 4;
    pll.counts[pll.count - 1] = 26;
    if (info.status_pll == StatusPllLayout::kCountsFrequencies) {
      pll.frequencies_mhz[3] = 850;
    }
    const auto l = Encode(g, pll, 1);
    ASSERT_TRUE(l.ok()) << info.name;
    EXPECT_EQ(*DecodeStatusPll(g, *l), pll) << info.name;
    pll.count = 5;
    EXPECT_FALSE(Encode(g, pll, 1).ok());

    StatusAsic asic;
    asic.index = 30;
    asic.pass = 7;
    asic.fail = 2;
    if (info.status_asic == StatusAsicLayout::kA3212) {
      asic.sum_num = 9;
      asic.pll_counts[5] = 1;
    } else {
      asic.pll_counts[3] = 1;
      asic.mhz[3] = 850;
    }
    const auto a = Encode(g, asic, 1);
    ASSERT_TRUE(a.ok()) << info.name;
    EXPECT_EQ(*DecodeStatusAsic(g, *a), asic) << info.name;

    StatusPvt pvt;
    pvt.chip = 3;
    pvt.count = info.miners;
    for (std::size_t i = 0; i < pvt.count; ++i) {
      pvt.miners[i] = {2047, 7282,
                       static_cast<std::uint16_t>(info.pvt == PvtLayout::kTempVoltRing ? 5750 : 0)};
    }
    const auto t = Encode(g, pvt, 1);
    if (info.pvt == PvtLayout::kA3212) {
      EXPECT_EQ(t.status().code(), StatusCode::kFailedPrecondition);
      continue;
    }
    ASSERT_TRUE(t.ok()) << info.name;
    EXPECT_EQ(t->idx, 3);
    EXPECT_EQ(*DecodeStatusPvt(g, *t), pvt) << info.name;
  }
}

TEST(AvalonJobTest, RefusesWhatTheProtocolCannotCarry) {
  Job542213 real;
  StratumJob job = real.job;
  job.extranonce2_size = 2;
  EXPECT_FALSE(JobPackets::Make(kA8Gen, job, {}).ok());
  job = real.job;
  const std::vector<Hash32> many(31);
  job.merkle_branch = many;
  EXPECT_FALSE(JobPackets::Make(kA8Gen, job, {}).ok());
  job = real.job;
  const Bytes huge(7000);
  job.coinb2 = huge;
  EXPECT_FALSE(JobPackets::Make(kA8Gen, job, {}).ok());
  EXPECT_FALSE(JobPackets::Make(kA8Gen, real.job, {2, 2, true}).ok());
  // Three AUCs share the nonce2 space; a 3-byte extranonce2 has 2^24 values.
  job = real.job;
  job.extranonce2_size = 3;
  const auto split = JobPackets::Make(kA8Gen, job, {2, 3, true});
  ASSERT_TRUE(split.ok());
  EXPECT_EQ(split->fields().nonce2_range, 0xFFFFFFu / 3);
  EXPECT_EQ(split->fields().nonce2_start, 0xFFFFFFu / 3 * 2);
  EXPECT_EQ(split->fields().nonce2_size, 3u);
  // A nonce2 wider than 3 bytes cannot come from such a job.
  NonceReport r{0, 0, 0x01000000, 0, Nonce{1}, JobTag(job.job_id), 0, 0};
  EXPECT_FALSE(SubmitFor(kA8Gen, job, r).ok());
  // An extranonce2 of 8 bytes: the module rolls the low 4, the rest are zero.
  job.extranonce2_size = 8;
  r.nonce2 = 0x11223344;
  const auto submit = SubmitFor(kA8Gen, job, r);
  ASSERT_TRUE(submit.ok());
  EXPECT_EQ(
      testing::ToHex(Bytes(submit->extranonce_bytes().begin(), submit->extranonce_bytes().end())),
      "4433221100000000");
}

}  // namespace
}  // namespace hashrig::hal::protocol::avalon
