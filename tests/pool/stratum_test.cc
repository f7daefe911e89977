// Stratum line parsing: the real lines in the captures, every id and error shape pools
// send, and damaged variants that must be clear errors.
#include "hashrig/pool/stratum.h"

#include <string>

#include <gtest/gtest.h>

#include "hashrig/base/hex.h"
#include "support/shared_data.h"

namespace hashrig::pool {
namespace {

using nlohmann::json;
using testing::ReadJson;

TEST(StratumParseTest, EspMinerParseVectors) {
  const auto vectors = ReadJson("stratum/esp_miner_slush_2023.json")["parse_vectors"];
  auto notify = ParseLine(vectors[0]["line"].get<std::string>());
  ASSERT_TRUE(notify.ok());
  auto n = ParseNotify(notify->params);
  ASSERT_TRUE(n.ok()) << n.error().message();
  const auto& e0 = vectors[0]["expect"];
  EXPECT_EQ(n->job_id, e0["job_id"].get<std::string>());
  EXPECT_EQ(FormatHex32(n->version), e0["version"].get<std::string>());
  EXPECT_EQ(FormatHex32(n->nbits), e0["nbits"].get<std::string>());
  EXPECT_EQ(FormatHex32(n->ntime), e0["ntime"].get<std::string>());
  EXPECT_EQ(n->clean_jobs, e0["clean_jobs"].get<bool>());
  EXPECT_EQ(n->merkle_branch.size(), e0["merkle_branch_len"].get<std::size_t>());
  EXPECT_EQ(FormatPrevhash(n->prevhash), notify->params[1].get<std::string>());

  auto sub = ParseLine(vectors[1]["line"].get<std::string>());
  ASSERT_TRUE(sub.ok());
  auto s = ParseSubscribeResult(sub->result);
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(EncodeHex(s->extranonce1), vectors[1]["expect"]["extranonce1"].get<std::string>());
  EXPECT_EQ(s->extranonce2_size, vectors[1]["expect"]["extranonce2_size"].get<std::size_t>());
  EXPECT_EQ(s->session_id, "695482c0");

  auto mask_line = ParseLine(vectors[2]["line"].get<std::string>());
  ASSERT_TRUE(mask_line.ok());
  EXPECT_TRUE(mask_line->is_request());
  EXPECT_EQ(FormatHex32(*ParseSetVersionMask(mask_line->params)),
            vectors[2]["expect"]["version_mask"].get<std::string>());

  auto diff = ParseLine(vectors[3]["line"].get<std::string>());
  ASSERT_TRUE(diff.ok());
  EXPECT_EQ(ParseSetDifficulty(diff->params)->value(),
            vectors[3]["expect"]["difficulty"].get<double>());

  auto result = ParseLine(vectors[4]["line"].get<std::string>());
  ASSERT_TRUE(result.ok());
  EXPECT_FALSE(result->is_request());
  EXPECT_EQ(result->id, vectors[4]["expect"]["id"]);
  EXPECT_EQ(result->result, vectors[4]["expect"]["result"]);
  EXPECT_FALSE(ErrorText(*result).has_value());
}

TEST(StratumParseTest, EveryCaptureLineParses) {
  const auto capture = ReadJson("stratum/slush_docs_testnet3_block25096.json");
  for (const auto& line : capture["lines_in_order"]) {
    auto m = ParseLine(line.get<std::string>());
    EXPECT_TRUE(m.ok()) << line;
  }
  auto sub = ParseLine(capture["lines_in_order"][1].get<std::string>());
  auto s = ParseSubscribeResult(sub->result);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->session_id, "ae6812eb4cd7735a302a8a9dd95cf71f");
}

TEST(StratumParseTest, ErrorShapes) {
  auto text = [](const std::string& line) { return ErrorText(*ParseLine(line)); };
  EXPECT_EQ(text(R"({"id":4,"result":null,"error":[21,"Job not found",null]})"), "Job not found");
  EXPECT_EQ(ErrorCode(*ParseLine(R"({"id":4,"result":null,"error":[22,"Duplicate share"]})")), 22);
  EXPECT_EQ(text(R"({"id":4,"result":false,"error":"Low difficulty share"})"),
            "Low difficulty share");
  EXPECT_EQ(text(R"({"id":4,"result":null,"error":{"code":23,"message":"Above target"}})"),
            "Above target");
  EXPECT_EQ(ErrorCode(*ParseLine(R"({"id":4,"error":{"code":23,"message":"x"}})")), 23);
  EXPECT_EQ(text(R"({"id":"4","result":false,"reject-reason":"Stale"})"), "Stale");
  EXPECT_EQ(text(R"({"id":4,"result":true})"), std::nullopt);  // error key left out
  EXPECT_EQ(text(R"({"id":4,"result":false,"error":[99]})"), "[99]");
}

TEST(StratumParseTest, IdsOfEveryType) {
  EXPECT_EQ(ParseLine(R"({"id":"auth","result":true,"error":null})")->id, "auth");
  EXPECT_TRUE(ParseLine(R"({"method":"mining.ping","params":[]})")->id.is_null());
  EXPECT_EQ(ParseLine(R"({"id":7,"method":"mining.notify","params":[]})")->method, "mining.notify");
  EXPECT_EQ(ParseLine(R"({"jsonrpc":"2.0","id":3,"result":true})")->id, 3);
}

TEST(StratumParseTest, DamagedLinesAreErrors) {
  for (const char* line :
       {"", "garbage", "[1,2,3]", "{\"id\":1}", R"({"id":1,"method":5,"params":[]})",
        R"({"id":1,"method":"","params":[]})", "{\"id\":1,\"result\":tru", "\x01\x02\xff"}) {
    EXPECT_FALSE(ParseLine(line).ok()) << line;
  }
  EXPECT_FALSE(ParseLine(std::string(200, '[') + std::string(200, ']')).ok());
  auto oversized = ParseLine(std::string(kMaxLineSize + 1, ' '));
  ASSERT_FALSE(oversized.ok());
  EXPECT_NE(oversized.error().message().find("limit"), std::string::npos);
}

json GoodNotify() {
  return json::parse(R"(["bf","4d16b6f85af6e2198f44ae2a6de67f78487ae5611b77c6c0440b921e00000000",
    "0100","0200",[],"00000002","1c2ac4af","504e86b9",false])");
}

TEST(StratumParseTest, NotifyReadsCleanJobsFromTheLastParam) {
  json params = GoodNotify();
  params.back() = true;
  EXPECT_TRUE(ParseNotify(params)->clean_jobs);
  params.back() = "extension";
  params.push_back(true);
  EXPECT_TRUE(ParseNotify(params)->clean_jobs);
}

TEST(StratumParseTest, DamagedNotifiesNameTheField) {
  struct Case {
    std::size_t index;
    json value;
    const char* field;
  };
  const Case cases[] = {
      {0, 5, "job_id"},
      {0, "", "job_id"},
      {1, "00", "prevhash"},
      {2, "0g", "coinb1"},
      {3, "012", "coinb2"},
      {4, "x", "merkle_branch"},
      {4, json::array({"00"}), "merkle_branch"},
      {5, "2000000", "version"},
      {6, 1, "nbits"},
      {7, "zzzzzzzz", "ntime"},
      {8, "true", "clean_jobs"},
  };
  for (const auto& c : cases) {
    json params = GoodNotify();
    params[c.index] = c.value;
    auto n = ParseNotify(params);
    ASSERT_FALSE(n.ok()) << c.field;
    EXPECT_NE(n.error().message().find(c.field), std::string::npos) << n.error().message();
  }
  EXPECT_FALSE(ParseNotify(json::array({"a", "b"})).ok());
  EXPECT_FALSE(ParseNotify(json::object()).ok());
  json long_branch = GoodNotify();
  long_branch[4] = json::array();
  for (std::size_t i = 0; i <= kMaxMerkleBranch; ++i) {
    long_branch[4].push_back(std::string(64, 'a'));
  }
  EXPECT_FALSE(ParseNotify(long_branch).ok());
}

TEST(StratumParseTest, SubscribeResultValidatesExtranonce) {
  EXPECT_TRUE(ParseSubscribeResult(json::parse(R"([[],"08000002",4])")).ok());
  EXPECT_TRUE(ParseSubscribeResult(json::parse(R"([["mining.notify","ab"],"08",1])")).ok());
  EXPECT_EQ(ParseSubscribeResult(json::parse(R"([["mining.notify","ab"],"08",1])"))->session_id,
            "ab");
  EXPECT_FALSE(ParseSubscribeResult(json::parse(R"([[],"08000002",0])")).ok());
  EXPECT_FALSE(ParseSubscribeResult(json::parse(R"([[],"08000002",17])")).ok());
  EXPECT_FALSE(ParseSubscribeResult(json::parse(R"([[],"08000002",-1])")).ok());
  EXPECT_FALSE(ParseSubscribeResult(json::parse(R"([[],"0800000",4])")).ok());
  EXPECT_FALSE(ParseSubscribeResult(json::parse(R"([[],"08000002","4"])")).ok());
  EXPECT_FALSE(ParseSubscribeResult(json::parse(R"(true)")).ok());
}

TEST(StratumParseTest, PoolToMinerMethods) {
  EXPECT_EQ(ParseSetDifficulty(json::parse("[9427.96]"))->value(), 9427.96);
  EXPECT_FALSE(ParseSetDifficulty(json::parse("[0]")).ok());
  EXPECT_FALSE(ParseSetDifficulty(json::parse(R"(["1"])")).ok());
  EXPECT_FALSE(ParseSetVersionMask(json::parse(R"(["1fffe00"])")).ok());

  auto en = ParseSetExtranonce(json::parse(R"(["aabb",null])"));
  ASSERT_TRUE(en.ok());
  EXPECT_FALSE(en->extranonce2_size.has_value());
  EXPECT_EQ(ParseSetExtranonce(json::parse(R"(["aabb",3])"))->extranonce2_size, 3u);
  EXPECT_FALSE(ParseSetExtranonce(json::parse(R"(["aabb",99])")).ok());

  auto r = ParseReconnect(json::parse(R"(["pool.example.com","3334",5])"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->host, "pool.example.com");
  EXPECT_EQ(r->port, 3334);
  EXPECT_EQ(r->wait.count(), 5);
  EXPECT_EQ(ParseReconnect(json::parse(R"([])"))->host, "");
  EXPECT_EQ(ParseReconnect(json::parse(R"(["",3335])"))->port, 3335);
  EXPECT_FALSE(ParseReconnect(json::parse(R"(["h",70000])")).ok());
  EXPECT_FALSE(ParseReconnect(json::parse(R"(["h","33a"])")).ok());
}

TEST(StratumParseTest, ConfigureResults) {
  auto ok = ParseConfigureResult(
      json::parse(R"({"version-rolling":true,"version-rolling.mask":"1fffe000"})"));
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->version_rolling);
  EXPECT_EQ(ok->mask, 0x1fffe000u);
  auto refused = ParseConfigureResult(json::parse(R"({"version-rolling":"not supported"})"));
  ASSERT_TRUE(refused.ok());
  EXPECT_FALSE(refused->version_rolling);
  EXPECT_EQ(refused->refusal, "not supported");
  EXPECT_FALSE(ParseConfigureResult(json::parse(R"({"version-rolling":true})")).ok());
}

TEST(StratumParseTest, SubmitRoundTrip) {
  Share share{"job", {0x17, 0, 0, 0}, 0x685468d7, 0x7552034c, 0x20b44000};
  json params = SubmitParams("w", share, 0x1fffe000);
  EXPECT_EQ(params, json::parse(R"(["w","job","17000000","685468d7","7552034c","00b44000"])"));
  auto back = ParseSubmitParams(params);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->version_bits, 0x00b44000u);
  EXPECT_EQ(SubmitParams("w", share, 0).size(), 5u);
  EXPECT_FALSE(ParseSubmitParams(json::parse(R"(["w","job","17","685468d","7552034c"])")).ok());
}

TEST(StratumParseTest, OutgoingLinesAreSingleJsonLinesWithErrorNull) {
  const std::string reply = ReplyLine("abc", "pong");
  EXPECT_EQ(reply.back(), '\n');
  EXPECT_EQ(reply.find('\n'), reply.size() - 1);
  auto parsed = json::parse(reply);
  EXPECT_EQ(parsed["id"], "abc");
  EXPECT_TRUE(parsed.contains("error"));
  EXPECT_TRUE(parsed["error"].is_null());
  EXPECT_EQ(json::parse(RequestLine(3, "mining.authorize", {"u", "p"}))["id"], 3);
}

}  // namespace
}  // namespace hashrig::pool

namespace hashrig::pool {
namespace {

// A V1 URL pointed at a Stratum V2 (or TLS) port reads binary: the error quotes it as
// \xNN, never raw, and says what it may be (found by trying a V1 URL on a V2 port).
TEST(StratumBinaryTest, BinaryLinesAreQuotedAndExplained) {
  const std::string line("\x80\x01\xff garbage\x07", 12);
  auto m = ParseLine(line);
  ASSERT_FALSE(m.ok());
  const std::string& text = m.error().message();
  EXPECT_NE(text.find("\\x80\\x01\\xff garbage\\x07"), std::string::npos) << text;
  EXPECT_NE(text.find("stratum2+tcp://"), std::string::npos) << text;
  for (const char c : text) {
    EXPECT_TRUE(static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f)
        << text;
  }
  auto plain = ParseLine("hello");
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.error().message(), "not JSON: hello");
}

}  // namespace
}  // namespace hashrig::pool
