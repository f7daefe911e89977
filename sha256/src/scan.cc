#include "hashrig/sha256/scan.h"

#include <algorithm>
#include <cstring>

#include "hashrig/sha256/math.h"
#include "kernel_table.h"

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
  // Sized for the range, not the chunk: a short range (a simulated chip's 256 nonces)
  // costs no large allocation.
  const auto chunk = static_cast<std::uint32_t>(
      std::min<std::uint64_t>(kChunk, end > range.begin ? end - range.begin : 0));
  // One buffer per thread, grown to the largest need seen: no allocation per call.
  thread_local std::vector<Candidate> candidates;
  if (candidates.size() < std::size_t{chunk} * jobs_.size()) {
    candidates.resize(std::size_t{chunk} * jobs_.size());
  }
  std::uint64_t hashed = 0;
  for (std::uint64_t first = range.begin; first < end; first += chunk) {
    const auto count = static_cast<std::uint32_t>(std::min<std::uint64_t>(chunk, end - first));
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
