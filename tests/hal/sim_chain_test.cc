// The chain simulator driven with raw wire bytes, as real chips would be: enumeration
// and addressing, bad CRCs ignored, baud switching, the known-answer self-test nonce of
// the reference, and sub-1 ticket difficulties checked independently with OpenSSL.
#include "hashrig/hal/sim/chain.h"
#include "hashrig/hal/sim/sim_registers.h"

#include <set>

#include <gtest/gtest.h>

#include "hashrig/hal/protocol/bm13xx/nonce.h"
#include "hashrig/hal/protocol/bm13xx/registers.h"
#include "hashrig/hal/protocol/bm13xx/work.h"
#include "support/shared_data.h"

namespace hashrig::hal::sim {
namespace {

namespace p = protocol;
using namespace std::chrono_literals;

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

// KV-6: the self-test job ESP sends; with its starting nonce at the golden nonce
// the chip answers with exactly the frame the reference derives.
TEST(SimChainTest, KnownAnswerJobReturnsTheGoldenNonceAtOnce) {
  auto job_frame = testing::FromSpacedHex(
      "55 AA 21 56 30 01 00 00 00 00 3A AE 05 17 B5 25 70 64 D6 37 78 EB BF 77 08 7D 9D 1A 37 6B"
      "0A 97 FC 3A 07 A1 C3 A5 87 3E DF 8E 49 9C 33 93 5B DC 19 68 00 00 00 00 00 00 00 00 52 43"
      "05 00 65 A4 F2 3D 11 B7 2E C2 FA 52 74 A5 73 83 49 A3 45 95 85 0C 04 00 00 20 FD D5");
  p::HeaderJob job = p::DecodeHeaderJobBody(std::span(job_frame).subspan(4, 82));
  job.starting_nonce = 0x0A029ED1;  // as ESP's self-test sends it
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
    EXPECT_EQ(std::vector(bytes.bytes.begin(), bytes.bytes.begin() + bytes.size),
              testing::FromSpacedHex(expected));
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

// A chain set up as ESP-Miner does it: response format, addresses down the chain, the
// nonce space (HCN, for the chain's chip count at the power-up 50 MHz) and no
// CHIP_NONCE_OFFSET (ESP never writes it); a sub-1 ticket so a test sees many nonces.
Chain AddressedLikeEsp(ChipModel model, int chips, std::uint32_t sim_top = 0) {
  Chain chain({model, chips, 4e6, 3});
  for (int i = 0; i < 3; ++i) {
    Send(chain, p::BroadcastWriteFrame(p::reg::kVersionRolling, 0x9000FFFF));
  }
  Send(chain, p::ChainInactiveFrame());
  for (int i = 0; i < chips; ++i) {
    Send(chain, p::SetAddressFrame(static_cast<std::uint8_t>(i * (256 / chips))));
  }
  Send(chain, p::BroadcastWriteFrame(p::reg::kTicketMask, p::TicketMaskRegister(256)));
  if (model != ChipModel::kBm1397) {
    Send(chain, p::BroadcastWriteFrame(p::reg::kHashCountingNumber,
                                       p::HashCountingNumber(model, chips, Megahertz{50})));
  }
  if (sim_top != 0) {
    Send(chain, p::BroadcastWriteFrame(sim::kSimTicketTopWord, sim_top));
  }
  return chain;
}

std::vector<std::uint8_t> SelfTestJob(ChipModel model, std::uint32_t starting_nonce) {
  auto job_frame = testing::FromSpacedHex(
      "55 AA 21 56 30 01 00 00 00 00 3A AE 05 17 B5 25 70 64 D6 37 78 EB BF 77 08 7D 9D 1A 37 6B"
      "0A 97 FC 3A 07 A1 C3 A5 87 3E DF 8E 49 9C 33 93 5B DC 19 68 00 00 00 00 00 00 00 00 52 43"
      "05 00 65 A4 F2 3D 11 B7 2E C2 FA 52 74 A5 73 83 49 A3 45 95 85 0C 04 00 00 20 FD D5");
  p::HeaderJob job = p::DecodeHeaderJobBody(std::span(job_frame).subspan(4, 82));
  job.starting_nonce = starting_nonce;
  if (model != ChipModel::kBm1397) {
    const auto frame = p::EncodeHeaderJob(job);
    return {frame.begin(), frame.end()};
  }
  p::MidstateJob m = p::MidstateJobFrom(p::ReconstructHeader(job, job.version, 0), 0x1fffe000, 4);
  m.job_id = 0x30;
  m.starting_nonce = starting_nonce;
  const auto frame = p::EncodeMidstateJob(m);
  return {frame.begin(), frame.end()};
}

// Issue 11, point 1: 2 x BM1366 answered ESP's self-test job (starting nonce = the golden
// nonce) twice with the identical frame. Each chip searches its own part of the space:
// only the chip at address 0 starts at the golden nonce.
TEST(SimChainTest, OnlyOneChipAnswersTheSelfTestJob) {
  for (int chips : {2, 4}) {
    Chain chain = AddressedLikeEsp(ChipModel::kBm1366, chips);
    chain.Receive(SelfTestJob(ChipModel::kBm1366, 0x0A029ED1), 115'200);
    chain.Advance(5ms);
    int golden = 0;
    for (const auto& r : Responses(chain, 11)) {
      golden += r.header_nonce() == 0x0A029ED1 ? 1 : 0;
    }
    EXPECT_EQ(golden, 1) << chips << " chips";
  }
}

// Issue 11, points 1 and 2: no nonce twice across chips and cores; nonces from every part
// of the space, not counted up from the starting nonce; versions rolled in >= 90 % of
// frames (BM1366/68/70), all four midstates used (BM1397); the chip and core fields as a
// host decodes them (chip = address bits 24-17 / interval on BM1366/BM1397).
TEST(SimChainTest, ChipsAndCoresSearchTheirOwnNoncesWithRolledVersions) {
  for (ChipModel model :
       {ChipModel::kBm1366, ChipModel::kBm1368, ChipModel::kBm1370, ChipModel::kBm1397}) {
    for (int chips : {1, 2, 4}) {
      SCOPED_TRACE(std::string(p::InfoOf(model).name) + " x " + std::to_string(chips));
      Chain chain = AddressedLikeEsp(model, chips, 0x00400000);  // difficulty 1/1024
      chain.Receive(SelfTestJob(model, 0), 115'200);
      for (int i = 0; i < 100; ++i) {
        chain.Advance(10ms);
      }
      const std::size_t size = p::InfoOf(model).response_size;
      std::set<std::pair<std::uint32_t, std::uint32_t>> seen;  // (nonce, version slot/field)
      std::set<std::uint8_t> top_bytes;
      std::set<int> midstates;
      std::set<int> chips_seen;
      int rolled = 0;
      int total = 0;
      for (const auto& r : Responses(chain, size)) {
        const p::NonceReport n = p::DecodeNonce(model, r);
        ++total;
        const std::uint32_t version = model == ChipModel::kBm1397 ? n.small_core : n.version_bits;
        EXPECT_TRUE(seen.insert({n.nonce, version}).second)
            << std::hex << n.nonce << " v " << version << " core " << int(n.small_core);
        top_bytes.insert(static_cast<std::uint8_t>(n.nonce >> 24));
        rolled += n.version_bits != 0 ? 1 : 0;
        midstates.insert(n.small_core);
        if (p::StampsAddress(model)) {
          chips_seen.insert(n.address_bits / (256 / chips));
        }
      }
      ASSERT_GT(total, 100);
      EXPECT_GT(top_bytes.size(), 64u) << "nonces from the whole space";
      if (model == ChipModel::kBm1397) {
        EXPECT_EQ(midstates.size(), 4u);
      } else {
        EXPECT_GE(rolled * 10, total * 9) << rolled << " of " << total << " rolled";
      }
      if (p::StampsAddress(model)) {
        EXPECT_EQ(chips_seen.size(), static_cast<std::size_t>(chips));
      }
    }
  }
}

// Issue 11, point 3: bytes after a baud write in the same burst are heard at the new rate;
// a host still at 115,200 is not answered.
TEST(SimChainTest, ARateSwitchInTheMiddleOfABurstAppliesToTheRest) {
  Chain chain({ChipModel::kBm1370, 1});
  std::vector<std::uint8_t> burst;
  const auto baud =
      p::BroadcastWriteFrame(p::reg::kFastUart, p::FastBaudRegister(ChipModel::kBm1370));
  const auto read = p::BroadcastReadFrame(p::reg::kChipId);
  burst.insert(burst.end(), baud.span().begin(), baud.span().end());
  burst.insert(burst.end(), read.span().begin(), read.span().end());
  chain.Receive(burst, 115'200);
  EXPECT_TRUE(chain.TakeOutput(115'200).empty());
  EXPECT_TRUE(chain.TakeOutput(1'000'000).empty());
}

// A PTY carries no timing, so bytes read right after the host changed its rate may have
// gone at the rate before (`or_baud`). Only a host that told the chips to switch explains
// that: bytes through the switching frame go at the old rate, the rest at the new one.
// Found by the conformance suite on a loaded machine: a simulator that read late let
// chips left at 1 Mbaud hear a new session's CHIP_ID read sent at 115,200, the session
// configured chips that heard nothing of it.
TEST(SimChainTest, AfterARateChangeOnlyBytesThroughTheSwitchGoAtTheOldRate) {
  const auto append = [](std::vector<std::uint8_t>& to, const p::CommandFrame& frame) {
    to.insert(to.end(), frame.span().begin(), frame.span().end());
  };
  const auto fast =
      p::BroadcastWriteFrame(p::reg::kFastUart, p::FastBaudRegister(ChipModel::kBm1366));
  const auto read = p::BroadcastReadFrame(p::reg::kChipId);
  const auto ticket = p::BroadcastWriteFrame(p::reg::kTicketMask, 0x000000FF);

  // Chips left at 1 Mbaud; a new host changed 1 M -> 115,200 and reads CHIP_ID: unheard.
  Chain left({ChipModel::kBm1366, 3});
  Send(left, fast);
  ASSERT_EQ(left.host_baud(), 1'000'000u);
  const auto runs = left.Receive(read.span(), 115'200, 1'000'000);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].baud, 115'200u);
  EXPECT_EQ(runs[0].bytes, read.size);
  EXPECT_TRUE(left.TakeOutput(115'200, 1'000'000).empty());
  EXPECT_TRUE(left.TakeOutput(1'000'000).empty());

  // A host at 115,200 wrote a register, then the fast-rate write, switched to 1 Mbaud and
  // read CHIP_ID: the first two frames went at 115,200, the read at 1 M, all heard.
  Chain switching({ChipModel::kBm1366, 3});
  std::vector<std::uint8_t> burst;
  append(burst, ticket);
  append(burst, fast);
  append(burst, read);
  const auto heard = switching.Receive(burst, 1'000'000, 115'200);
  ASSERT_EQ(heard.size(), 2u);
  EXPECT_EQ(heard[0].baud, 115'200u);
  EXPECT_EQ(heard[0].bytes, std::size_t{ticket.size} + fast.size);
  EXPECT_EQ(heard[1].baud, 1'000'000u);
  EXPECT_EQ(heard[1].bytes, read.size);
  EXPECT_EQ(switching.host_baud(), 1'000'000u);
  EXPECT_EQ(Responses(switching, 9, 1'000'000).size(), 3u);
  Send(switching, p::BroadcastReadFrame(p::reg::kTicketMask), 1'000'000);
  const auto mask = Responses(switching, 9, 1'000'000);
  ASSERT_EQ(mask.size(), 3u);
  EXPECT_EQ(mask[0].register_value(), 0x000000FFu);
}

// Issue 11, point 4: the hash counters count (in units of 2^32 hashes; under the sim-only
// sub-1 ticket, of the ticket's worth) and restart from 0 after a reset.
TEST(SimChainTest, HashCountersCountTheWorkDone) {
  Chain chain = AddressedLikeEsp(ChipModel::kBm1370, 1, 0x000FFFFF);  // unit: 4096 hashes
  chain.Receive(SelfTestJob(ChipModel::kBm1370, 0), 115'200);
  for (int i = 0; i < 20; ++i) {
    chain.Advance(10ms);
  }
  (void)chain.TakeOutput(115'200);
  Send(chain, p::BroadcastReadFrame(p::reg::kTotalCounter));
  Send(chain, p::BroadcastReadFrame(p::reg::kDomainCounter0));
  const auto counters = Responses(chain, 11);
  ASSERT_EQ(counters.size(), 2u);
  const double units = static_cast<double>(chain.counters(0).hashes) / 4096;
  EXPECT_NEAR(counters[0].register_value(), units, 1);
  EXPECT_NEAR(counters[1].register_value(), units / 4, 1);
  EXPECT_GT(counters[0].register_value(), 100u);
  chain.HardwareReset();
  Send(chain, p::BroadcastReadFrame(p::reg::kTotalCounter));
  const auto after = Responses(chain, 9);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].register_value(), 0u);
}

}  // namespace
}  // namespace hashrig::hal::sim
