// `cpu[:THREADS]`: the CPU as a chain — worker threads scan stripes of the current
// work's nonce space with the sha256 core at the job's share difficulty and hand what
// they find straight to the scheduler's sink (the hash they computed comes with it).
#include <mutex>
#include <stop_token>
#include <thread>

#include "chain_session.h"
#include "hashrig/sha256/scan.h"
#include "hashrig/sha256/target.h"

namespace hashrig::host {
namespace {

class CpuChain final : public HashChain {
 public:
  CpuChain(std::string name, int threads) : name_(std::move(name)), threads_(threads) {}
  ~CpuChain() override { Stop(); }
  CpuChain(const CpuChain&) = delete;
  CpuChain& operator=(const CpuChain&) = delete;

  const std::string& name() const override { return name_; }
  std::string description() const override {
    return std::to_string(threads_) + " CPU thread(s) on the " +
           std::string(sha256::Backend::Default().name()) + " backend";
  }
  void Start(NonceSink sink) override {
    sink_ = std::move(sink);
    for (int i = 0; i < threads_; ++i) {
      workers_.emplace_back([this, i](const std::stop_token& stop) { Work(stop, i); });
    }
  }
  void Stop() override {
    for (auto& worker : workers_) {
      worker.request_stop();
    }
    workers_.clear();  // joins
  }
  void Restart() override {}
  void SetWork(const ChainWork& work) override {
    const std::lock_guard lock(mutex_);
    work_ = work;
    ++generation_;
  }
  ChainStatus status() const override {
    ChainStatus s;
    s.state = ChainState::kMining;
    s.chips = threads_;
    s.expected_chips = threads_;
    return s;
  }

 private:
  void Work(const std::stop_token& stop, int stripe) {
    std::uint64_t seen = 0;
    sha256::Target target;
    std::optional<sha256::HeaderScanner> scanner;
    ChainWork work;
    std::uint64_t next = 0;
    const std::uint64_t stride = sha256::kNonceSpace / static_cast<std::uint64_t>(threads_);
    std::vector<sha256::Hit> hits;
    std::vector<FoundNonce> found;
    while (!stop.stop_requested()) {
      {
        const std::lock_guard lock(mutex_);
        if (generation_ != seen) {
          seen = generation_;
          work = work_;
          scanner.emplace(std::span<const std::uint8_t, 80>(work.header));
          target =
              sha256::Difficulty::From(work.difficulty).value_or(sha256::Difficulty()).ToTarget();
          next = stride * static_cast<std::uint64_t>(stripe);
        }
      }
      const std::uint64_t end =
          std::min(next + (1 << 18), stride * static_cast<std::uint64_t>(stripe + 1));
      if (!scanner || next >= end) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));  // stripe done: wait for work
        continue;
      }
      hits.clear();
      scanner->Scan({next, end}, target, hits);
      next = end;
      for (const sha256::Hit& hit : hits) {
        found.push_back({work.token, stripe, Nonce{hit.nonce}, Version{hit.version},
                         work.difficulty, hit.hash, true, std::nullopt, 0});
      }
      if (!found.empty()) {
        sink_(std::move(found));
        found.clear();
      }
    }
  }

  std::string name_;
  int threads_;
  NonceSink sink_;
  std::mutex mutex_;
  ChainWork work_;
  std::uint64_t generation_ = 0;
  std::vector<std::jthread> workers_;
};

}  // namespace

Error ParseCpu(std::string_view rest, BoardSpec& spec) {
  return ParseCountInto(rest, 1, "threads", spec);
}

std::unique_ptr<HashChain> MakeCpuChain(const BoardSpec& spec, const BoardSettings&,
                                        std::string name, Logger&) {
  return std::make_unique<CpuChain>(std::move(name), spec.count);
}

}  // namespace hashrig::host
