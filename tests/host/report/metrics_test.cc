// Prometheus exposition: every sample line parses as `name{labels} value`, every family
// has HELP and TYPE, label values are escaped; the HTTP side answers /metrics only.
#include "hashrig/host/report/metrics.h"

#include "hashrig/host/report/web.h"
#include "host/report/avalon_snapshot.h"

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace hashrig::host {
namespace {

MinerSnapshot MetricsSnapshot() {
  MinerSnapshot s;
  s.elapsed_s = 10;
  s.hashrate_5s = 12.5e6;
  s.accepted = 3;
  s.pools = {{0, "stratum+tcp://evil\"pool\\:1", "w", true, true}};
  ChainStatus status;
  status.state = ChainState::kMining;
  status.chips = 4;
  status.chip_counters = {{ChipAddress{0x2a}, 7, 1, true}};
  s.chains = {{"SIM0", status, 12.5e6}};
  return s;
}

TEST(MetricsTest, ExpositionFormatParses) {
  const std::string text = RenderMetrics(MetricsSnapshot());
  const std::regex sample(
      R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$)");
  std::set<std::string> typed;
  std::set<std::string> sampled;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("# TYPE ", 0) == 0) {
      typed.insert(line.substr(7, line.find(' ', 7) - 7));
      continue;
    }
    if (line.rfind("# HELP ", 0) == 0) {
      continue;
    }
    std::smatch m;
    ASSERT_TRUE(std::regex_match(line, m, sample)) << line;
    sampled.insert(m[1]);
  }
  for (const std::string& name : sampled) {
    EXPECT_TRUE(typed.count(name)) << name;
  }
  EXPECT_NE(text.find("hashrig_hashrate_hashes_per_second{window=\"5s\"} 12500000"),
            std::string::npos);
  EXPECT_NE(text.find("hashrig_shares_total{result=\"accepted\"} 3"), std::string::npos);
  EXPECT_NE(text.find("url=\"stratum+tcp://evil\\\"pool\\\\:1\""), std::string::npos);  // escaped
  EXPECT_NE(text.find("hashrig_chain_chips{chain=\"SIM0\"} 4"), std::string::npos);
  EXPECT_NE(text.find("hashrig_chip_nonces_total{chain=\"SIM0\",address=\"42\"} 7"),
            std::string::npos);
}

// Issue 15, point 4: every family the miner can serve, with every reading present, has a
// row in docs/METRICS.md, and every row there is served.
TEST(MetricsTest, EveryFamilyIsDocumentedAndEveryDocumentedOneServed) {
  MinerSnapshot s = MetricsSnapshot();
  ChainStatus& full = s.chains[0].status;
  full.temperature = Celsius{60};
  full.fan = Percent{50};
  full.fan_speed = Rpm{3000};
  full.frequency = Megahertz{490};
  full.nominal_hashrate = 1e12;
  full.core = hal::protocol::CoreReading{Volts{1.2}, Amperes{10}, Watts{12}, 0, std::nullopt};
  full.power = Watts{12};
  full.link = LinkCounters{1, 2, 3};
  std::set<std::string> served;
  std::istringstream lines(RenderMetrics(s));
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("# TYPE ", 0) == 0) {
      served.insert(line.substr(7, line.find(' ', 7) - 7));
    }
  }
  std::ifstream file(std::string(HASHRIG_SOURCE_DIR) + "/docs/METRICS.md");
  ASSERT_TRUE(file.good());
  std::set<std::string> documented;
  const std::regex row(R"(^\| `(hashrig_[a-z0-9_]+)` \|)");
  for (std::string line; std::getline(file, line);) {
    std::smatch m;
    if (std::regex_search(line, m, row)) {
      documented.insert(m[1]);
    }
  }
  for (const std::string& name : served) {
    EXPECT_TRUE(documented.count(name)) << name << " is served but not in docs/METRICS.md";
  }
  for (const std::string& name : documented) {
    EXPECT_TRUE(served.count(name)) << name << " is in docs/METRICS.md but never served";
  }
  EXPECT_NE(RenderMetrics(s).find("hashrig_chain_frequency_hertz{chain=\"SIM0\"} 490000000"),
            std::string::npos);
  // The Grafana dashboard shipped in docs/grafana uses served metrics only, and every one.
  std::ifstream grafana(std::string(HASHRIG_SOURCE_DIR) + "/docs/grafana/hashrig.json");
  ASSERT_TRUE(grafana.good());
  const auto dashboard = nlohmann::json::parse(grafana);
  std::set<std::string> used;
  const std::regex metric(R"(hashrig_[a-z0-9_]+)");
  for (const auto& panel : dashboard["panels"]) {
    for (const auto& target : panel["targets"]) {
      const std::string expr = target["expr"];
      for (auto it = std::sregex_iterator(expr.begin(), expr.end(), metric);
           it != std::sregex_iterator(); ++it) {
        used.insert(it->str());
      }
    }
  }
  for (const std::string& name : used) {
    EXPECT_TRUE(served.count(name)) << name << " is in the Grafana dashboard but never served";
  }
  for (const std::string& name : served) {
    EXPECT_TRUE(used.count(name)) << name << " is served but not on the Grafana dashboard";
  }
}

// Issue 16, point 5: each Canaan MM module has its series, labelled with its chain, id and
// DNA; a lost one reads 0 on hashrig_module_up and keeps its counters; readings a module
// has not sent (a lost module's temperature, an A8's PSU) have no sample.
TEST(MetricsTest, AvalonModulesHaveTheirOwnSeries) {
  MinerSnapshot s = MetricsSnapshot();
  s.chains.push_back(fixtures::AvalonChain());
  const std::string text = RenderMetrics(s);
  const std::string first = R"({chain="AV1",module="1",dna="020100002c2af618"})";
  const std::string lost = R"({chain="AV1",module="2",dna="020100002d2af63d"})";
  for (const std::string& sample :
       {"hashrig_module_up" + first + " 1", "hashrig_module_up" + lost + " 0",
        "hashrig_module_chips" + first + " 104",
        "hashrig_module_temperature_celsius" + first + " 41.600000000000001",
        "hashrig_module_fan_rpm" + first + " 2400",
        "hashrig_module_frequency_hertz" + first + " 850000000",
        "hashrig_module_power_watts" + first + " 1398",
        "hashrig_module_input_volts" + first + " 12.5",
        "hashrig_module_nonces_total" + first + " 99",
        "hashrig_module_hardware_errors_total" + first + " 3",
        "hashrig_module_lost_total" + lost + " 1", "hashrig_module_crc_errors_total" + first + " 3",
        // The chain's: its modules' PSUs, and its link's damage (bad packets, garbage, polls
        // never answered).
        std::string(R"(hashrig_chain_power_watts{chain="AV1"} 1398)"),
        std::string(R"(hashrig_chain_link_bad_frames_total{chain="AV1"} 5)"),
        std::string(R"(hashrig_chain_link_skipped_bytes_total{chain="AV1"} 17)"),
        std::string(R"(hashrig_chain_link_timeouts_total{chain="AV1"} 2)")}) {
    EXPECT_NE(text.find(sample + "\n"), std::string::npos) << sample << "\n" << text;
  }
  // A chain whose bytes the host does not see has no link samples, never a 0.
  EXPECT_EQ(text.find(R"(hashrig_chain_link_bad_frames_total{chain="SIM0"})"), std::string::npos);
  EXPECT_EQ(text.find("hashrig_module_temperature_celsius" + lost), std::string::npos);
  EXPECT_EQ(text.find("hashrig_module_power_watts" + lost), std::string::npos);
  // A lost module keeps its counters but has no readings (its clock and fan are old news).
  EXPECT_EQ(text.find("hashrig_module_frequency_hertz" + lost), std::string::npos);
  EXPECT_EQ(text.find("hashrig_module_fan_rpm" + lost), std::string::npos);
}

// Label values are UTF-8 whatever the pool's URL holds (one bad byte made Prometheus
// refuse the whole scrape), and a pool's label is its id, not its position in the list.
TEST(MetricsTest, LabelsAreUtf8AndPoolsKeepTheirIds) {
  MinerSnapshot s = MetricsSnapshot();
  s.pools[0].url = "stratum+tcp://h\xff\xfe:1 \xc3\xbc \xed\xa0\x80";  // bad, bad, good, surrogate
  s.pools[0].id = 7;
  const std::string text = RenderMetrics(s);
  EXPECT_NE(text.find("url=\"stratum+tcp://h\xef\xbf\xbd\xef\xbf\xbd:1 \xc3\xbc "
                      "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find('\xff'), std::string::npos);
  EXPECT_NE(text.find("hashrig_pool_active{pool=\"7\"} 1"), std::string::npos) << text;
}

TEST(MetricsTest, TheMetricsPortAnswersMetricsOnly) {
  WebConfig config;
  config.metrics_only = true;
  WebApp app(config);
  const auto ask = [&](const char* method, const char* target) {
    WebRequest r;
    r.method = method;
    r.target = target;
    return app.Handle(r, MetricsSnapshot(), {}, WebApp::Clock::now());
  };
  const WebResponse ok = ask("GET", "/metrics?x=1");  // Prometheus may add a query
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(ok.body, RenderMetrics(MetricsSnapshot()));
  EXPECT_EQ(ask("GET", "/").status, 404);
  EXPECT_EQ(ask("GET", "/api/v1/summary").status, 404);  // no dashboard on this port
  EXPECT_EQ(ask("POST", "/metrics").status, 405);
}

}  // namespace
}  // namespace hashrig::host

#include "hashrig/host/report/screen.h"

namespace hashrig::host {
namespace {

TEST(ScreenTest, ShowsPoolsChainsAndChips) {
  const std::string screen = RenderScreen(MetricsSnapshot());
  EXPECT_EQ(screen.rfind("\033[H\033[2J", 0), 0u);
  EXPECT_NE(screen.find("stratum+tcp://evil"), std::string::npos);
  EXPECT_NE(screen.find("SIM0"), std::string::npos);
  EXPECT_NE(screen.find("2a:7"), std::string::npos) << screen;
}

}  // namespace
}  // namespace hashrig::host
