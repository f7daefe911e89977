// The cgminer API: request forms, joins, the envelope and NUL, the field names fleet
// tools read (pyasic: GHS 5s, POOLS' URL/User/Status/Stratum Active...), access control.
#include "hashrig/host/report/api.h"

#include <gtest/gtest.h>

namespace hashrig::host {
namespace {

using nlohmann::json;

MinerSnapshot Snapshot() {
  MinerSnapshot s;
  s.elapsed_s = 120;
  s.hashrate_5s = 20e9;
  s.hashrate_avg = 18e9;
  s.accepted = 10;
  s.rejected = 1;
  s.pools = {{"stratum+tcp://a:3333", "w.1", true, true, true, 10, 1, 0, 0.02, 0.002, 0.002, 0.002,
              1700000000},
             {"stratum+tcp://b:3333", "w.1", false, false, true}};
  ChainStatus status;
  status.state = ChainState::kMining;
  status.chips = 4;
  status.expected_chips = 4;
  status.has_sensor = true;
  status.temperature = Celsius{62.5};
  status.fan = Percent{70};
  status.frequency = Megahertz{490};
  status.chip_counters = {{ChipAddress{0x00}, 5, 0, true},
                          {ChipAddress{0x40}, 3, 0, true},
                          {ChipAddress{0x80}, 2, 1, false},
                          {ChipAddress{0xC0}, 4, 0, true}};
  s.chains = {{"SIM0", status, 20e9, 18e9, 10, 0, 512}};
  return s;
}

json Reply(const std::string& request, ApiAccess access = ApiAccess::kRead) {
  const ApiReply r = AnswerApi(request, access, Snapshot(), 1700000100);
  EXPECT_FALSE(r.bytes.empty());
  EXPECT_EQ(r.bytes.back(), '\0');
  EXPECT_EQ(r.bytes.find('\0'), r.bytes.size() - 1);  // exactly one NUL, at the end
  return json::parse(r.bytes.substr(0, r.bytes.size() - 1));
}

TEST(ApiTest, EveryReportCommandHasItsSectionAndStatus) {
  struct Case {
    const char* command;
    const char* section;
    int code;
  };
  for (const Case& c :
       {Case{"version", "VERSION", 22}, Case{"config", "CONFIG", 33},
        Case{"summary", "SUMMARY", 11}, Case{"pools", "POOLS", 7}, Case{"devs", "DEVS", 9},
        Case{"edevs", "DEVS", 9}, Case{"stats", "STATS", 70}, Case{"estats", "STATS", 70},
        Case{"devdetails", "DEVDETAILS", 69}, Case{"coin", "COIN", 78}}) {
    for (const std::string& request :
         {std::string(c.command), "{\"command\":\"" + std::string(c.command) + "\"}"}) {
      const json r = Reply(request);
      ASSERT_TRUE(r.contains("STATUS")) << request;
      EXPECT_EQ(r["STATUS"][0]["STATUS"], "S") << request;
      EXPECT_EQ(r["STATUS"][0]["Code"], c.code) << request;
      EXPECT_EQ(r["STATUS"][0]["When"], 1700000100);
      EXPECT_TRUE(r[c.section].is_array()) << request;
      EXPECT_EQ(r["id"], 1);
    }
  }
}

TEST(ApiTest, FieldsFleetToolsRead) {
  const json summary = Reply("summary")["SUMMARY"][0];
  EXPECT_EQ(summary["GHS 5s"], 20.0);
  EXPECT_EQ(summary["MHS 5s"], 20'000.0);
  EXPECT_EQ(summary["GHS av"], 18.0);
  EXPECT_EQ(summary["Elapsed"], 120);
  EXPECT_EQ(summary["Accepted"], 10);
  const json pools = Reply("pools")["POOLS"];
  ASSERT_EQ(pools.size(), 2u);
  EXPECT_EQ(pools[0]["URL"], "stratum+tcp://a:3333");
  EXPECT_EQ(pools[0]["User"], "w.1");
  EXPECT_EQ(pools[0]["Status"], "Alive");
  EXPECT_EQ(pools[0]["Stratum Active"], true);
  EXPECT_EQ(pools[1]["Status"], "Dead");
  const json stats = Reply("stats")["STATS"][1];
  EXPECT_EQ(stats["chain_acn1"], 4);
  EXPECT_EQ(stats["chain_rate1"], 20.0);
  EXPECT_EQ(stats["temp1"], 62.5);
  EXPECT_EQ(stats["chain_acs1"], "ooxo");  // bmminer's chip status string
  EXPECT_EQ(stats["chain_chip_nonces1"], json::parse("[5,3,2,4]"));
  EXPECT_EQ(stats["chain_chip_hw1"][2], 1);
  const json version = Reply("version")["VERSION"][0];
  // pyasic files miners by brand words; ours must not be taken for another vendor.
  const std::string text = version.dump();
  for (const char* brand : {"BFGMINER", "ANTMINER", "BMMINER", "BOSMINER", "AVALON", "VNISH"}) {
    std::string upper = text;
    std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
    EXPECT_EQ(upper.find(brand), std::string::npos) << brand;
  }
}

TEST(ApiTest, JoinsWrapEachCommand) {
  const json r = Reply("summary+pools+devs+summary");
  EXPECT_EQ(r["summary"][0]["SUMMARY"][0]["Accepted"], 10);
  EXPECT_EQ(r["pools"][0]["POOLS"].size(), 2u);
  EXPECT_EQ(r["devs"][0]["DEVS"][0]["Name"], "SIM0");
  EXPECT_EQ(r["id"], 1);
  EXPECT_EQ(Reply("summary+quit", ApiAccess::kWrite)["STATUS"][0]["STATUS"], "E");
}

TEST(ApiTest, PrivilegedCommandsNeedWriteAccess) {
  for (const char* command : {"addpool|u,w,p", "switchpool|1", "enablepool|1", "disablepool|1",
                              "removepool|1", "restart", "quit", "privileged"}) {
    const json denied = Reply(command, ApiAccess::kRead);
    EXPECT_EQ(denied["STATUS"][0]["STATUS"], "E") << command;
    EXPECT_EQ(denied["STATUS"][0]["Code"], 45) << command;
  }
  const ApiReply add =
      AnswerApi("addpool|stratum+tcp://c:1\\,2,user,pass", ApiAccess::kWrite, Snapshot(), 0);
  EXPECT_EQ(add.action.kind, ApiAction::Kind::kAddPool);
  EXPECT_EQ(add.action.url, "stratum+tcp://c:1,2");
  EXPECT_EQ(add.action.password, "pass");
  const ApiReply sw =
      AnswerApi("{\"command\":\"switchpool\",\"parameter\":1}", ApiAccess::kWrite, Snapshot(), 0);
  EXPECT_EQ(sw.action.kind, ApiAction::Kind::kSwitchPool);
  EXPECT_EQ(sw.action.pool, 1);
  EXPECT_EQ(AnswerApi("switchpool|7", ApiAccess::kWrite, Snapshot(), 0).action.kind,
            ApiAction::Kind::kNone);
  EXPECT_EQ(AnswerApi("removepool|0", ApiAccess::kWrite, Snapshot(), 0).action.kind,
            ApiAction::Kind::kNone);  // the active pool stays
  EXPECT_EQ(Reply("quit", ApiAccess::kWrite)["STATUS"], "BYE");
  EXPECT_EQ(Reply("restart", ApiAccess::kWrite)["STATUS"], "RESTART");
  EXPECT_EQ(Reply("check|addpool", ApiAccess::kRead)["CHECK"][0]["Access"], "N");
  EXPECT_EQ(Reply("check|summary", ApiAccess::kRead)["CHECK"][0]["Access"], "Y");
  EXPECT_EQ(Reply("check|nope", ApiAccess::kRead)["CHECK"][0]["Exists"], "N");
}

TEST(ApiTest, GarbageGetsTheApisOwnErrorShape) {
  for (const char* garbage :
       {"", "\x01\x02\x03", "{\"command\":", "{\"nope\":1}", "summary;rm -rf", "SUMMARY|x"}) {
    const json r = Reply(garbage);
    ASSERT_TRUE(r["STATUS"].is_array()) << garbage;
  }
  EXPECT_EQ(Reply("{\"command\":")["STATUS"][0]["Code"], 23);
  EXPECT_EQ(Reply("nosuch")["STATUS"][0]["Code"], 14);
  EXPECT_EQ(Reply("SUMMARY")["STATUS"][0]["Code"], 11);  // case-insensitive, as cgminer
  EXPECT_EQ(Reply(std::string(5000, 'a'))["STATUS"][0]["STATUS"], "E");
}

TEST(ApiTest, AllowRulesAsCgminerReadsThem) {
  auto rules = ParseApiAllow("W:127.0.0.1,R:10.0.0/24,192.168.1.0/24");
  ASSERT_TRUE(rules.ok()) << rules.error().message();
  EXPECT_EQ(AccessFor(0x7F000001, *rules), ApiAccess::kWrite);
  EXPECT_EQ(AccessFor(0x0A000005, *rules), ApiAccess::kRead);
  EXPECT_EQ(AccessFor(0xC0A80117, *rules), ApiAccess::kRead);
  EXPECT_EQ(AccessFor(0x0A000105, *rules), ApiAccess::kNone);
  auto everyone = ParseApiAllow("W:0/0");
  ASSERT_TRUE(everyone.ok());
  EXPECT_EQ(AccessFor(0x08080808, *everyone), ApiAccess::kWrite);
  EXPECT_EQ(AccessFor(0x7F000001, {}), ApiAccess::kRead);  // no rules: loopback reads only
  EXPECT_EQ(AccessFor(0x0A000001, {}), ApiAccess::kNone);
  EXPECT_FALSE(ParseApiAllow("W:300.1.1.1").ok());
  EXPECT_FALSE(ParseApiAllow("10.0.0.0/33").ok());
}

}  // namespace
}  // namespace hashrig::host
