#include "hashrig/pool/difficulty.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>

namespace hashrig::pool {
namespace {

constexpr int kT1Shift = 208;  // T1 = 0xFFFF << 208
constexpr double kT1Mantissa = 65535.0;
constexpr int kMantissaBits = 53;

}  // namespace

std::optional<Difficulty> Difficulty::From(double value) {
  if (!std::isfinite(value) || value <= 0) {
    return std::nullopt;
  }
  return Difficulty(value);
}

Difficulty Difficulty::OfHash(const sha256::Digest& hash) {
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

sha256::Target Difficulty::ToTarget() const {
  // T1 / D = (0xFFFF / D) * 2^208. Write 0xFFFF / D as m * 2^(e - 53) with a 53-bit
  // integer m, then place m's bits at 208 + e - 53; bits below 2^0 are dropped (floor).
  int exponent = 0;
  const double fraction = std::frexp(kT1Mantissa / value_, &exponent);
  const auto mantissa = static_cast<std::uint64_t>(std::ldexp(fraction, kMantissaBits));
  const int shift = kT1Shift + exponent - kMantissaBits;
  if (shift + kMantissaBits > 256) {
    return sha256::Target::Max();
  }
  std::array<std::uint8_t, 32> bytes{};
  for (int bit = 0; bit < kMantissaBits; ++bit) {
    const int at = bit + shift;
    if ((mantissa >> bit & 1) == 0 || at < 0) {
      continue;
    }
    bytes[static_cast<std::size_t>(at / 8)] |= static_cast<std::uint8_t>(1u << (at % 8));
  }
  return sha256::Target::FromLittleEndian(bytes);
}

}  // namespace hashrig::pool
