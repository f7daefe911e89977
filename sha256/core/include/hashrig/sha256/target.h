// What a hash must meet: a 256-bit Target, and the pool share difficulty ("pdiff") as
// cgminer, ckpool, ESP-Miner and public-pool use it — difficulty D means a hash H
// (sha256d read as a little-endian 256-bit number) must satisfy H <= T1 / D, with
// T1 = 0xFFFF * 2^208. Difficulties can be fractional and below 1 (test pools, regtest),
// so the value is a double. Freestanding: the chain driver, the firmware and the pool
// client all speak these two types.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>

#include "hashrig/sha256/stream.h"

namespace hashrig::sha256 {

// A 256-bit target. Bytes are little-endian, the order of a sha256d digest read as
// Bitcoin reads it: a hash meets the target when, as a number, it is <= the target.
class Target {
 public:
  constexpr Target() = default;
  static Target FromLittleEndian(const std::array<std::uint8_t, 32>& bytes);
  // nBits ("compact") form of a block header; empty for negative or overflowing values.
  static std::optional<Target> FromCompact(std::uint32_t nbits);
  static Target Max();

  bool IsMetBy(const Digest& hash) const;
  // The most significant 32 bits, used by the kernels to reject early.
  std::uint32_t top_word() const;
  const std::array<std::uint8_t, 32>& bytes() const { return bytes_; }

 private:
  std::array<std::uint8_t, 32> bytes_{};
};

class Difficulty {
 public:
  constexpr Difficulty() = default;  // difficulty 1
  // A finite, positive difficulty; anything else is empty.
  static std::optional<Difficulty> From(double value);
  // The difficulty of a share with this sha256d digest: T1 / H.
  static Difficulty OfHash(const Digest& hash);

  double value() const { return value_; }
  // The largest hash a share of this difficulty may have: floor(T1 / D), saturating.
  Target ToTarget() const;
  bool IsMetBy(const Digest& hash) const;

  friend auto operator<=>(const Difficulty&, const Difficulty&) = default;

 private:
  explicit constexpr Difficulty(double value) : value_(value) {}
  double value_ = 1.0;
};

}  // namespace hashrig::sha256
