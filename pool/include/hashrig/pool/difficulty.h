// Pool share difficulty ("pdiff"), as cgminer, ckpool, ESP-Miner and public-pool use it:
// difficulty D means a share's hash H (sha256d read as a little-endian 256-bit number)
// must satisfy H <= T1 / D, with T1 = 0xFFFF * 2^208. Difficulties can be fractional and
// below 1 (test pools, regtest), so the value is a double.
#pragma once

#include <optional>

#include "hashrig/sha256/scan.h"
#include "hashrig/sha256/sha256.h"

namespace hashrig::pool {

class Difficulty {
 public:
  constexpr Difficulty() = default;  // difficulty 1
  // A finite, positive difficulty; anything else is empty.
  static std::optional<Difficulty> From(double value);
  // The difficulty of a share with this sha256d digest: T1 / H.
  static Difficulty OfHash(const sha256::Digest& hash);

  double value() const { return value_; }
  // The largest hash a share of this difficulty may have: floor(T1 / D), saturating.
  sha256::Target ToTarget() const;

  friend auto operator<=>(const Difficulty&, const Difficulty&) = default;

 private:
  explicit constexpr Difficulty(double value) : value_(value) {}
  double value_ = 1.0;
};

}  // namespace hashrig::pool
