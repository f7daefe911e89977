// The work builder against real data: jobs derived from real mainnet blocks rebuild the
// blocks' headers and hashes; real pool captures rebuild their shares' difficulties.
#include "hashrig/pool/work.h"

#include <algorithm>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "hashrig/base/hex.h"
#include "hashrig/pool/stratum.h"
#include "pool/capture.h"
#include "support/shared_data.h"

namespace hashrig::pool {
namespace {

using testing::FromHex;
using testing::OpenSslSha256d;
using testing::ReadJson;

std::string DisplayHex(const sha256::Digest& hash) {
  sha256::Digest reversed = hash;
  std::reverse(reversed.begin(), reversed.end());
  return EncodeHex(reversed);
}

std::uint32_t MaskOf(const nlohmann::json& capture) {
  return capture.value("version_mask", nlohmann::json()).is_string()
             ? *ParseHex32(capture["version_mask"].get<std::string>())
             : 0;
}

class RealBlockJobTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RealBlockJobTest, RebuildsTheBlockHeaderAndHash) {
  const auto capture = ReadJson("blocks/jobs/job_" + GetParam() + ".json");
  const auto& expected = capture["expected"];
  const Job job = testing::JobFromCapture(
      capture["notify"], capture["subscribe_result"]["extranonce1"].get<std::string>(),
      capture["subscribe_result"]["extranonce2_size"].get<std::size_t>(), MaskOf(capture));
  const Share share = testing::ShareFromSubmit(capture["submit"]["params"], job);
  const WorkBuilder builder(job);

  EXPECT_EQ(EncodeHex(builder.Coinbase(share.extranonce2)),
            expected["coinbase_tx_hex"].get<std::string>());
  EXPECT_EQ(EncodeHex(builder.MerkleRoot(share.extranonce2)),
            expected["merkle_root_internal"].get<std::string>());
  auto header = builder.HeaderFor(share);
  ASSERT_TRUE(header.ok()) << header.error().message();
  EXPECT_EQ(EncodeHex(*header), expected["header_hex"].get<std::string>());

  const ShareValue value = Evaluate(*header);
  EXPECT_EQ(DisplayHex(value.hash), expected["block_hash"].get<std::string>());
  const std::vector<std::uint8_t> header_bytes(header->begin(), header->end());
  EXPECT_EQ(std::vector<std::uint8_t>(value.hash.begin(), value.hash.end()),
            OpenSslSha256d(header_bytes));

  const auto state = sha256::Midstate(std::span<const std::uint8_t, 64>(header->data(), 64));
  std::string midstate_hex;
  for (std::uint32_t word : state.words) {
    midstate_hex += FormatHex32(word);
  }
  EXPECT_EQ(midstate_hex, expected["midstate_hex"].get<std::string>());

  // The submit we would send for this share is the capture's, byte for byte.
  EXPECT_EQ(SubmitParams("worker.1", share, job.version_mask), capture["submit"]["params"]);
}

INSTANTIATE_TEST_SUITE_P(Blocks, RealBlockJobTest,
                         ::testing::Values("0", "170", "277647", "542213", "574200", "702861",
                                           "881423"));

TEST(CaptureTest, SlushDocsTestnetShareSolvesItsBlock) {
  const auto capture = ReadJson("stratum/slush_docs_testnet3_block25096.json");
  const auto& lines = capture["lines_in_order"];
  const auto notify = ParseLine(lines[4].get<std::string>());
  const auto submit = ParseLine(lines[5].get<std::string>());
  ASSERT_TRUE(notify.ok() && submit.ok());
  const Job job = testing::JobFromCapture(
      nlohmann::json{{"params", notify->params}}, capture["session"]["extranonce1"],
      capture["session"]["extranonce2_size"].get<std::size_t>(), 0);
  const Share share = testing::ShareFromSubmit(submit->params, job);
  auto header = WorkBuilder(job).HeaderFor(share);
  ASSERT_TRUE(header.ok()) << header.error().message();
  EXPECT_EQ(EncodeHex(*header), capture["expected"]["header_hex"].get<std::string>());
  const ShareValue value = Evaluate(*header);
  EXPECT_EQ(DisplayHex(value.hash), capture["expected"]["hash"].get<std::string>());
  EXPECT_NEAR(value.difficulty.value(), capture["expected"]["share_difficulty"].get<double>(),
              1e-9);
  EXPECT_TRUE(sha256::Target::FromCompact(job.notify.nbits)->IsMetBy(value.hash));
  EXPECT_EQ(SubmitParams("slush.miner1", share, 0), submit->params);
}

TEST(CaptureTest, MujinaBitaxeRolledShareHasItsLoggedDifficulty) {
  const auto capture = ReadJson("stratum/mujina_bitaxe_gamma_capture_2025-06-19.json");
  const Job job = testing::JobFromCapture(
      capture["notify"], capture["subscribe_result"]["extranonce1"],
      capture["subscribe_result"]["extranonce2_size"].get<std::size_t>(), MaskOf(capture));
  const Share share = testing::ShareFromSubmit(capture["submit"]["params"], job);
  EXPECT_EQ(FormatHex32(share.version), capture["expected"]["version_hex"].get<std::string>());
  auto header = WorkBuilder(job).HeaderFor(share);
  ASSERT_TRUE(header.ok()) << header.error().message();
  EXPECT_EQ(EncodeHex(*header), capture["expected"]["header_hex"].get<std::string>());
  const ShareValue value = Evaluate(*header);
  EXPECT_NEAR(value.difficulty.value(), capture["expected"]["share_difficulty"].get<double>(),
              1e-6);
  const auto pool_difficulty =
      *sha256::Difficulty::From(capture["pool_share_difficulty"].get<double>());
  EXPECT_TRUE(pool_difficulty.ToTarget().IsMetBy(value.hash));
  EXPECT_FALSE(sha256::Difficulty::From(30000)->ToTarget().IsMetBy(value.hash));
  auto params = capture["submit"]["params"];
  EXPECT_EQ(SubmitParams(params[0].get<std::string>(), share, job.version_mask), params);
}

TEST(CaptureTest, EspMinerSlushSharesHaveTheSourcesDifficulties) {
  const auto capture = ReadJson("stratum/esp_miner_slush_2023.json");
  const auto& s = capture["shares"][0];
  const Job job =
      testing::JobFromCapture(s["notify"], s["subscribe_result"]["extranonce1"],
                              s["subscribe_result"]["extranonce2_size"].get<std::size_t>(), 0);
  Share share;
  share.job_id = job.notify.job_id;
  share.extranonce2 = FromHex(s["share"]["extranonce2"].get<std::string>());
  share.ntime = *ParseHex32(s["share"]["ntime"].get<std::string>());
  share.nonce = *ParseHex32(s["share"]["nonce"].get<std::string>());
  share.version = job.notify.version;
  const WorkBuilder builder(job);
  EXPECT_EQ(EncodeHex(builder.MerkleRoot(share.extranonce2)),
            s["source_expects"]["merkle_root_internal"].get<std::string>());
  auto header = builder.HeaderFor(share);
  ASSERT_TRUE(header.ok()) << header.error().message();
  EXPECT_EQ(EncodeHex(*header), s["expected"]["header_hex"].get<std::string>());
  const double difficulty = Evaluate(*header).difficulty.value();
  EXPECT_EQ(static_cast<int>(difficulty), s["source_expects"]["share_difficulty_int"].get<int>());
  EXPECT_NEAR(difficulty, s["expected"]["share_difficulty"].get<double>(), 1e-6);

  // Header fields only: a second share of the same source.
  const auto& f = capture["shares"][1];
  const auto header2 = FromHex(f["expected"]["header_hex"].get<std::string>());
  Header h2{};
  std::copy(header2.begin(), header2.end(), h2.begin());
  EXPECT_EQ(static_cast<int>(Evaluate(h2).difficulty.value()),
            f["source_expects"]["share_difficulty_int"].get<int>());
}

TEST(CaptureTest, EspMinerMidstateVector) {
  const auto v = ReadJson("stratum/esp_miner_slush_2023.json")["midstate_vector"];
  const Job job = testing::JobFromCapture(v["notify"], v["extranonce1"].get<std::string>(),
                                          v["extranonce2"].get<std::string>().size() / 2, 0);
  const WorkBuilder builder(job);
  const auto en2 = FromHex(v["extranonce2"].get<std::string>());
  const Hash256 root = builder.MerkleRoot(en2);
  EXPECT_EQ(EncodeHex(root), v["expected_merkle_root_internal"].get<std::string>());
  const Header header = builder.BuildHeader(root, job.notify.ntime, job.notify.version);
  EXPECT_EQ(EncodeHex(std::span(header).first(76)), v["header_first_76_bytes"].get<std::string>());
  const auto state = sha256::Midstate(std::span<const std::uint8_t, 64>(header.data(), 64));
  std::string be;
  for (std::uint32_t word : state.words) {
    be += FormatHex32(word);
  }
  EXPECT_EQ(be, v["expected_midstate_be_words"].get<std::string>());
}

TEST(CaptureTest, MerkleFoldVectors) {
  const auto capture = ReadJson("stratum/esp_miner_slush_2023.json");
  for (const auto& v : capture["merkle_fold_vectors"]) {
    const auto coinbase = FromHex(v["coinbase_tx_hex"].get<std::string>());
    std::vector<Hash256> branch;
    for (const auto& b : v["merkle_branch"]) {
      branch.push_back(*DecodeHexArray<32>(b.get<std::string>()));
    }
    EXPECT_EQ(EncodeHex(FoldMerkleBranch(sha256::DoubleHash(coinbase), branch)),
              v["expected_root_internal"].get<std::string>());
  }
}

Job SyntheticJob(std::size_t en2_size, std::uint32_t mask) {
  const auto capture = ReadJson("stratum/mujina_bitaxe_gamma_capture_2025-06-19.json");
  return testing::JobFromCapture(capture["notify"], "4128064f", en2_size, mask);
}

TEST(WorkBuilderTest, RefusesSharesOutsideTheJob) {
  const Job job = SyntheticJob(4, 0x1fffe000);
  const WorkBuilder builder(job);
  Share share{job.notify.job_id, {1, 2, 3, 4}, job.notify.ntime, 7, job.notify.version};
  EXPECT_TRUE(builder.HeaderFor(share).ok());

  Share short_en2 = share;
  short_en2.extranonce2.pop_back();
  EXPECT_FALSE(builder.HeaderFor(short_en2).ok());

  Share outside_mask = share;
  outside_mask.version |= 0x00000100;
  ASSERT_FALSE(builder.HeaderFor(outside_mask).ok());
  EXPECT_NE(builder.HeaderFor(outside_mask).error().message().find("outside mask"),
            std::string::npos);
  Share inside_mask = share;
  inside_mask.version |= 0x1fffe000;
  EXPECT_TRUE(builder.HeaderFor(inside_mask).ok());

  Share old_time = share;
  old_time.ntime -= 1;
  EXPECT_FALSE(builder.HeaderFor(old_time).ok());
  Share rolled_time = share;
  rolled_time.ntime += static_cast<std::uint32_t>(kMaxNtimeRoll.count());
  EXPECT_TRUE(builder.HeaderFor(rolled_time).ok());
  rolled_time.ntime += 1;
  EXPECT_FALSE(builder.HeaderFor(rolled_time).ok());
}

TEST(WorkBuilderTest, MerkleRootMatchesAFullCoinbaseHashForEveryExtranonce2) {
  for (std::size_t size : {1u, 4u, 8u, 16u}) {
    const WorkBuilder builder(SyntheticJob(size, 0));
    Extranonce2Counter counter(size);
    for (int i = 0; i < 40; ++i) {
      const auto en2 = counter.Next();
      ASSERT_TRUE(en2.has_value());
      const auto coinbase = builder.Coinbase(*en2);
      const auto txid = OpenSslSha256d(coinbase);
      Hash256 leaf{};
      std::copy(txid.begin(), txid.end(), leaf.begin());
      EXPECT_EQ(builder.MerkleRoot(*en2),
                FoldMerkleBranch(leaf, builder.job().notify.merkle_branch));
    }
  }
}

TEST(Extranonce2CounterTest, HandsOutEachValueOnceThenReportsExhaustion) {
  Extranonce2Counter counter(1);
  std::set<std::string> seen;  // hex: GCC 12 warns falsely on set<vector<uint8_t>>
  while (auto en2 = counter.Next()) {
    EXPECT_EQ(en2->size(), 1u);
    EXPECT_TRUE(seen.insert(EncodeHex(*en2)).second);
  }
  EXPECT_EQ(seen.size(), 256u);
  EXPECT_EQ(counter.remaining(), 0u);
  EXPECT_FALSE(counter.Next().has_value());
}

TEST(Extranonce2CounterTest, CounterIsLittleEndianInTheGivenSize) {
  Extranonce2Counter counter(4, 0x01020304, 0x01020306);
  EXPECT_EQ(*counter.Next(), (std::vector<std::uint8_t>{4, 3, 2, 1}));
  EXPECT_EQ(*counter.Next(), (std::vector<std::uint8_t>{5, 3, 2, 1}));
  EXPECT_FALSE(counter.Next().has_value());
  Extranonce2Counter wide(16);
  EXPECT_EQ(wide.Next()->size(), 16u);
}

TEST(Extranonce2CounterTest, SplitGivesDisjointRangesCoveringTheRest) {
  Extranonce2Counter counter(2);
  (void)counter.Next();
  auto parts = counter.Split(3);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(counter.remaining(), 0u);
  std::set<std::string> seen;  // hex: GCC 12 warns falsely on set<vector<uint8_t>>
  for (auto& part : parts) {
    while (auto en2 = part.Next()) {
      EXPECT_TRUE(seen.insert(EncodeHex(*en2)).second);
    }
  }
  EXPECT_EQ(seen.size(), 65535u);
}

}  // namespace
}  // namespace hashrig::pool
