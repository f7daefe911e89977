// The dashboard's HTTP side without sockets (issue 15, points 5-7): what is read without a
// login, the login (hashed password, cookie attributes, rate limit), the CSRF token and
// the allow-list every change needs, bad input refused with a 4xx and no action, and each
// change as the same privileged command the cgminer API takes.
#include "hashrig/host/report/web.h"

#include <algorithm>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hashrig/host/report/log.h"
#include "hashrig/host/report/password.h"
#include "host/report/avalon_snapshot.h"

namespace hashrig::host {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

constexpr std::uint32_t kLoopback = 0x7F000001;
constexpr std::uint32_t kOther = 0x0A000009;  // 10.0.0.9: read-only under the rules below

MinerSnapshot PageSnapshot() {
  MinerSnapshot s;
  s.hashrate_5s = 1e12;
  s.accepted = 5;
  s.rejected_by_reason = {{"low difficulty share", 2}};
  s.pools = {{0, "stratum+tcp://a:3333", "w", true, true, true},
             {2, "stratum+tcp://b:3333", "w", true, false, true}};  // the client's pool 1 removed
  ChainStatus status;
  status.state = ChainState::kMining;
  status.chips = 2;
  status.expected_chips = 2;
  status.frequency = Megahertz{490};
  status.chip_counters = {{ChipAddress{0}, 3, 0, true}, {ChipAddress{64}, 0, 0, false}};
  status.limits.pll_model = hal::protocol::ChipModel::kBm1368;
  status.limits.thermal_target = true;
  status.limits.min_target_c = 35;
  status.limits.max_target_c = 70;
  s.chains = {{"SIM0", status, 1e12}};
  return s;
}

// A WebApp with a password (hashed with few iterations: the test's speed, not the
// product's) and write access from loopback only, driven on a clock the test moves.
class Web {
 public:
  explicit Web(bool password = true) : app_(Config(password)) {}

  WebResponse Ask(const std::string& method, const std::string& target,
                  const std::string& body = "", std::uint32_t peer = kLoopback,
                  bool with_csrf = true) {
    WebRequest r;
    r.method = method;
    r.target = target;
    r.body = body;
    r.cookie = "theme=dark; " + cookie_;
    r.csrf = with_csrf ? csrf_ : "";
    r.peer = peer;
    return app_.Handle(r, PageSnapshot(), {"line 1", "line 2"}, now_);
  }
  WebResponse LogIn(const std::string& password, std::uint32_t peer = kLoopback) {
    WebResponse r = Ask("POST", "/api/v1/login", json{{"password", password}}.dump(), peer);
    for (const auto& [name, value] : r.headers) {
      if (name == "Set-Cookie" && r.status == 200) {
        cookie_ = value.substr(0, value.find(';'));
        csrf_ = json::parse(r.body)["csrf"];
      }
    }
    return r;
  }
  void Advance(std::chrono::seconds by) { now_ += by; }
  WebApp& app() { return app_; }
  void ForgetCsrf() { csrf_.clear(); }

 private:
  static WebConfig Config(bool password) {
    WebConfig c;
    if (password) {
      c.password_hash = *HashPassword("hunter2", 1000);
    }
    c.allow = {{true, 0x7F000000, 8}, {false, 0x0A000000, 8}};  // 127/8 may write
    return c;
  }
  WebApp app_;
  WebApp::Clock::time_point now_ = WebApp::Clock::now();
  std::string cookie_;
  std::string csrf_;
};

json Body(const WebResponse& r) { return json::parse(r.body); }

TEST(WebTest, EverythingReadsWithoutALogin) {
  Web web;
  const auto summary = web.Ask("GET", "/api/v1/summary");
  ASSERT_EQ(summary.status, 200);
  EXPECT_EQ(Body(summary)["accepted"], 5);
  EXPECT_EQ(Body(summary)["rejected_by_reason"]["low difficulty share"], 2);
  EXPECT_EQ(Body(summary)["pool"]["url"], "stratum+tcp://a:3333");
  const auto chains = Body(web.Ask("GET", "/api/v1/chains"));
  EXPECT_EQ(chains[0]["chips"].size(), 2u);
  EXPECT_EQ(chains[0]["chips"][1]["alive"], false);
  EXPECT_TRUE(chains[0]["temperature_c"].is_null());  // no reading is no number
  EXPECT_EQ(Body(web.Ask("GET", "/api/v1/pools"))[1]["index"], 1);
  EXPECT_EQ(Body(web.Ask("GET", "/api/v1/log"))["lines"][1], "line 2");
  EXPECT_EQ(Body(web.Ask("GET", "/api/v1/settings"))["chains"][0]["frequency_mhz"], 490.0);
  web.app().Record(PageSnapshot(), 1000);
  web.app().Record(PageSnapshot(), 1005);
  const auto history = Body(web.Ask("GET", "/api/v1/history"));
  EXPECT_EQ(history["samples"].size(), 2u);
  EXPECT_EQ(history["samples"][1][0], 1005);
  EXPECT_EQ(history["samples"][1][1], 1e12);
  const auto session = Body(web.Ask("GET", "/api/v1/session"));
  EXPECT_EQ(session["logged_in"], false);
  EXPECT_EQ(session["password_set"], true);
  EXPECT_FALSE(session.contains("csrf"));
  EXPECT_EQ(web.Ask("GET", "/metrics?name[]=x").status, 200);  // Prometheus on this port too
  EXPECT_EQ(web.Ask("GET", "/api/v1/nope").status, 404);
  // Reads need no login, from anywhere (the page is read-only without one).
  EXPECT_EQ(web.Ask("GET", "/api/v1/summary", "", kOther).status, 200);
}

// GET /api/v1/chains with the snapshot's chain and an Avalon 8 chain (two modules, one lost).
json ChainsWithAnAvalonOne() {
  MinerSnapshot s = PageSnapshot();
  s.chains.push_back(fixtures::AvalonChain());
  WebRequest r;
  r.method = "GET";
  r.target = "/api/v1/chains";
  r.peer = kLoopback;
  return Body(Web().app().Handle(r, s, {}, std::chrono::steady_clock::now()));
}

// Issue 16, point 5: an Avalon chain's modules are on /api/v1/chains (the boards page draws
// a card per module from them): id, DNA, firmware, readings, counters; a lost one says so.
TEST(WebTest, AvalonChainsListTheirModules) {
  const auto chains = ChainsWithAnAvalonOne();
  ASSERT_EQ(chains.size(), 2u);
  EXPECT_TRUE(chains[0]["generation"].is_null());
  EXPECT_TRUE(chains[0]["modules"].empty());
  EXPECT_EQ(chains[1]["generation"], "Avalon 8");
  EXPECT_EQ(chains[1]["power_watts"], 1398.0);  // the modules' PSUs
  EXPECT_TRUE(chains[0]["power_watts"].is_null());
  EXPECT_EQ(chains[1]["link"], json::parse(R"({"bad_frames":5,"skipped_bytes":17,"timeouts":2})"));
  EXPECT_TRUE(chains[0]["link"].is_null());
  const json& modules = chains[1]["modules"];
  ASSERT_EQ(modules.size(), 2u);
  EXPECT_EQ(modules[0]["id"], 1);
  EXPECT_EQ(modules[0]["dna"], "020100002c2af618");
  EXPECT_EQ(modules[0]["firmware"], "851-EXAMPLEVER1");
  EXPECT_EQ(modules[0]["present"], true);
  EXPECT_EQ(modules[0]["chips"], 104);
  EXPECT_EQ(modules[0]["temperature_c"], 41.6);
  EXPECT_EQ(modules[0]["fan_rpm"], 2400);
  EXPECT_EQ(modules[0]["frequency_mhz"], 850);
  EXPECT_EQ(modules[0]["power_watts"], 1398.0);
  EXPECT_EQ(modules[0]["nonces"], 99);
  EXPECT_EQ(modules[0]["hardware_errors"], 3);
  EXPECT_EQ(modules[1]["present"], false);
  EXPECT_EQ(modules[1]["lost"], 1);
  EXPECT_TRUE(modules[1]["temperature_c"].is_null());
  EXPECT_TRUE(modules[1]["power_watts"].is_null());
  EXPECT_TRUE(modules[1]["frequency_mhz"].is_null());  // a lost module has no readings
  EXPECT_TRUE(modules[1]["fan_rpm"].is_null());
}

TEST(WebTest, ThePageIsServedFromTheEmbeddedFilesWithItsSecurityHeaders) {
  Web web;
  const auto page = web.Ask("GET", "/");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("<script src=\"/app.js\">"), std::string::npos);
  bool csp = false;
  for (const auto& [name, value] : page.headers) {
    csp |= name == "Content-Security-Policy" && value.find("default-src 'self'") == 0;
  }
  EXPECT_TRUE(csp);
  for (const char* asset : {"/app.js", "/style.css", "/chart.min.js"}) {
    const auto r = web.Ask("GET", asset);
    EXPECT_EQ(r.status, 200) << asset;
    EXPECT_GT(r.body.size(), 1000u) << asset;
  }
  EXPECT_NE(web.Ask("GET", "/chart.min.js").body.find("Chart.js"), std::string::npos);
  EXPECT_EQ(web.Ask("GET", "/../../etc/passwd").status, 404);
  EXPECT_EQ(web.Ask("POST", "/").status, 405);
}

TEST(WebTest, ALoginSetsAStrictHttpOnlyCookieAndTheRightPasswordOnly) {
  Web web;
  EXPECT_EQ(web.LogIn("wrong").status, 401);
  EXPECT_EQ(web.Ask("POST", "/api/v1/login", "not json").status, 400);
  EXPECT_EQ(web.Ask("POST", "/api/v1/login", R"({"password": 7})").status, 400);
  const auto ok = web.LogIn("hunter2");
  ASSERT_EQ(ok.status, 200);
  std::string cookie;
  for (const auto& [name, value] : ok.headers) {
    if (name == "Set-Cookie") {
      cookie = value;
    }
  }
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("Path=/"), std::string::npos) << cookie;
  const auto session = Body(web.Ask("GET", "/api/v1/session"));
  EXPECT_EQ(session["logged_in"], true);
  EXPECT_EQ(session["csrf"].get<std::string>().size(), 64u);
  EXPECT_EQ(web.Ask("POST", "/api/v1/logout").status, 200);
  EXPECT_EQ(Body(web.Ask("GET", "/api/v1/session"))["logged_in"], false);
  // Without a password set, nobody logs in and the page only reads.
  Web open(false);
  EXPECT_EQ(open.LogIn("anything").status, 403);
}

TEST(WebTest, LoginsAreRateLimitedPerAddressAndOverall) {
  Web web;
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(web.LogIn("guess" + std::to_string(i)).status, 401);
  }
  EXPECT_EQ(web.LogIn("hunter2").status, 429);              // even the right one, for a minute
  EXPECT_EQ(web.LogIn("hunter2", 0x7F000002).status, 200);  // another address is not locked
  web.Advance(61s);
  EXPECT_EQ(web.LogIn("hunter2").status, 200);
  // Right ones count too (each is a PBKDF2 run on the miner's I/O thread).
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(web.LogIn("hunter2").status, 200);
  }
  EXPECT_EQ(web.LogIn("hunter2").status, 429);
  // 20 wrong ones from anywhere that may write, within a minute, lock everyone out.
  Web crowd;
  for (std::uint32_t i = 0; i < 20; ++i) {
    EXPECT_EQ(crowd.LogIn("x", 0x7F000010 + i / 4).status, 401);
  }
  EXPECT_EQ(crowd.LogIn("hunter2", 0x7F000001).status, 429);
  // An address that may not change the miner cannot log in, nor count: it cannot lock
  // the owner out (the review locked the owner out from five read-only addresses).
  Web owner;
  for (std::uint32_t i = 0; i < 40; ++i) {
    EXPECT_EQ(owner.LogIn("x", 0x0A000000 + i).status, 403);
  }
  EXPECT_EQ(owner.LogIn("hunter2").status, 200);
}

TEST(WebTest, HeadIsGetWithoutTheBodyAnd405SaysWhatIsAllowed) {
  Web web;
  EXPECT_EQ(web.Ask("HEAD", "/api/v1/summary").status, 200);
  EXPECT_EQ(web.Ask("HEAD", "/").status, 200);
  for (const auto& [method, target, allow] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"GET", "/api/v1/login", "POST"},
           {"GET", "/api/v1/logout", "POST"},
           {"POST", "/", "GET, HEAD"},
           {"PUT", "/api/v1/settings", "GET, POST"}}) {
    const auto r = web.Ask(method, target);
    EXPECT_EQ(r.status, 405) << method << " " << target;
    bool said = false;
    for (const auto& [name, value] : r.headers) {
      said |= name == "Allow" && value == allow;
    }
    EXPECT_TRUE(said) << method << " " << target;
  }
}

TEST(WebTest, TheChartKeepsOneSampleEveryFiveSecondsForAnHour) {
  Web web;
  for (std::int64_t t = 0; t < 7200; ++t) {  // a status line every second for two hours
    web.app().Record(PageSnapshot(), 1000 + t);
  }
  const auto samples = Body(web.Ask("GET", "/api/v1/history"))["samples"];
  ASSERT_EQ(samples.size(), 720u);
  EXPECT_EQ(samples.back()[0].get<std::int64_t>() - samples.front()[0].get<std::int64_t>(), 3595);
}

TEST(WebTest, AChangeNeedsASessionItsCsrfTokenAndWriteAccess) {
  Web web;
  const std::string add = R"({"url":"stratum+tcp://c:3333","user":"u,1","password":"p\\q"})";
  EXPECT_EQ(web.Ask("POST", "/api/v1/pools", add).status, 401);  // no session
  ASSERT_EQ(web.LogIn("hunter2").status, 200);
  const auto from_elsewhere = web.Ask("POST", "/api/v1/pools", add, kOther);
  EXPECT_EQ(from_elsewhere.status, 403);  // read-only under --api-allow
  EXPECT_EQ(from_elsewhere.action.kind, ApiAction::Kind::kNone);
  const auto no_token = web.Ask("POST", "/api/v1/pools", add, kLoopback, false);
  EXPECT_EQ(no_token.status, 403);
  EXPECT_EQ(no_token.action.kind, ApiAction::Kind::kNone);
  const auto added = web.Ask("POST", "/api/v1/pools", add);
  ASSERT_EQ(added.status, 200) << added.body;
  EXPECT_EQ(added.action.kind, ApiAction::Kind::kAddPool);
  EXPECT_EQ(added.action.url, "stratum+tcp://c:3333");
  EXPECT_EQ(added.action.user, "u,1");  // separators survive the privileged command
  EXPECT_EQ(added.action.password, "p\\q");
  // Pools by position; the action names the pool client's id (position 1 is id 2).
  const auto switched = web.Ask("POST", "/api/v1/pools/1/switch");
  EXPECT_EQ(switched.action.kind, ApiAction::Kind::kSwitchPool);
  EXPECT_EQ(switched.action.pool, 2);
  EXPECT_EQ(web.Ask("POST", "/api/v1/pools/1/disable").action.kind, ApiAction::Kind::kDisablePool);
  EXPECT_EQ(web.Ask("POST", "/api/v1/pools/1/enable").action.kind, ApiAction::Kind::kEnablePool);
  EXPECT_EQ(web.Ask("DELETE", "/api/v1/pools/1").action.kind, ApiAction::Kind::kRemovePool);
  // A session ends after 12 hours.
  web.Advance(std::chrono::hours(13));
  EXPECT_EQ(web.Ask("POST", "/api/v1/pools/1/switch").status, 401);
}

TEST(WebTest, BadInputGetsA4xxWithAMessageAndChangesNothing) {
  Web web;
  ASSERT_EQ(web.LogIn("hunter2").status, 200);
  for (const auto& [method, target, body, status] :
       std::vector<std::tuple<std::string, std::string, std::string, int>>{
           {"POST", "/api/v1/pools", "{", 400},
           {"POST", "/api/v1/pools", "[1,2]", 400},
           {"POST", "/api/v1/pools", R"({"url": 5})", 400},
           {"POST", "/api/v1/pools", R"({"url": "http://evil/"})", 400},
           {"POST", "/api/v1/pools", R"({"url": "stratum+tcp://x:1", "user": []})", 400},
           {"POST", "/api/v1/pools", R"({"url": "stratum+tcp://host:0"})", 400},
           {"POST", "/api/v1/pools", R"({"url": "stratum+tcp://ho st:3333"})", 400},
           {"POST", "/api/v1/pools",
            R"({"url": "stratum+tcp://h:3333", "user": ")" + std::string(8000, 'u') + R"("})", 400},
           {"POST", "/api/v1/pools/7/switch", "", 400},  // no such pool
           {"POST", "/api/v1/pools/-1/switch", "", 400},
           {"POST", "/api/v1/pools/x/enable", "", 400},
           {"DELETE", "/api/v1/pools/0", "", 400},  // the active pool stays
           {"POST", "/api/v1/pools/0/explode", "", 405},
           {"PUT", "/api/v1/pools/0", "", 405},
           {"DELETE", "/api/v1/pools", "", 405},
           {"DELETE", std::string("/api/v1/pools/0\xd7", 16), "", 400},  // not UTF-8 (fuzz)
           {"PUT", "/api/v1/pools", "{}", 405},
           {"POST", "/api/v1/settings", "{}", 400},
           {"DELETE", "/api/v1/settings", "", 405},
       }) {
    const auto r = web.Ask(method, target, body);
    EXPECT_EQ(r.status, status) << method << " " << target << " " << body << ": " << r.body;
    EXPECT_EQ(r.action.kind, ApiAction::Kind::kNone) << target;
    EXPECT_TRUE(Body(r).contains("error")) << target;
  }
}

// docs/openapi.yaml is the reference: every path and method it documents is served (not
// 404 or 405), with a logged-in session so the changes are reached too.
TEST(WebTest, EveryRouteOfTheOpenApiDocumentIsServed) {
  std::ifstream file(std::string(HASHRIG_SOURCE_DIR) + "/docs/openapi.yaml");
  ASSERT_TRUE(file.good());
  const std::regex path_line(R"(^  (/[^:]*):$)");
  const std::regex method_line(R"(^    (get|post|delete):$)");
  std::string path;
  int routes = 0;
  for (std::string line; std::getline(file, line);) {
    std::smatch m;
    if (std::regex_match(line, m, path_line)) {
      path = std::regex_replace(std::regex_replace(m[1].str(), std::regex(R"(\{index\})"), "1"),
                                std::regex(R"(\{action\})"), "switch");
    } else if (std::regex_match(line, m, method_line) && !path.empty()) {
      Web web;
      ASSERT_EQ(web.LogIn("hunter2").status, 200);
      std::string method = m[1];
      std::transform(method.begin(), method.end(), method.begin(), ::toupper);
      const std::string body = path == "/api/v1/login"      ? R"({"password":"hunter2"})"
                               : path == "/api/v1/pools"    ? R"({"url":"stratum+tcp://c:1"})"
                               : path == "/api/v1/settings" ? R"({"chain":0,"target_c":50})"
                                                            : "";
      const auto r = web.Ask(method, path, body);
      EXPECT_NE(r.status, 404) << method << " " << path << ": " << r.body;
      EXPECT_NE(r.status, 405) << method << " " << path << ": " << r.body;
      ++routes;
    }
  }
  EXPECT_GE(routes, 14);
}

// docs/openapi.yaml's Chain schema lists every field a chain has on /api/v1/chains, and
// nothing it does not have (a field added to one and not the other fails here).
TEST(WebTest, EveryChainFieldIsInTheOpenApiDocument) {
  std::ifstream file(std::string(HASHRIG_SOURCE_DIR) + "/docs/openapi.yaml");
  ASSERT_TRUE(file.good());
  std::set<std::string> documented;
  bool in_chain = false;
  const std::regex field(R"(^        ([a-z_]+):)");  // the schema's own properties
  for (std::string line; std::getline(file, line);) {
    if (line == "    Chain:") {
      in_chain = true;
    } else if (in_chain && line.rfind("    ", 0) == 0 && line[4] != ' ') {
      break;  // the next schema
    }
    std::smatch m;
    if (in_chain && std::regex_search(line, m, field)) {
      documented.insert(m[1]);
    }
  }
  std::set<std::string> served;
  for (const json& chain : ChainsWithAnAvalonOne()) {
    for (const auto& [key, value] : chain.items()) {
      served.insert(key);
    }
  }
  EXPECT_EQ(served, documented);
}

// Settings from the page: every field checked as the API's ascset before any is applied.
TEST(WebTest, SettingsChangeAChainWithinItsLimitsOrNotAtAll) {
  Web web;
  const auto settings = Body(web.Ask("GET", "/api/v1/settings"));
  EXPECT_EQ(settings["chains"][0]["limits"]["frequency"], "BM1368");
  EXPECT_TRUE(settings["chains"][0]["limits"]["core_volts"].is_null());  // no regulator
  EXPECT_EQ(settings["chains"][0]["limits"]["target_c"]["max"], 70.0);
  EXPECT_EQ(web.Ask("POST", "/api/v1/settings", R"({"chain":0,"frequency_mhz":400})").status, 401);
  ASSERT_EQ(web.LogIn("hunter2").status, 200);
  const auto both =
      web.Ask("POST", "/api/v1/settings", R"({"chain":0,"frequency_mhz":400,"target_c":55})");
  ASSERT_EQ(both.status, 200) << both.body;
  EXPECT_EQ(both.action.kind, ApiAction::Kind::kTune);
  EXPECT_EQ(both.action.tuning.frequency->value, 400);
  EXPECT_EQ(*both.action.tuning.target_c, 55);
  for (const char* bad : {R"({"chain":0,"frequency_mhz":400,"core_volts":1.2})",  // no regulator
                          R"({"chain":0,"frequency_mhz":400,"target_c":99})",
                          R"({"chain":0,"frequency_mhz":"400"})", R"({"chain":3,"target_c":50})",
                          R"({"chain":-1,"target_c":50})", R"({"chain":0})", "[]", "{"}) {
    const auto r = web.Ask("POST", "/api/v1/settings", bad);
    EXPECT_EQ(r.status, 400) << bad << ": " << r.body;
    EXPECT_EQ(r.action.kind, ApiAction::Kind::kNone) << bad;  // none of it applied
  }
}

// What a client sent stays on its log line (the review split a WARN with a newline in a
// pool URL, and logged a raw NUL).
TEST(LogTest, ControlCharactersAreEscaped) {
  std::ostringstream out;
  Logger log(out);
  log.KeepRecent(5);
  log.Write(LogLevel::kWarning, "api", std::string("addpool: 'h:1\nFAKE ERROR x\r\0y'", 30));
  const std::string line = out.str();
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1) << line;
  EXPECT_NE(line.find("'h:1\\nFAKE ERROR x\\r\\x00y'"), std::string::npos) << line;
  EXPECT_EQ(log.Recent().size(), 1u);
  EXPECT_EQ(log.Recent()[0] + "\n", line);
}

TEST(PasswordTest, HashesAreSaltedCheckedAndMalformedOnesMatchNothing) {
  const auto a = HashPassword("secret", 1000);
  const auto b = HashPassword("secret", 1000);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);  // salted
  EXPECT_EQ(a->rfind("pbkdf2-sha256$1000$", 0), 0u);
  EXPECT_TRUE(CheckPassword("secret", *a));
  EXPECT_FALSE(CheckPassword("secreT", *a));
  EXPECT_FALSE(CheckPassword("", *a));
  EXPECT_FALSE(HashPassword("").ok());
  for (const char* bad : {"", "secret", "pbkdf2-sha256$1000$zz$00", "md5$1$00$00",
                          "pbkdf2-sha256$0$00$" /* no hash */, "pbkdf2-sha256$99999999999$00$00"}) {
    EXPECT_FALSE(ValidPasswordHash(bad)) << bad;
    EXPECT_FALSE(CheckPassword("secret", bad)) << bad;
  }
  EXPECT_TRUE(ValidPasswordHash(*a));
}

}  // namespace
}  // namespace hashrig::host
