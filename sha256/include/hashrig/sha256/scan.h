// The miner's hot path: hash an 80-byte block header for every nonce in a range and
// return the nonces whose sha256d is at or under a 256-bit target.
//
// Everything that does not depend on the nonce (the midstate of the first 64 bytes, the
// first rounds of the second block, the constant message-schedule words) is computed once
// when a HeaderScanner is made. Kernels reject on the hash's most significant word and
// only candidates are re-hashed in full, so a hit is exact and every hit is reported.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "hashrig/sha256/backend.h"
#include "hashrig/sha256/sha256.h"
#include "hashrig/sha256/target.h"

namespace hashrig::sha256 {

inline constexpr std::size_t kHeaderSize = 80;
inline constexpr std::uint64_t kNonceSpace = std::uint64_t{1} << 32;

// Half-open nonce range [begin, end) with end <= 2^32; empty when begin >= end.
struct NonceRange {
  std::uint64_t begin = 0;
  std::uint64_t end = kNonceSpace;
  std::uint64_t size() const { return end > begin ? end - begin : 0; }
};

struct Hit {
  std::uint32_t nonce;
  std::uint32_t version;  // the header version this nonce was found with
  Digest hash;            // sha256d of the full header, as produced (not reversed)
};

struct ScanJobData;  // internal: sha256/src/kernel_table.h

class HeaderScanner {
 public:
  // Scans `header` as given (its nonce field is ignored).
  HeaderScanner(std::span<const std::uint8_t, kHeaderSize> header,
                Backend backend = Backend::Default());
  // Scans the header once per version in `versions` (BIP310 rolling), sharing the second
  // block's message schedule between them. `versions` must not be empty.
  HeaderScanner(std::span<const std::uint8_t, kHeaderSize> header,
                std::span<const std::uint32_t> versions, Backend backend = Backend::Default());
  // Scans from a midstate (state after header bytes 0..63) and the tail's first 12
  // bytes (merkle root tail, ntime, nbits): BM1397-style work. Hits report version 0.
  HeaderScanner(const State& midstate, std::span<const std::uint8_t, 12> tail,
                Backend backend = Backend::Default());
  ~HeaderScanner();
  HeaderScanner(HeaderScanner&&) noexcept;
  HeaderScanner& operator=(HeaderScanner&&) noexcept;

  // Appends every hit in `range` (for each version) to `hits`, in nonce order per
  // chunk. Returns the number of hashes computed (range size times versions).
  std::uint64_t Scan(NonceRange range, const Target& target, std::vector<Hit>& hits) const;

  std::size_t version_count() const;
  Backend backend() const { return backend_; }

 private:
  Backend backend_;
  std::vector<ScanJobData> jobs_;
};

// The 80-byte header with `version` and `nonce` written in (little-endian).
std::array<std::uint8_t, kHeaderSize> WithVersionAndNonce(
    std::span<const std::uint8_t, kHeaderSize> header, std::uint32_t version, std::uint32_t nonce);

}  // namespace hashrig::sha256
