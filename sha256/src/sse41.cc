// SSE4.1 backend: the multi-lane kernels on 4 lanes (only this file gets -msse4.1).
#include <immintrin.h>

#include "kernel_table.h"
#include "lanes.h"

namespace hashrig::sha256 {
namespace {

struct Sse41Ops {
  using V = __m128i;
  static constexpr int kLanes = 4;
  static HASHRIG_INLINE V Set1(std::uint32_t x) { return _mm_set1_epi32(static_cast<int>(x)); }
  static HASHRIG_INLINE V Add(V a, V b) { return _mm_add_epi32(a, b); }
  static HASHRIG_INLINE V Xor3(V a, V b, V c) { return _mm_xor_si128(_mm_xor_si128(a, b), c); }
  static HASHRIG_INLINE V Ch(V e, V f, V g) {
    return _mm_xor_si128(g, _mm_and_si128(e, _mm_xor_si128(f, g)));
  }
  static HASHRIG_INLINE V Maj(V a, V b, V c) {
    return _mm_or_si128(_mm_and_si128(a, b), _mm_and_si128(c, _mm_or_si128(a, b)));
  }
  template <int n>
  static HASHRIG_INLINE V Rotr(V x) {
    return _mm_or_si128(_mm_srli_epi32(x, n), _mm_slli_epi32(x, 32 - n));
  }
  template <int n>
  static HASHRIG_INLINE V Shr(V x) {
    return _mm_srli_epi32(x, n);
  }
  static HASHRIG_INLINE V Sequence(std::uint32_t first) {
    return _mm_add_epi32(Set1(first), _mm_setr_epi32(0, 1, 2, 3));
  }
  static HASHRIG_INLINE V ByteSwap(V x) { return _mm_shuffle_epi8(x, ByteSwapMask()); }
  static HASHRIG_INLINE V ByteSwapMask() {
    return _mm_setr_epi8(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
  }
  static HASHRIG_INLINE std::uint32_t TopAtMost(V h7, std::uint32_t top) {
    const V value = ByteSwap(h7);
    const V le = _mm_cmpeq_epi32(_mm_min_epu32(value, Set1(top)), value);
    return static_cast<std::uint32_t>(_mm_movemask_ps(_mm_castsi128_ps(le)));
  }
  static HASHRIG_INLINE V Load(const std::uint32_t* p) {
    return _mm_load_si128(reinterpret_cast<const __m128i*>(p));
  }
  static HASHRIG_INLINE void Store(std::uint32_t* p, V v) {
    _mm_store_si128(reinterpret_cast<__m128i*>(p), v);
  }
};

}  // namespace

const KernelTable& Sse41Kernels() {
  static constexpr KernelTable kTable =
      LaneKernelTable<Sse41Ops>("sse41", "SSE4.1, 4 lanes (streaming uses the scalar transform)",
                                10, [](const CpuFeatures& cpu) { return cpu.sse41; });
  return kTable;
}

}  // namespace hashrig::sha256
