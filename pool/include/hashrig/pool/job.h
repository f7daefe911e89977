// A pool's work as Stratum V1 delivers it, and a share found on it.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "hashrig/sha256/target.h"

namespace hashrig::pool {

using Hash256 = std::array<std::uint8_t, 32>;

inline constexpr std::size_t kMinExtranonce2Size = 1;
inline constexpr std::size_t kMaxExtranonce2Size = 16;
// How far a miner may roll ntime past the job's. ckpool refuses shares beyond +7000 s;
// we stay well inside it (jobs are refreshed every 30-60 s by real pools).
inline constexpr std::chrono::seconds kMaxNtimeRoll{600};

// mining.notify, decoded and validated (pool/README.md lists the byte orders).
struct Notify {
  std::string job_id;
  Hash256 prevhash{};  // header byte order (the wire's 4-byte words already swapped back)
  std::vector<std::uint8_t> coinb1;
  std::vector<std::uint8_t> coinb2;
  std::vector<Hash256> merkle_branch;  // as sent: raw sha256d order, bottom-up
  std::uint32_t version = 0;
  std::uint32_t nbits = 0;
  std::uint32_t ntime = 0;
  bool clean_jobs = false;
};

// A notify together with the session state in force when it arrived: everything needed
// to build headers and judge shares for it, fixed for the job's lifetime.
struct Job {
  Notify notify;
  std::vector<std::uint8_t> extranonce1;
  std::size_t extranonce2_size = 4;
  sha256::Difficulty difficulty;   // set_difficulty applies from the next notify
  std::uint32_t version_mask = 0;  // negotiated BIP310 mask; 0 = no version rolling
  std::uint64_t sequence = 0;      // increasing per client, for "newest job" checks
};

// A nonce found on a job, in the job's terms.
struct Share {
  std::string job_id;
  std::vector<std::uint8_t> extranonce2;
  std::uint32_t ntime = 0;
  std::uint32_t nonce = 0;
  std::uint32_t version = 0;  // the full header version that was hashed

  friend bool operator==(const Share&, const Share&) = default;
};

}  // namespace hashrig::pool
