// host/ benchmarks (issue 5):
//   BM_NotifyToAllChains/N  a new job (the real 12-branch mujina notify) turned into work
//                            for N chains and handed to each: coinbase, merkle root and
//                            header per chain (each with its own extranonce2)
#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange without it

#include <benchmark/benchmark.h>

#include <boost/asio.hpp>
#include <fstream>
#include <sstream>

#include "hashrig/host/mining/scheduler.h"
#include "hashrig/host/report/log.h"
#include "hashrig/pool/stratum.h"

namespace {

namespace host = hashrig::host;
namespace pool = hashrig::pool;

class NullChain final : public host::HashChain {
 public:
  const std::string& name() const override { return name_; }
  std::string description() const override { return {}; }
  void Start(host::NonceSink) override {}
  void Stop() override {}
  void Restart() override {}
  void SetWork(const host::ChainWork& work) override { last = work.token; }
  host::ChainStatus status() const override {
    host::ChainStatus s;
    s.state = host::ChainState::kMining;
    s.chips = 108;
    return s;
  }
  hashrig::WorkToken last{};

 private:
  std::string name_ = "NULL";
};

std::shared_ptr<const pool::Job> RealJob() {
  std::ifstream in(std::string(HASHRIG_SHARED_DATA_DIR) +
                   "/stratum/mujina_bitaxe_gamma_capture_2025-06-19.json");
  std::stringstream text;
  text << in.rdbuf();
  const auto capture = nlohmann::json::parse(text.str());
  auto job = std::make_shared<pool::Job>();
  job->notify = *pool::ParseNotify(capture["notify"]["params"]);
  job->extranonce1 = {0x41, 0x28, 0x06, 0x4f};
  job->extranonce2_size = 4;
  job->version_mask = 0x1fffe000;
  job->difficulty = *hashrig::sha256::Difficulty::From(8192);
  return job;
}

void BM_NotifyToAllChains(benchmark::State& state) {
  boost::asio::io_context io;
  std::ostringstream sink;
  host::Logger log(sink, host::LogLevel::kWarning);
  pool::ClientConfig config;
  config.pools.push_back({*pool::ParsePoolUrl("127.0.0.1:1"), "bench", "x"});
  pool::PoolClient client(io, config, [](std::size_t, const pool::Event&) {});
  std::vector<std::unique_ptr<host::HashChain>> chains;
  chains.reserve(static_cast<std::size_t>(state.range(0)));
  for (int i = 0; i < state.range(0); ++i) {
    chains.push_back(std::make_unique<NullChain>());
  }
  host::Scheduler scheduler(client, std::move(chains), log);
  const auto job = RealJob();
  for (auto _ : state) {
    scheduler.OnPoolEvent(0, pool::event::NewJob{job, true});
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::to_string(state.range(0)) + " chains");
}
BENCHMARK(BM_NotifyToAllChains)->Arg(1)->Arg(3)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
