// Issue 16's "done when", end to end with real processes: `hashrig sim --avalon` (Avalon 8
// and Avalon 10 modules, on a raw CN stream and behind the simulated AUC) on a PTY,
// `hashrig run --board avalon:PTY` (or auc:PTY) together with a simulated BM13xx chain in
// the same process, mining against `hashrig pool`: shares accepted, none rejected, and
// every share the pool accepted re-hashed here with OpenSSL.
#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>

#include <csignal>
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

// The shares chain `name` submitted, as the API's devs says (cgminer's per-device Accepted).
long long Submitted(std::uint16_t port, const std::string& name) {
  std::string reply = AskApi(port, R"({"command":"devs"})");
  while (!reply.empty() && reply.back() == '\0') {
    reply.pop_back();
  }
  const auto devs = nlohmann::json::parse(reply, nullptr, false);
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

}  // namespace
}  // namespace hashrig::testing
