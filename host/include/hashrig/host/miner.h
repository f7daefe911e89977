// The scheduler and accounting between the pool client and the chains: every job
// becomes work for every chain (each with its own extranonce2 range), clean jobs reach
// every chain at once, every nonce is verified with the sha256 core, shares are judged by
// their own job's difficulty and submitted once, and the counters fleets read are kept.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hashrig/host/api.h"
#include "hashrig/host/hash_chain.h"
#include "hashrig/host/log.h"
#include "hashrig/pool/client.h"
#include "hashrig/pool/work.h"

namespace hashrig::host {

// Exponentially decaying hashrate over a window (cgminer's 5 s, 1 m, 5 m, 15 m).
class RateWindow {
 public:
  explicit RateWindow(std::chrono::seconds window) : window_(window) {}
  void Add(double hashes, std::chrono::steady_clock::time_point now);
  double HashesPerSecond(std::chrono::steady_clock::time_point now) const;

 private:
  std::chrono::duration<double> window_;
  double rate_ = 0;
  std::chrono::steady_clock::time_point last_{};
  bool started_ = false;
};

struct MinerStats {
  std::uint64_t accepted = 0;
  std::uint64_t rejected = 0;
  std::uint64_t stale = 0;
  std::uint64_t lost = 0;  // submitted, never answered (timeout, connection lost)
  std::uint64_t hardware_errors = 0;
  std::uint64_t nonces = 0;
  double accepted_difficulty = 0;
  double rejected_difficulty = 0;
  double diff1_work = 0;  // sum of verified nonces' ticket difficulties
  double best_share = 0;
  std::map<std::string, std::uint64_t> rejected_by_reason;
};

class Miner {
 public:
  using Clock = std::chrono::steady_clock;

  Miner(pool::PoolClient& client, std::vector<std::unique_ptr<HashChain>> chains, Logger& log);

  void OnPoolEvent(std::size_t pool, const pool::Event& event);
  // Runs every chain for about `budget`, verifies what they found, submits shares.
  void Tick(std::chrono::milliseconds budget);
  // Fresh extranonce2 for every chain on the current job (keeps chains busy).
  void RefreshWork();

  const MinerStats& stats() const { return stats_; }
  double Hashrate5s() const { return rate_5s_.HashesPerSecond(Clock::now()); }
  double HashrateAverage() const;
  std::string StatusLine() const;
  // Everything the cgminer API and /metrics report.
  ApiSnapshot Snapshot() const;
  // Restarts every chain (API `restart`): re-init, then fresh work.
  void RestartChains();
  const std::vector<std::unique_ptr<HashChain>>& chains() const { return chains_; }

 private:
  struct Issued {
    std::shared_ptr<const pool::Job> job;
    std::vector<std::uint8_t> extranonce2;
    std::uint32_t ntime = 0;
    pool::Header header{};
  };

  void Distribute(bool clean);
  void Verify(std::size_t chain, const FoundNonce& nonce);
  void OnShareResult(const pool::event::ShareResult& result);
  std::string Chains() const;

  struct PoolCounters {
    std::uint64_t accepted = 0, rejected = 0, stale = 0;
    double difficulty_accepted = 0, difficulty_rejected = 0, last_share_difficulty = 0;
    std::int64_t last_share_time = 0;
  };
  struct ChainCounters {
    std::uint64_t nonces = 0, accepted = 0, hardware_errors = 0;
    double diff1_work = 0;
    RateWindow rate_5s{std::chrono::seconds(5)};
  };

  pool::PoolClient& client_;
  std::map<std::size_t, PoolCounters> pool_counters_;
  std::vector<ChainCounters> chain_counters_;
  std::size_t last_pool_ = 0;
  std::vector<std::unique_ptr<HashChain>> chains_;
  Logger& log_;
  std::shared_ptr<const pool::Job> job_;
  Clock::time_point job_received_{};
  std::vector<pool::Extranonce2Counter> counters_;
  std::map<std::uint32_t, Issued> issued_;
  std::deque<std::uint32_t> issued_order_;
  std::uint32_t next_token_ = 1;
  MinerStats stats_;
  Clock::time_point started_ = Clock::now();
  RateWindow rate_5s_{std::chrono::seconds(5)};
  RateWindow rate_1m_{std::chrono::seconds(60)};
  RateWindow rate_5m_{std::chrono::seconds(300)};
  RateWindow rate_15m_{std::chrono::seconds(900)};
};

std::string FormatHashrate(double hashes_per_second);

}  // namespace hashrig::host
