#include "hashrig/sha256/target.h"

#include <cmath>
#include <limits>
#include <string>

#include <gtest/gtest.h>

namespace hashrig::sha256 {
namespace {

// Bytes of a 256-bit number given as big-endian (display) hex, little-endian as stored.
sha256::Digest FromDisplayHex(const std::string& hex) {
  sha256::Digest out{};
  for (std::size_t i = 0; i < 32; ++i) {
    out[31 - i] = static_cast<std::uint8_t>(std::stoul(hex.substr(2 * i, 2), nullptr, 16));
  }
  return out;
}

TEST(DifficultyTest, OneIsTheClassicPoolTarget) {
  const auto target = Difficulty().ToTarget();
  EXPECT_EQ(target.bytes(),
            FromDisplayHex("00000000ffff0000000000000000000000000000000000000000000000000000"));
}

TEST(DifficultyTest, TargetIsT1OverD) {
  // D = 2: 0x7fff8 << 204; D = 0.5: 0x1fffe << 208; D = 65535: 2^208 exactly.
  EXPECT_EQ(Difficulty::From(2)->ToTarget().bytes(),
            FromDisplayHex("000000007fff8000000000000000000000000000000000000000000000000000"));
  EXPECT_EQ(Difficulty::From(0.5)->ToTarget().bytes(),
            FromDisplayHex("00000001fffe0000000000000000000000000000000000000000000000000000"));
  EXPECT_EQ(Difficulty::From(65535)->ToTarget().bytes(),
            FromDisplayHex("0000000000010000000000000000000000000000000000000000000000000000"));
}

TEST(DifficultyTest, TinyDifficultiesSaturate) {
  EXPECT_EQ(Difficulty::From(1e-12)->ToTarget().bytes(), sha256::Target::Max().bytes());
}

TEST(DifficultyTest, AHashExactlyAtTheTargetMeetsItAndOneAboveDoesNot) {
  for (double d : {1.0, 0.001, 3.7, 1024.0, 9427.96, 1e12}) {
    const auto target = Difficulty::From(d)->ToTarget();
    sha256::Digest at = target.bytes();
    EXPECT_TRUE(target.IsMetBy(at)) << d;
    EXPECT_NEAR(Difficulty::OfHash(at).value() / d, 1.0, 1e-9) << d;
    sha256::Digest above = at;
    for (auto& byte : above) {  // + 1
      if (++byte != 0) {
        break;
      }
    }
    EXPECT_FALSE(target.IsMetBy(above)) << d;
  }
}

TEST(DifficultyTest, RejectsNonPositiveAndNonFinite) {
  EXPECT_FALSE(Difficulty::From(0).has_value());
  EXPECT_FALSE(Difficulty::From(-1).has_value());
  EXPECT_FALSE(Difficulty::From(std::nan("")).has_value());
  EXPECT_FALSE(Difficulty::From(std::numeric_limits<double>::infinity()).has_value());
}

TEST(DifficultyTest, ZeroHashHasTheLargestDifficulty) {
  EXPECT_EQ(Difficulty::OfHash(sha256::Digest{}).value(), std::numeric_limits<double>::max());
}

}  // namespace
}  // namespace hashrig::sha256
