// AVX-512 backend: the multi-lane kernels on 16 lanes with native rotates and
// three-input logic (only this file gets -mavx512f -mavx512bw).
#include <immintrin.h>

// GCC 12's _mm512_ror_epi32 passes _mm512_undefined_epi32() (a self-initialised
// variable) as its unused merge source, which -Wmaybe-uninitialized reports falsely.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "kernel_table.h"
#include "lanes.h"

namespace hashrig::sha256 {
namespace {

struct Avx512Ops {
  using V = __m512i;
  static constexpr int kLanes = 16;
  static HASHRIG_INLINE V Set1(std::uint32_t x) { return _mm512_set1_epi32(static_cast<int>(x)); }
  static HASHRIG_INLINE V Add(V a, V b) { return _mm512_add_epi32(a, b); }
  static HASHRIG_INLINE V Xor3(V a, V b, V c) { return _mm512_ternarylogic_epi32(a, b, c, 0x96); }
  static HASHRIG_INLINE V Ch(V e, V f, V g) { return _mm512_ternarylogic_epi32(e, f, g, 0xca); }
  static HASHRIG_INLINE V Maj(V a, V b, V c) { return _mm512_ternarylogic_epi32(a, b, c, 0xe8); }
  template <int n>
  static HASHRIG_INLINE V Rotr(V x) {
    return _mm512_ror_epi32(x, n);
  }
  template <int n>
  static HASHRIG_INLINE V Shr(V x) {
    return _mm512_srli_epi32(x, n);
  }
  static HASHRIG_INLINE V Sequence(std::uint32_t first) {
    return _mm512_add_epi32(
        Set1(first), _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
  }
  static HASHRIG_INLINE V ByteSwap(V x) {
    return _mm512_shuffle_epi8(x,
                               _mm512_set4_epi32(0x0c0d0e0f, 0x08090a0b, 0x04050607, 0x00010203));
  }
  static HASHRIG_INLINE std::uint32_t TopAtMost(V h7, std::uint32_t top) {
    return _mm512_cmple_epu32_mask(ByteSwap(h7), Set1(top));
  }
  static HASHRIG_INLINE V Load(const std::uint32_t* p) { return _mm512_load_si512(p); }
  static HASHRIG_INLINE void Store(std::uint32_t* p, V v) { _mm512_store_si512(p, v); }
};

bool Supported(const CpuFeatures& cpu) { return cpu.avx512; }

void DoubleHash64(std::uint8_t* digests, const std::uint8_t* inputs, std::size_t count) {
  Lanes<Avx512Ops>::DoubleHash64(digests, inputs, count);
}

std::size_t Scan(const ScanJobData* jobs, std::size_t jobs_count, std::uint32_t first,
                 std::uint32_t count, std::uint32_t top, Candidate* out) {
  if (jobs_count == 1) {
    return Lanes<Avx512Ops>::ScanSingle(jobs[0], first, count, top, out);
  }
  return Lanes<PairOps<Avx512Ops>>::ScanRolled(jobs, jobs_count, first, count, top, out);
}

}  // namespace

const KernelTable& Avx512Kernels() {
  static constexpr KernelTable kTable = {
      "avx512",     "AVX-512 F+BW, 16 lanes (streaming uses the scalar transform)",
      16,           40,
      Supported,    ScalarCompress,
      DoubleHash64, Scan};
  return kTable;
}

}  // namespace hashrig::sha256
