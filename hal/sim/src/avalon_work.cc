#include "avalon_work.h"

#include <algorithm>

#include "hashrig/hal/protocol/avalon/work.h"
#include "hashrig/hal/protocol/le.h"
#include "hashrig/hal/sim/avalon.h"
#include "hashrig/sha256/sha256.h"

namespace hashrig::hal::sim::avalon_detail {
namespace {

using av::Kind;
using protocol::LoadBe32;
using protocol::LoadLe32;
using protocol::StoreLe32;
using Step = JobAssembler::Step;

constexpr std::size_t kHeaderChunks = 4;
constexpr std::uint32_t kMerkleOffset = 36;

// Every chunk of a message arrived (CNT set by the first one).
bool Complete(const std::vector<std::optional<av::Data>>& chunks) {
  return std::all_of(chunks.begin(), chunks.end(), [](const auto& c) { return c.has_value(); });
}

}  // namespace

Step JobAssembler::Take(Kind kind, const av::Packet& packet) {
  switch (kind) {
    case Kind::kStatic: {
      auto fields = av::DecodeStatic(generation_, packet);
      if (!fields.ok()) {
        return Step::kRefused;
      }
      static_ = *fields;  // a new hand-off: the chunks start again
      coinbase_.clear();
      merkles_.clear();
      header_.clear();
      return Step::kTaken;
    }
    case Kind::kTarget: {
      auto target = av::DecodeTarget(generation_, packet);
      return target.ok() ? (target_ = *target, Step::kTaken) : Step::kRefused;
    }
    case Kind::kJobId: {
      auto id = av::DecodeJobId(generation_, packet);
      return id.ok() && std::all_of(packet.data.begin() + 4, packet.data.end(),
                                    [](std::uint8_t b) { return b == 0; })
                 ? (job_id_ = *id, Step::kTaken)
                 : Step::kRefused;
    }
    case Kind::kVmask: {
      auto vmask = av::DecodeVmask(generation_, packet);
      return vmask.ok() ? (vmask_ = *vmask, Step::kTaken) : Step::kRefused;
    }
    case Kind::kCoinbase:
      return TakeChunk(coinbase_, packet, 255) ? Step::kTaken : Step::kRefused;
    case Kind::kMerkles:
      return TakeChunk(merkles_, packet, av::kMaxMerkles) ? Step::kTaken : Step::kRefused;
    case Kind::kHeader:
      return TakeChunk(header_, packet, kHeaderChunks) ? Step::kTaken : Step::kRefused;
    case Kind::kJobFin:
      return Finish();
    default:
      return Step::kRefused;
  }
}

// IDX 1..CNT; every chunk of one message has the same CNT; a chunk may come again.
bool JobAssembler::TakeChunk(std::vector<std::optional<av::Data>>& chunks, const av::Packet& packet,
                             std::size_t max_count) {
  if (!static_ || packet.cnt == 0 || packet.cnt > max_count || packet.idx == 0 ||
      packet.idx > packet.cnt || (!chunks.empty() && chunks.size() != packet.cnt)) {
    return false;
  }
  chunks.resize(packet.cnt);
  chunks[packet.idx - 1] = packet.data;
  return true;
}

Step JobAssembler::Finish() {
  const bool vmask_needed = av::InfoOf(generation_).vmask;
  if (!static_ || !target_ || !job_id_ || (vmask_needed && !vmask_) || !Complete(coinbase_) ||
      !Complete(merkles_) || header_.size() != kHeaderChunks || !Complete(header_) ||
      merkles_.size() != static_->merkle_count) {
    static_.reset();
    return Step::kBadJob;
  }
  AvalonJob job;
  job.fields = *static_;
  job.target = *target_;
  job.job_tag = job_id_->job_tag;
  job.pool = job_id_->pool;
  static_.reset();  // the next hand-off starts with its own STATIC
  if (job.fields.merkle_offset != kMerkleOffset || !BuildCoinbase(job)) {
    return Step::kBadJob;
  }
  for (const auto& m : merkles_) {
    job.merkles.push_back(*m);
  }
  for (std::size_t w = 0; w < 20; ++w) {  // the template's words byte-reversed back
    const std::size_t chunk = 4 * w / av::kDataSize;
    StoreLe32(&job.header[4 * w], LoadBe32(&(*header_[chunk])[4 * w % av::kDataSize]));
  }
  const std::uint32_t version = LoadLe32(&job.header[0]);
  job.versions = vmask_needed ? vmask_->versions
                              : std::array<std::uint32_t, 4>{version, version, version, version};
  job_ = std::move(job);
  return Step::kFinished;
}

// COINBASE 1 = the midstate (8 BE32), 2.. = the tail (§4.1 step 7), checked against STATIC.
bool JobAssembler::BuildCoinbase(AvalonJob& job) const {
  const av::Static& s = job.fields;
  const std::size_t prehash = s.nonce2_offset - s.nonce2_offset % sha256::kBlockSize;
  if (s.nonce2_size < 1 || s.nonce2_size > 4 || s.coinbase_length < prehash ||
      s.nonce2_offset + std::size_t{s.nonce2_size} > s.coinbase_length ||
      s.coinbase_length - prehash > av::kMaxCoinbaseTail) {
    return false;
  }
  const std::size_t tail = s.coinbase_length - prehash;
  if (coinbase_.size() != 1 + (tail + av::kDataSize - 1) / av::kDataSize) {
    return false;
  }
  for (std::size_t w = 0; w < 8; ++w) {
    job.midstate.words[w] = LoadBe32(&(*coinbase_[0])[4 * w]);
  }
  job.prehash = prehash;
  job.tail.resize(tail);
  for (std::size_t i = 0; i < tail; ++i) {
    job.tail[i] = (*coinbase_[1 + i / av::kDataSize])[i % av::kDataSize];
  }
  return true;
}

std::array<std::uint8_t, 80> HeaderOf(const AvalonJob& job, std::uint32_t nonce2,
                                      std::uint32_t ntime_offset) {
  std::vector<std::uint8_t> tail = job.tail;
  const std::size_t at = job.fields.nonce2_offset - job.prehash;
  for (std::size_t i = 0; i < job.fields.nonce2_size; ++i) {
    tail[at + i] = static_cast<std::uint8_t>(nonce2 >> (8 * i));  // little-endian (§4.2)
  }
  sha256::StreamHasher hasher(sha256::ScalarCompress, job.midstate,
                              job.prehash / sha256::kBlockSize);
  sha256::Digest root = hasher.Update(tail).Finalize();
  sha256::StreamHasher fresh(sha256::ScalarCompress);
  root = fresh.Update(root).Finalize();
  for (const Hash32& branch : job.merkles) {
    root = fresh.Update(root).Update(branch).Finalize();
    root = fresh.Update(root).Finalize();
  }
  std::array<std::uint8_t, 80> header = job.header;
  std::copy(root.begin(), root.end(), header.begin() + kMerkleOffset);
  StoreLe32(&header[68], LoadLe32(&header[68]) + ntime_offset);
  return header;
}

WorkCursor::WorkCursor(const AvalonJob& job, int index, std::uint64_t sweep)
    : job_(&job), index_(index), sweep_(std::max<std::uint64_t>(1, sweep)) {
  for (std::size_t k = 0; k < job.versions.size(); ++k) {
    if (std::find(versions_.begin(), versions_.end(), job.versions[k]) == versions_.end()) {
      versions_.push_back(job.versions[k]);
      micro_jobs_.push_back(static_cast<std::uint8_t>(k));
    }
  }
  Begin();
}

// The header of the walk's current step (§8b.2).
void WorkCursor::Begin() {
  const av::Static& s = job_->fields;
  const std::uint64_t range = s.nonce2_range == 0 ? std::uint64_t{1} << 32 : s.nonce2_range;
  const std::uint64_t k = step_ / kNtimeOffsets * kAvalonMaxModules + index_;
  const std::uint64_t width_mask =
      s.nonce2_size >= 4 ? 0xFFFFFFFFu : (1u << (8 * s.nonce2_size)) - 1;
  nonce2_ = static_cast<std::uint32_t>((s.nonce2_start + k % range) & width_mask);
  ntime_offset_ = static_cast<std::uint32_t>(step_ % kNtimeOffsets);
  next_nonce_ = 0;
  header_ = HeaderOf(*job_, nonce2_, ntime_offset_);
  scanner_.emplace(std::span<const std::uint8_t, 80>(header_), versions_);
  ++headers_;
}

std::uint64_t WorkCursor::Scan(std::uint64_t budget, std::vector<Found>& found) {
  if (job_ == nullptr) {
    return 0;
  }
  const std::uint64_t nonces = budget / versions_.size();
  const std::uint64_t end = std::min(sweep_, next_nonce_ + nonces);
  if (end <= next_nonce_) {
    return 0;
  }
  std::vector<sha256::Hit> hits;
  const std::uint64_t hashes = scanner_->Scan({next_nonce_, end}, job_->target, hits);
  for (const sha256::Hit& hit : hits) {
    const auto slot =
        std::find(versions_.begin(), versions_.end(), hit.version) - versions_.begin();
    Found f{nonce2_, ntime_offset_, hit.nonce, micro_jobs_[slot], header_};
    StoreLe32(&f.header[0], hit.version);
    found.push_back(f);
  }
  next_nonce_ = end;
  if (next_nonce_ >= sweep_) {
    ++step_;
    Begin();
  }
  return hashes;
}

}  // namespace hashrig::hal::sim::avalon_detail
