#include "hashrig/sha256/target.h"

#include <cmath>
#include <limits>

#include "hashrig/sha256/math.h"

namespace hashrig::sha256 {
namespace {

// T1, the difficulty-1 target, is 0xFFFF * 2^208: the one place it is written.
constexpr int kT1Shift = 208;
constexpr double kT1Mantissa = 65535.0;
constexpr int kMantissaBits = 53;

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

std::optional<Difficulty> Difficulty::From(double value) {
  if (!std::isfinite(value) || value <= 0) {
    return std::nullopt;
  }
  return Difficulty(value);
}

Difficulty Difficulty::OfHash(const Digest& hash) {
  long double h = 0;
  for (std::size_t i = hash.size(); i-- > 0;) {
    h = h * 256 + hash[i];
  }
  if (h == 0) {
    return Difficulty(std::numeric_limits<double>::max());
  }
  const long double t1 = std::ldexp(static_cast<long double>(kT1Mantissa), kT1Shift);
  return Difficulty(static_cast<double>(t1 / h));
}

Target Difficulty::ToTarget() const {
  // T1 / D = (0xFFFF / D) * 2^208. Write 0xFFFF / D as m * 2^(e - 53) with a 53-bit
  // integer m, then place m's bits at 208 + e - 53; bits below 2^0 are dropped (floor).
  int exponent = 0;
  const double fraction = std::frexp(kT1Mantissa / value_, &exponent);
  const auto mantissa = static_cast<std::uint64_t>(std::ldexp(fraction, kMantissaBits));
  const int shift = kT1Shift + exponent - kMantissaBits;
  if (shift + kMantissaBits > 256) {
    return Target::Max();
  }
  std::array<std::uint8_t, 32> bytes{};
  for (int bit = 0; bit < kMantissaBits; ++bit) {
    const int at = bit + shift;
    if ((mantissa >> bit & 1) == 0 || at < 0) {
      continue;
    }
    bytes[static_cast<std::size_t>(at / 8)] |= static_cast<std::uint8_t>(1u << (at % 8));
  }
  return Target::FromLittleEndian(bytes);
}

bool Difficulty::IsMetBy(const Digest& hash) const { return ToTarget().IsMetBy(hash); }

}  // namespace hashrig::sha256
