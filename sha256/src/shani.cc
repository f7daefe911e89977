// SHA-NI backends: the x86 SHA extensions, one stream ("shani") or two interleaved
// streams ("shani2") so that the sha256rnds2 unit is never waiting on its own latency
// (only this file gets -msha -msse4.1).
//
// State lives in the instruction set's layout: st0 = ABEF and st1 = CDGH (A in the top
// lane). Unrolled crypto kernels: exempt from the function-size budget (R11).
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <utility>

#include "hashrig/sha256/math.h"
#include "kernel_table.h"

#define HASHRIG_INLINE inline __attribute__((always_inline))

namespace hashrig::sha256 {
namespace {

struct Packed {
  __m128i st0;  // ABEF
  __m128i st1;  // CDGH
};

HASHRIG_INLINE __m128i K(int group) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(kRoundConstants.data() + 4 * group));
}

HASHRIG_INLINE __m128i ByteSwapMask() {
  return _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
}

HASHRIG_INLINE Packed Pack(const std::uint32_t* s) {
  __m128i tmp = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s));
  __m128i st1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + 4));
  tmp = _mm_shuffle_epi32(tmp, 0xb1);
  st1 = _mm_shuffle_epi32(st1, 0x1b);
  return {_mm_alignr_epi8(tmp, st1, 8), _mm_blend_epi16(st1, tmp, 0xf0)};
}

// Back to a..h order: `abcd` gets words 0..3 and `efgh` words 4..7 (lane 0 first).
HASHRIG_INLINE void Unpack(const Packed& p, __m128i& abcd, __m128i& efgh) {
  const __m128i tmp = _mm_shuffle_epi32(p.st0, 0x1b);
  const __m128i st1 = _mm_shuffle_epi32(p.st1, 0xb1);
  abcd = _mm_blend_epi16(tmp, st1, 0xf0);
  efgh = _mm_alignr_epi8(st1, tmp, 8);
}

HASHRIG_INLINE void Quad(Packed& p, __m128i kw) {
  p.st1 = _mm_sha256rnds2_epu32(p.st1, p.st0, kw);
  p.st0 = _mm_sha256rnds2_epu32(p.st0, p.st1, _mm_shuffle_epi32(kw, 0x0e));
}

// Message words 4g..4g+3 from the four previous groups m[(g-4)..(g-1) mod 4].
HASHRIG_INLINE void NextGroup(__m128i* m, int g) {
  __m128i& out = m[g & 3];
  const __m128i prev1 = m[(g - 1) & 3];
  const __m128i prev2 = m[(g - 2) & 3];
  out = _mm_sha256msg1_epu32(out, m[(g - 3) & 3]);
  out = _mm_add_epi32(out, _mm_alignr_epi8(prev1, prev2, 4));
  out = _mm_sha256msg2_epu32(out, prev1);
}

// S interleaved streams through rounds [first_group*4, 64) (or to round 61 with
// kTopOnly), given the message words of groups 0..3 in m[s][0..3].
template <int S, bool kTopOnly>
HASHRIG_INLINE void Rounds(Packed* p, __m128i (*m)[4], int first_group) {
  // Fully unrolled so that m[g & 3] stays in registers.
#pragma GCC unroll 16
  for (int g = first_group; g < 16; ++g) {
    if (g >= 4) {
      for (int s = 0; s < S; ++s) {
        NextGroup(m[s], g);
      }
    }
    const __m128i k = K(g);
    if (kTopOnly && g == 15) {
      for (int s = 0; s < S; ++s) {
        p[s].st1 = _mm_sha256rnds2_epu32(p[s].st1, p[s].st0, _mm_add_epi32(m[s][3], k));
      }
      return;
    }
    for (int s = 0; s < S; ++s) {
      Quad(p[s], _mm_add_epi32(m[s][g & 3], k));
    }
  }
}

HASHRIG_INLINE void AddState(Packed& p, const Packed& base) {
  p.st0 = _mm_add_epi32(p.st0, base.st0);
  p.st1 = _mm_add_epi32(p.st1, base.st1);
}

void Compress(std::uint32_t state[8], const std::uint8_t* blocks, std::size_t blocks_count) {
  Packed p = Pack(state);
  const __m128i bswap = ByteSwapMask();
  for (std::size_t b = 0; b < blocks_count; ++b) {
    const Packed start = p;
    __m128i m[1][4];
    for (int i = 0; i < 4; ++i) {
      const auto* src = reinterpret_cast<const __m128i*>(blocks + b * 64 + 16 * i);
      m[0][i] = _mm_shuffle_epi8(_mm_loadu_si128(src), bswap);
    }
    Rounds<1, false>(&p, m, 0);
    AddState(p, start);
  }
  __m128i abcd;
  __m128i efgh;
  Unpack(p, abcd, efgh);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state), abcd);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state + 4), efgh);
}

// Hash 2 of sha256d: one block holding the 32-byte digest (abcd, efgh) and its padding.
template <int S, bool kTopOnly>
HASHRIG_INLINE void SecondHash(Packed* p, const __m128i* abcd, const __m128i* efgh) {
  const Packed iv = Pack(kIv.data());
  __m128i m[S][4];
  for (int s = 0; s < S; ++s) {
    p[s] = iv;
    m[s][0] = abcd[s];
    m[s][1] = efgh[s];
    m[s][2] = _mm_set_epi32(0, 0, 0, static_cast<int>(0x80000000));
    m[s][3] = _mm_set_epi32(256, 0, 0, 0);
  }
  Rounds<S, kTopOnly>(p, m, 0);
}

template <int S>
void DoubleHash64Streams(std::uint8_t* digests, const std::uint8_t* inputs, std::size_t count) {
  const __m128i bswap = ByteSwapMask();
  const Packed iv = Pack(kIv.data());
  for (std::size_t i = 0; i < count; i += S) {
    const int n = count - i < static_cast<std::size_t>(S) ? static_cast<int>(count - i) : S;
    Packed p[S];
    __m128i m[S][4];
    for (int s = 0; s < S; ++s) {
      const int src_index = s < n ? s : 0;
      for (int q = 0; q < 4; ++q) {
        const auto* src = reinterpret_cast<const __m128i*>(inputs + (i + src_index) * 64 + 16 * q);
        m[s][q] = _mm_shuffle_epi8(_mm_loadu_si128(src), bswap);
      }
      p[s] = iv;
    }
    Rounds<S, false>(p, m, 0);
    __m128i abcd[S];
    __m128i efgh[S];
    for (int s = 0; s < S; ++s) {
      AddState(p[s], iv);
      const Packed mid = p[s];
      for (int g = 0; g < 16; ++g) {  // padding block: K + W are constants
        Quad(p[s], _mm_loadu_si128(reinterpret_cast<const __m128i*>(kPadding64Kw.data() + 4 * g)));
      }
      AddState(p[s], mid);
      Unpack(p[s], abcd[s], efgh[s]);
    }
    SecondHash<S, false>(p, abcd, efgh);
    for (int s = 0; s < n; ++s) {
      AddState(p[s], iv);
      __m128i out[2];
      Unpack(p[s], out[0], out[1]);
      for (int q = 0; q < 2; ++q) {
        _mm_storeu_si128(reinterpret_cast<__m128i*>(digests + (i + s) * 32 + 16 * q),
                         _mm_shuffle_epi8(out[q], bswap));
      }
    }
  }
}

// Per job: the state after rounds 0..1 of the header's second block (packed) and the
// midstate (packed), both nonce-independent.
struct ShaNiJob {
  Packed after2;
  Packed mid;
  __m128i kw23;  // lanes 0,1: K2 + W2, K3 (the nonce is added per stream)
  __m128i m0;    // W0, W1, W2, 0 (the nonce goes in lane 3)
};

HASHRIG_INLINE ShaNiJob PrepareJob(const ScanJobData& j) {
  std::array<std::uint32_t, 8> s;
  for (int i = 0; i < 8; ++i) {
    s[i] = j.midstate[i];
  }
  ScalarRound(s, kRoundConstants[0] + j.tail[0]);
  ScalarRound(s, kRoundConstants[1] + j.tail[1]);
  ShaNiJob out;
  out.after2 = Pack(s.data());
  out.mid = Pack(j.midstate);
  out.kw23 = _mm_set_epi32(0, 0, static_cast<int>(kRoundConstants[3]),
                           static_cast<int>(kRoundConstants[2] + j.tail[2]));
  out.m0 = _mm_set_epi32(0, static_cast<int>(j.tail[2]), static_cast<int>(j.tail[1]),
                         static_cast<int>(j.tail[0]));
  return out;
}

// H7 of sha256d for S consecutive nonces starting at `nonce`.
template <int S>
HASHRIG_INLINE void ScanStreams(const ShaNiJob& job, std::uint32_t nonce, std::uint32_t* h7) {
  Packed p[S];
  __m128i m[S][4];
  for (int s = 0; s < S; ++s) {
    // The header stores the nonce little-endian, so message word 3 is its byte swap.
    const int n = static_cast<int>(__builtin_bswap32(nonce + static_cast<std::uint32_t>(s)));
    p[s] = job.after2;
    // Rounds 2 and 3; rounds 0 and 1 were run when the job was prepared.
    p[s].st1 = _mm_sha256rnds2_epu32(p[s].st1, p[s].st0,
                                     _mm_add_epi32(job.kw23, _mm_set_epi32(0, 0, n, 0)));
    std::swap(p[s].st0, p[s].st1);
    m[s][0] = _mm_insert_epi32(job.m0, n, 3);
    m[s][1] = _mm_set_epi32(0, 0, 0, static_cast<int>(0x80000000));
    m[s][2] = _mm_setzero_si128();
    m[s][3] = _mm_set_epi32(640, 0, 0, 0);
  }
  Rounds<S, false>(p, m, 1);
  __m128i abcd[S];
  __m128i efgh[S];
  for (int s = 0; s < S; ++s) {
    AddState(p[s], job.mid);
    Unpack(p[s], abcd[s], efgh[s]);
  }
  SecondHash<S, true>(p, abcd, efgh);
  for (int s = 0; s < S; ++s) {
    // After round 61, lane 0 of the ABEF register is F = e after round 60 = final h.
    h7[s] = static_cast<std::uint32_t>(_mm_cvtsi128_si32(p[s].st1)) + kIv[7];
  }
}

template <int S>
std::size_t Scan(const ScanJobData* jobs, std::size_t jobs_count, std::uint32_t first,
                 std::uint32_t count, std::uint32_t top, Candidate* out) {
  std::size_t found = 0;
  for (std::size_t k = 0; k < jobs_count; ++k) {
    const ShaNiJob job = PrepareJob(jobs[k]);
    for (std::uint64_t offset = 0; offset < count; offset += S) {
      const std::uint32_t base = first + static_cast<std::uint32_t>(offset);
      std::uint32_t h7[S];
      ScanStreams<S>(job, base, h7);
      for (int s = 0; s < S; ++s) {
        if (__builtin_bswap32(h7[s]) <= top && offset + static_cast<unsigned>(s) < count) {
          out[found++] = {base + static_cast<std::uint32_t>(s), static_cast<std::uint32_t>(k)};
        }
      }
    }
  }
  return found;
}

bool Supported(const CpuFeatures& cpu) { return cpu.sha_ni; }

}  // namespace

const KernelTable& ShaNiKernels() {
  static constexpr KernelTable kTable = {
      "shani",  "x86 SHA extensions, 1 stream", 1,      30, Supported,
      Compress, DoubleHash64Streams<1>,         Scan<1>};
  return kTable;
}

const KernelTable& ShaNi2Kernels() {
  static constexpr KernelTable kTable = {"shani2",
                                         "x86 SHA extensions, 2 interleaved streams",
                                         2,
                                         35,
                                         Supported,
                                         Compress,
                                         DoubleHash64Streams<2>,
                                         Scan<2>};
  return kTable;
}

const KernelTable& ShaNi4Kernels() {
  static constexpr KernelTable kTable = {"shani4",
                                         "x86 SHA extensions, 4 interleaved streams",
                                         4,
                                         34,
                                         Supported,
                                         Compress,
                                         DoubleHash64Streams<4>,
                                         Scan<4>};
  return kTable;
}

}  // namespace hashrig::sha256
