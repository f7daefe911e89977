#include "hashrig/pool/work.h"

#include <algorithm>
#include <limits>
#include <string>

#include "hashrig/base/hex.h"

namespace hashrig::pool {
namespace {

void PutLe32(std::uint8_t* out, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) {
    out[i] = static_cast<std::uint8_t>(value >> (8 * i));
  }
}

// All values a counter of `size` bytes can hold; 2^64 - 1 for 8 bytes and more.
std::uint64_t SpaceOf(std::size_t size) {
  if (size >= 8) {
    return std::numeric_limits<std::uint64_t>::max();
  }
  return std::uint64_t{1} << (8 * size);
}

}  // namespace

Hash256 FoldMerkleBranch(Hash256 leaf, std::span<const Hash256> branch) {
  std::array<std::uint8_t, 64> pair{};
  for (const Hash256& sibling : branch) {
    std::copy(leaf.begin(), leaf.end(), pair.begin());
    std::copy(sibling.begin(), sibling.end(), pair.begin() + 32);
    leaf = sha256::DoubleHash(pair);
  }
  return leaf;
}

WorkBuilder::WorkBuilder(const Job& job) : job_(job) {
  coinbase_prefix_.Update(job_.notify.coinb1);
  coinbase_prefix_.Update(job_.extranonce1);
}

std::vector<std::uint8_t> WorkBuilder::Coinbase(std::span<const std::uint8_t> extranonce2) const {
  const Notify& n = job_.notify;
  std::vector<std::uint8_t> out;
  out.reserve(n.coinb1.size() + job_.extranonce1.size() + extranonce2.size() + n.coinb2.size());
  out.insert(out.end(), n.coinb1.begin(), n.coinb1.end());
  out.insert(out.end(), job_.extranonce1.begin(), job_.extranonce1.end());
  out.insert(out.end(), extranonce2.begin(), extranonce2.end());
  out.insert(out.end(), n.coinb2.begin(), n.coinb2.end());
  return out;
}

Hash256 WorkBuilder::MerkleRoot(std::span<const std::uint8_t> extranonce2) const {
  // The coinb1 || extranonce1 prefix was absorbed once; each extranonce2 costs only the
  // blocks from there on.
  sha256::Sha256 hasher = coinbase_prefix_;
  hasher.Update(extranonce2);
  hasher.Update(job_.notify.coinb2);
  const sha256::Digest single = hasher.Finalize();
  return FoldMerkleBranch(sha256::Hash(single), job_.notify.merkle_branch);
}

Header WorkBuilder::BuildHeader(const Hash256& merkle_root, std::uint32_t ntime,
                                std::uint32_t version, std::uint32_t nonce) const {
  Header h{};
  PutLe32(h.data(), version);
  std::copy(job_.notify.prevhash.begin(), job_.notify.prevhash.end(), h.begin() + 4);
  std::copy(merkle_root.begin(), merkle_root.end(), h.begin() + 36);
  PutLe32(h.data() + 68, ntime);
  PutLe32(h.data() + 72, job_.notify.nbits);
  PutLe32(h.data() + 76, nonce);
  return h;
}

Expected<Header> WorkBuilder::HeaderFor(const Share& share) const {
  if (Error fits = Check(share); !fits.ok()) {
    return fits;
  }
  return BuildHeader(MerkleRoot(share.extranonce2), share.ntime, share.version, share.nonce);
}

Error WorkBuilder::Check(const Share& share) const {
  if (share.extranonce2.size() != job_.extranonce2_size) {
    return Error(StatusCode::kInvalidArgument,
                 "extranonce2 has " + std::to_string(share.extranonce2.size()) +
                     " bytes, the job needs " + std::to_string(job_.extranonce2_size));
  }
  const std::uint32_t job_version = job_.notify.version;
  if (((share.version ^ job_version) & ~job_.version_mask) != 0) {
    return Error(StatusCode::kInvalidArgument, "version " + FormatHex32(share.version) +
                                                   " changes bits outside mask " +
                                                   FormatHex32(job_.version_mask) +
                                                   " of job version " + FormatHex32(job_version));
  }
  const std::uint32_t ntime = job_.notify.ntime;
  if (share.ntime < ntime ||
      share.ntime - ntime > static_cast<std::uint32_t>(kMaxNtimeRoll.count())) {
    return Error(StatusCode::kInvalidArgument,
                 "ntime " + FormatHex32(share.ntime) + " outside the job's window " +
                     FormatHex32(ntime) + " + " + std::to_string(kMaxNtimeRoll.count()) + " s");
  }
  return {};
}

ShareValue Evaluate(const Header& header) {
  ShareValue value;
  value.hash = sha256::DoubleHash(header);
  value.difficulty = sha256::Difficulty::OfHash(value.hash);
  return value;
}

std::uint32_t VersionBits(std::uint32_t version, std::uint32_t mask) { return version & mask; }

std::uint32_t RollVersion(std::uint32_t job_version, std::uint32_t bits, std::uint32_t mask) {
  return (job_version & ~mask) | (bits & mask);
}

Extranonce2Counter::Extranonce2Counter(std::size_t size)
    : Extranonce2Counter(size, 0, SpaceOf(size)) {}

Extranonce2Counter::Extranonce2Counter(std::size_t size, std::uint64_t begin, std::uint64_t end)
    : size_(size), next_(begin), end_(std::max(begin, std::min(end, SpaceOf(size)))) {}

std::optional<std::vector<std::uint8_t>> Extranonce2Counter::Next() {
  if (next_ >= end_) {
    return std::nullopt;
  }
  std::vector<std::uint8_t> out(size_, 0);
  const std::uint64_t value = next_++;
  for (std::size_t i = 0; i < std::min<std::size_t>(size_, 8); ++i) {
    out[i] = static_cast<std::uint8_t>(value >> (8 * i));
  }
  return out;
}

std::optional<Extranonce2Counter::Range> Extranonce2Counter::Take(std::uint64_t count) {
  if (next_ >= end_ || count == 0) {
    return std::nullopt;
  }
  const Range range{next_, std::min(count, end_ - next_)};
  next_ += range.count;
  return range;
}

std::vector<Extranonce2Counter> Extranonce2Counter::Split(std::size_t parts) {
  std::vector<Extranonce2Counter> out;
  if (parts == 0) {
    return out;
  }
  const std::uint64_t share = remaining() / parts;
  for (std::size_t i = 0; i < parts; ++i) {
    const std::uint64_t begin = next_ + share * i;
    const std::uint64_t end = i + 1 == parts ? end_ : begin + share;
    out.emplace_back(size_, begin, end);
  }
  next_ = end_;
  return out;
}

}  // namespace hashrig::pool
