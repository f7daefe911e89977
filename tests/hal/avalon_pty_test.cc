// End to end: `hashrig sim --avalon 10 --modules 2` as its own process, spoken to over its
// PTY (opened with termios, as a serial device) with the Avalon codec: both modules
// detected with distinct DNAs, a job whose nonces OpenSSL confirms from each module, and
// a clean stop on SIGTERM. Waits are on events with generous bounds.
#include <gtest/gtest.h>

#include <csignal>
#include <set>

#include "hal/avalon_job.h"
#include "hashrig/hal/link.h"
#include "hashrig/hal/protocol/avalon/config.h"
#include "hashrig/hal/protocol/avalon/packet.h"
#include "hashrig/hal/protocol/avalon/replies.h"
#include "hashrig/hal/protocol/avalon/work.h"
#include "support/child_process.h"
#include "support/shared_data.h"

namespace hashrig::hal {
namespace {

namespace av = protocol::avalon;
using namespace std::chrono_literals;
constexpr av::Generation kGen = av::Generation::kAvalon10;

// One host packet to `address` (OPT, §8b.1); the first reply packet within `timeout`.
std::optional<av::Packet> Request(ByteLink& link, av::PacketDecoder& decoder, av::Packet packet,
                                  std::uint8_t address, std::chrono::milliseconds timeout) {
  packet.opt = address;
  EXPECT_TRUE(link.Write(av::Encode(packet)).ok());
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (timeout.count() > 0 && std::chrono::steady_clock::now() < until) {
    std::array<std::uint8_t, 256> buffer{};
    std::size_t n = 0;
    EXPECT_TRUE(link.ReadFor(buffer, 50ms, n).ok());
    for (std::size_t i = 0; i < n; ++i) {  // the decoder holds two packets
      decoder.Push(buffer[i]);
      if (auto p = decoder.Next()) {
        return p;  // the host waits for one reply at a time
      }
    }
  }
  return std::nullopt;
}

TEST(AvalonPtyTest, TwoModulesDetectedAndMiningOverThePty) {
  testing::ChildProcess sim(
      {HASHRIG_BINARY, "sim", "--avalon", "10", "--modules", "2", "--cpu-rate", "8e6"});
  const auto line = sim.ReadLine(20s);
  ASSERT_TRUE(line && line->rfind("pty ", 0) == 0) << sim.Stderr();
  EXPECT_NE(line->find("2 x Avalon 10"), std::string::npos) << *line;
  auto link = OpenUart(line->substr(4, line->find(' ', 4) - 4), 115200);
  ASSERT_TRUE(link) << link.error().message();
  av::PacketDecoder decoder;
  std::set<av::Dna> dnas;
  for (std::uint8_t id = 1; id <= 3; ++id) {
    const auto ack = Request(**link, decoder, *av::Encode(kGen, av::Detect{id}), 0, 5s);
    if (id == 3) {
      EXPECT_FALSE(ack);  // both modules have their ids
      break;
    }
    ASSERT_TRUE(ack);
    const auto decoded = av::DecodeAckDetect(kGen, *ack);
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(decoded->version_string().substr(0, 4), "1041");
    dnas.insert(decoded->dna);
    ASSERT_TRUE(Request(**link, decoder, *av::Encode(kGen, av::Sync{decoded->dna}), id, 5s));
  }
  EXPECT_EQ(dnas.size(), 2u);

  testing::Job542213 real;
  real.job.difficulty = *sha256::Difficulty::From(1.0 / (1 << 20));
  const auto packets = av::JobPackets::Make(kGen, real.job, {});
  ASSERT_TRUE(packets.ok());
  for (std::size_t i = 0; i < packets->size(); ++i) {
    (void)Request(**link, decoder, packets->at(i), 0, 0ms);
  }
  std::set<std::uint8_t> kinds;
  for (std::uint8_t id = 1; id <= 2; ++id) {
    int valid = 0;
    const auto until = std::chrono::steady_clock::now() + 60s;
    while (valid < 5 && std::chrono::steady_clock::now() < until) {
      const auto reply = Request(**link, decoder, *av::Encode(kGen, av::Polling{}), id, 2s);
      kinds.insert(reply ? reply->type : 0);
      const auto nonces = reply ? av::DecodeNonce(kGen, *reply) : av::NonceReports{};
      for (const av::NonceReport& r :
           nonces.ok() ? nonces->span() : std::span<const av::NonceReport>{}) {
        const auto submit = av::SubmitFor(kGen, real.job, r);
        ASSERT_TRUE(submit.ok());
        const auto header = av::HeaderFor(real.job, *submit);
        const auto hash = testing::OpenSslSha256d({header.begin(), header.end()});
        sha256::Digest digest{};
        std::copy(hash.begin(), hash.end(), digest.begin());
        EXPECT_TRUE(packets->target().IsMetBy(digest));
        ++valid;
      }
      std::this_thread::sleep_for(10ms);
    }
    EXPECT_GE(valid, 5) << "module " << int{id} << ", reply types "
                        << testing::ToHex(std::vector<std::uint8_t>(kinds.begin(), kinds.end()));
  }
  sim.Signal(SIGTERM);
  EXPECT_EQ(sim.Wait(20s), 0);
}

}  // namespace
}  // namespace hashrig::hal
