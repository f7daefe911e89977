#include "hashrig/pool/sv2/shares.h"

#include <algorithm>

#include "hashrig/pool/work.h"
#include "hashrig/sha256/sha256.h"

namespace hashrig::pool::sv2 {

std::string_view ErrorCode(ShareVerdict v) {
  switch (v) {
    case ShareVerdict::kValid:
      return "valid";
    case ShareVerdict::kBlockFound:
      return "block_found";
    case ShareVerdict::kDuplicate:
      return "duplicate-share";
    case ShareVerdict::kDifficultyTooLow:
      return "difficulty-too-low";
    case ShareVerdict::kNtimeTooEarly:
      return "invalid-share";
    case ShareVerdict::kNonRollableVersionBit:
      return "invalid-non-rollable-version-bit";
    case ShareVerdict::kVersionRollingNotAllowed:
      return "version-rolling-not-allowed";
    case ShareVerdict::kUnknownJob:
      return "invalid-job-id";
    case ShareVerdict::kStale:
      return "stale-share";
    case ShareVerdict::kBadExtranonceSize:
      return "bad-extranonce-size";
  }
  return "invalid-share";
}

std::optional<std::pair<Bytes, Bytes>> StripBip141(std::span<const std::uint8_t> prefix,
                                                   std::span<const std::uint8_t> suffix) {
  constexpr std::size_t kWitness = 34;  // 01 (one item) 20 (32 bytes) <reserved value>
  if (prefix.size() < 6 || prefix[4] != 0x00 || prefix[5] != 0x01 || suffix.size() < kWitness + 4) {
    return std::nullopt;
  }
  // The marker and flag say a witness is there; like SRI (bip141.rs), the 34 bytes before
  // the locktime are taken as it without parsing the outputs (one of its fixtures has a
  // stray byte before the witness, which this keeps, as SRI does).
  const std::size_t at = suffix.size() - 4 - kWitness;
  Bytes p(prefix.begin(), prefix.begin() + 4);
  p.insert(p.end(), prefix.begin() + 6, prefix.end());
  Bytes s(suffix.begin(), suffix.begin() + static_cast<std::ptrdiff_t>(at));
  s.insert(s.end(), suffix.end() - 4, suffix.end());
  return std::pair{std::move(p), std::move(s)};
}

ShareValidator::ShareValidator(Bytes extranonce_prefix, std::size_t rollable_extranonce_size,
                               const U256& target)
    : extranonce_prefix_(std::move(extranonce_prefix)),
      rollable_size_(rollable_extranonce_size),
      target_(sha256::Target::FromLittleEndian(target)) {}

void ShareValidator::AddJob(const NewMiningJob& job) {
  Job j;
  j.version = job.version;
  j.future = !job.min_ntime.has_value();
  j.min_ntime = job.min_ntime;
  j.merkle_root = job.merkle_root;
  jobs_[job.job_id] = std::move(j);
}

void ShareValidator::AddJob(const NewExtendedMiningJob& job) {
  Job j;
  j.version = job.version;
  j.version_rolling_allowed = job.version_rolling_allowed;
  j.future = !job.min_ntime.has_value();
  j.min_ntime = job.min_ntime;
  j.extended = true;
  j.coinbase_prefix = job.coinbase_tx_prefix;
  j.coinbase_suffix = job.coinbase_tx_suffix;
  j.merkle_path = job.merkle_path;
  jobs_[job.job_id] = std::move(j);
}

void ShareValidator::SetPrevHash(const SetNewPrevHash& prev) {
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    if (it->first == prev.job_id) {
      it->second.future = false;
      it->second.min_ntime = prev.min_ntime;
      ++it;
    } else if (it->second.future) {
      ++it;  // may still be named by a later prev hash
    } else {
      retired_.insert(it->first);
      it = jobs_.erase(it);
      if (retired_.size() > kRetiredKept) {
        retired_.erase(retired_.begin());  // the oldest ids: theirs become "invalid-job-id"
      }
    }
  }
  prev_ = prev;
  seen_.clear();
}

std::optional<U256> ShareValidator::MerkleRoot(std::uint32_t job_id,
                                               std::span<const std::uint8_t> extranonce) const {
  const auto it = jobs_.find(job_id);
  if (it == jobs_.end()) {
    return std::nullopt;
  }
  const Job& job = it->second;
  if (!job.extended) {
    return job.merkle_root;
  }
  Bytes coinbase = job.coinbase_prefix;
  coinbase.insert(coinbase.end(), extranonce_prefix_.begin(), extranonce_prefix_.end());
  coinbase.insert(coinbase.end(), extranonce.begin(), extranonce.end());
  coinbase.insert(coinbase.end(), job.coinbase_suffix.begin(), job.coinbase_suffix.end());
  return FoldMerkleBranch(sha256::DoubleHash(coinbase), job.merkle_path);
}

ShareValidator::Result ShareValidator::Check(std::uint32_t job_id, std::uint32_t nonce,
                                             std::uint32_t ntime, std::uint32_t version,
                                             std::span<const std::uint8_t> extranonce) {
  Result r;
  const auto it = jobs_.find(job_id);
  if (it == jobs_.end()) {
    r.verdict = retired_.contains(job_id) ? ShareVerdict::kStale : ShareVerdict::kUnknownJob;
    return r;
  }
  const Job& job = it->second;
  if (job.future || !prev_) {
    r.verdict = ShareVerdict::kUnknownJob;  // not mineable yet: no prev hash names it
    return r;
  }
  if (ntime < job.min_ntime.value_or(prev_->min_ntime)) {
    r.verdict = ShareVerdict::kNtimeTooEarly;
    return r;
  }
  if (!job.version_rolling_allowed && version != job.version) {
    r.verdict = ShareVerdict::kVersionRollingNotAllowed;
    return r;
  }
  if (((version ^ job.version) & ~kVersionRollingMask) != 0) {
    r.verdict = ShareVerdict::kNonRollableVersionBit;
    return r;
  }
  if (job.extended && extranonce.size() != rollable_size_) {
    r.verdict = ShareVerdict::kBadExtranonceSize;
    return r;
  }
  const auto root = MerkleRoot(job_id, extranonce);
  auto& header = r.header;
  auto put32 = [&header](std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) {
      header[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
    }
  };
  put32(0, version);
  std::copy(prev_->prev_hash.begin(), prev_->prev_hash.end(), header.begin() + 4);
  std::copy(root->begin(), root->end(), header.begin() + 36);
  put32(68, ntime);
  put32(72, prev_->nbits);
  put32(76, nonce);
  r.hash = sha256::DoubleHash(header);
  if (seen_.contains(r.hash)) {
    r.verdict = ShareVerdict::kDuplicate;
    return r;
  }
  const auto block = sha256::Target::FromCompact(prev_->nbits);
  if (block && block->IsMetBy(r.hash)) {
    r.verdict = ShareVerdict::kBlockFound;
  } else if (target_.IsMetBy(r.hash)) {
    r.verdict = ShareVerdict::kValid;
  } else {
    r.verdict = ShareVerdict::kDifficultyTooLow;
    return r;
  }
  seen_.insert(r.hash);
  return r;
}

}  // namespace hashrig::pool::sv2
