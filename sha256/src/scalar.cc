// The scalar reference backend: a plain FIPS 180-4 compression function that defines
// correctness for every other backend, plus the scan precompute shared by all of them.
#include <bit>

#include "hashrig/sha256/math.h"
#include "kernel_table.h"
#include "lanes.h"

namespace hashrig::sha256 {
namespace {

struct ScalarOps {
  using V = std::uint32_t;
  static constexpr int kLanes = 1;
  static V Set1(std::uint32_t x) { return x; }
  static V Add(V a, V b) { return a + b; }
  static V Xor3(V a, V b, V c) { return a ^ b ^ c; }
  static V Ch(V e, V f, V g) { return sha256::Ch(e, f, g); }
  static V Maj(V a, V b, V c) { return sha256::Maj(a, b, c); }
  template <int n>
  static V Rotr(V x) {
    return std::rotr(x, n);
  }
  template <int n>
  static V Shr(V x) {
    return x >> n;
  }
  static V Sequence(std::uint32_t first) { return first; }
  static V ByteSwap(V x) { return __builtin_bswap32(x); }
  static std::uint32_t TopAtMost(V h7, std::uint32_t top) {
    return __builtin_bswap32(h7) <= top ? 1u : 0u;
  }
  static V Load(const std::uint32_t* p) { return *p; }
  static void Store(std::uint32_t* p, V v) { *p = v; }
};

}  // namespace

ScanJobData PrepareScanJob(const std::uint8_t header[80], std::uint32_t version) {
  std::uint8_t first[64];
  for (int i = 0; i < 64; ++i) {
    first[i] = header[i];
  }
  WriteLe32(first, version);
  std::uint32_t midstate[8];
  for (int i = 0; i < 8; ++i) {
    midstate[i] = kIv[i];
  }
  ScalarCompress(midstate, first, 1);
  return PrepareScanJob(midstate, header + 64, version);
}

ScanJobData PrepareScanJob(const std::uint32_t midstate[8], const std::uint8_t tail[12],
                           std::uint32_t version) {
  ScanJobData j{};
  j.version = version;
  for (int i = 0; i < 8; ++i) {
    j.midstate[i] = midstate[i];
  }
  for (int i = 0; i < 3; ++i) {
    j.tail[i] = ReadBe32(tail + 4 * i);
  }
  std::array<std::uint32_t, 8> s;
  for (int i = 0; i < 8; ++i) {
    s[i] = j.midstate[i];
  }
  for (int i = 0; i < 3; ++i) {
    ScalarRound(s, kRoundConstants[i] + j.tail[i]);
  }
  for (int i = 0; i < 8; ++i) {
    j.after3[i] = s[i];
  }
  j.round3_t1 = s[7] + BigSigma1(s[4]) + Ch(s[4], s[5], s[6]) + kRoundConstants[3];
  j.round3_t2 = BigSigma0(s[0]) + Maj(s[0], s[1], s[2]);

  constexpr std::uint32_t kW4 = 0x80000000;
  constexpr std::uint32_t kW15 = 640;  // an 80-byte message, in bits
  j.w16 = SmallSigma0(j.tail[1]) + j.tail[0];
  j.w17 = SmallSigma1(kW15) + SmallSigma0(j.tail[2]) + j.tail[1];
  j.w18_part = SmallSigma1(j.w16) + j.tail[2];
  j.w19_part = SmallSigma1(j.w17) + SmallSigma0(kW4);
  j.w30_const = SmallSigma0(kW15);
  j.w31_const = SmallSigma0(j.w16) + kW15;
  j.w32_const = SmallSigma0(j.w17) + j.w16;
  return j;
}

const KernelTable& ScalarKernels() {
  static constexpr KernelTable kTable = LaneKernelTable<ScalarOps>(
      "scalar", "portable C++ reference (1 lane)", 0, [](const CpuFeatures&) { return true; });
  return kTable;
}

}  // namespace hashrig::sha256
