// Issue 16's "driver ⇄ simulator over a real PTY for each generation × {1, 2, 4 modules}":
// the Avalon driver in the chain controller (hal::AvalonChain, the loop `hashrig run`
// runs) on the PTY of a `hashrig sim --avalon GEN --modules N [--auc]` process: the
// modules detected and configured, block 542213's job at an easy target, and nonces from
// every module that the controller confirms and OpenSSL re-hashes to the same value.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <map>
#include <string>

#include "hal/avalon_job.h"
#include "hashrig/hal/direct_chain.h"
#include "hashrig/hal/link.h"
#include "support/child_process.h"
#include "support/shared_data.h"

namespace hashrig::hal {
namespace {

namespace av = protocol::avalon;
using namespace std::chrono_literals;

struct PtyCase {
  av::Generation generation;
  const char* name;  // as `hashrig sim --avalon` takes it
  int modules;
  bool auc;
};

class AvalonDriverPtyTest : public ::testing::TestWithParam<PtyCase> {};

TEST_P(AvalonDriverPtyTest, DetectsConfiguresAndEveryModuleMines) {
  const PtyCase& c = GetParam();
  // The simulator hashes as fast as one core does (it lowers the rate it is asked for).
  std::vector<std::string> argv = {HASHRIG_BINARY, "sim",       "--avalon",
                                   c.name,         "--modules", std::to_string(c.modules),
                                   "--cpu-rate",   "1e12"};
  if (c.auc) {
    argv.emplace_back("--auc");
  }
  testing::ChildProcess sim(argv);
  const auto line = sim.ReadLine(20s);
  ASSERT_TRUE(line && line->rfind("pty ", 0) == 0) << sim.Stderr();
  auto link = OpenUart(line->substr(4, line->find(' ', 4) - 4), 115200);
  ASSERT_TRUE(link) << link.error().message();
  av::DriverConfig config;
  config.transport = c.auc ? av::Transport::kAuc : av::Transport::kRaw;
  AvalonChain chain(std::move(*link), config);
  ASSERT_TRUE(chain.Start().ok());
  ASSERT_TRUE(chain.RunUntilMining(60s).ok()) << chain.driver().status().message();
  const av::AvalonDriver& d = chain.driver();
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (!(d.scan_done() && d.modules_present() == c.modules) &&
         std::chrono::steady_clock::now() < deadline) {
    ASSERT_TRUE(chain.Step(2ms).ok());
  }
  ASSERT_EQ(d.modules_present(), c.modules) << d.status().message();
  EXPECT_EQ(d.generation(), c.generation);

  testing::Job542213 real;
  real.job.difficulty = *sha256::Difficulty::From(1.0 / (1 << 16));
  protocol::ChainWork work;
  work.token = WorkToken{1};
  work.job = &real.job;
  work.nonce2_range = 1u << 20;
  chain.chain().SetWork(work);
  std::map<int, int> confirmed;  // module slot -> nonces OpenSSL agreed with
  int refuted = 0;
  const auto until = std::chrono::steady_clock::now() + 120s;
  while (std::chrono::steady_clock::now() < until &&
         (static_cast<int>(confirmed.size()) < c.modules ||
          std::any_of(confirmed.begin(), confirmed.end(), [](auto& e) { return e.second < 3; }))) {
    ASSERT_TRUE(chain.Step(2ms).ok());
    protocol::CheckedNonce n;
    while (chain.chain().NextNonce(n)) {
      if (!n.meets_ticket) {
        ++refuted;
        continue;
      }
      const auto header = d.HeaderFor(work, n.event);
      const auto hash = testing::OpenSslSha256d({header.begin(), header.end()});
      EXPECT_TRUE(std::equal(hash.begin(), hash.end(), n.hash.begin()));
      ++confirmed[n.event.chip / av::kMinersPerSlot];
    }
  }
  for (int slot = 0; slot < av::kMaxModules; ++slot) {
    if (d.module(slot).present) {
      EXPECT_GE(confirmed[slot], 3) << "module in slot " << slot;
      EXPECT_TRUE(d.module(slot).configured) << "module in slot " << slot;
    }
  }
  EXPECT_EQ(refuted, 0);
  EXPECT_EQ(d.unknown_job_nonces(), 0u);
  sim.Signal(SIGTERM);
  EXPECT_EQ(sim.Wait(20s), 0) << sim.Stderr();
}

INSTANTIATE_TEST_SUITE_P(Generations, AvalonDriverPtyTest,
                         ::testing::Values(PtyCase{av::Generation::kAvalon7, "7", 1, false},
                                           PtyCase{av::Generation::kAvalon7, "7", 2, true},
                                           PtyCase{av::Generation::kAvalon7, "7", 4, false},
                                           PtyCase{av::Generation::kAvalon8, "8", 1, true},
                                           PtyCase{av::Generation::kAvalon8, "8", 2, false},
                                           PtyCase{av::Generation::kAvalon8, "8", 4, true},
                                           PtyCase{av::Generation::kLc3, "lc3", 1, false},
                                           PtyCase{av::Generation::kLc3, "lc3", 2, true},
                                           PtyCase{av::Generation::kLc3, "lc3", 4, false},
                                           PtyCase{av::Generation::kAvalon10, "10", 1, true},
                                           PtyCase{av::Generation::kAvalon10, "10", 2, false},
                                           PtyCase{av::Generation::kAvalon10, "10", 4, true}),
                         [](const ::testing::TestParamInfo<PtyCase>& p) {
                           return std::string(av::InfoOf(p.param.generation).driver) + "x" +
                                  std::to_string(p.param.modules) + (p.param.auc ? "Auc" : "Raw");
                         });

}  // namespace
}  // namespace hashrig::hal
