// The local pool's server session, line by line: handshake answers, and every verdict on
// a share (accepted, each reject reason) against an independent OpenSSL hash.
#include "hashrig/pool/server_session.h"

#include <gtest/gtest.h>

#include "hashrig/base/hex.h"
#include "hashrig/pool/session.h"
#include "support/shared_data.h"

namespace hashrig::pool {
namespace {

using nlohmann::json;

struct ServerHarness {
  ServerHarness() : session(settings, {0xde, 0xad, 0xbe, 0xef}, ledger), block(settings) {}
  static LocalPoolSettings Settings() {
    LocalPoolSettings s;
    s.difficulty = *sha256::Difficulty::From(1e-4);
    return s;
  }
  json Send(const std::string& line) {
    bool found = false;
    auto out = session.OnLine(line, found);
    block_found |= found;
    EXPECT_FALSE(out.empty()) << line;
    return out.empty() ? json() : json::parse(out.front());
  }
  void Handshake(const std::string& mask = "1fffe000") {
    Send(
        R"({"id":1,"method":"mining.configure","params":[["version-rolling"],{"version-rolling.mask":")" +
        mask + R"("}]})");
    Send(R"({"id":2,"method":"mining.subscribe","params":["test"]})");
    Send(R"({"id":3,"method":"mining.authorize","params":["w","x"]})");
    auto lines = session.Announce(*block.MakeJob(1700000000, 4));
    ASSERT_EQ(lines.size(), 1u);
    notify = json::parse(lines[0]);
  }
  // A share on the announced job that meets `difficulty` (or, when `miss`, does not).
  json Submit(std::uint32_t version_bits, bool miss = false, std::uint32_t ntime_add = 0) {
    auto n = ParseNotify(notify["params"]);
    Job job{*n, {0xde, 0xad, 0xbe, 0xef}, 4, settings.difficulty, 0x1fffe000, 1};
    const WorkBuilder builder(job);
    const std::vector<std::uint8_t> en2 = {1, 2, 3, 4};
    const auto version = RollVersion(n->version, version_bits, 0x1fffe000);
    const auto target = settings.difficulty.ToTarget();
    const auto merkle_root = builder.MerkleRoot(en2);
    for (std::uint32_t nonce = 0;; ++nonce) {
      auto header = builder.BuildHeader(merkle_root, n->ntime + ntime_add, version, nonce);
      const auto digest = testing::OpenSslSha256d({header.begin(), header.end()});
      sha256::Digest hash{};
      std::copy(digest.begin(), digest.end(), hash.begin());
      if (target.IsMetBy(hash) != miss) {
        last_submit = json{{"id", 9},
                           {"method", "mining.submit"},
                           {"params",
                            {"w", n->job_id, EncodeHex(en2), FormatHex32(n->ntime + ntime_add),
                             FormatHex32(nonce), FormatHex32(version_bits)}}};
        return Send(last_submit.dump());
      }
    }
  }

  LocalPoolSettings settings = Settings();
  PoolLedger ledger;
  ServerSession session;
  BlockTemplate block;
  json notify;
  json last_submit;
  bool block_found = false;
};

TEST(ServerSessionTest, HandshakeAnswersAsPoolsDo) {
  ServerHarness h;
  auto configure = h.Send(
      R"({"id":1,"method":"mining.configure","params":[["version-rolling"],{"version-rolling.mask":"ffffffff"}]})");
  EXPECT_EQ(configure["result"]["version-rolling.mask"], "1fffe000");
  EXPECT_TRUE(configure["error"].is_null());
  bool found = false;
  auto subscribe = h.session.OnLine(R"({"id":2,"method":"mining.subscribe","params":[]})", found);
  ASSERT_EQ(subscribe.size(), 2u);
  auto result = ParseSubscribeResult(json::parse(subscribe[0])["result"]);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(EncodeHex(result->extranonce1), "deadbeef");
  EXPECT_EQ(json::parse(subscribe[1])["method"], "mining.set_difficulty");
  EXPECT_EQ(h.Send(R"({"id":3,"method":"mining.authorize","params":["w","x"]})")["result"], true);
  EXPECT_EQ(h.Send(R"({"id":4,"method":"mining.authorize","params":["","x"]})")["error"][0], 24);
  EXPECT_EQ(h.Send(R"({"id":5,"method":"mining.nonsense","params":[]})")["error"][0], 20);
}

TEST(ServerSessionTest, JobsCarryARealCoinbaseThatPaysTheScript) {
  ServerHarness h;
  h.Handshake();
  auto n = ParseNotify(h.notify["params"]);
  ASSERT_TRUE(n.ok()) << n.error().message();
  EXPECT_TRUE(n->clean_jobs);
  EXPECT_EQ(n->merkle_branch.size(), h.settings.merkle_depth);
  // coinb2 ends with: 1 output, value, script length, OP_TRUE, lock time 0.
  EXPECT_EQ(EncodeHex(n->coinb2),
            "ffffffff01205fa012000000000151"
            "00000000");
  EXPECT_FALSE(ParseNotify(json::parse(h.session.Announce(*h.block.MakeJob(1, 4))[0])["params"])
                   ->clean_jobs);  // only the first job of a block is clean
}

TEST(ServerSessionTest, EveryShareVerdict) {
  ServerHarness h;
  h.Handshake();
  EXPECT_EQ(h.Submit(0x00b44000)["result"], true);
  EXPECT_EQ(h.ledger.accepted, 1u);
  EXPECT_EQ(h.Send(h.last_submit.dump())["error"][0], 22);                   // duplicate
  EXPECT_EQ(h.Submit(0x2000, /*miss=*/true)["error"][0], 23);                // low difficulty
  EXPECT_EQ(h.Submit(0x00000001)["error"][1], "Version bits outside mask");  // outside mask
  EXPECT_EQ(h.Submit(0, false, 601)["error"][0], 20);                        // ntime too new
  auto bad = h.last_submit;
  bad["params"][1] = "nope";
  EXPECT_EQ(h.Send(bad.dump())["error"][0], 21);
  bad["params"][2] = "01";
  bad["params"][1] = h.notify["params"][0];
  EXPECT_EQ(h.Send(bad.dump())["error"][0], 20);  // extranonce2 of the wrong size
  // A new block retires the job: stale.
  h.block.NextBlock();
  (void)h.session.Announce(*h.block.MakeJob(1700000100, 4));
  EXPECT_EQ(h.Send(h.last_submit.dump())["error"][1], "Stale share");
  EXPECT_EQ(h.ledger.accepted, 1u);
  EXPECT_EQ(h.ledger.rejected.at("Duplicate share"), 1u);
  EXPECT_EQ(h.ledger.rejected.at("Low difficulty share"), 1u);
}

TEST(ServerSessionTest, GarbageIsAnsweredWithAnErrorEvenWithInvalidUtf8) {
  ServerHarness h;
  for (const char* line : {"\xfb", "{\"id\":\"\xfb\xff\",\"method\":\"x\",\"params\":[]}", "[",
                           "{\"id\":1,\"method\":\"mining.submit\",\"params\":[]}"}) {
    const auto reply = h.Send(line);
    EXPECT_FALSE(reply["error"].is_null()) << line;
  }
  EXPECT_NO_THROW((void)JsonText(json(std::string("\xfb\xfc"))));
}

}  // namespace
}  // namespace hashrig::pool
