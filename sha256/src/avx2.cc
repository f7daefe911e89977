// AVX2 backend: the multi-lane kernels on 8 lanes (only this file gets -mavx2).
#include <immintrin.h>

#include "kernel_table.h"
#include "lanes.h"

namespace hashrig::sha256 {
namespace {

struct Avx2Ops {
  using V = __m256i;
  static constexpr int kLanes = 8;
  static HASHRIG_INLINE V Set1(std::uint32_t x) { return _mm256_set1_epi32(static_cast<int>(x)); }
  static HASHRIG_INLINE V Add(V a, V b) { return _mm256_add_epi32(a, b); }
  static HASHRIG_INLINE V Xor3(V a, V b, V c) {
    return _mm256_xor_si256(_mm256_xor_si256(a, b), c);
  }
  static HASHRIG_INLINE V Ch(V e, V f, V g) {
    return _mm256_xor_si256(g, _mm256_and_si256(e, _mm256_xor_si256(f, g)));
  }
  static HASHRIG_INLINE V Maj(V a, V b, V c) {
    return _mm256_or_si256(_mm256_and_si256(a, b), _mm256_and_si256(c, _mm256_or_si256(a, b)));
  }
  template <int n>
  static HASHRIG_INLINE V Rotr(V x) {
    return _mm256_or_si256(_mm256_srli_epi32(x, n), _mm256_slli_epi32(x, 32 - n));
  }
  template <int n>
  static HASHRIG_INLINE V Shr(V x) {
    return _mm256_srli_epi32(x, n);
  }
  static HASHRIG_INLINE V Sequence(std::uint32_t first) {
    return _mm256_add_epi32(Set1(first), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static HASHRIG_INLINE V ByteSwap(V x) { return _mm256_shuffle_epi8(x, ByteSwapMask()); }
  static HASHRIG_INLINE V ByteSwapMask() {
    return _mm256_setr_epi8(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12, 3, 2, 1, 0, 7, 6,
                            5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
  }
  static HASHRIG_INLINE std::uint32_t TopAtMost(V h7, std::uint32_t top) {
    const V value = ByteSwap(h7);
    const V le = _mm256_cmpeq_epi32(_mm256_min_epu32(value, Set1(top)), value);
    return static_cast<std::uint32_t>(_mm256_movemask_ps(_mm256_castsi256_ps(le)));
  }
  static HASHRIG_INLINE V Load(const std::uint32_t* p) {
    return _mm256_load_si256(reinterpret_cast<const __m256i*>(p));
  }
  static HASHRIG_INLINE void Store(std::uint32_t* p, V v) {
    _mm256_store_si256(reinterpret_cast<__m256i*>(p), v);
  }
};

}  // namespace

const KernelTable& Avx2Kernels() {
  static constexpr KernelTable kTable =
      LaneKernelTable<Avx2Ops>("avx2", "AVX2, 8 lanes (streaming uses the scalar transform)", 20,
                               [](const CpuFeatures& cpu) { return cpu.avx2; });
  return kTable;
}

}  // namespace hashrig::sha256
