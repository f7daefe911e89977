#include "hashrig/sha256/scan.h"

#include <algorithm>
#include <cstring>

#include "kernel_table.h"
#include "sha256_math.h"

namespace hashrig::sha256 {
namespace {

// Nonces handed to a kernel per call: small enough for a stack-sized candidate buffer
// per version, large enough that the call overhead is noise.
constexpr std::uint32_t kChunk = 4096;

// sha256d of the header a job stands for, with `nonce`, by the scalar reference.
Digest ReferenceHash(const ScanJobData& job, std::uint32_t nonce) {
  State mid;
  std::copy(std::begin(job.midstate), std::end(job.midstate), mid.words.begin());
  std::uint8_t tail[16];
  for (int i = 0; i < 3; ++i) {
    WriteBe32(tail + 4 * i, job.tail[i]);
  }
  WriteLe32(tail + 12, nonce);
  const Digest first = Sha256(mid, 1, Backend::Scalar()).Update(tail).Finalize();
  return Hash(first, Backend::Scalar());
}

}  // namespace

Target Target::FromLittleEndian(const std::array<std::uint8_t, 32>& bytes) {
  Target t;
  t.bytes_ = bytes;
  return t;
}

std::optional<Target> Target::FromCompact(std::uint32_t nbits) {
  const std::uint32_t exponent = nbits >> 24;
  const std::uint32_t mantissa = nbits & 0x007fffff;
  if ((nbits & 0x00800000) != 0 && mantissa != 0) {
    return std::nullopt;  // negative
  }
  Target t;
  for (std::uint32_t i = 0; i < 3; ++i) {
    const std::uint8_t byte = static_cast<std::uint8_t>(mantissa >> (8 * i));
    // Byte i of the mantissa lands at position exponent - 3 + i.
    const std::int64_t pos = static_cast<std::int64_t>(exponent) - 3 + i;
    if (pos < 0) {
      continue;
    }
    if (pos >= 32) {
      if (byte != 0) {
        return std::nullopt;  // overflow
      }
      continue;
    }
    t.bytes_[static_cast<std::size_t>(pos)] = byte;
  }
  return t;
}

Target Target::Max() {
  Target t;
  t.bytes_.fill(0xff);
  return t;
}

bool Target::IsMetBy(const Digest& hash) const {
  for (std::size_t i = 32; i-- > 0;) {
    if (hash[i] != bytes_[i]) {
      return hash[i] < bytes_[i];
    }
  }
  return true;
}

std::uint32_t Target::top_word() const { return ReadLe32(bytes_.data() + 28); }

std::array<std::uint8_t, kHeaderSize> WithVersionAndNonce(
    std::span<const std::uint8_t, kHeaderSize> header, std::uint32_t version, std::uint32_t nonce) {
  std::array<std::uint8_t, kHeaderSize> out;
  std::copy(header.begin(), header.end(), out.begin());
  WriteLe32(out.data(), version);
  WriteLe32(out.data() + 76, nonce);
  return out;
}

HeaderScanner::HeaderScanner(std::span<const std::uint8_t, kHeaderSize> header, Backend backend)
    : backend_(backend) {
  jobs_.push_back(PrepareScanJob(header.data(), ReadLe32(header.data())));
}

HeaderScanner::HeaderScanner(std::span<const std::uint8_t, kHeaderSize> header,
                             std::span<const std::uint32_t> versions, Backend backend)
    : backend_(backend) {
  for (const std::uint32_t v : versions) {
    jobs_.push_back(PrepareScanJob(header.data(), v));
  }
}

HeaderScanner::HeaderScanner(const State& midstate, std::span<const std::uint8_t, 12> tail,
                             Backend backend)
    : backend_(backend) {
  jobs_.push_back(PrepareScanJob(midstate.words.data(), tail.data(), 0));
}

HeaderScanner::~HeaderScanner() = default;
HeaderScanner::HeaderScanner(HeaderScanner&&) noexcept = default;
HeaderScanner& HeaderScanner::operator=(HeaderScanner&&) noexcept = default;

std::size_t HeaderScanner::version_count() const { return jobs_.size(); }

std::uint64_t HeaderScanner::Scan(NonceRange range, const Target& target,
                                  std::vector<Hit>& hits) const {
  if (jobs_.empty()) {
    return 0;
  }
  const std::uint64_t end = std::min(range.end, kNonceSpace);
  const auto scan = backend_.kernels().scan;
  const std::uint32_t top = target.top_word();
  std::vector<Candidate> candidates(std::size_t{kChunk} * jobs_.size());
  std::uint64_t hashed = 0;
  for (std::uint64_t first = range.begin; first < end; first += kChunk) {
    const auto count = static_cast<std::uint32_t>(std::min<std::uint64_t>(kChunk, end - first));
    const std::size_t n = scan(jobs_.data(), jobs_.size(), static_cast<std::uint32_t>(first), count,
                               top, candidates.data());
    hashed += std::uint64_t{count} * jobs_.size();
    // The kernel only compared the top word: confirm in full with the reference.
    for (std::size_t i = 0; i < n; ++i) {
      const ScanJobData& job = jobs_[candidates[i].job];
      const Digest hash = ReferenceHash(job, candidates[i].nonce);
      if (target.IsMetBy(hash)) {
        hits.push_back({candidates[i].nonce, job.version, hash});
      }
    }
  }
  return hashed;
}

}  // namespace hashrig::sha256
