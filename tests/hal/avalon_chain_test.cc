// The Avalon driver against the module simulator, in process (hal::AvalonChain over
// AvalonSimLink: the loop `hashrig run` runs, the simulator in real time): for Avalon 8
// and Avalon 10, raw and behind the AUC, with 1, 2 and 4 modules — detection, the
// configuration accepted, block 542213's job at an easy difficulty giving nonces from every
// module that the controller confirms; and a module unplugged (lost after its failed
// polls) and plugged back (found again in its own slot, mining again); and the same under
// the simulator's faults (garbage, CRC errors, lost replies, a module with bad nonces).
#include <gtest/gtest.h>

#include <array>
#include <set>
#include <string>
#include <tuple>

#include "avalon_job.h"
#include "hashrig/hal/direct_chain.h"
#include "hashrig/hal/sim_link.h"

namespace hashrig::hal {
namespace {

namespace avalon = protocol::avalon;
using namespace std::chrono_literals;

struct RigCase {
  avalon::Generation generation;
  int modules;
  bool auc;
};

class AvalonChainTest : public ::testing::TestWithParam<RigCase> {
 protected:
  void SetUp() override {
    sim::AvalonConfig config;
    config.generation = GetParam().generation;
    config.modules = GetParam().modules;
    config.auc = GetParam().auc;
    config.cpu_hashes_per_second = 4e6;
    bus_ = std::make_shared<AvalonSimClock>(config);
    avalon::DriverConfig driver;
    driver.transport = GetParam().auc ? avalon::Transport::kAuc : avalon::Transport::kRaw;
    chain_ = std::make_unique<AvalonChain>(std::make_unique<AvalonSimLink>(bus_), driver);
    job_.job.difficulty = *sha256::Difficulty::From(0.0005);
  }

  // Steps until `done` (or `limit`); false on a link error or the limit.
  template <typename Done>
  bool StepUntil(Done done, std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!chain_->Step(2ms).ok()) {
        return false;
      }
      protocol::CheckedNonce n;
      while (chain_->chain().NextNonce(n)) {
        EXPECT_TRUE(n.meets_ticket) << "chip " << n.event.chip;
        slots_seen_.insert(n.event.chip / avalon::kMinersPerSlot);
        ++nonces_;
      }
      if (done()) {
        return true;
      }
    }
    return false;
  }

  void Mine() {
    protocol::ChainWork work;
    work.token = WorkToken{++token_};
    work.job = &job_.job;
    work.nonce2_start = 0x100;
    work.nonce2_range = 1u << 20;
    chain_->chain().SetWork(work);
  }

  int SlotOf(int position) const {
    const avalon::Dna dna = sim::AvalonBus::DnaFor(bus_config_seed_, position);
    for (int slot = 0; slot < avalon::kMaxModules; ++slot) {
      if (chain_->driver().module(slot).dna == dna) {
        return slot;
      }
    }
    return -1;
  }

  std::shared_ptr<AvalonSimClock> bus_;
  std::unique_ptr<AvalonChain> chain_;
  testing::Job542213 job_;
  std::uint32_t token_ = 0;
  std::uint64_t bus_config_seed_ = 1;
  std::set<int> slots_seen_;
  int nonces_ = 0;
};

TEST_P(AvalonChainTest, DetectsConfiguresAndMinesOnEveryModule) {
  const int modules = GetParam().modules;
  ASSERT_TRUE(chain_->Start().ok());
  ASSERT_TRUE(chain_->RunUntilMining(30s).ok()) << chain_->driver().status().message();
  ASSERT_TRUE(StepUntil([&] { return chain_->driver().modules_present() == modules; }, 30s));
  EXPECT_EQ(chain_->driver().generation(), GetParam().generation);
  for (int position = 0; position < modules; ++position) {
    EXPECT_GE(SlotOf(position), 0) << "module " << position << " not found by its DNA";
  }
  Mine();
  ASSERT_TRUE(StepUntil(
      [&] { return static_cast<int>(slots_seen_.size()) == modules && nonces_ >= 3 * modules; },
      120s))
      << nonces_ << " nonces from " << slots_seen_.size() << " modules";
  EXPECT_EQ(chain_->driver().unknown_job_nonces(), 0u);
  for (int slot = 0; slot < avalon::kMaxModules; ++slot) {
    const auto& m = chain_->driver().module(slot);
    if (m.present) {  // the clock it was set to, until a STATUS_PLL says (A10 has none)
      EXPECT_EQ(m.frequencies_mhz.back(),
                static_cast<std::uint32_t>(chain_->driver().settings().frequency.value))
          << "slot " << slot;
    }
  }
  if (GetParam().auc) {
    EXPECT_FALSE(chain_->driver().auc_version().empty());
  }
}

TEST_P(AvalonChainTest, AModuleUnpluggedIsLostAndFoundAgainInItsSlot) {
  const int last = GetParam().modules - 1;
  ASSERT_TRUE(chain_->Start().ok());
  ASSERT_TRUE(StepUntil([&] { return chain_->driver().modules_present() == last + 1; }, 30s));
  Mine();
  const int slot = SlotOf(last);
  ASSERT_GE(slot, 0);
  bus_->With([&](sim::AvalonBus& bus) { bus.SetPresent(last, false); });
  ASSERT_TRUE(StepUntil([&] { return !chain_->driver().module(slot).present; }, 30s));
  EXPECT_EQ(chain_->driver().module(slot).lost, 1u);
  // Its chips are missing, not forgotten: expected is every module found since Start.
  EXPECT_EQ(chain_->driver().expected_chips() - chain_->driver().chips_found(),
            static_cast<int>(chain_->driver().module(slot).asic_count));
  EXPECT_EQ(chain_->driver().status().code(), StatusCode::kUnavailable);
  bus_->With([&](sim::AvalonBus& bus) { bus.SetPresent(last, true); });
  ASSERT_TRUE(StepUntil([&] { return chain_->driver().module(slot).configured; }, 60s));
  EXPECT_EQ(SlotOf(last), slot);
  slots_seen_.clear();
  ASSERT_TRUE(StepUntil([&] { return slots_seen_.count(slot) > 0; }, 120s))
      << "no nonce from the module plugged back";
  EXPECT_EQ(chain_->chain().state(), protocol::ChainState::kMining);
  // Back: the problem is over (it stayed "stopped answering" after the module returned).
  EXPECT_TRUE(chain_->driver().status().ok()) << chain_->driver().status().message();
  EXPECT_EQ(chain_->driver().expected_chips(), chain_->driver().chips_found());
}

INSTANTIATE_TEST_SUITE_P(Generations, AvalonChainTest,
                         ::testing::Values(RigCase{avalon::Generation::kAvalon8, 1, false},
                                           RigCase{avalon::Generation::kAvalon8, 2, false},
                                           RigCase{avalon::Generation::kAvalon8, 4, true},
                                           RigCase{avalon::Generation::kAvalon10, 1, true},
                                           RigCase{avalon::Generation::kAvalon10, 2, false},
                                           RigCase{avalon::Generation::kAvalon10, 4, false},
                                           RigCase{avalon::Generation::kLc3, 2, true},
                                           RigCase{avalon::Generation::kAvalon7, 2, false}),
                         [](const ::testing::TestParamInfo<RigCase>& param) {
                           return std::string(avalon::InfoOf(param.param.generation).driver) + "x" +
                                  std::to_string(param.param.modules) +
                                  (param.param.auc ? "Auc" : "Raw");
                         });

// A host started after another one addressed the modules (they keep their ids and ignore
// DETECT, §3.5). All addressed: its first scan is empty, it reboots ids 1..6 with a POLLING
// every generation reads, and its first scan ends only when all are found again (before,
// an Avalon 10 never heard a reboot sent in Avalon 8's layout and stayed lost until
// power-cycled, and the first scan ended at the empty one: scan and board-test saw one
// module of two). Partly addressed (the earlier host stopped mid-scan): a fresh module is
// given an id an old one holds, polls to it come back with the other's OPT (§7.3), and the
// driver reboots every id and scans again until both answer on their own ids.
class AvalonRestartTest : public ::testing::TestWithParam<std::tuple<avalon::Generation, bool>> {
 protected:
  AvalonRestartTest() {
    config_.generation = std::get<0>(GetParam());
    config_.modules = 2;
    config_.auc = std::get<1>(GetParam());
    bus_ = std::make_shared<AvalonSimClock>(config_);
    driver_.transport = config_.auc ? avalon::Transport::kAuc : avalon::Transport::kRaw;
  }
  template <typename Done>
  static bool RunUntil(AvalonChain& chain, Done done) {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      if (!chain.Step(2ms).ok()) {
        return false;
      }
    }
    return done();
  }
  static bool BothMining(const avalon::AvalonDriver& d) {
    return d.modules_present() == 2 && d.module(0).configured && d.module(1).configured;
  }

  sim::AvalonConfig config_;
  std::shared_ptr<AvalonSimClock> bus_;
  avalon::DriverConfig driver_;
};

TEST_P(AvalonRestartTest, ModulesAddressedByAnEarlierHostAreAllFoundAgain) {
  {
    AvalonChain first(std::make_unique<AvalonSimLink>(bus_), driver_);
    ASSERT_TRUE(first.Start().ok());
    ASSERT_TRUE(RunUntil(first, [&] { return BothMining(first.driver()); }));
  }
  AvalonChain second(std::make_unique<AvalonSimLink>(bus_), driver_);
  ASSERT_TRUE(second.Start().ok());
  ASSERT_TRUE(RunUntil(second, [&] { return second.driver().scan_done(); }))
      << second.driver().status().message();
  EXPECT_EQ(second.driver().modules_present(), 2) << "when the first scan ended";
  EXPECT_TRUE(RunUntil(second, [&] { return BothMining(second.driver()); }));
}

TEST_P(AvalonRestartTest, AModuleGivenAnIdAnotherHoldsMakesTheDriverStartOver) {
  {
    AvalonChain first(std::make_unique<AvalonSimLink>(bus_), driver_);
    ASSERT_TRUE(first.Start().ok());
    // Stopped once the second module answered DETECT: it never got its id (SYNC).
    ASSERT_TRUE(RunUntil(first, [&] { return first.driver().modules_present() == 2; }));
  }
  const int addressed = bus_->With([](sim::AvalonBus& b) {
    return (b.module(0).id != 0 ? 1 : 0) + (b.module(1).id != 0 ? 1 : 0);
  });
  ASSERT_EQ(addressed, 1) << "the setup: one module addressed, one fresh";
  AvalonChain second(std::make_unique<AvalonSimLink>(bus_), driver_);
  ASSERT_TRUE(second.Start().ok());
  ASSERT_TRUE(RunUntil(second,
                       [&] {
                         return BothMining(second.driver()) && second.driver().status().ok() &&
                                second.driver().opt_mismatches() > 0;
                       }))
      << second.driver().status().message() << ", " << second.driver().modules_present()
      << " modules, " << second.driver().opt_mismatches() << " OPT mismatches";
  const auto ids = bus_->With([](sim::AvalonBus& b) {
    return std::pair{b.module(0).id, b.module(1).id};
  });
  EXPECT_NE(ids.first, ids.second) << "each module on its own address";
}

INSTANTIATE_TEST_SUITE_P(Generations, AvalonRestartTest,
                         ::testing::Combine(::testing::Values(avalon::Generation::kAvalon8,
                                                              avalon::Generation::kAvalon10),
                                            ::testing::Bool()),
                         [](const auto& p) {
                           return std::string(avalon::InfoOf(std::get<0>(p.param)).driver) +
                                  (std::get<1>(p.param) ? "Auc" : "Raw");
                         });

// A module of a model the driver does not know answers DETECT each scan: the chain fails
// saying so, not "no module answered" (the third empty scan overwrote the reason).
TEST(AvalonUnknownModelTest, TheChainFailsNamingTheModuleItRefused) {
  sim::AvalonConfig config;
  config.generation = avalon::Generation::kAvalon8;
  config.model = "XYZ";
  auto bus = std::make_shared<AvalonSimClock>(config);
  AvalonChain chain(std::make_unique<AvalonSimLink>(bus), avalon::DriverConfig{});
  ASSERT_TRUE(chain.Start().ok());
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (chain.chain().state() != protocol::ChainState::kFailed &&
         std::chrono::steady_clock::now() < deadline) {
    ASSERT_TRUE(chain.Step(2ms).ok());
  }
  ASSERT_EQ(chain.chain().state(), protocol::ChainState::kFailed);
  EXPECT_NE(
      std::string(chain.driver().status().message()).find("a model this driver does not know"),
      std::string::npos)
      << chain.driver().status().message();
}

// Faults on the wire and a module whose chips send damaged nonces: the driver refuses the
// damaged packets (counted), keeps both modules (no run of 10 lost polls at these rates),
// and every nonce of the bad module is a hardware error of its miners while the good
// module's nonces are all confirmed — the host's hash decides, never the module's word.
TEST(AvalonFaultTest, GarbageCrcErrorsLostRepliesAndABadModule) {
  for (const bool auc : {false, true}) {
    SCOPED_TRACE(auc ? "through the AUC" : "raw");
    sim::AvalonConfig config;
    config.generation = auc ? avalon::Generation::kAvalon10 : avalon::Generation::kAvalon8;
    config.modules = 2;
    config.auc = auc;
    config.cpu_hashes_per_second = 4e6;
    config.faults.garbage_rate = 0.05;
    config.faults.corrupt_rate = 0.05;
    config.faults.drop_rate = 0.03;
    config.faults.bad_nonce_modules = {1};
    auto bus = std::make_shared<AvalonSimClock>(config);
    avalon::DriverConfig driver;
    driver.transport = auc ? avalon::Transport::kAuc : avalon::Transport::kRaw;
    AvalonChain chain(std::make_unique<AvalonSimLink>(bus), driver);
    testing::Job542213 job;
    job.job.difficulty = *sha256::Difficulty::From(0.0005);
    ASSERT_TRUE(chain.Start().ok());
    // Bounds a failure only (4 s here): an emulated CPU (qemu-user, scripts/cross.sh)
    // hashes far slower and needed over 120 s for the nonces asked for.
    const auto deadline = std::chrono::steady_clock::now() + 600s;
    std::array<int, 2> good{};
    std::array<int, 2> bad{};
    bool sent = false;
    while (std::chrono::steady_clock::now() < deadline && (good[0] < 5 || bad[1] < 5)) {
      ASSERT_TRUE(chain.Step(2ms).ok());
      if (!sent && chain.driver().scan_done() && chain.driver().modules_present() == 2) {
        protocol::ChainWork work;
        work.token = WorkToken{1};
        work.job = &job.job;
        work.nonce2_range = 1u << 20;
        chain.chain().SetWork(work);
        sent = true;
      }
      protocol::CheckedNonce n;
      while (chain.chain().NextNonce(n)) {
        const avalon::Dna dna = chain.driver().module(n.event.chip / avalon::kMinersPerSlot).dna;
        const int position = dna == sim::AvalonBus::DnaFor(config.seed, 1) ? 1 : 0;
        ++(n.meets_ticket ? good : bad)[static_cast<std::size_t>(position)];
      }
    }
    EXPECT_GE(good[0], 5) << "confirmed nonces from the good module";
    EXPECT_EQ(bad[0], 0) << "the good module's nonces all confirmed";
    EXPECT_GE(bad[1], 5) << "the bad module's nonces refuted";
    EXPECT_EQ(good[1], 0) << "none of the bad module's damaged nonces passes";
    EXPECT_GT(chain.driver().bad_packets(), 0u) << "damaged packets refused and counted";
    if (!auc) {  // through the AUC the modules' garbage arrives inside replies: bad packets
      EXPECT_GT(chain.driver().skipped_bytes(), 0u) << "garbage skipped and counted";
    }
    EXPECT_EQ(chain.driver().modules_present(), 2);
    EXPECT_EQ(chain.chain().state(), protocol::ChainState::kMining);
  }
}

}  // namespace
}  // namespace hashrig::hal
