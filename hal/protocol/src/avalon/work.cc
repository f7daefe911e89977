#include "hashrig/hal/protocol/avalon/work.h"

#include "fields.h"
#include "hashrig/hal/protocol/crc.h"

namespace hashrig::hal::protocol::avalon {
namespace {

constexpr Status kBadJob{StatusCode::kInvalidArgument,
                         "a job the Avalon protocol cannot carry (extranonce2 size 3..16, "
                         "at most 30 branches, a coinbase tail of at most 6 KiB)"};
constexpr std::size_t kHeaderPackets = 4;
constexpr std::uint32_t kMerkleOffset = 36;

// Byte `i` of coinb1 ‖ extranonce1 ‖ extranonce2 (zeros, or `extranonce2`) ‖ coinb2.
std::uint8_t CoinbaseByte(const StratumJob& job, std::size_t i,
                          std::span<const std::uint8_t> extranonce2 = {}) {
  if (i < job.coinb1.size()) {
    return job.coinb1[i];
  }
  i -= job.coinb1.size();
  if (i < job.extranonce1.size()) {
    return job.extranonce1[i];
  }
  i -= job.extranonce1.size();
  if (i < job.extranonce2_size) {
    return i < extranonce2.size() ? extranonce2[i] : 0;
  }
  return job.coinb2[i - job.extranonce2_size];
}

std::size_t CoinbaseLength(const StratumJob& job) {
  return job.coinb1.size() + job.extranonce1.size() + job.extranonce2_size + job.coinb2.size();
}

// The real 80-byte header with a zero root and nonce: fields little-endian.
std::array<std::uint8_t, 80> BareHeader(const StratumJob& job, std::uint32_t version,
                                        std::uint32_t ntime) {
  std::array<std::uint8_t, 80> h{};
  StoreLe32(&h[0], version);
  for (std::size_t i = 0; i < 32; ++i) {
    h[4 + i] = job.prevhash[i];
  }
  StoreLe32(&h[68], ntime);
  StoreLe32(&h[72], job.nbits);
  return h;
}

Packet Chunk(Generation generation, Kind kind, std::size_t idx, std::size_t cnt) {
  Packet p;
  p.type = *TypeOf(generation, kind);
  p.idx = static_cast<std::uint8_t>(idx);
  p.cnt = static_cast<std::uint8_t>(cnt);
  return p;
}

}  // namespace

std::uint16_t JobTag(std::string_view job_id) {
  // A char may alias the bytes of the string (the job id is ASCII, hashed as sent).
  return Crc16Xmodem({reinterpret_cast<const std::uint8_t*>(job_id.data()), job_id.size()});
}

std::array<std::uint32_t, 4> VersionsFor(std::uint32_t version, std::uint32_t mask) {
  if (mask == 0) {
    return {version, version, version, version};
  }
  std::uint32_t low = 0xF;
  while ((mask & low) == 0) {
    low <<= 4;
  }
  low &= mask;
  return {version, version | low, version | (mask - low), version | mask};
}

Result<JobPackets> JobPackets::Make(Generation generation, const StratumJob& job,
                                    const SplitOptions& options) {
  const std::size_t nonce2_offset = job.coinb1.size() + job.extranonce1.size();
  const std::size_t length = CoinbaseLength(job);
  const std::size_t prehash = nonce2_offset - nonce2_offset % sha256::kBlockSize;
  if (job.extranonce2_size < kMinExtranonce2 || job.extranonce2_size > kMaxExtranonce2 ||
      job.merkle_branch.size() > kMaxMerkles || length - prehash > kMaxCoinbaseTail ||
      options.device_count == 0 || options.device_index >= options.device_count) {
    return kBadJob;
  }
  JobPackets p;
  p.generation_ = generation;
  p.job_ = job;
  p.send_job_id_ = options.send_job_id;
  p.job_tag_ = JobTag(job.job_id);
  const std::uint32_t space = job.extranonce2_size == 3 ? 0xFFFFFFu : 0xFFFFFFFFu;
  const std::uint32_t range = space / options.device_count;
  p.static_ =
      Static{static_cast<std::uint32_t>(length),
             static_cast<std::uint32_t>(nonce2_offset),
             static_cast<std::uint32_t>(job.extranonce2_size < 4 ? job.extranonce2_size : 4),
             kMerkleOffset,
             static_cast<std::uint32_t>(job.merkle_branch.size()),
             options.nonce2_range != 0 ? options.nonce2_start : range * options.device_index,
             options.nonce2_range != 0 ? options.nonce2_range : range,
             job.clean_jobs ? 1u : 0u};
  const double cap = InfoOf(generation).diff_max;
  const auto sent =
      sha256::Difficulty::From(job.difficulty.value() < cap ? job.difficulty.value() : cap);
  p.target_ = sent->ToTarget();
  p.prehash_ = prehash;
  std::array<std::uint8_t, sha256::kBlockSize> block{};
  for (std::size_t at = 0; at < prehash; at += block.size()) {
    for (std::size_t i = 0; i < block.size(); ++i) {
      block[i] = CoinbaseByte(job, at + i);
    }
    sha256::ScalarCompress(p.midstate_.words.data(), block.data(), 1);
  }
  p.coinbase_packets_ = 1 + (length - prehash + kDataSize - 1) / kDataSize;
  const auto header = BareHeader(job, job.version, job.ntime);
  for (std::size_t w = 0; w < 20; ++w) {
    StoreBe32(&p.header_[4 * w], LoadLe32(&header[4 * w]));
  }
  p.header_[83] = 0x80;  // SHA-256 padding of an 80-byte message, words swapped as above
  p.header_[124] = 0x80;
  p.header_[125] = 0x02;
  return p;
}

std::size_t JobPackets::size() const {
  const bool vmask = InfoOf(generation_).vmask;
  return 1 + (vmask ? 1 : 0) + 1 + (send_job_id_ ? 1 : 0) + coinbase_packets_ +
         job_.merkle_branch.size() + kHeaderPackets + 1;
}

Packet JobPackets::at(std::size_t i) const {
  const Generation g = generation_;
  if (i == 0) {
    return *Encode(g, static_);
  }
  i -= 1;
  if (InfoOf(g).vmask && i-- == 0) {
    return *Encode(g, Vmask{VersionsFor(job_.version, job_.version_mask)});
  }
  if (i-- == 0) {
    return *Encode(g, target_);
  }
  if (send_job_id_ && i-- == 0) {
    return *Encode(g, JobId{job_tag_, job_.pool});
  }
  if (i < coinbase_packets_) {
    Packet p = Chunk(g, Kind::kCoinbase, i + 1, coinbase_packets_);
    if (i == 0) {
      for (std::size_t w = 0; w < 8; ++w) {
        StoreBe32(&p.data[4 * w], midstate_.words[w]);
      }
      return p;
    }
    const std::size_t from = prehash_ + (i - 1) * kDataSize;
    const std::size_t length = static_cast<std::size_t>(static_.coinbase_length);
    for (std::size_t k = 0; k < kDataSize && from + k < length; ++k) {
      p.data[k] = CoinbaseByte(job_, from + k);
    }
    return p;
  }
  i -= coinbase_packets_;
  if (i < job_.merkle_branch.size()) {
    Packet p = Chunk(g, Kind::kMerkles, i + 1, job_.merkle_branch.size());
    p.data = job_.merkle_branch[i];
    return p;
  }
  i -= job_.merkle_branch.size();
  if (i < kHeaderPackets) {
    Packet p = Chunk(g, Kind::kHeader, i + 1, kHeaderPackets);
    for (std::size_t k = 0; k < kDataSize; ++k) {
      p.data[k] = header_[i * kDataSize + k];
    }
    return p;
  }
  return *Empty(g, Kind::kJobFin);
}

Result<Submit> SubmitFor(Generation generation, const StratumJob& job, const NonceReport& report) {
  if (report.job_tag != JobTag(job.job_id) || report.pool != job.pool) {
    return Status(StatusCode::kMismatch, "the nonce is not for this job");
  }
  const bool slots = InfoOf(generation).nonce == NonceLayout::kTwoSlots;
  const std::size_t rolled = job.extranonce2_size < 4 ? job.extranonce2_size : 4;
  if (report.micro_job > (slots ? 3 : 0) || job.extranonce2_size > kMaxExtranonce2 ||
      (rolled < 4 && report.nonce2 >> (8 * rolled) != 0)) {
    return Status(StatusCode::kInvalidArgument, "a nonce this job cannot have produced");
  }
  Submit s;
  s.extranonce2_size = job.extranonce2_size;
  // nonce2 little-endian; a 3-byte extranonce2 was checked to fit, bytes 4.. stay 0.
  StoreLe32(s.extranonce2.data(), report.nonce2);
  s.ntime = job.ntime + report.ntime_offset;
  s.nonce = report.nonce;
  s.version = slots ? VersionsFor(job.version, job.version_mask)[report.micro_job] : job.version;
  if (slots && job.version_mask != 0) {
    s.version_bits = s.version & job.version_mask;
  }
  return s;
}

std::array<std::uint8_t, 80> HeaderFor(const StratumJob& job, const Submit& submit) {
  sha256::StreamHasher hasher(sha256::ScalarCompress);
  const std::size_t length = CoinbaseLength(job);
  std::array<std::uint8_t, sha256::kBlockSize> buffer{};
  for (std::size_t at = 0; at < length; at += buffer.size()) {
    const std::size_t n = length - at < buffer.size() ? length - at : buffer.size();
    for (std::size_t i = 0; i < n; ++i) {
      buffer[i] = CoinbaseByte(job, at + i, submit.extranonce_bytes());
    }
    hasher.Update(std::span(buffer).first(n));
  }
  sha256::Digest root = hasher.Finalize();
  root = hasher.Update(root).Finalize();
  for (const Hash32& branch : job.merkle_branch) {
    root = hasher.Update(root).Update(branch).Finalize();
    root = hasher.Update(root).Finalize();
  }
  auto header = BareHeader(job, submit.version, submit.ntime);
  for (std::size_t i = 0; i < root.size(); ++i) {
    header[kMerkleOffset + i] = root[i];
  }
  StoreLe32(&header[76], submit.nonce.value);
  return header;
}

}  // namespace hashrig::hal::protocol::avalon
