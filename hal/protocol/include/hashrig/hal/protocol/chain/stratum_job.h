// A Stratum job as this layer describes it, for chains that build their own headers:
// Canaan's MM modules take the job itself and roll extranonce2 (nonce2) and ntime (reference
// avalon-protocol.md §1.2, §4). hal does not see pool/, so the host fills this from
// pool::Job; the byte strings are spans the host keeps alive while any work naming the
// job can still be checked (ChainController::kRecentWork works, a driver's own jobs).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "hashrig/sha256/target.h"

namespace hashrig::hal::protocol {

using Hash32 = std::array<std::uint8_t, 32>;

struct StratumJob {
  std::string_view job_id;
  Hash32 prevhash{};  // header byte order (notify's 4-byte words swapped back, as pool::Notify)
  std::span<const std::uint8_t> coinb1;
  std::span<const std::uint8_t> extranonce1;
  std::size_t extranonce2_size = 4;  // the module rolls the low min(size, 4) bytes
  std::span<const std::uint8_t> coinb2;
  std::span<const Hash32> merkle_branch;  // raw sha256d order, bottom-up
  std::uint32_t version = 0;              // values, as notify's hex reads
  std::uint32_t nbits = 0;
  std::uint32_t ntime = 0;
  bool clean_jobs = false;
  sha256::Difficulty difficulty;   // the pool's share difficulty
  std::uint32_t version_mask = 0;  // BIP310; 0 = none
  std::uint16_t pool = 0;          // pool number (Avalon: in JOB_ID and NONCE)
};

}  // namespace hashrig::hal::protocol
