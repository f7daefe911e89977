// Chip captures (hal/capture.h) and their replay through the BM13xx decoders
// (hal/replay.h), on real frames: the Bitaxe Gamma (BM1370) mainnet round trip from
// ../shared/data (job frame and the nonce the chip answered, accepted by the pool at
// difficulty 29588), the Bitaxe Gamma nonce frame of the reference (KV-5), and ESP-Miner's
// self-test work with the frame the reference derives for it (KV-6).
#include "hashrig/hal/capture.h"

#include <gtest/gtest.h>

#include "hashrig/base/hex.h"
#include "hashrig/hal/protocol/bm13xx/frames.h"
#include "hashrig/hal/protocol/bm13xx/registers.h"
#include "hashrig/hal/replay.h"
#include "support/shared_data.h"

namespace hashrig::hal {
namespace {

Capture BitaxeGamma() {
  const auto data = testing::ReadJson("stratum/mujina_bitaxe_gamma_capture_2025-06-19.json");
  Capture c;
  c.model = protocol::ChipModel::kBm1370;
  c.bursts.push_back(
      {0, true, 1'000'000, *DecodeHex(data["bm1370_wire"]["job_tx_frame_hex"].get<std::string>())});
  c.bursts.push_back({4000, false, 1'000'000,
                      *DecodeHex(data["bm1370_wire"]["nonce_rx_frame_hex"].get<std::string>())});
  return c;
}

TEST(CaptureTest, TheBitaxeGammaRoundTripReplaysToTheAcceptedShare) {
  // The chips were already in the 11-byte format (ESP-Miner's init): say so as it did.
  Capture c = BitaxeGamma();
  c.bursts.insert(c.bursts.begin(), {0, true, 1'000'000, *DecodeHex("55aa510900a49000ffff1c")});
  const ReplayReport r = Replay(c);
  ASSERT_EQ(r.nonces.size(), 1u);
  const ReplayedNonce& n = r.nonces[0];
  EXPECT_TRUE(n.known_job);
  EXPECT_EQ(n.nonce, 0x7552034Cu);
  EXPECT_EQ(n.job_id, 0x68);
  EXPECT_EQ(n.small_core, 2);
  EXPECT_EQ(n.version, 0x20B44000u);  // version field 0x05A2 << 13
  EXPECT_NEAR(n.difficulty, 29588.01, 0.01);
  EXPECT_TRUE(n.meets_ticket);
  EXPECT_EQ(r.failed(), 0);
  EXPECT_EQ(r.rolled(), 1);
  EXPECT_EQ(r.damaged, 0);
}

// Against our driver: it takes ESP-Miner's job as its first work and gives it its own
// first id (24), not the 0x68 ESP's rotation had reached, so the recorded nonce names a
// job the driver never sent and is dropped, as a real driver must drop it.
TEST(CaptureTest, TheBitaxeGammaJobThroughOurDriver) {
  Capture c = BitaxeGamma();
  c.bursts.insert(c.bursts.begin(), {0, true, 1'000'000, *DecodeHex("55aa510900a49000ffff1c")});
  const DriverReplayReport d = ReplayThroughDriver(c);
  ASSERT_TRUE(d.mining);
  EXPECT_EQ(d.jobs, 1);
  EXPECT_EQ(d.jobs_matched, 0);
  EXPECT_EQ(d.nonces, 0);
  c.model = protocol::ChipModel::kBm1397;
  EXPECT_FALSE(ReplayThroughDriver(c).supported);
}

TEST(CaptureTest, ARolledNonceOfAnUnknownJobIsDecodedAndNamed) {
  Capture c;
  c.bursts.push_back({0, true, 115'200, *DecodeHex("55aa510900a49000ffff1c")});
  c.bursts.push_back({10, false, 1'000'000, *DecodeHex("aa551800a640029922f991")});  // KV-5
  const ReplayReport r = Replay(c);
  ASSERT_EQ(r.nonces.size(), 1u);
  EXPECT_EQ(r.nonces[0].nonce, 0x40A60018u);
  EXPECT_FALSE(r.nonces[0].known_job);
  EXPECT_NE(r.lines.back().find("which no job frame named"), std::string::npos) << r.lines.back();
}

TEST(CaptureTest, EspMinersSelfTestWorkAndTheDerivedAnswer) {
  Capture c;
  c.bursts.push_back({0, true, 115'200, *DecodeHex("55aa510900a49000ffff1c")});
  c.bursts.push_back(
      {100, true, 115'200,
       *DecodeHex("55AA21563001000000003AAE0517B5257064D63778EBBF77087D9D1A376B0A97FC3A07A1C3A58"
                  "73EDF8E499C33935BDC196800000000000000005243050065A4F23D11B72EC2FA5274A5738349A3"
                  "4595850C04000020FDD5")});
  c.bursts.push_back({200, false, 115'200, *DecodeHex("AA55D19E020A0260000083")});
  const ReplayReport r = Replay(c);
  ASSERT_EQ(r.nonces.size(), 1u);
  EXPECT_TRUE(r.nonces[0].known_job);
  EXPECT_EQ(r.nonces[0].nonce, 0x0A029ED1u);
  EXPECT_NEAR(r.nonces[0].difficulty, 683.5, 0.1);
}

std::vector<std::uint8_t> Bytes(const protocol::CommandFrame& f) {
  return {f.span().begin(), f.span().end()};
}

// Issue 11, point 3 and the rate-strictness case: the chips hear only what is sent at
// their rate. A replay follows their rate through the baud writes they heard and nRST
// releases, and neither decodes nor counts what they could not hear.
TEST(CaptureTest, TheChipsHearOnlyTheirRate) {
  namespace p = protocol;
  const auto model = p::ChipModel::kBm1370;
  const auto address = Bytes(p::SetAddressFrame(0));
  Capture c;
  c.model = model;
  c.start_baud = 115'200;
  c.bursts = {
      {0, true, 115'200, address},  // heard
      {10, true, 115'200, Bytes(p::FastRateRequest(model))},
      {20, true, 115'200, address},    // the chips now listen at 1 Mbaud: unheard
      {30, true, 1'000'000, address},  // heard
      {40, true, 115'200, {}, true},   // nRST released: power-on rate
      {50, true, 1'000'000, address},  // unheard
      {60, true, 115'200, address},    // heard
  };
  const ReplayReport r = Replay(c);
  EXPECT_EQ(r.addresses, 3);
  EXPECT_EQ(r.unheard, 2 * static_cast<int>(address.size()));
  EXPECT_EQ(r.final_baud, 115'200u);
  c.bursts.resize(4);
  EXPECT_EQ(Replay(c).final_baud, 1'000'000u);
  // Without a start rate the chips listen at the first host burst's: a capture cut from
  // the middle of a session.
  c.start_baud = 0;
  c.bursts.erase(c.bursts.begin(), c.bursts.begin() + 3);
  EXPECT_EQ(Replay(c).unheard, 0);
  EXPECT_EQ(Replay(c).addresses, 1);
}

// The conformance suite judges the last enumeration (a host that recovers from a fault
// by enumerating again is not wrong): set addresses since the last chain inactive.
TEST(CaptureTest, TheLastEnumerationIsCountedApart) {
  namespace p = protocol;
  Capture c;
  c.start_baud = 115'200;
  for (const int chips : {4, 3}) {
    c.bursts.push_back({0, true, 115'200, Bytes(p::ChainInactiveFrame())});
    for (int i = 0; i < chips; ++i) {
      c.bursts.push_back(
          {0, true, 115'200, Bytes(p::SetAddressFrame(static_cast<std::uint8_t>(i * 64)))});
    }
  }
  const ReplayReport r = Replay(c);
  EXPECT_EQ(r.addresses, 7);
  EXPECT_EQ(r.configured, 3);
}

TEST(CaptureTest, TextRoundTripAndErrorsThatNameTheLine) {
  Capture c = BitaxeGamma();
  c.chips = 3;
  c.start_baud = 115'200;
  c.bursts.push_back({5000, true, 115'200, {}, true});
  std::string text = FormatCaptureHeader(c);
  for (const auto& b : c.bursts) {
    text += FormatCaptureBurst(b);
  }
  const auto back = ParseCapture(text);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->chips, 3);
  EXPECT_EQ(back->start_baud, 115'200u);
  ASSERT_EQ(back->bursts.size(), 3u);
  EXPECT_EQ(back->bursts[1].bytes, c.bursts[1].bytes);
  EXPECT_FALSE(back->bursts[1].to_chips);
  EXPECT_TRUE(back->bursts[2].reset);
  EXPECT_TRUE(back->bursts[2].bytes.empty());
  const std::pair<const char*, const char*> bad[] = {
      {"hello\n", "line 1: not a chip capture"},
      {"# hashrig chip capture 1\nmodel BM9999\n", "line 2: unknown chip model 'BM9999'"},
      {"# hashrig chip capture 1\nchips 0\n", "line 2: chips: expected 1..256"},
      {"# hashrig chip capture 1\n10 > 115200 55aa\n5 > 115200 55aa\n",
       "line 3: time goes backwards"},
      {"# hashrig chip capture 1\n10 = 115200 55aa\n", "line 2: '=': expected > (to chips)"},
      {"# hashrig chip capture 1\n10 > 115200 5g\n", "line 2: expected the burst's bytes in hex"},
      {"# hashrig chip capture 1\n10 ! 115200 55aa\n",
       "line 2: an nRST release (!) carries no bytes"},
      {"# hashrig chip capture 1\nbaud fast\n", "line 2: baud: 'fast' is not a baud rate"},
      {"", "empty: not a chip capture"},
      {"# hashrig chip capture 2\n", "line 1: chip capture version 2 is not supported"},
  };
  for (const auto& [input, error] : bad) {
    const auto parsed = ParseCapture(input);
    ASSERT_FALSE(parsed) << input;
    EXPECT_EQ(parsed.error().message().rfind(error, 0), 0u) << parsed.error().message();
  }
}

}  // namespace
}  // namespace hashrig::hal
