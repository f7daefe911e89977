// The scheduler on the daemon's I/O thread: a job becomes work for every chain, each with
// its own token and extranonce2 (so no two chains hash the same header); nonces the
// chains checked are counted by their ticket, hardware errors by chain, and work retired
// by a clean job is not counted.
#include "hashrig/host/mining/scheduler.h"

#include <boost/asio/io_context.hpp>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "hashrig/pool/stratum.h"

namespace hashrig::host {
namespace {

class RecordingChain final : public HashChain {
 public:
  explicit RecordingChain(std::string name) : name_(std::move(name)) {}
  const std::string& name() const override { return name_; }
  std::string description() const override { return {}; }
  void Start(NonceSink) override {}
  void Stop() override {}
  void Restart() override { ++restarts; }
  void SetWork(const ChainWork& work) override { works.push_back(work); }
  ChainStatus status() const override {
    ChainStatus s;
    s.state = ChainState::kMining;
    return s;
  }
  std::vector<ChainWork> works;
  int restarts = 0;

 private:
  std::string name_;
};

std::shared_ptr<const pool::Job> Job(bool clean) {
  auto job = std::make_shared<pool::Job>();
  job->notify.job_id = std::string(1, clean ? 'b' : 'a');  // GCC 12: -Wrestrict on "b" : "a"
  job->notify.version = 0x20000000;
  job->notify.nbits = 0x1d00ffff;
  job->notify.ntime = 0x66000000;
  job->notify.clean_jobs = clean;
  job->extranonce1 = {1, 2, 3, 4};
  job->extranonce2_size = 4;
  job->difficulty = *sha256::Difficulty::From(1e6);
  return job;
}

struct Harness {
  Harness() {
    config.pools.push_back({*pool::ParsePoolUrl("127.0.0.1:1"), "test", "x"});
    client = std::make_unique<pool::PoolClient>(io, config, [](std::size_t, const pool::Event&) {});
    std::vector<std::unique_ptr<HashChain>> chains;
    for (int i = 0; i < 3; ++i) {
      std::string name = "C";  // appended: GCC 12 warns falsely (-Wrestrict) on "C" + …
      name += std::to_string(i);
      auto chain = std::make_unique<RecordingChain>(name);
      recording.push_back(chain.get());
      chains.push_back(std::move(chain));
    }
    scheduler = std::make_unique<Scheduler>(*client, std::move(chains), log);
  }
  boost::asio::io_context io;
  pool::ClientConfig config;
  std::unique_ptr<pool::PoolClient> client;
  std::ostringstream out;
  Logger log{out, LogLevel::kWarning};
  std::vector<RecordingChain*> recording;
  std::unique_ptr<Scheduler> scheduler;
};

TEST(SchedulerTest, EveryChainGetsItsOwnWork) {
  Harness h;
  h.scheduler->OnPoolEvent(0, pool::event::NewJob{Job(false), false});
  std::set<std::uint32_t> tokens;
  std::set<std::array<std::uint8_t, 80>> headers;
  for (RecordingChain* c : h.recording) {
    ASSERT_EQ(c->works.size(), 1u);
    tokens.insert(c->works[0].token.value);
    headers.insert(c->works[0].header);
    EXPECT_EQ(c->works[0].difficulty, 1e6);
  }
  EXPECT_EQ(tokens.size(), 3u);
  EXPECT_EQ(headers.size(), 3u) << "distinct extranonce2, distinct merkle roots";
  h.scheduler->RefreshWork();
  EXPECT_EQ(h.recording[0]->works.size(), 2u);
  EXPECT_NE(h.recording[0]->works[1].header, h.recording[0]->works[0].header);
}

TEST(SchedulerTest, NoncesCountByTicketAndHardwareErrorsByChain) {
  Harness h;
  h.scheduler->OnPoolEvent(0, pool::event::NewJob{Job(false), false});
  const WorkToken token = h.recording[1]->works[0].token;
  FoundNonce good{token, 0, Nonce{1}, Version{0x20000000}, 0.5, {}, true, std::nullopt, 0};
  good.hash.fill(0xFF);  // meets the ticket the chain checked, not the pool's difficulty
  FoundNonce bad = good;
  bad.meets_ticket = false;
  h.scheduler->OnNonces(1, {good, good, bad});
  EXPECT_EQ(h.scheduler->stats().nonces, 2u);
  EXPECT_DOUBLE_EQ(h.scheduler->stats().diff1_work, 1.0);
  EXPECT_EQ(h.scheduler->stats().hardware_errors, 1u);
  const MinerSnapshot s = h.scheduler->Snapshot();
  EXPECT_EQ(s.chains[1].hardware_errors, 1u);
  EXPECT_EQ(s.chains[0].hardware_errors, 0u);
  EXPECT_GT(s.chains[1].hashrate_5s, 0);
  // A clean job retires the old work: its nonces no longer count.
  h.scheduler->OnPoolEvent(0, pool::event::NewJob{Job(true), true});
  h.scheduler->OnNonces(1, {good});
  EXPECT_EQ(h.scheduler->stats().nonces, 2u);
}

// Issue 13, point 7 (found by the soak): a share the client would not send (invalid for
// its job, a duplicate, or found while stopping) was logged "not submitted" and counted
// nowhere. Every share found ends in one of the totals.
TEST(SchedulerTest, AShareThatCannotBeSubmittedIsCountedNotDropped) {
  Harness h;
  h.scheduler->OnPoolEvent(0, pool::event::NewJob{Job(false), false});
  const WorkToken token = h.recording[0]->works[0].token;
  FoundNonce share{token, 0, Nonce{1}, Version{0x20000000}, 0.5, {}, true, std::nullopt, 0};
  share.hash.fill(0);  // meets the pool's difficulty too
  h.client->Stop();    // the client takes no more shares
  h.scheduler->OnNonces(0, {share});
  const MinerStats& s = h.scheduler->stats();
  EXPECT_EQ(s.accepted + s.rejected + s.stale + s.lost + s.discarded, 1u);
  EXPECT_EQ(s.discarded, 1u);
}

// Issue 13, point 7 (found by the 60-minute soak): a pool's next job may differ from the
// last only in its id and ntime — and ntime is rolled — so restarting each chain's
// extranonce2 slice on every job made a chain hash a header it had hashed already, and
// the same share went to the pool twice, under two job ids. The slices go on across jobs
// of a session; a clean job (new prevhash) starts them again.
TEST(SchedulerTest, ANewJobNeverHandsOutAnExtranonce2AlreadyUsed) {
  Harness h;
  auto first = std::make_shared<pool::Job>(*Job(false));
  auto second = std::make_shared<pool::Job>(*first);
  second->notify.job_id = "a2";  // the same coinbase and branch: only the id differs
  h.scheduler->OnPoolEvent(0, pool::event::NewJob{first, false});
  h.scheduler->OnPoolEvent(0, pool::event::NewJob{second, false});
  std::set<std::array<std::uint8_t, 32>> merkle_roots;
  for (RecordingChain* c : h.recording) {
    ASSERT_EQ(c->works.size(), 2u);
    for (const ChainWork& w : c->works) {
      std::array<std::uint8_t, 32> root{};
      std::copy(w.header.begin() + 36, w.header.begin() + 68, root.begin());
      merkle_roots.insert(root);
    }
  }
  EXPECT_EQ(merkle_roots.size(), 6u) << "every work of every chain has its own extranonce2";
}

}  // namespace
}  // namespace hashrig::host
