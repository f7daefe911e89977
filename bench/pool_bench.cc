// pool/ benchmarks (issue 3), on the real mujina Bitaxe notify (12-hash branch, 4-byte
// extranonce2, version rolling) from ../shared/data:
//   BM_NotifyToFirstHeader    pool line in -> parsed job -> first 80-byte header ready
//   BM_HeadersRollingExtranonce2  headers built per second, a new extranonce2 for each
//   BM_MerkleRoot12Deep       folding a 12-hash merkle branch (items = roots)
//   BM_ShareCheck             a submitted share rebuilt, hashed and judged (local pool)
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>

#include "hashrig/pool/session.h"
#include "hashrig/pool/stratum.h"
#include "hashrig/pool/work.h"

namespace {

using hashrig::pool::Extranonce2Counter;
using hashrig::pool::FoldMerkleBranch;
using hashrig::pool::Hash256;
using hashrig::pool::Header;
using hashrig::pool::Job;
using hashrig::pool::JsonText;
using hashrig::pool::ParseLine;
using hashrig::pool::ParseNotify;
using hashrig::pool::Share;
using hashrig::pool::WorkBuilder;

std::string NotifyLine() {
  std::ifstream in(std::string(HASHRIG_SHARED_DATA_DIR) +
                   "/stratum/mujina_bitaxe_gamma_capture_2025-06-19.json");
  std::stringstream text;
  text << in.rdbuf();
  return JsonText(nlohmann::json::parse(text.str())["notify"]);
}

Job JobFromLine(const std::string& line) {
  auto message = ParseLine(line);
  Job job;
  job.notify = *ParseNotify(message->params);
  job.extranonce1 = {0x41, 0x28, 0x06, 0x4f};
  job.extranonce2_size = 4;
  job.version_mask = 0x1fffe000;
  return job;
}

void BM_NotifyToFirstHeader(benchmark::State& state) {
  const std::string line = NotifyLine();
  const std::vector<std::uint8_t> en2(4, 0);
  for (auto _ : state) {
    const Job job = JobFromLine(line);
    const WorkBuilder builder(job);
    Header header =
        builder.BuildHeader(builder.MerkleRoot(en2), job.notify.ntime, job.notify.version);
    benchmark::DoNotOptimize(header);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::to_string(line.size()) + "-byte notify, " +
                 std::string(hashrig::sha256::Backend::Default().name()));
}
BENCHMARK(BM_NotifyToFirstHeader);

void BM_HeadersRollingExtranonce2(benchmark::State& state) {
  const Job job = JobFromLine(NotifyLine());
  const WorkBuilder builder(job);
  Extranonce2Counter counter(4);
  for (auto _ : state) {
    const auto en2 = counter.Next();
    Header header =
        builder.BuildHeader(builder.MerkleRoot(*en2), job.notify.ntime, job.notify.version);
    benchmark::DoNotOptimize(header);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::string(hashrig::sha256::Backend::Default().name()));
}
BENCHMARK(BM_HeadersRollingExtranonce2);

void BM_MerkleRoot12Deep(benchmark::State& state) {
  const Job job = JobFromLine(NotifyLine());
  Hash256 leaf{};
  for (auto _ : state) {
    leaf = FoldMerkleBranch(leaf, job.notify.merkle_branch);
    benchmark::DoNotOptimize(leaf);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::to_string(job.notify.merkle_branch.size()) + " hashes, " +
                 std::string(hashrig::sha256::Backend::Default().name()));
}
BENCHMARK(BM_MerkleRoot12Deep);

void BM_ShareCheck(benchmark::State& state) {
  const Job job = JobFromLine(NotifyLine());
  const Share share{job.notify.job_id, {0x17, 0, 0, 0}, job.notify.ntime, 0x7552034c, 0x20b44000};
  for (auto _ : state) {
    auto header = WorkBuilder(job).HeaderFor(share);
    benchmark::DoNotOptimize(hashrig::pool::Evaluate(*header));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ShareCheck);

}  // namespace

BENCHMARK_MAIN();
