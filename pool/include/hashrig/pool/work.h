// The work builder: notify + extranonce2 + ntime (+ version) -> coinbase, merkle root and
// the 80-byte header; and the reverse for shares: share -> header -> hash -> difficulty.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "hashrig/base/error.h"
#include "hashrig/pool/job.h"
#include "hashrig/sha256/scan.h"
#include "hashrig/sha256/sha256.h"
#include "hashrig/sha256/target.h"

namespace hashrig::pool {

using Header = std::array<std::uint8_t, sha256::kHeaderSize>;

// sha256d(sha256d(h || b)) folding of a merkle branch, bottom-up.
Hash256 FoldMerkleBranch(Hash256 leaf, std::span<const Hash256> branch);

class WorkBuilder {
 public:
  explicit WorkBuilder(const Job& job);

  // coinb1 || extranonce1 || extranonce2 || coinb2. `extranonce2` must have the job's size.
  std::vector<std::uint8_t> Coinbase(std::span<const std::uint8_t> extranonce2) const;
  Hash256 MerkleRoot(std::span<const std::uint8_t> extranonce2) const;
  // version || prevhash || merkle root || ntime || nbits || nonce, integers little-endian.
  Header BuildHeader(const Hash256& merkle_root, std::uint32_t ntime, std::uint32_t version,
                     std::uint32_t nonce = 0) const;

  // The header a share claims, after checking it against the job: extranonce2 size,
  // version bits only inside the negotiated mask, ntime within [job ntime, +kMaxNtimeRoll].
  Expected<Header> HeaderFor(const Share& share) const;
  // Does the share fit the job (extranonce2 size, version bits inside the mask, ntime
  // inside the window)? What HeaderFor checks, without hashing.
  Error Check(const Share& share) const;

  const Job& job() const { return job_; }

 private:
  Job job_;
  sha256::Sha256 coinbase_prefix_;  // has absorbed coinb1 || extranonce1
};

// What a share is worth: its hash and difficulty (T1 / hash).
struct ShareValue {
  sha256::Digest hash{};
  sha256::Difficulty difficulty;
};
ShareValue Evaluate(const Header& header);

// The BIP310 version-bits field of a submit: the rolled bits inside the mask.
std::uint32_t VersionBits(std::uint32_t version, std::uint32_t mask);
// The version a pool rebuilds from job version and submitted bits.
std::uint32_t RollVersion(std::uint32_t job_version, std::uint32_t bits, std::uint32_t mask);

// Extranonce2 values of one job, handed out once each: a little-endian counter over
// [begin, end) written into `size` bytes (cgminer's layout). Empty when exhausted.
class Extranonce2Counter {
 public:
  explicit Extranonce2Counter(std::size_t size);
  Extranonce2Counter(std::size_t size, std::uint64_t begin, std::uint64_t end);

  std::optional<std::vector<std::uint8_t>> Next();
  // The next `count` values as one range [first, first + count) for a device that rolls
  // extranonce2 itself (Canaan's MM modules); fewer when less is left, empty when none.
  struct Range {
    std::uint64_t first = 0;
    std::uint64_t count = 0;
  };
  std::optional<Range> Take(std::uint64_t count);
  // Splits what is left into `parts` disjoint counters (one per chain); the last takes
  // the remainder. This counter is left empty.
  std::vector<Extranonce2Counter> Split(std::size_t parts);

  std::uint64_t remaining() const { return end_ - next_; }
  std::size_t size() const { return size_; }

 private:
  std::size_t size_;
  std::uint64_t next_;
  std::uint64_t end_;
};

}  // namespace hashrig::pool
