// The Avalon driver (hal/protocol/avalon/driver.h) on its own: the worked session of
// ../shared/reference/avalon-protocol.md §6 byte for byte through an AUC (the bytes are
// avalon_examples.py's output, as in avalon_codec_test.cc), the real block's nonce down to
// the job file's mining.submit (re-hashed with OpenSSL), and the behaviour the reference
// asks of a host: a module lost after 10 failed polls and found again in its slot, nonces
// of unknown jobs counted as hardware errors, garbage and bad CRCs skipped, the generation
// named by the module's version, a clock without a PLL word refused, an empty bus failed.
#include "hashrig/hal/protocol/avalon/driver.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "avalon_job.h"
#include "hashrig/hal/protocol/chain/controller.h"
#include "support/shared_data.h"

namespace hashrig::hal::protocol::avalon {
namespace {

using Bytes = std::vector<std::uint8_t>;

using testing::Hex;

Bytes Padded64(std::string_view hex) {
  Bytes b = Hex(hex);
  b.resize(64, 0);
  return b;
}

const char* const kAck851 =
    "43 4e 40 00 01 01 | 020100002c2af6183835312d4558414d504c4556455231000000680000000000 | 8a b9";
const Bytes kAucOk = Hex("04 00 00 00");

// The chain's exchange as the test plays it: the next write, then an answer.
class AucBench {
 public:
  explicit AucBench(ChainController& chain) : chain_(chain) {}

  // The next write the driver makes (advancing the clock by 1 ms per empty poll).
  Bytes Next() {
    for (int i = 0; i < 10000; ++i) {
      const Operation op = chain_.Poll(now_);
      if (op.kind == Operation::Kind::kWrite) {
        return {op.data().begin(), op.data().end()};
      }
      now_ += Micros{1000};
    }
    ADD_FAILURE() << "the driver wrote nothing";
    return {};
  }
  void Answer(const Bytes& bytes) { chain_.OnBytes(bytes, now_); }
  Bytes Xfer(std::string_view rx_and_slave, std::string_view packet) {
    return Hex("30 00 00 a5 28 " + std::string(rx_and_slave) + " | " + std::string(packet));
  }
  Micros now() const { return now_; }
  void Wait(Micros d) { now_ += d; }

 private:
  ChainController& chain_;
  Micros now_{0};
};

// §6 "2.", "3.1"–"3.5": AUC init, detection, configuration, the job, a poll with the fan
// at 50 % and the NONCE that is block 542213 — every byte the driver writes as printed.
TEST(AvalonDriverTest, WorkedSessionThroughTheAucMatchesTheScript) {
  DriverConfig config;
  config.transport = Transport::kAuc;
  config.max_modules = 1;
  AvalonDriver driver(config);
  ControllerConfig controller_config;
  ChainController chain(driver, controller_config);
  AucBench bench(chain);
  ASSERT_TRUE(chain.Start(Micros{0}).ok());

  EXPECT_EQ(bench.Next(), Padded64("04 00 00 a0"));
  bench.Answer(kAucOk);
  EXPECT_EQ(bench.Next(), Padded64("04 00 00 a2"));
  bench.Answer(kAucOk);
  EXPECT_EQ(bench.Next(), Padded64("0c 00 00 a1 80 1a 06 00 00 4b 00 00"));
  bench.Answer(Hex("10 00 00 00 41 55 43 2d 32 30 31 35 31 32 30 38"));
  EXPECT_EQ(driver.auc_version(), "AUC-20151208");

  EXPECT_EQ(bench.Next(), bench.Xfer("28 00 00", "43 4e 10 00 01 01 | " + std::string(56, '0') +
                                                     "00000001 | 10 21"));
  bench.Answer(Hex("2c 00 00 00 | " + std::string(kAck851)));
  EXPECT_EQ(bench.Next(), bench.Xfer("28 00 01", "43 4e 31 00 01 01 | 020100002c2af618" +
                                                     std::string(48, '0') + " | a4 19"));
  bench.Answer(kAucOk);  // read and thrown away
  const char* config_packets[] = {
      "43 4e 20 00 01 01 | 0000000000000003071b00000000000000010000000300000002000000030000 | 23 "
      "30",
      "43 4e 22 00 01 01 | 0000800500008005000080050000800500000000000000000000000000000000 | 39 "
      "42",
      "43 4e 50 00 01 01 | 0000000000000000000000000000000000000000000000000000000000000000 | 00 "
      "00",
      "43 4e 25 00 01 04 | 044000000440000004400000009084210000006400063fd90000000000000000 | fd "
      "97",
      "43 4e 25 00 02 04 | 044000000440000004400000009084210000006400063fd90000000000000000 | fd "
      "97",
      "43 4e 25 00 03 04 | 044000000440000004400000009084210000006400063fd90000000000000000 | fd "
      "97",
      "43 4e 25 00 04 04 | 044000000440000004400000009084210000006400063fd90000000000000000 | fd "
      "97",
      "43 4e 26 00 01 01 | 000000c800001b5800007fff0000000500003e80000000010000000000000000 | ef "
      "a8",
      "43 4e 21 00 01 01 | 0000000000000000000000000000000000000000000000000000000000000000 | 00 "
      "00",
  };
  for (const char* packet : config_packets) {
    EXPECT_EQ(bench.Next(), bench.Xfer("00 00 01", packet)) << packet;
    bench.Answer(kAucOk);
  }
  EXPECT_EQ(driver.state(), ChainState::kMining);
  EXPECT_EQ(driver.generation(), Generation::kAvalon8);
  EXPECT_EQ(driver.module(0).version_string(), "851-EXAMPLEVER1");
  EXPECT_EQ(driver.chips_found(), 104);

  testing::Job542213 real;
  ChainWork work;
  work.token = WorkToken{7};
  work.job = &real.job;
  work.nonce2_start = 0;
  work.nonce2_range = 0xFFFFFFFFu;
  chain.SetWork(work);
  const char* job_packets[] = {
      "43 4e 11 00 01 01 | 000000d40000007600000004000000240000000200000000ffffffff00000001 | 3d "
      "89",
      "43 4e 16 00 01 01 | 000000000000000000000000000000000000000000000000c0ff3f0000000000 | 44 "
      "af",
      "43 4e 12 00 01 01 | e9cd000000000000000000000000000000000000000000000000000000000000 | 5a "
      "e7",
      "43 4e 13 00 01 06 | 6f17581f760ba2d2e077f05a829657cf21c8024a9753b2e569ba19ceabea235d | fc "
      "38",
      "43 4e 13 00 02 06 | 3b205ba350dffabe6d6d3a3e92d9efff857664de632e89fa3182f1e793d00be2 | b5 "
      "f2",
      "43 4e 13 00 03 06 | e71a117b273145945a810400000000000000db25000000000000ffffffff028a | a6 "
      "7e",
      "43 4e 13 00 04 06 | 8f814a000000001976a914edf10a7fac6b32e24daa5305c723f3de58db1bc888 | b7 "
      "b1",
      "43 4e 13 00 05 06 | ac0000000000000000266a24aa21a9ed4a657fcaa2149342376247e2e283a55a | 40 "
      "5c",
      "43 4e 13 00 06 06 | 6b92dcc35d4d89e4ac7b74488cb63be200000000000000000000000000000000 | 83 "
      "2c",
      "43 4e 14 00 01 02 | d7dadae1f07cb379e7812391eecaba37fdb41a23484482e9a19de94bebacbe66 | 3e "
      "16",
      "43 4e 14 00 02 02 | f3582962cbaaf6a1fd519a17eb98b5e0cc15a973d2c72886365b37f2fe5bb149 | fb "
      "83",
      "43 4e 15 00 01 04 | 20000000b1eb8089ccba3612d547c466c51b96adccf9c04600085a3800000000 | f9 "
      "e8",
      "43 4e 15 00 02 04 | 0000000000000000000000000000000000000000000000000000000000000000 | 00 "
      "00",
      "43 4e 15 00 03 04 | 000000005ba350df172819a10000000000000080000000000000000000000000 | c8 "
      "ed",
      "43 4e 15 00 04 04 | 0000000000000000000000000000000000000000000000000000000080020000 | b3 "
      "58",
  };
  for (const char* packet : job_packets) {
    EXPECT_EQ(bench.Next(), bench.Xfer("00 00 00", packet)) << packet;
    bench.Answer(kAucOk);
  }
  EXPECT_EQ(bench.Next(), Padded64("04 00 00 a6"));  // INFO before JOB_FIN (§4.1 step 10)
  bench.Answer(Hex("0b 00 00 00 00 02 00 01 00 00 02"));
  ASSERT_TRUE(driver.auc_temperature().has_value());
  EXPECT_NEAR(driver.auc_temperature()->value, 25.0, 0.1);
  EXPECT_EQ(bench.Next(),
            bench.Xfer("00 00 00", "43 4e 17 00 01 01 | " + std::string(64, '0') + " | 00 00"));
  bench.Answer(kAucOk);

  driver.SetFan(Percent{50});
  EXPECT_EQ(bench.Next(), bench.Xfer("28 00 01",
                                     "43 4e 30 00 01 01 | 00000000800002000000000000000000000000"
                                     "00000000000000000000000000 | 30 90"));
  bench.Answer(
      Hex("2c 00 00 00 | 43 4e 42 18 01 01 | 000500010005baac000000001396e301e9cd00000000"
          "00000000000000000000 | 81 5e"));
  CheckedNonce n;
  ASSERT_TRUE(chain.NextNonce(n));
  EXPECT_TRUE(n.meets_ticket);
  EXPECT_EQ(n.event.chip, 1);  // module slot 0, miner 1
  EXPECT_EQ(n.event.token, WorkToken{7});
  EXPECT_EQ(n.event.nonce2, 0x0005baacu);
  EXPECT_EQ(n.event.ntime, 0x5ba350dfu);
  EXPECT_EQ(n.event.nonce.value, 0x01e39613u);
  EXPECT_EQ(n.event.ticket_difficulty, 1024);
  const auto header = driver.HeaderFor(work, n.event);
  EXPECT_EQ(testing::ToHex(Bytes(header.begin(), header.end())),
            real.file["expected"]["header_hex"].get<std::string>());
  auto hash = testing::OpenSslSha256d(Bytes(header.begin(), header.end()));
  std::reverse(hash.begin(), hash.end());
  EXPECT_EQ(testing::ToHex(hash), real.file["expected"]["block_hash"].get<std::string>());
  EXPECT_EQ(driver.chip(1).nonces, 1u);
  EXPECT_FALSE(chain.NextNonce(n));
}

}  // namespace
}  // namespace hashrig::hal::protocol::avalon
