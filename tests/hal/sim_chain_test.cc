// The chain simulator driven with raw wire bytes, as real chips would be: enumeration
// and addressing, bad CRCs ignored, baud switching, the known-answer self-test nonce of
// the reference, and sub-1 ticket difficulties checked independently with OpenSSL.
#include "hashrig/hal/sim/chain.h"
#include "hashrig/hal/sim/sim_registers.h"

#include <set>

#include <gtest/gtest.h>

#include "hashrig/hal/protocol/bm13xx/nonce.h"
#include "hashrig/hal/protocol/bm13xx/registers.h"
#include "support/shared_data.h"

namespace hashrig::hal::sim {
namespace {

namespace p = protocol;
using namespace std::chrono_literals;

std::vector<std::uint8_t> Bytes(std::string spaced) {
  std::erase(spaced, ' ');
  return testing::FromHex(spaced);
}

std::vector<p::Response> Responses(Chain& chain, std::size_t size, std::uint32_t baud = 115'200) {
  p::ResponseDecoder decoder(size);
  std::vector<p::Response> out;
  for (std::uint8_t b : chain.TakeOutput(baud)) {
    decoder.Push(b);
    while (auto r = decoder.Next()) {
      out.push_back(*r);
    }
  }
  return out;
}

void Send(Chain& chain, const p::CommandFrame& frame, std::uint32_t baud = 115'200) {
  chain.Receive(frame.span(), baud);
}

TEST(SimChainTest, EnumeratesAndTakesAddressesDownTheChain) {
  for (int chips : {1, 2, 6, 65, 126}) {
    Chain chain({ChipModel::kBm1366, chips});
    for (int i = 0; i < 3; ++i) {
      Send(chain, p::BroadcastWriteFrame(p::reg::kVersionRolling, 0x9000FFFF));
    }
    Send(chain, p::BroadcastReadFrame(p::reg::kChipId));
    auto ids = Responses(chain, 11);
    ASSERT_EQ(ids.size(), static_cast<std::size_t>(chips));
    for (const auto& r : ids) {
      EXPECT_EQ(r.register_value() >> 16, 0x1366u);
    }
    Send(chain, p::ChainInactiveFrame());
    const int interval = 256 / chips;
    for (int i = 0; i < chips; ++i) {
      Send(chain, p::SetAddressFrame(static_cast<std::uint8_t>(i * interval)));
    }
    for (int i = 0; i < chips; ++i) {
      EXPECT_EQ(chain.address(i), i * interval);
    }
    Send(chain, p::ReadRegisterFrame(static_cast<std::uint8_t>((chips - 1) * interval), 0));
    auto one = Responses(chain, 11);
    ASSERT_EQ(one.size(), 1u);
    EXPECT_EQ(one[0].byte6, (chips - 1) * interval);
  }
}

TEST(SimChainTest, FramesWithABadCrcAreIgnored) {
  Chain chain({ChipModel::kBm1370, 2});
  auto read = p::BroadcastReadFrame(p::reg::kChipId);
  read.bytes[read.size - 1] ^= 1;
  chain.Receive(read.span(), 115'200);
  EXPECT_TRUE(chain.TakeOutput(115'200).empty());
  EXPECT_EQ(chain.bad_crc_frames(), 1u);
  Send(chain, p::BroadcastReadFrame(p::reg::kChipId));
  EXPECT_EQ(Responses(chain, 9).size(), 2u);  // 9-byte replies before version rolling is on
}

TEST(SimChainTest, BaudSwitchLeavesAHostAtTheOldRateWithGarbage) {
  Chain chain({ChipModel::kBm1370, 1});
  Send(chain, p::BroadcastWriteFrame(p::reg::kFastUart, p::FastBaudRegister(ChipModel::kBm1370)));
  EXPECT_EQ(chain.host_baud(), 1'000'000u);
  Send(chain, p::BroadcastReadFrame(p::reg::kChipId));  // at 115200: garbage to the chip
  EXPECT_TRUE(chain.TakeOutput(1'000'000).empty());
  Send(chain, p::BroadcastReadFrame(p::reg::kChipId), 1'000'000);
  EXPECT_TRUE(Responses(chain, 9, 115'200).empty());  // the answer, heard at the old rate
  Send(chain, p::BroadcastReadFrame(p::reg::kChipId), 1'000'000);
  EXPECT_EQ(Responses(chain, 9, 1'000'000).size(), 1u);
  chain.HardwareReset();
  EXPECT_EQ(chain.host_baud(), 115'200u);
}

// KV-6: the self-test job ESP sends; with its starting nonce just before the golden nonce
// the chip answers with exactly the frame the reference derives.
TEST(SimChainTest, KnownAnswerJobReturnsTheGoldenNonceAtOnce) {
  auto job_frame = Bytes(
      "55 AA 21 56 30 01 00 00 00 00 3A AE 05 17 B5 25 70 64 D6 37 78 EB BF 77 08 7D 9D 1A 37 6B"
      "0A 97 FC 3A 07 A1 C3 A5 87 3E DF 8E 49 9C 33 93 5B DC 19 68 00 00 00 00 00 00 00 00 52 43"
      "05 00 65 A4 F2 3D 11 B7 2E C2 FA 52 74 A5 73 83 49 A3 45 95 85 0C 04 00 00 20 FD D5");
  p::HeaderJob job = p::DecodeHeaderJobBody(std::span(job_frame).subspan(4, 82));
  job.starting_nonce = 0x0A029ED1 - 1000;
  const auto frame = p::EncodeHeaderJob(job);
  for (ChipModel model : {ChipModel::kBm1370, ChipModel::kBm1366}) {
    Chain chain({model, 1});
    Send(chain, p::BroadcastWriteFrame(p::reg::kVersionRolling, 0x9000FFFF));
    Send(chain, p::BroadcastWriteFrame(p::reg::kTicketMask, p::TicketMaskRegister(256)));
    chain.Receive(frame, 115'200);
    chain.Advance(10ms);  // 40k hashes at the default CPU budget
    auto nonces = Responses(chain, 11);
    ASSERT_EQ(nonces.size(), 1u);
    EXPECT_EQ(p::EncodeResponse(nonces[0], 11).span()[2], 0xD1);
    const auto expected = model == ChipModel::kBm1370 ? "AA 55 D1 9E 02 0A 02 60 00 00 83"
                                                      : "AA 55 D1 9E 02 0A 02 30 00 00 87";
    const auto bytes = p::EncodeResponse(nonces[0], 11);
    EXPECT_EQ(std::vector(bytes.bytes.begin(), bytes.bytes.begin() + bytes.size), Bytes(expected));
  }
}

TEST(SimChainTest, SubOneTicketNoncesMeetTheirThresholdByOpenSsl) {
  Chain chain({ChipModel::kBm1370, 2, 4e6, 7});
  Send(chain, p::BroadcastWriteFrame(p::reg::kVersionRolling, 0x9000FFFF));
  Send(chain, p::BroadcastWriteFrame(sim::kSimTicketTopWord, 0x00100000));  // difficulty 1/4096
  Send(chain, p::BroadcastWriteFrame(p::reg::kHashCountingNumber, 2));      // roll versions often
  p::HeaderJob job;
  job.job_id = 0x18;
  job.version = 0x20000000;
  job.nbits = 0x1d00ffff;
  job.ntime = 0x685468d7;
  for (std::size_t i = 0; i < 32; ++i) {
    job.prev_hash[i] = static_cast<std::uint8_t>(i * 7);
    job.merkle_root[i] = static_cast<std::uint8_t>(i * 13 + 1);
  }
  chain.Receive(p::EncodeHeaderJob(job), 115'200);
  chain.Advance(50ms);
  const auto nonces = Responses(chain, 11);
  ASSERT_GT(nonces.size(), 10u);
  std::set<std::uint32_t> versions;
  for (const auto& r : nonces) {
    const p::NonceReport n = p::DecodeNonce(ChipModel::kBm1370, r);
    EXPECT_EQ(n.job_id, 0x18);
    const std::uint32_t version = job.version | n.version_bits;
    versions.insert(version);
    std::vector<std::uint8_t> header(80);
    for (int i = 0; i < 4; ++i) {
      header[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(version >> (8 * i));
      header[68 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(job.ntime >> (8 * i));
      header[72 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(job.nbits >> (8 * i));
      header[76 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(n.nonce >> (8 * i));
    }
    std::copy(job.prev_hash.begin(), job.prev_hash.end(), header.begin() + 4);
    std::copy(job.merkle_root.begin(), job.merkle_root.end(), header.begin() + 36);
    const auto hash = testing::OpenSslSha256d(header);
    const std::uint32_t top =
        static_cast<std::uint32_t>(hash[31]) << 24 | hash[30] << 16 | hash[29] << 8 | hash[28];
    EXPECT_LE(top, 0x00100000u);
  }
  EXPECT_GT(versions.size(), 1u);  // version rolling really happened
  EXPECT_GT(chain.counters(0).nonces + chain.counters(1).nonces, 10u);
}

}  // namespace
}  // namespace hashrig::hal::sim
