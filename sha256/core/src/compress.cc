// The reference compression function (FIPS 180-4, plain C++): correctness for every
// backend, and the one the firmware runs on the MCU.
#include <array>

#include "hashrig/sha256/math.h"
#include "hashrig/sha256/stream.h"

namespace hashrig::sha256 {

void ScalarCompress(std::uint32_t state[8], const std::uint8_t* blocks, std::size_t blocks_count) {
  for (std::size_t b = 0; b < blocks_count; ++b) {
    const std::uint8_t* block = blocks + b * 64;
    std::array<std::uint32_t, 64> w;
    for (int i = 0; i < 16; ++i) {
      w[i] = ReadBe32(block + 4 * i);
    }
    for (int i = 16; i < 64; ++i) {
      w[i] = SmallSigma1(w[i - 2]) + w[i - 7] + SmallSigma0(w[i - 15]) + w[i - 16];
    }
    std::array<std::uint32_t, 8> s;
    for (int i = 0; i < 8; ++i) {
      s[i] = state[i];
    }
    for (int i = 0; i < 64; ++i) {
      ScalarRound(s, kRoundConstants[i] + w[i]);
    }
    for (int i = 0; i < 8; ++i) {
      state[i] += s[i];
    }
  }
}

}  // namespace hashrig::sha256
