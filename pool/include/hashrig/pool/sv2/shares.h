// Share validation on one Stratum V2 channel, I/O-free: what the pool checks for every
// SubmitShares{Standard,Extended}, by the rules SRI's channels-sv2 applies (its test
// cases are ../shared/data/sv2/sri_channels_share_vectors.json).
//
// A job arrives as NewMiningJob (standard channel: the pool fixed the merkle root) or
// NewExtendedMiningJob (coinbase prefix/suffix and merkle path: the miner's extranonce
// goes between extranonce_prefix and the suffix). A job without min_ntime is a future
// job, mined only once a SetNewPrevHash names it; SetNewPrevHash retires every other job.
// The header is version ‖ prev_hash ‖ merkle_root ‖ ntime ‖ nbits ‖ nonce (integers
// little-endian, hashes in header byte order); a share is valid when its sha256d, read
// as a little-endian number, is at most the channel's target; a block when at most nbits'.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string_view>

#include "hashrig/pool/sv2/messages.h"
#include "hashrig/sha256/target.h"

namespace hashrig::pool::sv2 {

enum class ShareVerdict {
  kValid,
  kBlockFound,                // valid, and meets the block's own target too
  kDuplicate,                 // "duplicate-share"
  kDifficultyTooLow,          // "difficulty-too-low"
  kNtimeTooEarly,             // "invalid-share": ntime below the job's min_ntime
  kNonRollableVersionBit,     // "invalid-non-rollable-version-bit": outside 0x1fffffe0
  kVersionRollingNotAllowed,  // "version-rolling-not-allowed"
  kUnknownJob,                // "invalid-job-id"
  kStale,                     // "stale-share": its job was retired by a new prev hash
  kBadExtranonceSize,         // "bad-extranonce-size"
};
inline bool Accepted(ShareVerdict v) {
  return v == ShareVerdict::kValid || v == ShareVerdict::kBlockFound;
}
// The error_code a pool sends in SubmitShares.Error (and our tests' vector labels).
std::string_view ErrorCode(ShareVerdict v);

// sv2-spec 3.7.1: a coinbase on the wire carries no BIP141 marker/flag or witness.
// If `prefix` still has them (bytes 4-5 = marker 00, flag 01), returns the pair without
// those two bytes and without the 34-byte witness (01 20 <32 bytes>) that comes before
// the suffix's 4-byte locktime; otherwise nothing (already stripped).
std::optional<std::pair<Bytes, Bytes>> StripBip141(std::span<const std::uint8_t> prefix,
                                                   std::span<const std::uint8_t> suffix);

class ShareValidator {
 public:
  struct Result {
    ShareVerdict verdict = ShareVerdict::kUnknownJob;
    sha256::Digest hash{};                  // when one was computed
    std::array<std::uint8_t, 80> header{};  // the header hashed, then
  };

  // `rollable_extranonce_size`: the bytes the miner adds (0 on a standard channel).
  ShareValidator(Bytes extranonce_prefix, std::size_t rollable_extranonce_size, const U256& target);

  void SetTarget(const U256& target) { target_ = sha256::Target::FromLittleEndian(target); }
  void SetExtranoncePrefix(Bytes prefix) { extranonce_prefix_ = std::move(prefix); }
  void AddJob(const NewMiningJob& job);
  void AddJob(const NewExtendedMiningJob& job);
  void SetPrevHash(const SetNewPrevHash& prev);

  // `extranonce` is empty on a standard channel.
  Result Check(std::uint32_t job_id, std::uint32_t nonce, std::uint32_t ntime,
               std::uint32_t version, std::span<const std::uint8_t> extranonce);

  // The merkle root a job gives for an extranonce (extended jobs), for the miner side.
  std::optional<U256> MerkleRoot(std::uint32_t job_id,
                                 std::span<const std::uint8_t> extranonce) const;

 private:
  struct Job {
    std::uint32_t version = 0;
    bool version_rolling_allowed = true;
    bool future = false;
    std::optional<std::uint32_t> min_ntime;  // an active job's own; else the prev hash's
    U256 merkle_root{};                      // standard
    Bytes coinbase_prefix;
    Bytes coinbase_suffix;
    std::vector<U256> merkle_path;
    bool extended = false;
  };

  static constexpr std::size_t kRetiredKept = 1024;

  Bytes extranonce_prefix_;
  std::size_t rollable_size_;
  sha256::Target target_;
  std::map<std::uint32_t, Job> jobs_;
  std::set<std::uint32_t> retired_;  // jobs a prev hash retired (their shares are stale)
  std::optional<SetNewPrevHash> prev_;
  std::set<sha256::Digest> seen_;  // hashes accepted since the last prev hash
};

}  // namespace hashrig::pool::sv2
