// Issue 16's "done when", end to end with real processes: `hashrig sim --avalon` (Avalon 8
// and Avalon 10 modules, on a raw CN stream and behind the simulated AUC) on a PTY,
// `hashrig run --board avalon:PTY` (or auc:PTY) together with a simulated BM13xx chain in
// the same process, mining against `hashrig pool`: shares accepted, none rejected, and
// every share the pool accepted re-hashed here with OpenSSL. Then `hashrig scan` and
// `hashrig board-test` on the same modules, as a test jig runs them.
#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>

#include <csignal>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/ask.h"
#include "support/child_process.h"
#include "support/shared_data.h"

namespace hashrig::testing {
namespace {

using namespace std::chrono_literals;

// The port `hashrig run` says its cgminer API listens on; 0 if it does not within 10 s.
std::uint16_t ApiPort(ChildProcess& run) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string log = run.Stderr();
    if (const auto at = log.find("cgminer API on port "); at != std::string::npos) {
      return static_cast<std::uint16_t>(std::stoi(log.substr(at + 20)));
    }
    std::this_thread::sleep_for(50ms);
  }
  return 0;
}

// The cgminer API's answer to `command` as JSON (its closing NUL left out); discarded if it
// is not JSON.
nlohmann::json ApiJson(std::uint16_t port, const std::string& command) {
  return nlohmann::json::parse(AskApi(port, R"({"command":")" + command + "\"}").c_str(), nullptr,
                               false);
}

// The shares chain `name` submitted, as the API's devs says (cgminer's per-device Accepted).
long long Submitted(std::uint16_t port, const std::string& name) {
  const auto devs = ApiJson(port, "devs");
  if (devs.is_discarded() || !devs.contains("DEVS")) {
    return -1;
  }
  for (const auto& d : devs["DEVS"]) {
    if (d.value("Name", "") == name) {
      return d.value("Accepted", -1LL);
    }
  }
  return -1;
}

struct AvalonRun {
  const char* generation;
  const char* modules;
  bool auc;
};

class AvalonRunTest : public ::testing::TestWithParam<AvalonRun> {};

TEST_P(AvalonRunTest, ModulesMineWithASimulatedChainAgainstThePool) {
  const AvalonRun& p = GetParam();
  ChildProcess pool({HASHRIG_BINARY, "pool", "--listen", "127.0.0.1:0", "--difficulty", "0.001"});
  const auto listening = pool.ReadLine(10s);
  ASSERT_TRUE(listening.has_value()) << pool.Stderr();
  const std::string address = listening->substr(13, listening->find(' ', 13) - 13);
  std::vector<std::string> sim_args = {HASHRIG_BINARY, "sim",     "--avalon",   p.generation,
                                       "--modules",    p.modules, "--cpu-rate", "4e6"};
  if (p.auc) {
    sim_args.emplace_back("--auc");
  }
  ChildProcess sim(sim_args);
  const auto pty = sim.ReadLine(10s);
  ASSERT_TRUE(pty.has_value()) << sim.Stderr();
  const std::string path = pty->substr(4, pty->find(' ', 4) - 4);
  ChildProcess run({HASHRIG_BINARY, "run", "-o", "stratum+tcp://" + address, "-u", "e2e.rig",
                    "--board", std::string(p.auc ? "auc:" : "avalon:") + path, "--board", "sim",
                    "--api-listen", "127.0.0.1:0", "--duration", "300"});
  const std::uint16_t port = ApiPort(run);
  ASSERT_NE(port, 0) << run.Stderr();
  // The modules' own shares, not only the simulated chain's.
  const auto deadline = std::chrono::steady_clock::now() + 180s;
  while (Submitted(port, "AV0") < 5 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(200ms);
  }
  ASSERT_GE(Submitted(port, "AV0"), 5) << run.Stderr();
  {  // the modules' fans reach the chain's fan1 (bmminer's RPM), as the BM13xx boards' do
    const auto stats = ApiJson(port, "stats");
    ASSERT_FALSE(stats.is_discarded());
    EXPECT_TRUE(stats["STATS"][1]["fan1"].is_number()) << stats["STATS"][1];
  }
  ASSERT_EQ(StopAfter(run, "INFO share: Accepted", 12, 180s), 0) << run.Stderr();
  const auto summary = run.ReadLine(1s);
  ASSERT_TRUE(summary.has_value());
  EXPECT_NE(summary->find("rejected 0"), std::string::npos) << *summary << run.Stderr();
  EXPECT_NE(summary->find("hardware errors 0"), std::string::npos) << *summary << run.Stderr();
  pool.Signal(SIGTERM);
  ASSERT_EQ(pool.Wait(10s), 0);
  EXPECT_GE(CheckPoolShares(pool.Stderr(), 0.001), 12) << run.Stderr();
  const std::string log = run.Stderr();
  EXPECT_NE(log.find("AV0: mining"), std::string::npos) << log;
  EXPECT_NE(log.find("SIM1: mining"), std::string::npos) << log;
  EXPECT_EQ(log.find("rejected"), log.rfind("rejected 0")) << log;
  sim.Signal(SIGTERM);
  EXPECT_EQ(sim.Wait(10s), 0) << sim.Stderr();
}

INSTANTIATE_TEST_SUITE_P(Generations, AvalonRunTest,
                         ::testing::Values(AvalonRun{"10", "2", false}, AvalonRun{"8", "1", false},
                                           AvalonRun{"8", "4", true}, AvalonRun{"10", "1", true}),
                         [](const ::testing::TestParamInfo<AvalonRun>& param) {
                           return std::string("Avalon") + param.param.generation + "x" +
                                  param.param.modules + (param.param.auc ? "ThroughTheAuc" : "Raw");
                         });

// The path of the PTY `hashrig sim` prints ("pty /dev/pts/N ..."); empty if none.
std::string SimPty(ChildProcess& sim) {
  const auto line = sim.ReadLine(10s);
  return line && line->rfind("pty ", 0) == 0 ? line->substr(4, line->find(' ', 4) - 4) : "";
}

std::size_t Count(const std::string& text, const std::string& pattern) {
  const std::regex re(pattern);
  return static_cast<std::size_t>(
      std::distance(std::sregex_iterator(text.begin(), text.end(), re), std::sregex_iterator()));
}

TEST(AvalonToolsTest, ScanListsEveryModuleAndEachPassesItsKnownAnswer) {
  ChildProcess sim(
      {HASHRIG_BINARY, "sim", "--avalon", "8", "--modules", "2", "--auc", "--cpu-rate", "1e7"});
  const std::string pty = SimPty(sim);
  ASSERT_FALSE(pty.empty()) << sim.Stderr();
  // An option every Avalon module takes, shown back by scan (a PLL point A8 has a word for).
  ChildProcess scan({HASHRIG_BINARY, "scan", "--board", "auc:" + pty, "--avalon-frequency", "800"});
  const std::string listed = scan.ReadToEnd(90s);
  ASSERT_EQ(scan.Wait(60s), 0) << listed << scan.Stderr();
  EXPECT_NE(listed.find("AUC AUC-20151208, 2 x Avalon 8 modules (ok)"), std::string::npos)
      << listed;
  // module, id, DNA, firmware, miners, chips (4 x 26 A3210), MHz, temperature.
  EXPECT_EQ(Count(listed, R"( +[01] +[12] +[0-9a-f]{16} +851-\S+ +4 +104 +800 +[0-9.]+ C\n)"), 2u)
      << listed;
  // The scan left both modules addressed: board-test's first scan finds none fresh,
  // reboots them, and finds both again (driver_poll.cc EndScan).
  ChildProcess test({HASHRIG_BINARY, "board-test", "--board", "auc:" + pty});
  const std::string table = test.ReadToEnd(90s);
  EXPECT_EQ(test.Wait(60s), 0) << table << test.Stderr();
  EXPECT_EQ(Count(table, R"( +[01] +[12] +[0-9a-f]{16} +PASS +0 +0 +[0-9]+\n)"), 2u) << table;
  EXPECT_NE(table.find("2 of 2 modules passed"), std::string::npos) << table;
  sim.Signal(SIGTERM);
  EXPECT_EQ(sim.Wait(10s), 0) << sim.Stderr();
}

// A module whose chips send damaged nonces fails; the good one beside it passes. The
// simulator is asked for more hashing than a core does: it says so and hashes what it
// can (asked 1e12, it hashed for minutes inside one time slice, and the host lost its
// modules).
TEST(AvalonToolsTest, BoardTestFailsTheModuleWithBadNonces) {
  ChildProcess sim({HASHRIG_BINARY, "sim", "--avalon", "10", "--modules", "2", "--cpu-rate", "1e12",
                    "--bad-nonce-module", "1"});
  const std::string pty = SimPty(sim);
  ASSERT_FALSE(pty.empty()) << sim.Stderr();
  EXPECT_NE(sim.Stderr().find("--cpu-rate 1e+12 is more than one core here hashes"),
            std::string::npos)
      << sim.Stderr();
  ChildProcess test({HASHRIG_BINARY, "board-test", "--board", "avalon:" + pty});
  const std::string table = test.ReadToEnd(90s);
  EXPECT_EQ(test.Wait(60s), 1) << table << test.Stderr();
  EXPECT_EQ(Count(table, R"( +[01] +[12] +[0-9a-f]{16} +PASS )"), 1u) << table;
  EXPECT_EQ(Count(table, R"( +[01] +[12] +[0-9a-f]{16} +FAIL )"), 1u) << table;
  EXPECT_NE(table.find("1 of 2 modules passed"), std::string::npos) << table;
}

// A module silent for seconds is still found: a loaded control board's serial path stalls
// for 1-2 s (docs/RELIABILITY.md), here the simulator is stopped for 5 s as the scan starts.
// The tools make 8 detection scans ~1 s apart before "no module answered"; with the
// daemon's 3 (~3.5 s) this scan failed, as board-test did under load after a scan.
TEST(AvalonToolsTest, AModuleSilentForSecondsIsStillFound) {
  ChildProcess sim({HASHRIG_BINARY, "sim", "--avalon", "10", "--cpu-rate", "1e6"});
  const std::string pty = SimPty(sim);
  ASSERT_FALSE(pty.empty()) << sim.Stderr();
  sim.Signal(SIGSTOP);
  ChildProcess scan({HASHRIG_BINARY, "scan", "--board", "avalon:" + pty});
  std::this_thread::sleep_for(5s);
  sim.Signal(SIGCONT);
  const std::string listed = scan.ReadToEnd(90s);
  EXPECT_EQ(scan.Wait(60s), 0) << listed << scan.Stderr();
  EXPECT_NE(listed.find("1 x Avalon 10 (1041) module (ok)"), std::string::npos)
      << listed << scan.Stderr();
  sim.Signal(SIGTERM);
  EXPECT_EQ(sim.Wait(10s), 0) << sim.Stderr();
}

// Settings no Avalon generation takes are refused before anything starts (exit 2).
TEST(AvalonToolsTest, SettingsNoGenerationTakesAreRefused) {
  for (const std::vector<std::string>& bad :
       {std::vector<std::string>{"--avalon-frequency", "777"},
        std::vector<std::string>{"--avalon-voltage-level", "99"},
        std::vector<std::string>{"--avalon-voltage-level", "2.5"}}) {
    for (const char* command : {"run", "scan"}) {
      std::vector<std::string> argv = {HASHRIG_BINARY, command, "--board", "avalon:/dev/null"};
      argv.insert(argv.end(), bad.begin(), bad.end());
      ChildProcess p(argv);
      EXPECT_EQ(p.Wait(30s), 2) << command << " " << bad[0] << " " << bad[1];
      EXPECT_NE(p.Stderr().find("--" + bad[0].substr(2) + " '" + bad[1] + "'"), std::string::npos)
          << p.Stderr();
    }
  }
}

// A setting one generation takes and the modules' generation does not (850 MHz: an Avalon 8
// PLL point, none of Avalon 10's) fails the chain with the reason, the value and the
// generation, in the log and the API's devs (the trial's finding 10: the reason did not
// name the value).
TEST(AvalonToolsTest, ASettingTheModulesRefuseIsNamedWithItsValue) {
  ChildProcess sim({HASHRIG_BINARY, "sim", "--avalon", "10", "--cpu-rate", "1e6"});
  const std::string pty = SimPty(sim);
  ASSERT_FALSE(pty.empty()) << sim.Stderr();
  ChildProcess run({HASHRIG_BINARY, "run", "--board", "avalon:" + pty, "--avalon-frequency", "850",
                    "--api-listen", "127.0.0.1:0", "--duration", "300"});
  const std::uint16_t port = ApiPort(run);
  ASSERT_NE(port, 0) << run.Stderr();
  const std::string named =
      "; asked: --avalon-frequency 850, --avalon-voltage-level the model's, of Avalon 10 (1041) "
      "modules";
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (run.Stderr().find(named) == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(200ms);
  }
  const std::string log = run.Stderr();
  EXPECT_NE(log.find("ERROR AV0: failed: no PLL word is known for this clock"), std::string::npos)
      << log;
  EXPECT_NE(log.find(named), std::string::npos) << log;
  std::string reply = AskApi(port, R"({"command":"devs"})");
  EXPECT_NE(reply.find(named), std::string::npos) << reply;
  run.Signal(SIGTERM);
  EXPECT_EQ(run.Wait(30s), 0) << run.Stderr();
}

// A missing Avalon board is down with its reason and claims no chip count: its modules say
// their chips when detected (the trial's finding 14: "down: ... (0 of 1 chips)").
TEST(AvalonToolsTest, AMissingBoardClaimsNoChipCount) {
  ChildProcess run({HASHRIG_BINARY, "run", "--board", "avalon:/nonexistent/ttyUSB9", "--board",
                    "sim", "--api-listen", "127.0.0.1:0", "--duration", "300"});
  const std::uint16_t port = ApiPort(run);
  ASSERT_NE(port, 0) << run.Stderr();
  // Both lines, whichever comes first (a busy machine brings the simulated chain up later).
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while ((run.Stderr().find("AV0: down: ") == std::string::npos ||
          run.Stderr().find("SIM1: mining") == std::string::npos) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(200ms);
  }
  run.Signal(SIGTERM);
  EXPECT_EQ(run.Wait(30s), 0) << run.Stderr();
  const std::string log = run.Stderr();
  const auto down = log.find("AV0: down: ");
  ASSERT_NE(down, std::string::npos) << log;
  const std::string line = log.substr(down, log.find('\n', down) - down);
  EXPECT_NE(line.find("/nonexistent/ttyUSB9"), std::string::npos) << line;
  EXPECT_EQ(line.find(" chips)"), std::string::npos) << line;
  EXPECT_NE(log.find("SIM1: mining (4 of 4 chips)"), std::string::npos) << log;  // still said
}

// The devs entry of the chain at position `index` (cgminer's ASC), or null.
nlohmann::json Dev(std::uint16_t port, std::size_t index) {
  const auto devs = ApiJson(port, "devs");
  if (devs.is_discarded() || !devs.contains("DEVS") || devs["DEVS"].size() <= index) {
    return nullptr;
  }
  return devs["DEVS"][index];
}

// The operator trial's finding 12: a damaged link (replies whose CRC fails, garbage
// between them, replies lost) was invisible but through hardware errors. Each chain whose
// bytes the host decodes counts its link's damage where operators look (devs here; /metrics
// and the REST API read the same ChainStatus, report tests), and the chains mine on.
TEST(LinkCountersTest, ADamagedLinkIsCountedAndTheChainsMineOn) {
  ChildProcess avalon({HASHRIG_BINARY, "sim", "--avalon", "8", "--corrupt", "0.05", "--garbage",
                       "0.05", "--drop", "0.05", "--cpu-rate", "4e6"});
  const std::string avalon_pty = SimPty(avalon);
  ASSERT_FALSE(avalon_pty.empty()) << avalon.Stderr();
  ChildProcess chain(
      {HASHRIG_BINARY, "sim", "--chips", "2", "--corrupt", "0.001", "--cpu-rate", "4e6"});
  const std::string chain_pty = SimPty(chain);
  ASSERT_FALSE(chain_pty.empty()) << chain.Stderr();
  ChildProcess run({HASHRIG_BINARY, "run", "--board", "avalon:" + avalon_pty, "--board",
                    "serial:" + chain_pty, "--chips", "2", "--board", "sim", "--ticket-difficulty",
                    "0.0001", "--api-listen", "127.0.0.1:0", "--duration", "300"});
  const std::uint16_t port = ApiPort(run);
  ASSERT_NE(port, 0) << run.Stderr();
  const auto damaged = [&](std::size_t index, bool timeouts) {
    const auto d = Dev(port, index);
    return d.is_object() && d.value("Link Bad Frames", 0) > 0 &&
           d.value("Link Skipped Bytes", 0) > 0 && (!timeouts || d.value("Link Timeouts", 0) > 0) &&
           d.value("Accepted", 0) > 0;
  };
  const auto deadline = std::chrono::steady_clock::now() + 180s;
  while (!(damaged(0, true) && damaged(1, false)) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(500ms);
  }
  EXPECT_TRUE(damaged(0, true)) << Dev(port, 0) << run.Stderr();  // Avalon: polls lost too
  EXPECT_TRUE(damaged(1, false)) << Dev(port, 1) << run.Stderr();
  const auto clean = Dev(port, 2);  // the in-process simulated chain: a perfect link
  EXPECT_EQ(clean.value("Link Bad Frames", -1), 0) << clean;
  EXPECT_EQ(clean.value("Link Skipped Bytes", -1), 0) << clean;
  run.Signal(SIGTERM);
  EXPECT_EQ(run.Wait(30s), 0) << run.Stderr();
}

}  // namespace
}  // namespace hashrig::testing
