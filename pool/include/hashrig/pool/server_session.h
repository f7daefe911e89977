// The local pool's protocol side, I/O-free like the client's: a synthetic block template
// that makes jobs, and a per-connection server session that answers a miner's lines and
// validates every share with the sha256 core. local_pool.h puts them on sockets.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "hashrig/pool/job.h"
#include "hashrig/pool/stratum.h"
#include "hashrig/pool/work.h"
#include "hashrig/sha256/target.h"

namespace hashrig::pool {

struct LocalPoolSettings {
  sha256::Difficulty difficulty = *sha256::Difficulty::From(0.002);  // ~8.6 M hashes a share
  std::uint32_t version_mask = 0x1fffe000;
  std::size_t extranonce2_size = 4;
  std::size_t merkle_depth = 4;      // synthetic sibling hashes in every job's branch
  std::uint32_t nbits = 0x1d00ffff;  // network difficulty 1: some shares solve a block
  std::uint32_t block_version = 0x20000000;
  // The coinbase pays this script (default: OP_TRUE, anyone can spend; it is a test pool).
  std::vector<std::uint8_t> payout_script = {0x51};
  std::uint64_t coinbase_value = 312'500'000;  // 3.125 BTC, the 2024 subsidy
  std::uint64_t seed = 1;
  // Fault injection for tests: reject every share with this reason when not empty.
  std::string reject_all_reason;
};

// The chain the local pool pretends to extend: a random prevhash per block, a coinbase
// with a BIP34 height and room for extranonce1 || extranonce2, and a random branch.
class BlockTemplate {
 public:
  explicit BlockTemplate(const LocalPoolSettings& settings);

  void NextBlock();
  // A job on the current block at `ntime`; clean_jobs on the first job of each block.
  std::shared_ptr<const Notify> MakeJob(std::uint32_t ntime, std::size_t extranonce1_size);
  std::uint32_t height() const { return height_; }

 private:
  const LocalPoolSettings& settings_;
  std::mt19937_64 random_;
  std::uint32_t height_ = 900'000;
  Hash256 prevhash_{};
  std::vector<Hash256> branch_;
  std::uint64_t next_job_ = 1;
  bool block_started_ = false;
};

// What every connection reports, kept by the pool.
struct PoolLedger {
  std::uint64_t accepted = 0;
  double accepted_difficulty = 0;
  std::map<std::string, std::uint64_t> rejected;  // by reason
  std::uint64_t RejectedCount() const {
    std::uint64_t n = 0;
    for (const auto& [reason, count] : rejected) {
      n += count;
    }
    return n;
  }
  std::string last_rejection;  // its reason, and the header when one was built (for the log)
  std::uint64_t blocks = 0;
  struct Accepted {
    Header header;
    sha256::Difficulty job_difficulty;
  };
  std::deque<Accepted> recent;  // the last kRecent accepted shares, for checks
  static constexpr std::size_t kRecent = 4096;
};

class ServerSession {
 public:
  ServerSession(const LocalPoolSettings& settings, std::vector<std::uint8_t> extranonce1,
                PoolLedger& ledger);

  // A miner's line in, our lines out. `block_found` is set when a share solved the block.
  std::vector<std::string> OnLine(std::string_view line, bool& block_found);
  // Lines announcing a job to this miner (nothing until it is subscribed).
  std::vector<std::string> Announce(const Notify& notify);
  std::vector<std::string> SetDifficulty(sha256::Difficulty difficulty);
  std::vector<std::string> SetVersionMask(std::uint32_t mask);
  std::vector<std::string> SetExtranonce1(std::vector<std::uint8_t> extranonce1);

  bool subscribed() const { return subscribed_; }
  std::size_t bad_lines() const { return bad_lines_; }

 private:
  std::string OnConfigure(const Message& m);
  std::string OnSubscribe(const Message& m);
  std::string OnAuthorize(const Message& m);
  std::string OnSubmit(const Message& m, bool& block_found);
  std::string Reject(const Message& m, int code, const std::string& reason);

  const LocalPoolSettings& settings_;
  PoolLedger& ledger_;
  std::vector<std::uint8_t> extranonce1_;
  sha256::Difficulty difficulty_;
  std::uint32_t version_mask_ = 0;  // negotiated
  bool subscribed_ = false;
  bool authorized_ = false;
  std::size_t bad_lines_ = 0;
  struct SentJob {
    Job job;
    bool stale = false;
    std::set<std::string> shares;
  };
  std::map<std::string, SentJob> jobs_;
  std::vector<std::string> job_order_;
};

}  // namespace hashrig::pool
