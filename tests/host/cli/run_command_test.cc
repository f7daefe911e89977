// `hashrig run` as a process: the embedded default (simulated S21-profile chain against
// the built-in local pool) gets shares accepted within seconds, logs them and a status
// line, and stops cleanly with a summary; bad options exit 2 naming the option.
#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange without it

#include <fcntl.h>
#include <unistd.h>
#include <boost/asio.hpp>

#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/ask.h"
#include "support/child_process.h"
#include "support/shared_data.h"
#include "support/tls_cert.h"

namespace hashrig::testing {
namespace {

using namespace std::chrono_literals;

TEST(RunCommandTest, EmbeddedDefaultGetsSharesAccepted) {
  ChildProcess run({HASHRIG_BINARY, "run", "--duration", "300", "--status-interval", "2"});
  ASSERT_TRUE(WaitForCount(run, "INFO share: Accepted", 3, 120s)) << run.Stderr();
  ASSERT_TRUE(WaitForLog(run, "INFO status: (5s):", 0, 30s)) << run.Stderr();
  run.Signal(SIGTERM);
  ASSERT_EQ(run.Wait(30s), 0) << run.Stderr();
  const auto summary = run.ReadLine(1s);
  ASSERT_TRUE(summary.has_value());
  const int accepted = std::stoi(summary->substr(summary->find("accepted ") + 9));
  EXPECT_GE(accepted, 3) << *summary;
  EXPECT_NE(summary->find("rejected 0"), std::string::npos) << *summary;
  EXPECT_NE(summary->find("hardware errors 0"), std::string::npos) << *summary;
  const std::string log = run.Stderr();
  EXPECT_NE(log.find("INFO share: Accepted"), std::string::npos);
  EXPECT_NE(log.find("INFO status: (5s):"), std::string::npos);
  EXPECT_NE(log.find("embedded default"), std::string::npos);
}

// Every model mines: BM1397 takes midstate work (four rolled versions), the others
// header work; a model the scheduler could not feed would show no accepted share.
TEST(RunCommandTest, EveryChipModelMines) {
  for (const char* model : {"BM1397", "BM1366", "BM1370"}) {
    ChildProcess run(
        {HASHRIG_BINARY, "run", "--board", "sim:2", "--chip", model, "--duration", "300"});
    EXPECT_TRUE(WaitForCount(run, "INFO share: Accepted", 1, 120s)) << model << run.Stderr();
    run.Signal(SIGTERM);
    ASSERT_EQ(run.Wait(30s), 0) << model << run.Stderr();
    const auto summary = run.ReadLine(1s);
    ASSERT_TRUE(summary.has_value()) << model;
    EXPECT_GE(std::stoi(summary->substr(summary->find("accepted ") + 9)), 1) << model << *summary;
    EXPECT_NE(summary->find("hardware errors 0"), std::string::npos) << model << *summary;
  }
}

TEST(RunCommandTest, SigtermStopsWithASummary) {
  ChildProcess run({HASHRIG_BINARY, "run", "--status-interval", "1"});
  std::this_thread::sleep_for(3s);
  run.Signal(SIGTERM);
  ASSERT_EQ(run.Wait(10s), 0) << run.Stderr();
  const auto summary = run.ReadLine(1s);
  ASSERT_TRUE(summary.has_value());
  EXPECT_EQ(summary->rfind("accepted ", 0), 0u) << *summary;
  EXPECT_NE(run.Stderr().find("signal 15"), std::string::npos);
}

TEST(RunCommandTest, BadOptionsExitTwo) {
  for (const auto& [option, value] : {std::pair{"--chips", "0"},
                                      {"-o", "http://x:1"},
                                      {"--pool-difficulty", "-1"},
                                      {"--log-level", "loud"}}) {
    ChildProcess run({HASHRIG_BINARY, "run", option, value});
    EXPECT_EQ(run.Wait(10s), 2) << option;
    EXPECT_NE(run.Stderr().find(std::string(option)), std::string::npos) << run.Stderr();
  }
}

}  // namespace
}  // namespace hashrig::testing

namespace hashrig::testing {
namespace {

// The whole system as processes: `hashrig pool` ⇄ `hashrig run` ⇄ a simulated chain on a
// PTY (`hashrig sim`). Every share the pool accepted is re-hashed here with OpenSSL.
TEST(RunCommandTest, PoolRunAndSimulatedChainOverAPty) {
  ChildProcess pool({HASHRIG_BINARY, "pool", "--listen", "127.0.0.1:0", "--difficulty", "0.001"});
  const auto listening = pool.ReadLine(10s);
  ASSERT_TRUE(listening.has_value()) << pool.Stderr();
  const std::string address = listening->substr(13, listening->find(' ', 13) - 13);
  ChildProcess sim(
      {HASHRIG_BINARY, "sim", "--model", "BM1366", "--chips", "2", "--cpu-rate", "1e7"});
  const auto pty = sim.ReadLine(10s);
  ASSERT_TRUE(pty.has_value()) << sim.Stderr();
  const std::string path = pty->substr(4, pty->find(' ', 4) - 4);
  ChildProcess run({HASHRIG_BINARY, "run", "-o", "stratum+tcp://" + address, "-u", "e2e.rig",
                    "--board", "serial:" + path, "--chip", "BM1366", "--chips", "2",
                    "--ticket-difficulty", "0.0005", "--duration", "300"});
  ASSERT_EQ(StopAfter(run, "INFO share: Accepted", 2, 120s), 0) << run.Stderr();
  const auto summary = run.ReadLine(1s);
  ASSERT_TRUE(summary.has_value());
  EXPECT_NE(summary->find("rejected 0"), std::string::npos) << *summary;
  pool.Signal(SIGTERM);
  ASSERT_EQ(pool.Wait(10s), 0);
  EXPECT_GE(CheckPoolShares(pool.Stderr(), 0.001), 1) << run.Stderr();
  EXPECT_NE(run.Stderr().find("board BM0"), std::string::npos);
}

// Issue 14's "done when": `hashrig run -o stratum2+tcp://…/KEY` mines against `hashrig pool
// --sv2-listen`, with a simulated BM1370 chain and the CPU board in one process; no share
// is rejected and every one the pool accepted is re-hashed here with OpenSSL.
TEST(RunCommandTest, StratumV2PoolWithASimulatedBm1370ChainAndTheCpuBoard) {
  ChildProcess pool({HASHRIG_BINARY, "pool", "--listen", "127.0.0.1:0", "--sv2-listen",
                     "127.0.0.1:0", "--difficulty", "0.001"});
  ASSERT_TRUE(pool.ReadLine(10s).has_value()) << pool.Stderr();
  const auto sv2 = pool.ReadLine(10s);
  ASSERT_TRUE(sv2.has_value()) << pool.Stderr();
  const auto at = sv2->find("stratum2+tcp://");
  ASSERT_NE(at, std::string::npos) << *sv2;
  const std::string url = sv2->substr(at);
  ChildProcess run({HASHRIG_BINARY, "run", "-o", url, "-u", "e2e.rig", "--board", "sim", "--chip",
                    "BM1370", "--board", "cpu:1", "--ticket-difficulty", "0.0005", "--duration",
                    "300"});
  ASSERT_EQ(StopAfter(run, "INFO share: Accepted", 20, 120s), 0) << run.Stderr();
  const auto summary = run.ReadLine(1s);
  ASSERT_TRUE(summary.has_value());
  EXPECT_NE(summary->find("rejected 0"), std::string::npos) << *summary;
  pool.Signal(SIGTERM);
  ASSERT_EQ(pool.Wait(10s), 0);
  const std::string pool_log = pool.Stderr();
  EXPECT_GE(CheckPoolShares(pool_log, 0.001), 20) << run.Stderr();
  EXPECT_NE(pool_log.find("Stratum V2 miner connected"), std::string::npos);
  EXPECT_EQ(pool_log.find("rejected share"), std::string::npos) << pool_log;
  EXPECT_NE(run.Stderr().find("connected to stratum2+tcp://"), std::string::npos);
}

// The same pool from a configuration file, first in a list with a V1 pool after it.
TEST(RunCommandTest, StratumV2PoolFromTheConfigFile) {
  ChildProcess pool({HASHRIG_BINARY, "pool", "--listen", "127.0.0.1:0", "--sv2-listen",
                     "127.0.0.1:0", "--difficulty", "0.001"});
  const auto v1 = pool.ReadLine(10s);
  const auto sv2 = pool.ReadLine(10s);
  ASSERT_TRUE(v1.has_value() && sv2.has_value()) << pool.Stderr();
  const std::string v1_address = v1->substr(13, v1->find(' ', 13) - 13);
  const std::string url = sv2->substr(sv2->find("stratum2+tcp://"));
  const std::string config = ::testing::TempDir() + "sv2-config-" + std::to_string(::getpid());
  {
    std::ofstream out(config);
    out << R"({"url":[")" << url << R"(","stratum+tcp://)" << v1_address
        << R"("],"user":["e2e.v2","e2e.v1"],"board":"cpu:1"})";
  }
  ChildProcess run({HASHRIG_BINARY, "run", "--config", config, "--duration", "300"});
  ASSERT_EQ(StopAfter(run, "INFO share: Accepted", 3, 120s), 0) << run.Stderr();
  EXPECT_NE(run.Stderr().find("pool 0: connected to stratum2+tcp://"), std::string::npos)
      << run.Stderr();
  pool.Signal(SIGTERM);
  ASSERT_EQ(pool.Wait(10s), 0);
  EXPECT_NE(pool.Stderr().find("Stratum V2 miner connected"), std::string::npos);
  std::remove(config.c_str());
}

// A Bitaxe-class board driven by the host (`bitaxe:DATA:CONTROL`): `hashrig sim` serves
// the chain on one PTY and bitaxe-raw's control port with an EMC2101 on another, on a
// board the chips heat. In a hot room the host's own thermal loop (the firmware's policy)
// reads the diode over I2C, turns the fan to 100 % and then stops the chain.
TEST(RunCommandTest, ABitaxeBoardInAHotRoomFansUpThenTheHostStopsIt) {
  const std::string dir = ::testing::TempDir();
  const std::string data = dir + "bitaxe-data-" + std::to_string(::getpid());
  const std::string control = dir + "bitaxe-control-" + std::to_string(::getpid());
  ChildProcess sim({HASHRIG_BINARY, "sim", "--model", "BM1370", "--chips", "1", "--link", data,
                    "--control-link", control, "--ambient", "78", "--cpu-rate", "1e7"});
  ASSERT_TRUE(sim.ReadLine(10s).has_value()) << sim.Stderr();
  ChildProcess run({HASHRIG_BINARY, "run", "--board", "bitaxe:" + data + ":" + control, "--chip",
                    "BM1370", "--chips", "1", "--ticket-difficulty", "0.0005", "--duration", "300",
                    "--status-interval", "1"});
  ASSERT_EQ(StopAfter(run, "stopped: ", 1, 120s), 0) << run.Stderr();
  const std::string log = run.Stderr();
  EXPECT_NE(log.find("heat safety on EMC2101"), std::string::npos) << log;
  const auto hot = log.find("C fan 100%");
  const auto stopped = log.find("stopped: ");
  ASSERT_NE(hot, std::string::npos) << log;
  ASSERT_NE(stopped, std::string::npos) << log;
  EXPECT_LT(hot, stopped);
}

}  // namespace
}  // namespace hashrig::testing

namespace hashrig::testing {
namespace {

TEST(RunCommandTest, TheApiAnswersEveryCommandAndSurvivesGarbage) {
  ChildProcess run({HASHRIG_BINARY, "run", "--api-listen", "127.0.0.1:0", "--api-allow",
                    "W:127.0.0.1", "--metrics-listen", "127.0.0.1:0", "--duration", "120"});
  std::uint16_t port = 0;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (port == 0 && std::chrono::steady_clock::now() < deadline) {
    const std::string log = run.Stderr();
    if (const auto at = log.find("cgminer API on port "); at != std::string::npos) {
      port = static_cast<std::uint16_t>(std::stoi(log.substr(at + 20)));
    }
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_NE(port, 0) << run.Stderr();
  for (const char* command : {"version", "config", "summary", "pools", "devs", "edevs", "stats",
                              "estats", "devdetails", "coin", "check|summary", "privileged"}) {
    // Plain `cmd|param` for check, JSON for the rest: both request forms.
    const std::string name = command;
    const std::string reply =
        AskApi(port, name.find('|') != std::string::npos ? name : "{\"command\":\"" + name + "\"}");
    ASSERT_FALSE(reply.empty()) << command;
    EXPECT_EQ(reply.back(), '\0') << command;
    if (name.find('|') != std::string::npos) {  // plain: cgminer's text form
      EXPECT_EQ(reply.rfind("STATUS=S,", 0), 0u) << command << ": " << reply;
      continue;
    }
    const auto json = nlohmann::json::parse(reply.substr(0, reply.size() - 1), nullptr, false);
    ASSERT_FALSE(json.is_discarded()) << command;
    EXPECT_EQ(json["STATUS"][0]["STATUS"], "S") << command << ": " << reply;
  }
  for (const std::string& garbage :
       {std::string("\x00\xff\x10", 3), std::string("{\"command\":"), std::string(3000, 'x')}) {
    const std::string reply = AskApi(port, garbage);
    ASSERT_FALSE(reply.empty());
    if (garbage.front() == '{') {
      EXPECT_EQ(nlohmann::json::parse(reply.substr(0, reply.size() - 1))["STATUS"][0]["STATUS"],
                "E");
    } else {  // a plain request's error is in cgminer's text form
      EXPECT_EQ(reply.rfind("STATUS=E,", 0), 0u) << reply;
    }
  }
  // Shares come within seconds; an ASan build on a busy machine may need many more.
  nlohmann::json summary;
  for (const auto until = std::chrono::steady_clock::now() + 60s;
       std::chrono::steady_clock::now() < until; std::this_thread::sleep_for(200ms)) {
    summary = nlohmann::json::parse(AskApi(port, R"({"command":"summary"})").c_str());
    if (summary["SUMMARY"][0]["Accepted"].get<int>() > 0) {
      break;
    }
  }
  EXPECT_GT(summary["SUMMARY"][0]["Accepted"].get<int>(), 0);
  EXPECT_GT(summary["SUMMARY"][0]["GHS 5s"].get<double>(), 0);
  const auto pools = nlohmann::json::parse(AskApi(port, R"({"command":"pools"})").c_str());
  EXPECT_EQ(pools["POOLS"][0]["Status"], "Alive");
  EXPECT_EQ(pools["POOLS"][0]["Stratum Active"], true);
  // Prometheus: the metrics port answers a scrape with the text format.
  const std::string log = run.Stderr();
  const auto at = log.find("Prometheus metrics on port ");
  ASSERT_NE(at, std::string::npos);
  const auto metrics_port = static_cast<std::uint16_t>(std::stoi(log.substr(at + 27)));
  const std::string scrape =
      AskApi(metrics_port, "GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_EQ(scrape.rfind("HTTP/1.1 200 OK", 0), 0u) << scrape;
  EXPECT_NE(scrape.find("hashrig_shares_total{result=\"accepted\"}"), std::string::npos);
  // Issue 15, point 4: Prometheus' own checker finds nothing wrong with a live scrape.
  const std::string scrape_file = ::testing::TempDir() + "/hashrig-scrape.prom";
  std::ofstream(scrape_file) << scrape.substr(scrape.find("\r\n\r\n") + 4);
  ASSERT_EQ(std::system("command -v promtool >/dev/null"), 0)
      << "promtool is missing (Debian's prometheus package; bash scripts/test.sh installs it)";
  const std::string promtool_log = scrape_file + ".log";
  EXPECT_EQ(
      std::system(
          ("promtool check metrics < " + scrape_file + " > " + promtool_log + " 2>&1").c_str()),
      0)
      << std::ifstream(promtool_log).rdbuf();
  // Issue 15, point 1, on the live miner: the nominal rate in the unit pyasic expects, and
  // Antminer's new_api stats with its chain array.
  const auto stats = nlohmann::json::parse(AskApi(port, R"({"command":"stats"})").c_str());
  EXPECT_EQ(stats["STATS"][1]["rate_unit"], "GH");
  EXPECT_GT(stats["STATS"][1]["total_rateideal"].get<double>(), 0) << stats;
  const auto modern =
      nlohmann::json::parse(AskApi(port, R"({"command":"stats","new_api":true})").c_str());
  ASSERT_EQ(modern["STATS"][0]["chain"].size(), 1u) << modern;
  EXPECT_GT(modern["STATS"][0]["chain"][0]["asic_num"].get<int>(), 0) << modern;
  EXPECT_EQ(nlohmann::json::parse(AskApi(port, R"({"command":"quit"})").c_str())["STATUS"], "BYE");
  ASSERT_EQ(run.Wait(10s), 0);
  EXPECT_NE(run.Stderr().find("quit requested through the API"), std::string::npos);
}

}  // namespace
}  // namespace hashrig::testing

namespace hashrig::testing {
namespace {

TEST(RunCommandTest, SampleConfigLoadsAndBadConfigNamesTheField) {
  ChildProcess sample({HASHRIG_BINARY, "run", "--config",
                       std::string(HASHRIG_SOURCE_DIR) + "/docs/hashrig.sample.json",
                       "--print-config"});
  ASSERT_EQ(sample.Wait(10s), 0) << sample.Stderr();
  const std::string printed = sample.ReadToEnd(1s);
  const auto json = nlohmann::json::parse(printed);
  EXPECT_EQ(json["url"].size(), 2u);
  EXPECT_EQ(json["board"][0], "serial:/dev/ttyUSB0@115200");
  // Issue 12, point 2: not node_exporter's 9100.
  EXPECT_EQ(json["metrics-listen"], "0.0.0.0:4029");
  const std::string bad = ::testing::TempDir() + "/bad_rig.json";
  std::ofstream(bad) << R"({"chips": [1, 2]})";
  ChildProcess run({HASHRIG_BINARY, "run", "--config", bad});
  EXPECT_EQ(run.Wait(10s), 2);
  EXPECT_NE(run.Stderr().find("config field 'chips'"), std::string::npos) << run.Stderr();
}

}  // namespace
}  // namespace hashrig::testing

namespace hashrig::testing {
namespace {

// A simulated board in a hot room: the thermal policy turns the fans to 100 %, then stops
// the chain at the dangerous temperature; no nonce comes from it after that. Shares found
// just before the stop may still be answered after it (on a loaded machine, several), so
// what is checked is the hash rate: the 5 s reading falls to zero once the window has
// passed and stays there.
TEST(RunCommandTest, SimulatedOverheatFansUpThenStopsTheChain) {
  ChildProcess run({HASHRIG_BINARY, "run", "--sim-ambient", "80", "--duration", "300",
                    "--status-interval", "1"});
  ASSERT_TRUE(WaitForLog(run, "stopped: ", 0, 120s)) << run.Stderr();
  const auto stopped_at = run.Stderr().find("stopped: ");
  constexpr const char* kIdle = "(5s):0.00 H/s";
  ASSERT_TRUE(WaitForLog(run, kIdle, stopped_at, 60s)) << run.Stderr();
  // Three more status lines after the first idle one: every one still idle.
  auto at = run.Stderr().find(kIdle, stopped_at);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(WaitForLog(run, "INFO status:", at + 1, 60s)) << run.Stderr();
    at = run.Stderr().find("INFO status:", at + 1);
  }
  run.Signal(SIGTERM);
  ASSERT_EQ(run.Wait(30s), 0) << run.Stderr();
  const std::string log = run.Stderr();
  const auto hot = log.find("C fan 100%");
  const auto stopped = log.find("stopped: ");
  ASSERT_NE(hot, std::string::npos) << log;
  ASSERT_NE(stopped, std::string::npos) << log;
  EXPECT_LT(hot, stopped);  // fans up first, then the stop
  // Between its first hashing status line and the stop the chain hashed (lines before
  // mining began are idle too: on a busy machine, several); from the first idle status
  // line after the stop on, nothing.
  auto hashing = log.find("INFO status:");
  while (hashing < stopped &&
         log.substr(hashing, log.find('\n', hashing) - hashing).find(kIdle) != std::string::npos) {
    hashing = log.find("INFO status:", hashing + 1);
  }
  ASSERT_LT(hashing, stopped) << log;
  const auto idle_before = log.rfind(kIdle, stopped);
  EXPECT_TRUE(idle_before == std::string::npos || idle_before < hashing) << log;
  const auto first_idle = log.find(kIdle, stopped);
  int idle_lines = 0;
  for (auto line = log.find("INFO status:", first_idle); line != std::string::npos;
       line = log.find("INFO status:", line + 1)) {
    const auto end = log.find('\n', line);
    EXPECT_NE(log.substr(line, end - line).find(kIdle), std::string::npos)
        << "a nonce after the stop: " << log.substr(line, end - line);
    ++idle_lines;
  }
  EXPECT_GE(idle_lines, 3);
}

}  // namespace
}  // namespace hashrig::testing

namespace hashrig::testing {
namespace {

std::string ListenAddress(ChildProcess& pool) {
  const auto line = pool.ReadLine(10s);
  return line ? line->substr(13, line->find(' ', 13) - 13) : "";
}

// Kill the primary pool: hashrig fails over to the backup and keeps mining; bring the
// primary back on the same port: the probe returns mining to it.
TEST(RunCommandTest, KillThePoolFailoverAndReturn) {
  auto primary = std::make_unique<ChildProcess>(std::vector<std::string>{
      HASHRIG_BINARY, "pool", "--listen", "127.0.0.1:0", "--difficulty", "0.002"});
  const std::string primary_address = ListenAddress(*primary);
  ChildProcess backup({HASHRIG_BINARY, "pool", "--listen", "127.0.0.1:0", "--difficulty", "0.002"});
  const std::string backup_address = ListenAddress(backup);
  ASSERT_FALSE(primary_address.empty() || backup_address.empty());
  ChildProcess run({HASHRIG_BINARY, "run", "-o", "stratum+tcp://" + primary_address, "-o",
                    "stratum+tcp://" + backup_address, "--probe-interval", "2", "--duration",
                    "60"});
  ASSERT_TRUE(WaitForLog(run, "INFO share: Accepted", 0, 20s)) << run.Stderr();
  primary->Signal(SIGKILL);
  (void)primary->Wait(5s);
  primary.reset();
  const auto killed_at = run.Stderr().size();
  ASSERT_TRUE(WaitForLog(run, "failing over from pool 0 to pool 1", killed_at, 20s))
      << run.Stderr();
  const auto failed_over_at = run.Stderr().find("failing over", killed_at);
  ASSERT_TRUE(WaitForLog(run, "INFO share: Accepted", failed_over_at, 20s)) << run.Stderr();
  ChildProcess revived(
      {HASHRIG_BINARY, "pool", "--listen", primary_address, "--difficulty", "0.002"});
  ASSERT_FALSE(ListenAddress(revived).empty()) << revived.Stderr();
  const auto revived_at = run.Stderr().size();
  ASSERT_TRUE(WaitForLog(run, "pool 0 is back; returning to it", revived_at, 30s)) << run.Stderr();
  ASSERT_TRUE(WaitForLog(revived, "accepted share", 0, 20s)) << run.Stderr();
  run.Signal(SIGTERM);
  EXPECT_EQ(run.Wait(10s), 0);
}

// Issue 13, point 2: shares found while no pool was connected disappeared from every
// counter. Kill the only pool: the shares found meanwhile are held ("share held"); when a
// pool listens again they are sent if their jobs are still good there, else dropped and
// counted — stale or discarded, in the summary and the status line.
TEST(RunCommandTest, SharesFoundWithNoPoolAreHeldThenSentOrCounted) {
  auto pool = std::make_unique<ChildProcess>(std::vector<std::string>{
      HASHRIG_BINARY, "pool", "--listen", "127.0.0.1:0", "--difficulty", "0.002"});
  const std::string address = ListenAddress(*pool);
  ASSERT_FALSE(address.empty());
  ChildProcess run({HASHRIG_BINARY, "run", "-o", "stratum+tcp://" + address, "--duration", "300",
                    "--status-interval", "1"});
  ASSERT_TRUE(WaitForLog(run, "INFO share: Accepted", 0, 60s)) << run.Stderr();
  pool->Signal(SIGKILL);
  (void)pool->Wait(5s);
  pool.reset();
  const auto killed_at = run.Stderr().size();
  ASSERT_TRUE(WaitForLog(run, "share held: no pool connection", killed_at, 60s)) << run.Stderr();
  ChildProcess revived({HASHRIG_BINARY, "pool", "--listen", address, "--difficulty", "0.002"});
  ASSERT_FALSE(ListenAddress(revived).empty()) << revived.Stderr();
  ASSERT_TRUE(WaitForLog(run, "shares held while no pool was connected", killed_at, 60s))
      << run.Stderr();
  const std::string log = run.Stderr();
  const auto notice = log.find("INFO pool 0: sent ", killed_at);
  ASSERT_NE(notice, std::string::npos) << log;
  const int sent = std::stoi(log.substr(notice + 18));
  const int dropped = std::stoi(log.substr(log.find("; dropped ", notice) + 10));
  EXPECT_GT(sent + dropped, 0) << log;
  ASSERT_EQ(StopAfter(run, "INFO share: Accepted", CountOf(log, "INFO share: Accepted") + 4, 60s),
            0)
      << run.Stderr();
  // Version rolling survives the outage (the refused connections during it were taken
  // for a pool refusing mining.configure, and rolling stayed off): a rolled share.
  const std::string accepted = revived.Stderr();
  bool rolled = false;
  for (auto at = accepted.find(" header "); at != std::string::npos;
       at = accepted.find(" header ", at + 1)) {
    rolled = rolled || accepted.substr(at + 8, 8) != "00000020";  // LE 0x20000000
  }
  EXPECT_TRUE(rolled) << accepted;
  const auto summary = run.ReadLine(1s);
  ASSERT_TRUE(summary.has_value());
  // The dropped ones are counted (a restarted pool knows none of the old jobs: stale).
  const int stale = std::stoi(summary->substr(summary->find("stale ") + 6));
  const int discarded = std::stoi(summary->substr(summary->find("discarded ") + 10));
  EXPECT_GE(stale + discarded, dropped) << *summary << "\n" << run.Stderr();
}

// Issue 13, point 1: at a pool difficulty of 1e-8 a CPU board finds ~100,000 shares a
// second. It took 67 s to stop a 10 s run (2 GB, a log line per share, 2.3 million lost).
// Submits in flight are capped, the rest queued or discarded and counted, share lines
// summarised beyond 20 a second; the status line keeps coming and SIGTERM is on time.
TEST(RunCommandTest, AShareFloodIsBoundedAndTheMinerStaysResponsive) {
  const auto started = std::chrono::steady_clock::now();
  ChildProcess run({HASHRIG_BINARY, "run", "--board", "cpu:1", "--pool-difficulty", "1e-8",
                    "--duration", "300", "--status-interval", "1"});
  ASSERT_TRUE(WaitForCount(run, "INFO status:", 4, 120s)) << run.Stderr().substr(0, 4000);
  run.Signal(SIGTERM);
  ASSERT_EQ(run.Wait(30s), 0);
  const std::string log = run.Stderr();
  const auto summary = run.ReadLine(1s);
  ASSERT_TRUE(summary.has_value());
  EXPECT_GT(std::stoi(summary->substr(summary->find("accepted ") + 9)), 0) << *summary;
  EXPECT_GT(std::stoi(summary->substr(summary->find("discarded ") + 10)), 0) << *summary;
  // Lost: at most what was in flight when it stopped.
  EXPECT_LE(std::stoi(summary->substr(summary->find("lost ") + 5)), 32) << *summary;
  EXPECT_NE(log.find("share lines a second; not logged: "), std::string::npos);
  // The log is bounded by time, not by shares: 20 share lines, a summary and a status line
  // a second (about 100,000 shares a second were found).
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started)
          .count();
  EXPECT_LE(CountOf(log, "\n"), 30 + (seconds + 1) * 25) << seconds << " s";
}

// Issue 12, point 3: SIGHUP killed the miner silently (exit 129, no log line). It
// re-reads the config: a new pool list takes effect without a pause in mining, a broken
// file is refused with its error and mining goes on; without --config it says so.
TEST(RunCommandTest, SighupReReadsTheConfigAndMiningGoesOn) {
  ChildProcess first({HASHRIG_BINARY, "pool", "--listen", "127.0.0.1:0", "--difficulty", "0.002"});
  ChildProcess second({HASHRIG_BINARY, "pool", "--listen", "127.0.0.1:0", "--difficulty", "0.002"});
  const std::string a = ListenAddress(first);
  const std::string b = ListenAddress(second);
  ASSERT_FALSE(a.empty() || b.empty());
  const std::string config =
      ::testing::TempDir() + "hashrig-hup-" + std::to_string(::getpid()) + ".json";
  std::ofstream(config) << R"({"url": "stratum+tcp://)" << a << R"("})";
  ChildProcess run({HASHRIG_BINARY, "run", "--config", config, "--duration", "300"});
  ASSERT_TRUE(WaitForLog(run, "INFO share: Accepted", 0, 60s)) << run.Stderr();
  std::ofstream(config) << R"({"url": "stratum+tcp://)" << b << R"(", "log-level": "info"})";
  run.Signal(SIGHUP);
  ASSERT_TRUE(WaitForLog(run, "SIGHUP: config re-read", 0, 30s)) << run.Stderr();
  EXPECT_TRUE(WaitForLog(run, "SIGHUP: added pool stratum+tcp://" + b, 0, 1s)) << run.Stderr();
  EXPECT_TRUE(WaitForLog(run, "SIGHUP: removed pool stratum+tcp://" + a, 0, 1s)) << run.Stderr();
  EXPECT_TRUE(WaitForLog(second, "accepted share", 0, 60s)) << run.Stderr();
  std::ofstream(config) << "{broken";
  run.Signal(SIGHUP);
  ASSERT_TRUE(WaitForLog(run, "SIGHUP: config not reloaded", 0, 30s)) << run.Stderr();
  EXPECT_NE(run.Stderr().find("JSON syntax error"), std::string::npos) << run.Stderr();
  const int accepted = CountOf(run.Stderr(), "INFO share: Accepted");
  EXPECT_EQ(StopAfter(run, "INFO share: Accepted", accepted + 1, 60s), 0) << run.Stderr();
  std::filesystem::remove(config);

  ChildProcess plain({HASHRIG_BINARY, "run", "--duration", "300"});
  ASSERT_TRUE(WaitForLog(plain, "INFO share: Accepted", 0, 60s)) << plain.Stderr();
  plain.Signal(SIGHUP);
  ASSERT_TRUE(WaitForLog(plain, "SIGHUP: started without --config", 0, 30s)) << plain.Stderr();
  const int before = CountOf(plain.Stderr(), "INFO share: Accepted");
  EXPECT_EQ(StopAfter(plain, "INFO share: Accepted", before + 1, 60s), 0) << plain.Stderr();
}

// Issue 12, point 4: a clean stop left a share Lost and logged a WARN. A stop submits
// nothing more, waits (2 s at most) for the answers to the shares sent, then closes.
TEST(RunCommandTest, AStopWaitsForTheAnswersToTheSharesSent) {
  ChildProcess pool({HASHRIG_BINARY, "pool", "--listen", "127.0.0.1:0", "--difficulty", "0.0002"});
  const std::string address = ListenAddress(pool);
  ASSERT_FALSE(address.empty());
  ChildProcess run({HASHRIG_BINARY, "run", "-o", "stratum+tcp://" + address, "--duration", "300"});
  ASSERT_EQ(StopAfter(run, "INFO share: Accepted", 20, 120s), 0) << run.Stderr();
  const auto summary = run.ReadLine(1s);
  ASSERT_TRUE(summary.has_value());
  EXPECT_NE(summary->find("lost 0,"), std::string::npos) << *summary << "\n" << run.Stderr();
  EXPECT_EQ(run.Stderr().find(" WARN "), std::string::npos) << run.Stderr();
}

// Close the chain's PTY: the chain is marked down; when a simulator appears again at the
// same path the chain is initialised again and mines.
TEST(RunCommandTest, ChainPtyClosedIsMarkedDownAndPickedUpAgain) {
  const std::string link = ::testing::TempDir() + "/hashrig-chain0-" + std::to_string(::getpid());
  const std::vector<std::string> sim_args = {HASHRIG_BINARY, "sim", "--model",    "BM1370",
                                             "--chips",      "1",   "--cpu-rate", "1e7",
                                             "--link",       link};
  auto sim = std::make_unique<ChildProcess>(sim_args);
  ASSERT_TRUE(sim->ReadLine(10s).has_value());
  ChildProcess run({HASHRIG_BINARY, "run", "--board", "serial:" + link, "--chip", "BM1370",
                    "--chips", "1", "--ticket-difficulty", "0.0005", "--status-interval", "1",
                    "--duration", "90"});
  ASSERT_TRUE(WaitForLog(run, "INFO share: Accepted", 0, 40s)) << run.Stderr();
  sim->Signal(SIGKILL);
  (void)sim->Wait(5s);
  sim.reset();
  // A killed simulator cannot remove its link; take the stale one away as udev does for a
  // device that is gone. Left, it names a PTY number the kernel hands to the next PTY
  // opened — another test's simulator, which `run` would then open and talk over.
  std::filesystem::remove(link);
  const auto closed_at = run.Stderr().size();
  ASSERT_TRUE(WaitForLog(run, "BM0 down:", closed_at, 20s)) << run.Stderr();
  ChildProcess again(sim_args);
  ASSERT_TRUE(again.ReadLine(10s).has_value());
  const auto back_at = run.Stderr().size();
  ASSERT_TRUE(WaitForLog(run, "INFO share: Accepted", back_at, 60s)) << run.Stderr();
  run.Signal(SIGTERM);
  EXPECT_EQ(run.Wait(10s), 0);
}

// Chips that never take the fast UART rate (the simulator ignores the request): the host
// finds them silent there and answering at 115,200, asks again, then mines at 115,200 and
// says so as the chain's problem — accepted shares, not a chain failed and retried.
TEST(RunCommandTest, ChipsThatIgnoreTheFastRateMineAtTheResetRateAndSaySo) {
  const std::string link = ::testing::TempDir() + "/hashrig-slow-" + std::to_string(::getpid());
  ChildProcess sim({HASHRIG_BINARY, "sim", "--model", "BM1370", "--chips", "2", "--cpu-rate", "2e6",
                    "--link", link, "--ignore-rate-switch"});
  ASSERT_TRUE(sim.ReadLine(10s).has_value()) << sim.Stderr();
  ChildProcess run({HASHRIG_BINARY, "run", "--board", "serial:" + link, "--chip", "BM1370",
                    "--chips", "2", "--ticket-difficulty", "0.0005", "--pool-difficulty", "0.0002",
                    "--duration", "90"});
  ASSERT_TRUE(
      WaitForLog(run, "WARN BM0: mining: the chips did not take the fast UART rate", 0, 60s))
      << run.Stderr();
  ASSERT_TRUE(WaitForLog(run, "INFO share: Accepted", 0, 60s)) << run.Stderr();
  run.Signal(SIGTERM);
  ASSERT_EQ(run.Wait(10s), 0) << run.Stderr();
  const auto summary = run.ReadLine(1s);
  ASSERT_TRUE(summary.has_value());
  EXPECT_NE(summary->find("hardware errors 0"), std::string::npos) << *summary;
  EXPECT_EQ(run.Stderr().find("failed:"), std::string::npos) << run.Stderr();
}

}  // namespace
}  // namespace hashrig::testing

namespace hashrig::testing {
namespace {

// A reload or stop sent while the miner starts (here: before it even runs, the signals
// blocked by whoever started it, as some supervisors leave them) is acted on once the
// daemon's handlers are in place: the config is re-read, then SIGTERM stops it with exit 0.
// Before, such a SIGHUP ended the process (exit 129) or, blocked, was never heard.
TEST(RunCommandTest, ASignalSentWhileTheMinerStartsIsActedOn) {
  const std::string config =
      ::testing::TempDir() + "hashrig-early-hup-" + std::to_string(::getpid()) + ".json";
  std::ofstream(config) << R"({"log-level": "info"})";
  sigset_t hup;
  sigemptyset(&hup);
  sigaddset(&hup, SIGHUP);
  sigset_t before;
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &hup, &before), 0);
  ChildProcess run({HASHRIG_BINARY, "run", "--config", config, "--duration", "300"});
  run.Signal(SIGHUP);  // pending in the child from its first instruction
  ASSERT_EQ(pthread_sigmask(SIG_SETMASK, &before, nullptr), 0);
  ASSERT_TRUE(WaitForLog(run, "SIGHUP: config re-read", 0, 60s)) << run.Stderr();
  ASSERT_TRUE(WaitForLog(run, "INFO share: Accepted", 0, 60s)) << run.Stderr();
  run.Signal(SIGTERM);
  EXPECT_EQ(run.Wait(30s), 0) << run.Stderr();
  std::filesystem::remove(config);
}

}  // namespace
}  // namespace hashrig::testing

namespace hashrig::testing {
namespace {

// Issue 12, point 12: a bad listen address is refused before anything starts (exit 2,
// no board opened, no pool dialled); IPv6 and every-interface addresses are accepted.
TEST(RunCommandTest, ABadListenAddressExitsTwoBeforeAnythingStarts) {
  for (const char* option : {"--api-listen", "--metrics-listen"}) {
    ChildProcess bad({HASHRIG_BINARY, "run", option, "bogus:99999", "--duration", "30"});
    EXPECT_EQ(bad.Wait(10s), 2) << bad.Stderr();
    EXPECT_NE(bad.Stderr().find(std::string(option) + ": 'bogus:99999'"), std::string::npos)
        << bad.Stderr();
    EXPECT_EQ(bad.Stderr().find("board"), std::string::npos) << bad.Stderr();
  }
  ChildProcess good({HASHRIG_BINARY, "run", "--api-listen", "[::]:0", "--metrics-listen",
                     "0.0.0.0:0", "--duration", "300"});
  if (!WaitForLog(good, "Prometheus metrics on port", 0, 30s)) {
    good.Signal(SIGTERM);
    (void)good.Wait(30s);
    if (good.Stderr().find("cannot listen on [::]:0") != std::string::npos) {
      GTEST_SKIP() << "no IPv6 on this machine: " << good.Stderr();
    }
    FAIL() << good.Stderr();
  }
  const auto port = PortInLog(good.Stderr(), "cgminer API on port ");
  ASSERT_NE(port, 0) << good.Stderr();
  EXPECT_EQ(AskApi(port, "summary").rfind("STATUS=S,", 0), 0u);
  good.Signal(SIGTERM);
  EXPECT_EQ(good.Wait(30s), 0) << good.Stderr();
}

}  // namespace
}  // namespace hashrig::testing

namespace hashrig::testing {
namespace {

// Issue 12, point 8: a worker name with no pool is refused (it would mine the demo pool
// for nothing), on the command line and in a config; with a pool that is down the status
// line says "no pool".
TEST(RunCommandTest, AWorkerWithoutAPoolIsRefusedAndNoPoolIsSaid) {
  ChildProcess flags({HASHRIG_BINARY, "run", "-u", "wallet.worker", "-p", "x"});
  EXPECT_EQ(flags.Wait(10s), 2) << flags.Stderr();
  EXPECT_NE(flags.Stderr().find("given without -o"), std::string::npos) << flags.Stderr();
  const std::string config =
      ::testing::TempDir() + "hashrig-nourl-" + std::to_string(::getpid()) + ".json";
  std::ofstream(config) << R"({"user": "wallet.worker", "pass": "x"})";
  ChildProcess file({HASHRIG_BINARY, "run", "--config", config});
  EXPECT_EQ(file.Wait(10s), 2) << file.Stderr();
  EXPECT_NE(file.Stderr().find("given without -o (config: url)"), std::string::npos)
      << file.Stderr();
  std::filesystem::remove(config);

  ChildProcess down({HASHRIG_BINARY, "run", "-o", "stratum+tcp://127.0.0.1:1", "-u",
                     "wallet.worker", "--status-interval", "1", "--duration", "300"});
  ASSERT_TRUE(WaitForLog(down, "| no pool", 0, 60s)) << down.Stderr();
  // Point 13: with no work the chain idles: nothing hashed, the board stays at ambient
  // (25 C; an idle board used to heat to 71 C burning a quarter of a core).
  const auto first = down.Stderr().find("| no pool");
  ASSERT_TRUE(WaitForCount(down, "| no pool", 4, 60s)) << down.Stderr();
  const std::string log = down.Stderr();
  for (auto at = log.find("INFO status:", first); at != std::string::npos;
       at = log.find("INFO status:", at + 1)) {
    const std::string line = log.substr(at, log.find('\n', at) - at);
    EXPECT_NE(line.find("(5s):0.00 H/s"), std::string::npos) << line;
    const auto sim = line.find("SIM0 ");
    ASSERT_NE(sim, std::string::npos) << line;
    EXPECT_LT(std::stod(line.substr(sim + 5)), 30.0) << line;
  }
  down.Signal(SIGTERM);
  EXPECT_EQ(down.Wait(30s), 0) << down.Stderr();
}

}  // namespace
}  // namespace hashrig::testing

namespace hashrig::testing {
namespace {

// Issue 12, point 9: a board that never answers fails with its reason at ERROR, and the
// API's devs says the same (Status "Dead", State the log's words), not a bare "failed".
TEST(RunCommandTest, AFailedBoardSaysWhyInTheLogAndTheApi) {
  const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  ASSERT_GE(master, 0);
  ASSERT_EQ(::grantpt(master), 0);
  ASSERT_EQ(::unlockpt(master), 0);
  const std::string silent = ::ptsname(master);  // a serial line no chip answers on
  ChildProcess run({HASHRIG_BINARY, "run", "--board", "serial:" + silent, "-o",
                    "stratum+tcp://127.0.0.1:1", "--api-listen", "127.0.0.1:0", "--duration",
                    "300"});
  constexpr const char* kWhy = "failed: no chip answered the CHIP_ID read";
  ASSERT_TRUE(WaitForLog(run, std::string("ERROR BM0: ") + kWhy, 0, 60s)) << run.Stderr();
  const auto port = PortInLog(run.Stderr(), "cgminer API on port ");
  ASSERT_NE(port, 0) << run.Stderr();
  const auto devs = nlohmann::json::parse(AskApi(port, R"({"command":"devs"})").c_str());
  ASSERT_EQ(devs["DEVS"].size(), 1u) << devs;
  EXPECT_EQ(devs["DEVS"][0]["Status"], "Dead") << devs;
  EXPECT_EQ(devs["DEVS"][0]["State"], kWhy) << devs;
  run.Signal(SIGTERM);
  EXPECT_EQ(run.Wait(30s), 0) << run.Stderr();
  ::close(master);
}

}  // namespace
}  // namespace hashrig::testing

namespace hashrig::testing {
namespace {

// Issue 12, point 11: `hashrig pool --tls-cert` can be mined from `hashrig run`: by its CA
// file, by its pinned fingerprint (any name in the URL), or, loudly, with no check at all.
// Without any of these the self-signed pool is refused; a malformed pin exits 2.
TEST(RunCommandTest, ATlsPoolIsMinedByCaFileByPinOrLoudlyInsecure) {
  const auto dir = std::filesystem::path(::testing::TempDir()) /
                   ("hashrig-run-tls-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const TlsFiles files = MakeSelfSignedCertificate(dir);
  ChildProcess pool({HASHRIG_BINARY, "pool", "--listen", "127.0.0.1:0", "--difficulty", "0.002",
                     "--tls-cert", files.cert.string(), "--tls-key", files.key.string()});
  const std::string address = ListenAddress(pool);
  ASSERT_FALSE(address.empty()) << pool.Stderr();
  const std::string port = address.substr(address.rfind(':') + 1);
  const auto mine = [](std::vector<std::string> argv) {
    argv.insert(argv.begin(), {HASHRIG_BINARY, "run", "--duration", "300"});
    ChildProcess run(argv);
    const bool accepted = WaitForLog(run, "INFO share: Accepted", 0, 60s);
    run.Signal(SIGTERM);
    EXPECT_EQ(run.Wait(30s), 0) << run.Stderr();
    return std::make_pair(accepted, run.Stderr());
  };
  const auto [by_ca, ca_log] =
      mine({"-o", "stratum+ssl://localhost:" + port, "--tls-ca", files.cert.string()});
  EXPECT_TRUE(by_ca) << ca_log;
  const auto [by_pin, pin_log] =
      mine({"-o", "stratum+ssl://127.0.0.1:" + port, "--tls-fingerprint", files.fingerprint});
  EXPECT_TRUE(by_pin) << pin_log;
  const auto [insecure, insecure_log] =
      mine({"-o", "stratum+ssl://127.0.0.1:" + port, "--tls-insecure"});
  EXPECT_TRUE(insecure) << insecure_log;
  EXPECT_NE(insecure_log.find("WARN run: --tls-insecure: TLS pools' certificates are NOT checked"),
            std::string::npos)
      << insecure_log;

  ChildProcess unchecked(
      {HASHRIG_BINARY, "run", "-o", "stratum+ssl://localhost:" + port, "--duration", "300"});
  EXPECT_TRUE(WaitForLog(unchecked, "TLS handshake", 0, 60s)) << unchecked.Stderr();
  unchecked.Signal(SIGTERM);
  EXPECT_EQ(unchecked.Wait(30s), 0);
  EXPECT_EQ(unchecked.Stderr().find("Accepted"), std::string::npos) << unchecked.Stderr();

  ChildProcess bad_pin({HASHRIG_BINARY, "run", "-o", "stratum+ssl://127.0.0.1:" + port,
                        "--tls-fingerprint", "12:34"});
  EXPECT_EQ(bad_pin.Wait(10s), 2) << bad_pin.Stderr();
  EXPECT_NE(bad_pin.Stderr().find("--tls-fingerprint"), std::string::npos) << bad_pin.Stderr();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hashrig::testing

namespace hashrig::testing {
namespace {

// Issue 12, point 5: a Bitaxe's ASIC is powered by its TPS546. Driven only on its data
// port the (simulated) board stays silent; as a bitaxe: board the host sets the core
// voltage asked for, mines, and reports the regulator's readings in the log, the status
// line, the API and /metrics. A voltage outside the model's range is refused.
TEST(RunCommandTest, ABitaxeBoardIsPoweredAtItsVoltageAndReportsIt) {
  const std::string dir = ::testing::TempDir();
  const std::string data = dir + "bitaxe-vr-data-" + std::to_string(::getpid());
  const std::string control = dir + "bitaxe-vr-control-" + std::to_string(::getpid());
  ChildProcess sim({HASHRIG_BINARY, "sim", "--model", "BM1370", "--chips", "1", "--link", data,
                    "--control-link", control, "--cpu-rate", "1e7"});
  ASSERT_TRUE(sim.ReadLine(10s).has_value()) << sim.Stderr();

  ChildProcess unpowered({HASHRIG_BINARY, "run", "--board", "serial:" + data, "--chip", "BM1370",
                          "--duration", "300"});
  EXPECT_TRUE(WaitForLog(unpowered, "failed: no chip answered the CHIP_ID read", 0, 60s))
      << unpowered.Stderr();
  unpowered.Signal(SIGTERM);
  EXPECT_EQ(unpowered.Wait(30s), 0);

  ChildProcess too_high({HASHRIG_BINARY, "run", "--board", "bitaxe:" + data + ":" + control,
                         "--chip", "BM1370", "--voltage", "1.5"});
  EXPECT_EQ(too_high.Wait(10s), 2) << too_high.Stderr();
  EXPECT_NE(too_high.Stderr().find("--voltage '1.5': a BM1370 takes 1.00..1.300 V"),
            std::string::npos)
      << too_high.Stderr();

  ChildProcess run({HASHRIG_BINARY, "run", "--board", "bitaxe:" + data + ":" + control, "--chip",
                    "BM1370", "--voltage", "1.2", "--ticket-difficulty", "0.0005", "--api-listen",
                    "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0", "--status-interval", "1",
                    "--duration", "300"});
  ASSERT_TRUE(WaitForLog(run, "INFO share: Accepted", 0, 90s)) << run.Stderr();
  // The status line carries the read-back voltage (2^-9 V steps: 1.199) and the power.
  const auto status = CountOf(run.Stderr(), "INFO status:");
  ASSERT_TRUE(WaitForCount(run, "INFO status:", status + 2, 30s)) << run.Stderr();
  const std::string log = run.Stderr();
  const auto last = log.rfind("INFO status:");
  const std::string line = log.substr(last, log.find('\n', last) - last);
  EXPECT_TRUE(line.find(" 1.199V ") != std::string::npos ||
              line.find(" 1.200V ") != std::string::npos)
      << line;
  EXPECT_NE(log.find("core 1.200 V by its TPS546"), std::string::npos) << log;
  const auto api = PortInLog(log, "cgminer API on port ");
  const auto metrics = PortInLog(log, "Prometheus metrics on port ");
  ASSERT_NE(api, 0) << log;
  ASSERT_NE(metrics, 0) << log;
  const auto devs = nlohmann::json::parse(AskApi(api, R"({"command":"devs"})").c_str());
  EXPECT_NEAR(devs["DEVS"][0]["Core Voltage"].get<double>(), 1.2, 0.002) << devs;
  EXPECT_GT(devs["DEVS"][0]["Power"].get<double>(), 0) << devs;
  EXPECT_EQ(devs["DEVS"][0]["VR Status Word"], 0) << devs;
  const std::string scrape = AskApi(metrics, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  const auto volts = scrape.find("hashrig_chain_core_volts{chain=\"BM0\"} ");
  ASSERT_NE(volts, std::string::npos) << scrape;
  EXPECT_NEAR(std::stod(scrape.substr(volts + 38)), 1.2, 0.002) << scrape;
  EXPECT_NE(scrape.find("hashrig_chain_core_watts{chain=\"BM0\"}"), std::string::npos) << scrape;
  EXPECT_NE(scrape.find("hashrig_chain_temperature_celsius{chain=\"BM0\"}"), std::string::npos)
      << scrape;
  run.Signal(SIGTERM);
  EXPECT_EQ(run.Wait(30s), 0) << run.Stderr();
}

}  // namespace
}  // namespace hashrig::testing

namespace hashrig::testing {
namespace {

// Issue 15, points 5 and 7, with the real binary: `hashrig passwd` keeps the rest of the
// config, `hashrig run --http-listen` serves the page, the REST API and /metrics on one
// port, bounds a request's body, refuses a config hash it did not write.
TEST(RunCommandTest, PasswdAndTheDashboardPort) {
  const std::string config = ::testing::TempDir() + "/hashrig-dashboard.json";
  std::ofstream(config) << R"({"status-interval": 1, "log-level": "info"})";
  namespace fs = std::filesystem;
  fs::permissions(config, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  const std::string link = config + ".link";  // written through a symlink: the file changes
  fs::remove(link);
  fs::create_symlink(config, link);
  const auto passwd = [](const std::string& input, const std::string& args) {
    return std::system(("printf '" + input + "' | " + std::string(HASHRIG_BINARY) + " passwd " +
                        args + " 2>/dev/null")
                           .c_str());
  };
  ASSERT_EQ(passwd("open sesame\\n", "--config " + link), 0);
  EXPECT_TRUE(fs::is_symlink(link));  // the link stays a link
  EXPECT_EQ(fs::status(config).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);  // kept
  EXPECT_NE(passwd("   \\n", "--config " + config), 0);  // a blank password is refused
  const std::string fresh = ::testing::TempDir() + "/hashrig-fresh.json";
  fs::remove(fresh);
  ASSERT_EQ(passwd("s3cret\\n", "--config " + fresh), 0);  // a new file, only its owner's
  EXPECT_EQ(fs::status(fresh).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_NE(passwd("x\\n", "--print extra"), 0);
  std::ifstream in(config);
  const auto written = nlohmann::json::parse(in);
  EXPECT_EQ(written["status-interval"], 1);  // the rest is kept
  ASSERT_TRUE(written["http-password-hash"].is_string());
  EXPECT_EQ(written["http-password-hash"].get<std::string>().rfind("pbkdf2-sha256$", 0), 0u);

  ChildProcess run({HASHRIG_BINARY, "run", "--config", config, "--http-listen", "127.0.0.1:0",
                    "--duration", "120"});
  ASSERT_TRUE(WaitForLog(run, "dashboard (HTTP) on port ", 0, 30s)) << run.Stderr();
  const auto port = PortInLog(run.Stderr(), "dashboard (HTTP) on port ");
  const std::string page = AskApi(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(page.rfind("HTTP/1.1 200 OK", 0), 0u) << page.substr(0, 200);
  EXPECT_NE(page.find("<title>hashrig</title>"), std::string::npos);
  const std::string summary = AskApi(port, "GET /api/v1/summary HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(summary.find("\"hashrate\""), std::string::npos) << summary.substr(0, 300);
  const std::string scrape = AskApi(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(scrape.find("hashrig_uptime_seconds"), std::string::npos);
  const std::string session = AskApi(port, "GET /api/v1/session HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(session.find("\"password_set\":true"), std::string::npos) << session;
  const std::string huge =
      "POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" +
      std::string(100000, 'x');
  const std::string refused = AskApi(port, huge);
  EXPECT_TRUE(refused.empty() || refused.rfind("HTTP/1.1 413", 0) == 0) << refused.substr(0, 200);
  EXPECT_EQ(
      AskApi(port, "GET /api/v1/summary HTTP/1.1\r\nHost: x\r\n\r\n").rfind("HTTP/1.1 200", 0),
      0u);  // and the next is answered
  run.Signal(SIGTERM);
  EXPECT_EQ(run.Wait(30s), 0);

  ChildProcess bad({HASHRIG_BINARY, "run", "--http-password-hash", "hunter2"});
  EXPECT_EQ(bad.Wait(30s), 2);
  EXPECT_NE(bad.Stderr().find("--http-password-hash: not a hash `hashrig passwd` wrote"),
            std::string::npos)
      << bad.Stderr();
  ChildProcess neither({HASHRIG_BINARY, "passwd"});
  EXPECT_EQ(neither.Wait(30s), 2);
}

}  // namespace
}  // namespace hashrig::testing

namespace hashrig::testing {
namespace {

// Issue 15, point 6, on a running miner: the cgminer API's ascset moves a simulated
// chain to another clock (it restarts at it), another fan target, another core voltage
// at its regulator; the reports say so, and a value outside the limits changes nothing.
TEST(RunCommandTest, AscsetRetunesARunningChain) {
  ChildProcess run({HASHRIG_BINARY, "run", "--api-listen", "127.0.0.1:0", "--api-allow",
                    "W:127.0.0.1", "--duration", "300", "--status-interval", "1"});
  ASSERT_TRUE(WaitForLog(run, "cgminer API on port ", 0, 30s)) << run.Stderr();
  const auto port = PortInLog(run.Stderr(), "cgminer API on port ");
  ASSERT_TRUE(WaitForLog(run, "SIM0: mining", 0, 120s)) << run.Stderr();
  const auto ask = [port](const std::string& parameter) {
    const std::string reply =
        AskApi(port, R"({"command":"ascset","parameter":")" + parameter + R"("})");
    return nlohmann::json::parse(reply.substr(0, reply.find('\0')));
  };
  EXPECT_EQ(ask("0,freq,400")["STATUS"][0]["STATUS"], "S");
  EXPECT_EQ(ask("0,target,50")["STATUS"][0]["STATUS"], "S");
  EXPECT_EQ(ask("0,voltage,1.1")["STATUS"][0]["STATUS"], "S");
  EXPECT_EQ(ask("0,voltage,3")["STATUS"][0]["STATUS"], "E");
  // Each is applied on the chain's thread and said in one line or several.
  const auto applied = [&run](const std::string& what) {
    std::istringstream lines(run.Stderr());
    for (std::string line; std::getline(lines, line);) {
      if (line.find("SIM0: settings applied: ") != std::string::npos &&
          line.find(what) != std::string::npos) {
        return true;
      }
    }
    return false;
  };
  for (const char* what : {"clock 400.00 MHz", "core 1.100 V", "fan target 50.0 C"}) {
    bool seen = false;
    for (const auto until = std::chrono::steady_clock::now() + 60s;
         !seen && std::chrono::steady_clock::now() < until; std::this_thread::sleep_for(100ms)) {
      seen = applied(what);
    }
    EXPECT_TRUE(seen) << what << " in " << run.Stderr();
  }
  // The chain mines again at the new clock, with its regulator at the new voltage.
  nlohmann::json stats;
  bool retuned = false;
  for (const auto until = std::chrono::steady_clock::now() + 120s;
       !retuned && std::chrono::steady_clock::now() < until; std::this_thread::sleep_for(250ms)) {
    const std::string reply = AskApi(port, R"({"command":"devs"})");
    const auto devs = nlohmann::json::parse(reply.substr(0, reply.find('\0')));
    const std::string reply2 = AskApi(port, R"({"command":"stats"})");
    stats = nlohmann::json::parse(reply2.substr(0, reply2.find('\0')));
    retuned = stats["STATS"][1]["freq_avg1"] == 400.0 && devs["DEVS"][0]["Status"] == "Alive" &&
              devs["DEVS"][0].contains("Core Voltage") &&
              std::abs(devs["DEVS"][0]["Core Voltage"].get<double>() - 1.1) < 0.02;
  }
  EXPECT_TRUE(retuned) << stats;
  EXPECT_EQ(CountOf(run.Stderr(), "settings not applied"), 0) << run.Stderr();
  run.Signal(SIGTERM);
  EXPECT_EQ(run.Wait(30s), 0);
}

}  // namespace
}  // namespace hashrig::testing
