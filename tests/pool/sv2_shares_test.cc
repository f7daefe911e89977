// Share validation against SRI's channels-sv2 test cases
// (../shared/data/sv2/sri_channels_share_vectors.json: 14 cases, 19 shares) and its
// BIP141-stripping cases (sri_bip141_strip_vectors.json).
#include <algorithm>

#include <gtest/gtest.h>

#include "hashrig/pool/sv2/shares.h"
#include "support/shared_data.h"

namespace hashrig::pool::sv2 {
namespace {

using nlohmann::json;
using testing::FromHex;
using testing::ReadJson;
using testing::ToHex;

U256 Hash(const json& hex) {
  const auto bytes = FromHex(hex.get<std::string>());
  U256 out{};
  EXPECT_EQ(bytes.size(), 32u);
  std::copy_n(bytes.begin(), std::min<std::size_t>(32, bytes.size()), out.begin());
  return out;
}

TEST(Sv2SharesTest, SriShareValidationCases) {
  const json cases = ReadJson("sv2/sri_channels_share_vectors.json");
  ASSERT_EQ(cases.size(), 14u);
  std::size_t shares = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c["id"].get<std::string>());
    const bool extended = c["channel_type"] == "extended";
    ShareValidator v(FromHex(c["extranonce_prefix_hex"].get<std::string>()),
                     extended ? c["rollable_extranonce_size"].get<std::size_t>() : 0,
                     Hash(c["channel_target_le_hex"]));
    const json& j = c["job"];
    const std::optional<std::uint32_t> min_ntime =
        j["min_ntime"].is_null() ? std::nullopt
                                 : std::optional(j["min_ntime"].get<std::uint32_t>());
    if (extended) {
      NewExtendedMiningJob job;
      job.job_id = j["job_id"];
      job.version = j["version"];
      job.min_ntime = min_ntime;
      job.version_rolling_allowed = j["version_rolling_allowed"];
      // The fixtures keep BIP141's marker, flag and witness; stripping gives the given
      // *_stripped_hex (what the merkle root is computed from).
      const auto prefix = FromHex(j["coinbase_tx_prefix_hex"].get<std::string>());
      const auto suffix = FromHex(j["coinbase_tx_suffix_hex"].get<std::string>());
      auto stripped = StripBip141(prefix, suffix);
      ASSERT_EQ(stripped.has_value(), j.contains("coinbase_tx_prefix_stripped_hex"));
      job.coinbase_tx_prefix = stripped ? stripped->first : prefix;
      job.coinbase_tx_suffix = stripped ? stripped->second : suffix;
      if (stripped) {
        EXPECT_EQ(ToHex(stripped->first), j["coinbase_tx_prefix_stripped_hex"].get<std::string>());
        EXPECT_EQ(ToHex(stripped->second), j["coinbase_tx_suffix_stripped_hex"].get<std::string>());
      }
      for (const auto& step : j["merkle_path_hex"]) {
        job.merkle_path.push_back(Hash(step));
      }
      v.AddJob(job);
    } else {
      NewMiningJob job;
      job.job_id = j["job_id"];
      job.version = j["version"];
      job.min_ntime = min_ntime;
      job.merkle_root = Hash(j["merkle_root_hex"]);
      v.AddJob(job);
    }
    SetNewPrevHash prev;
    prev.job_id = c["set_new_prev_hash"]["job_id"];
    prev.prev_hash = Hash(c["set_new_prev_hash"]["prev_hash_hex"]);
    prev.nbits = c["set_new_prev_hash"]["nbits"];
    prev.min_ntime = c["set_new_prev_hash"]["min_ntime"];
    v.SetPrevHash(prev);
    for (const auto& s : c["shares"]) {
      const auto extranonce =
          s.contains("extranonce_hex") ? FromHex(s["extranonce_hex"].get<std::string>()) : Bytes{};
      const auto r = v.Check(j["job_id"], s["nonce"], s["ntime"], s["version"], extranonce);
      EXPECT_EQ(ErrorCode(r.verdict), s["expected"].get<std::string>()) << s;
      if (s.contains("hash_display_hex_from_test_comment")) {
        sha256::Digest display = r.hash;
        std::reverse(display.begin(), display.end());
        EXPECT_EQ(ToHex(Bytes(display.begin(), display.end())),
                  s["hash_display_hex_from_test_comment"].get<std::string>());
      }
      ++shares;
    }
  }
  EXPECT_EQ(shares, 19u);
}

TEST(Sv2SharesTest, Bip141Stripping) {
  const json cases = ReadJson("sv2/sri_bip141_strip_vectors.json");
  ASSERT_EQ(cases.size(), 3u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c["id"].get<std::string>());
    auto stripped = StripBip141(FromHex(c["coinbase_tx_prefix_hex"].get<std::string>()),
                                FromHex(c["coinbase_tx_suffix_hex"].get<std::string>()));
    ASSERT_EQ(stripped.has_value(), c["has_bip141"].get<bool>());
    if (stripped) {
      EXPECT_EQ(ToHex(stripped->first), c["expected_prefix_stripped_hex"].get<std::string>());
      EXPECT_EQ(ToHex(stripped->second), c["expected_suffix_stripped_hex"].get<std::string>());
    }
  }
}

TEST(Sv2SharesTest, StaleUnknownAndBadExtranonce) {
  ShareValidator v(Bytes{1, 2}, 4, U256{});
  NewExtendedMiningJob job;
  job.job_id = 5;
  job.version = 0x20000000;
  job.min_ntime = 100;
  job.version_rolling_allowed = true;
  v.AddJob(job);
  EXPECT_EQ(v.Check(5, 0, 100, job.version, Bytes(4)).verdict, ShareVerdict::kUnknownJob)
      << "no prev hash yet";
  SetNewPrevHash prev;
  prev.job_id = 5;
  prev.min_ntime = 100;
  prev.nbits = 0x1d00ffff;
  v.SetPrevHash(prev);
  EXPECT_EQ(v.Check(5, 0, 100, job.version, Bytes(3)).verdict, ShareVerdict::kBadExtranonceSize);
  EXPECT_EQ(v.Check(6, 0, 100, job.version, Bytes(4)).verdict, ShareVerdict::kUnknownJob);
  EXPECT_EQ(v.Check(5, 0, 100, job.version, Bytes(4)).verdict, ShareVerdict::kDifficultyTooLow);
  job.job_id = 6;
  job.min_ntime.reset();
  v.AddJob(job);
  prev.job_id = 6;
  v.SetPrevHash(prev);
  EXPECT_EQ(v.Check(5, 0, 100, job.version, Bytes(4)).verdict, ShareVerdict::kStale);
  EXPECT_EQ(ErrorCode(ShareVerdict::kStale), "stale-share");
}

}  // namespace
}  // namespace hashrig::pool::sv2
