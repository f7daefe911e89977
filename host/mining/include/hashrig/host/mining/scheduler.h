// The scheduler and accounting between the pool client and the chains, on the daemon's
// I/O thread: every job becomes work for every chain (each with its own extranonce2
// range), clean jobs reach every chain at once, every nonce a chain checked is judged by
// its own job's difficulty and submitted once — from the header and hash the chain
// already holds, never rebuilt — and the counters fleets read are kept.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hashrig/host/mining/hash_chain.h"
#include "hashrig/host/mining/statistics.h"
#include "hashrig/host/report/log.h"
#include "hashrig/host/report/snapshot.h"
#include "hashrig/pool/client.h"
#include "hashrig/pool/work.h"

namespace hashrig::host {

struct MinerStats {
  std::uint64_t accepted = 0;
  std::uint64_t rejected = 0;
  std::uint64_t stale = 0;
  std::uint64_t lost = 0;  // submitted, never answered (timeout, connection lost)
  // Never sent: no pool took it (held, then dropped), the submit queue was full, or
  // the miner stopped first. Stale shares never sent count as stale.
  std::uint64_t discarded = 0;
  std::uint64_t hardware_errors = 0;
  std::uint64_t nonces = 0;
  double accepted_difficulty = 0;
  double rejected_difficulty = 0;
  double diff1_work = 0;  // sum of verified nonces' ticket difficulties
  double best_share = 0;
  std::map<std::string, std::uint64_t> rejected_by_reason;
};

class Scheduler {
 public:
  using Clock = std::chrono::steady_clock;

  Scheduler(pool::PoolClient& client, std::vector<std::unique_ptr<HashChain>> chains, Logger& log);

  void OnPoolEvent(std::size_t pool, const pool::Event& event);
  // Checked nonces from chain `chain` (on the I/O thread).
  void OnNonces(std::size_t chain, const std::vector<FoundNonce>& batch);
  // Fresh extranonce2 for every chain on the current job (keeps chains busy).
  void RefreshWork();
  // Restarts every chain (API `restart`): re-init, then fresh work.
  void RestartChains();

  const MinerStats& stats() const { return stats_; }
  std::string StatusLine() const;
  // Logs what the share log held back (at most kShareLinesPerSecond lines a second).
  void FlushShareLog();
  // The miner is stopping: nonces from now on are not submitted (their answers could not
  // be waited for); the pool's disconnect is then no warning.
  void BeginStop() { stopping_ = true; }
  MinerSnapshot Snapshot() const;
  std::vector<std::unique_ptr<HashChain>>& chains() { return chains_; }

 private:
  struct Issued {
    std::shared_ptr<const pool::Job> job;
    std::vector<std::uint8_t> extranonce2;
    std::uint32_t ntime = 0;
  };
  struct PoolCounters {
    std::uint64_t accepted = 0, rejected = 0, stale = 0;
    double difficulty_accepted = 0, difficulty_rejected = 0, last_share_difficulty = 0;
    std::int64_t last_share_time = 0;
  };
  struct ChainCounters {
    explicit ChainCounters(Clock::time_point start) : rate_5s(std::chrono::seconds(5), start) {}
    std::uint64_t nonces = 0, submitted = 0, hardware_errors = 0;
    double diff1_work = 0;
    RateWindow rate_5s;
  };

  void Distribute(bool clean);
  void HandJob(std::size_t chain, bool clean);
  void Remember(std::uint32_t token, Issued issued);
  bool AnyChainRolls() const;
  void Verify(std::size_t chain, const FoundNonce& nonce, Clock::time_point now);
  void Submit(std::size_t chain, const Issued& work, const FoundNonce& n);
  void OnShareResult(const pool::event::ShareResult& result);
  void CountVerdict(const pool::event::ShareResult& result, const std::string& head,
                    const std::string& note);
  static std::string ShareHead(const sha256::Digest& hash, double job_difficulty);
  void CountUnsent(bool stale, LogLevel level, const std::string& where, const std::string& head,
                   const std::string& why);
  // A line about a share, within the log's budget; `kind` names it in the summary.
  void LogShare(LogLevel level, const std::string& where, const char* kind,
                const std::string& text);
  void LogPoolEvent(std::size_t pool, const pool::Event& event);
  std::string Chains() const;
  double HashrateAverage(Clock::time_point now) const;

  pool::PoolClient& client_;
  std::vector<std::unique_ptr<HashChain>> chains_;
  Logger& log_;
  Clock::time_point started_ = Clock::now();
  std::map<std::size_t, PoolCounters> pool_counters_;
  std::vector<ChainCounters> chain_counters_;
  std::size_t last_pool_ = 0;
  std::shared_ptr<const pool::Job> job_;
  std::size_t job_pool_ = 0;
  // Per chain that rolls extranonce2: the job it was last handed (a refresh skips it).
  std::map<std::size_t, std::shared_ptr<const pool::Job>> handed_;
  // Extranonce2 values a rolling chain gets per job: at 100 TH/s a module needs ~2^16 an
  // hour (each value is 2^32 nonces times its ntime offsets).
  static constexpr std::uint64_t kRolledSlice = std::uint64_t{1} << 20;
  Clock::time_point job_received_{};
  std::vector<pool::Extranonce2Counter> counters_;
  bool counters_exhausted_ = false;
  std::map<std::uint32_t, Issued> issued_;
  std::deque<std::uint32_t> issued_order_;
  std::uint32_t next_token_ = 1;
  MinerStats stats_;
  bool stopping_ = false;
  Clock::time_point share_log_window_{};
  int share_lines_ = 0;
  std::map<std::string, std::uint64_t> share_lines_held_back_;
  RateWindow rate_5s_{std::chrono::seconds(5), started_};
  RateWindow rate_1m_{std::chrono::seconds(60), started_};
  RateWindow rate_5m_{std::chrono::seconds(300), started_};
  RateWindow rate_15m_{std::chrono::seconds(900), started_};
};

}  // namespace hashrig::host
