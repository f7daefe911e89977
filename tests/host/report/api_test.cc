// The cgminer API: request forms, joins, the envelope and NUL, the field names fleet
// tools read (pyasic: GHS 5s, POOLS' URL/User/Status/Stratum Active...), access control.
#include "hashrig/host/report/api.h"

#include <gtest/gtest.h>

#include <map>
#include <regex>

#include "hashrig/base/version.h"
#include "host/report/avalon_snapshot.h"

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
  s.pools = {{0, "stratum+tcp://a:3333", "w.1", true, true, true, 10, 1, 0, 0.02, 0.002, 0.002,
              0.002, 1700000000},
             {1, "stratum+tcp://b:3333", "w.1", false, false, true}};
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

// Splits cgminer text at `separator` where no backslash escapes it; keeps the escapes.
std::vector<std::string> SplitPlain(const std::string& text, char separator) {
  std::vector<std::string> parts(1);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      parts.back() += text.substr(i++, 2);
    } else if (text[i] == separator) {
      parts.emplace_back();
    } else {
      parts.back() += text[i];
    }
  }
  return parts;
}

std::string Unescape(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    out += text[i] == '\\' && i + 1 < text.size() ? text[++i] : text[i];
  }
  return out;
}

// cgminer's text form read back into the JSON shape, the way a plain-text client reads it:
// items split at '|', pairs at ',', key and value at '='. An item led by a bare word is
// of that section ("SUMMARY,Elapsed=.."); one led by an index is of its list's section.
json FromPlain(const std::string& text) {
  const std::map<std::string, std::string> list_of = {{"STATUS", "STATUS"},
                                                      {"POOL", "POOLS"},
                                                      {"ASC", "DEVS"},
                                                      {"STATS", "STATS"},
                                                      {"DEVDETAILS", "DEVDETAILS"}};
  if (text == "BYE" || text == "RESTART") {
    return {{"STATUS", text}};
  }
  EXPECT_EQ(text.back(), '|') << text;
  json out;
  for (const std::string& item : SplitPlain(text.substr(0, text.size() - 1), '|')) {
    std::string section;
    json object = json::object();
    for (const std::string& pair : SplitPlain(item, ',')) {
      const auto halves = SplitPlain(pair, '=');
      if (halves.size() == 1) {
        section = Unescape(pair);
        continue;
      }
      EXPECT_EQ(halves.size(), 2u) << pair;
      const std::string key = Unescape(halves[0]);
      const std::string value = Unescape(halves[1]);
      if (section.empty()) {
        EXPECT_TRUE(list_of.contains(key)) << key << " in " << text;
        section = list_of.contains(key) ? list_of.at(key) : key;
      }
      const json parsed = json::parse(value, nullptr, false);
      object[key] = value.empty() ? json(nullptr) : parsed.is_discarded() ? json(value) : parsed;
    }
    out[section].push_back(object);
  }
  out["id"] = 1;
  return out;
}

// The reply to a request, in the JSON shape: a plain request's text form is read back
// (FromPlain), so every check below holds for both forms.
json Reply(const std::string& request, ApiAccess access = ApiAccess::kRead) {
  const ApiReply r = AnswerApi(request, access, Snapshot(), 1700000100);
  EXPECT_FALSE(r.bytes.empty());
  EXPECT_EQ(r.bytes.back(), '\0');
  EXPECT_EQ(r.bytes.find('\0'), r.bytes.size() - 1);  // exactly one NUL, at the end
  const std::string text = r.bytes.substr(0, r.bytes.size() - 1);
  if (!request.empty() && request.front() == '{') {
    return json::parse(text);
  }
  EXPECT_NE(text.front(), '{') << request << " got JSON: " << text.substr(0, 80);
  return FromPlain(text);
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
  const json r = Reply(R"({"command":"summary+pools+devs+summary"})");
  EXPECT_EQ(r["summary"][0]["SUMMARY"][0]["Accepted"], 10);
  EXPECT_EQ(r["pools"][0]["POOLS"].size(), 2u);
  EXPECT_EQ(r["devs"][0]["DEVS"][0]["Name"], "SIM0");
  EXPECT_EQ(r["id"], 1);
  EXPECT_EQ(Reply(R"({"command":"summary+quit"})", ApiAccess::kWrite)["STATUS"][0]["STATUS"], "E");
  // Joins are JSON only, as cgminer: a plain "summary+pools" is no command.
  EXPECT_EQ(Reply("summary+pools")["STATUS"][0]["Code"], 14);
}

// Issue 15, point 2: a plain request ("summary", "summary|") gets cgminer's text form,
// not JSON: the STATUS item, then each item, '|' after each, and one NUL.
TEST(ApiTest, PlainRequestsGetCgminersTextForm) {
  for (const char* request : {"summary", "summary|", "summary\n"}) {
    const std::string bytes = AnswerApi(request, ApiAccess::kRead, Snapshot(), 1700000100).bytes;
    EXPECT_EQ(bytes.rfind("STATUS=S,When=1700000100,Code=11,Msg=Summary,Description=" +
                              std::string(kNameAndVersion) + "|SUMMARY,Elapsed=120,MHS av=18000",
                          0),
              0u)
        << bytes;
    EXPECT_EQ(bytes.substr(bytes.size() - 2), std::string("|\0", 2)) << bytes;
  }
  const std::string pools = AnswerApi("pools", ApiAccess::kRead, Snapshot(), 1).bytes;
  EXPECT_NE(pools.find("|POOL=0,URL=stratum+tcp://a:3333,Status=Alive,"), std::string::npos)
      << pools;
  EXPECT_NE(pools.find("|POOL=1,URL=stratum+tcp://b:3333,Status=Dead,"), std::string::npos);
  EXPECT_NE(AnswerApi("devs", ApiAccess::kRead, Snapshot(), 1).bytes.find("|ASC=0,Name=SIM0,"),
            std::string::npos);
  // Separators inside a value are escaped, as cgminer does.
  MinerSnapshot odd = Snapshot();
  odd.pools[0].user = "a,b=c|d\\e";
  const std::string escaped = AnswerApi("pools", ApiAccess::kRead, odd, 1).bytes;
  EXPECT_NE(escaped.find("User=a\\,b\\=c\\|d\\\\e,"), std::string::npos) << escaped;
  EXPECT_EQ(FromPlain(escaped.substr(0, escaped.size() - 1))["POOLS"][0]["User"], "a,b=c|d\\e");
  EXPECT_EQ(AnswerApi("quit", ApiAccess::kWrite, Snapshot(), 1).bytes, std::string("BYE\0", 4));
  // The same request in JSON still gets JSON.
  EXPECT_EQ(AnswerApi(R"({"command":"summary"})", ApiAccess::kRead, Snapshot(), 1).bytes.front(),
            '{');
}

// Issue 15, point 1: what pyasic's BMMiner backend reads from {"command":"stats"} and
// {"command":"version"}, and its Antminer backend from {"command":"stats","new_api":true}.
TEST(ApiTest, FleetToolsReadRatesTemperaturesFansAndFirmware) {
  MinerSnapshot s = Snapshot();
  s.chains[0].status.nominal_hashrate = 21e9;
  s.chains[0].status.fan_speed = Rpm{4200};
  s.chains[0].status.serial = "HR-0001";
  s.chains.push_back(s.chains[0]);
  s.chains[1].name = "SIM1";
  s.chains[1].status.temperature.reset();  // no reading: no number, never a 0
  const auto ask = [&s](const std::string& request) {
    const std::string bytes = AnswerApi(request, ApiAccess::kRead, s, 1700000100).bytes;
    return json::parse(bytes.substr(0, bytes.size() - 1));
  };
  const json stats = ask(R"({"command":"stats"})")["STATS"];
  EXPECT_EQ(stats[1]["rate_unit"], "GH");        // not "GH/s": pyasic reads that as MH
  EXPECT_EQ(stats[1]["total_rateideal"], 42.0);  // nominal, not the measured average (18)
  EXPECT_EQ(stats[1]["chain_rateideal1"], 21.0);
  EXPECT_EQ(stats[1]["Elapsed"], 120);
  EXPECT_EQ(stats[1]["fan1"], 4200.0);     // RPM, as bmminer's fanN
  EXPECT_EQ(stats[1]["fan_duty1"], 70.0);  // the percent, in its own field
  EXPECT_EQ(stats[1]["temp1"], 62.5);      // chip
  EXPECT_EQ(stats[1]["temp2_1"], 62.5);    // board
  EXPECT_TRUE(stats[1]["temp2_2"].is_null());
  EXPECT_EQ(stats[1]["chain_acn2"], 4);
  const json version = ask(R"({"command":"version"})")["VERSION"][0];
  EXPECT_EQ(version["CompileTime"], std::string(kBuildTime));
  EXPECT_FALSE(std::string(kBuildTime).empty());
  const json modern = ask(R"({"command":"stats","new_api":true})");
  EXPECT_EQ(modern["STATUS"]["STATUS"], "S");
  EXPECT_EQ(modern["INFO"]["CompileTime"], std::string(kBuildTime));
  const json chains = modern["STATS"][0]["chain"];
  ASSERT_EQ(chains.size(), 2u) << modern;
  EXPECT_EQ(chains[1]["index"], 1);
  EXPECT_EQ(chains[0]["rate_real"], 20.0);
  EXPECT_EQ(chains[0]["rate_ideal"], 21.0);
  EXPECT_EQ(chains[0]["asic_num"], 4);
  EXPECT_EQ(chains[0]["temp_pcb"], json::parse("[62.5]"));
  EXPECT_EQ(chains[0]["temp_chip"], json::parse("[62.5]"));
  EXPECT_EQ(chains[1]["temp_pcb"], json::array());
  EXPECT_EQ(chains[0]["sn"], "HR-0001");
  EXPECT_EQ(chains[0]["asic"], "ooxo");
  EXPECT_EQ(modern["STATS"][0]["rate_ideal"], 42.0);
  EXPECT_EQ(modern["STATS"][0]["fan"], json::parse("[4200.0,4200.0]"));
  // Without new_api the legacy shape stays (BMMiner readers).
  EXPECT_TRUE(ask(R"({"command":"stats","new_api":false})")["STATUS"].is_array());
}

// Issue 16, point 5: Avalon chains appear in stats and estats as cgminer's Avalon drivers
// write them — a device entry per chain with an "MM ID<id>" string per module answering
// (avalon-protocol.md §5.2), after the bmminer entries so STATS[1] keeps its shape — and
// the strings parse as fleet tools split them (Key[space-separated values]).
TEST(ApiTest, AvalonModulesAreInEstatsAsCanaansMmIdStrings) {
  MinerSnapshot s = Snapshot();
  s.chains.push_back(fixtures::AvalonChain());
  for (const char* command : {"estats", "stats"}) {
    const std::string bytes =
        AnswerApi(std::string(R"({"command":")") + command + "\"}", ApiAccess::kRead, s, 1700000100)
            .bytes;
    const json stats = json::parse(bytes.substr(0, bytes.size() - 1))["STATS"];
    ASSERT_EQ(stats.size(), 3u) << stats;
    EXPECT_EQ(stats[1]["chain_acn2"], 104);  // the bmminer entry has every chain
    const json& device = stats[2];
    EXPECT_EQ(device["STATS"], 1);  // cgminer numbers devices from 0: the bmminer entry is 0
    EXPECT_EQ(device["ID"], "AV1");
    EXPECT_EQ(device["Driver"], "avalon8");
    EXPECT_EQ(device["MM Count"], 1);  // the lost module is not listed, as in cgminer
    EXPECT_FALSE(device.contains("MM ID2"));
    const std::string mm = device["MM ID1"];
    std::map<std::string, std::string> items;
    const std::regex item(R"(([A-Za-z0-9_]+)\[([^\]]*)\])");
    for (auto it = std::sregex_iterator(mm.begin(), mm.end(), item); it != std::sregex_iterator();
         ++it) {
      items[(*it)[1]] = (*it)[2];
    }
    EXPECT_EQ(items["Ver"], "851-EXAMPLEVER1") << mm;
    EXPECT_EQ(items["DNA"], "020100002c2af618");
    EXPECT_EQ(items["Elapsed"], "120");
    EXPECT_EQ(items["MW"], "10 11 12 13");
    EXPECT_EQ(items["LW"], "46");
    EXPECT_EQ(items["MH"], "0 1 0 2");
    EXPECT_EQ(items["HW"], "3");
    EXPECT_EQ(items["Temp"], "42");
    EXPECT_EQ(items["Fan1"], "2400");
    EXPECT_EQ(items["FanR"], "50%");
    EXPECT_EQ(items["Vo"], "2345");
    EXPECT_EQ(items["PS"], "32 1250 880 4525 1398 870");
    EXPECT_EQ(items["Freq"], "850");
    EXPECT_EQ(items["TA"], "104");
    EXPECT_EQ(items["ECHU"], "0 0 4 0");
    EXPECT_EQ(items["ECMM"], "0");
    EXPECT_EQ(items["CRC"], "3");
  }
  // devs: the chain's power (its modules' PSUs) and its link's damage, where the host reads
  // them; a chain without (a CPU board) has no such keys rather than zeros.
  const std::string bytes = AnswerApi(R"({"command":"devs"})", ApiAccess::kRead, s, 0).bytes;
  const json devs = json::parse(bytes.substr(0, bytes.size() - 1))["DEVS"];
  ASSERT_EQ(devs.size(), 2u);
  EXPECT_EQ(devs[1]["Power"], 1398.0);
  EXPECT_EQ(devs[1]["Link Bad Frames"], 5);
  EXPECT_EQ(devs[1]["Link Skipped Bytes"], 17);
  EXPECT_EQ(devs[1]["Link Timeouts"], 2);
  EXPECT_FALSE(devs[0].contains("Power"));
  EXPECT_FALSE(devs[0].contains("Link Bad Frames"));
}

// Issue 15, point 6: ascset|N,OPTION,VALUE changes a running chain within its limits —
// a clock its PLL makes, a core voltage at a regulator the host drives, a fan target —
// and anything else is refused with the reason, no action.
TEST(ApiTest, AscsetTunesAChainWithinItsLimits) {
  MinerSnapshot s = Snapshot();
  ChainLimits& limits = s.chains[0].status.limits;
  limits.pll_model = hal::protocol::ChipModel::kBm1368;
  limits.min_voltage = Volts{1.0};
  limits.max_voltage = Volts{1.3};
  limits.thermal_target = true;
  limits.min_target_c = 35;
  limits.max_target_c = 70;
  const auto ask = [&s](const std::string& request, ApiAccess access = ApiAccess::kWrite) {
    return AnswerApi(request, access, s, 0);
  };
  const ApiReply freq = ask(R"({"command":"ascset","parameter":"0,freq,400"})");
  EXPECT_EQ(freq.action.kind, ApiAction::Kind::kTune) << freq.bytes;
  EXPECT_EQ(freq.action.chain, 0);
  ASSERT_TRUE(freq.action.tuning.frequency.has_value());
  EXPECT_EQ(freq.action.tuning.frequency->value, 400);
  EXPECT_FALSE(freq.action.tuning.voltage.has_value());
  EXPECT_NE(freq.bytes.find("\"Code\":119"), std::string::npos) << freq.bytes;
  EXPECT_EQ(ask("ascset|0,voltage,1.15").action.tuning.voltage->value, 1.15);
  EXPECT_EQ(*ask("ascset|0,target,55").action.tuning.target_c, 55);
  for (const char* refused :
       {"ascset|0,freq,0.001", "ascset|0,freq,abc", "ascset|0,freq,nan", "ascset|0,voltage,2",
        "ascset|0,voltage,0.5", "ascset|0,target,90", "ascset|0,fan,50", "ascset|0,freq",
        "ascset|9,freq,400", "ascset|x,freq,400", "ascset|"}) {
    const ApiReply r = ask(refused);
    EXPECT_EQ(r.action.kind, ApiAction::Kind::kNone) << refused;
    EXPECT_EQ(r.bytes.rfind("STATUS=E,", 0), 0u) << refused << ": " << r.bytes;
  }
  EXPECT_NE(ask("ascset|0,voltage,2").bytes.find("outside 1.000..1.300 V"), std::string::npos);
  EXPECT_EQ(ask("ascset|0,freq,400", ApiAccess::kRead).action.kind, ApiAction::Kind::kNone);
  // A chain that cannot change a thing says so.
  MinerSnapshot cpu = Snapshot();
  EXPECT_NE(AnswerApi("ascset|0,freq,400", ApiAccess::kWrite, cpu, 0).bytes.find("no clock"),
            std::string::npos);
}

TEST(ApiTest, PrivilegedCommandsNeedWriteAccess) {
  for (const char* command : {"addpool|u,w,p", "switchpool|1", "enablepool|1", "disablepool|1",
                              "removepool|1", "restart", "quit", "privileged"}) {
    const json denied = Reply(command, ApiAccess::kRead);
    EXPECT_EQ(denied["STATUS"][0]["STATUS"], "E") << command;
    EXPECT_EQ(denied["STATUS"][0]["Code"], 45) << command;
  }
  const ApiReply add =
      AnswerApi("addpool|stratum+tcp://c:1234,us\\,er,pass", ApiAccess::kWrite, Snapshot(), 0);
  EXPECT_EQ(add.action.kind, ApiAction::Kind::kAddPool);
  EXPECT_EQ(add.action.url, "stratum+tcp://c:1234");
  EXPECT_EQ(add.action.user, "us,er");
  EXPECT_EQ(add.action.password, "pass");
  // A pool the client would refuse is refused here, with its reason (it used to answer
  // "Added pool" and then log a WARN); and no more than 32 pools, no field over 256 bytes.
  for (const std::string& refused :
       {std::string("addpool|stratum+tcp://host:0,u,p"), std::string("addpool|stratum+tcp://,u,p"),
        std::string("addpool|stratum+tcp://ho st:3333,u,p"),
        std::string("addpool|stratum+tcp://<img src=x>:1,u,p"),
        std::string("addpool|stratum+tcp://h\xff\xfe:3333,u,p"),
        std::string("addpool|stratum+tcp://h:99999,u,p"),
        "addpool|stratum+tcp://h:1," + std::string(300, 'u') + ",p"}) {
    const ApiReply r = AnswerApi(refused, ApiAccess::kWrite, Snapshot(), 0);
    EXPECT_EQ(r.action.kind, ApiAction::Kind::kNone) << refused;
    EXPECT_NE(r.bytes.find("Code=52,Msg=Invalid addpool details: "), std::string::npos) << r.bytes;
  }
  MinerSnapshot full = Snapshot();
  full.pools.resize(32);
  EXPECT_NE(AnswerApi("addpool|stratum+tcp://h:1,u,p", ApiAccess::kWrite, full, 0)
                .bytes.find("32 pools already"),
            std::string::npos);
  const ApiReply sw =
      AnswerApi("{\"command\":\"switchpool\",\"parameter\":1}", ApiAccess::kWrite, Snapshot(), 0);
  EXPECT_EQ(sw.action.kind, ApiAction::Kind::kSwitchPool);
  EXPECT_EQ(sw.action.pool, 1);
  // After a removal the API numbers pools by position (as cgminer); the action names the
  // pool client's own id, not the position.
  MinerSnapshot removed = Snapshot();
  removed.pools[1].id = 2;  // the pool client's pool 1 was removed
  EXPECT_EQ(AnswerApi("switchpool|1", ApiAccess::kWrite, removed, 0).action.pool, 2);
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
