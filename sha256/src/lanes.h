// Internal: the multi-lane SHA-256 kernels (scan, rolled-version scan, 64-byte sha256d),
// written once as templates over an Ops policy that supplies one lane width's vector
// primitives. Each ISA source file includes this with its own Ops and compiler flags.
//
// Everything here has internal linkage so that code generated with one file's ISA flags
// can never be picked by the linker for another file (and run on a CPU without them).
//
// Unrolled crypto kernels: exempt from the function-size budget (R11).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "hashrig/sha256/math.h"
#include "kernel_table.h"

#define HASHRIG_INLINE inline __attribute__((always_inline))

namespace hashrig::sha256 {
namespace {  // NOLINT(cert-dcl59-cpp,google-build-namespaces): see the file comment.

template <class Ops>
struct Lanes {
  using V = typename Ops::V;
  // The eight working words (a plain array: std::array would drop the vector
  // type's alignment attributes as a template argument).
  struct StateV {
    V v[8];
    HASHRIG_INLINE V& operator[](std::size_t i) { return v[i]; }
    HASHRIG_INLINE const V& operator[](std::size_t i) const { return v[i]; }
  };
  static constexpr int kLanes = Ops::kLanes;

  static HASHRIG_INLINE V C(std::uint32_t x) { return Ops::Set1(x); }
  static HASHRIG_INLINE V Add(V a, V b) { return Ops::Add(a, b); }
  static HASHRIG_INLINE V Add(V a, V b, V c) { return Ops::Add(Ops::Add(a, b), c); }
  static HASHRIG_INLINE V Add(V a, V b, V c, V d) {
    return Ops::Add(Ops::Add(a, b), Ops::Add(c, d));
  }
  static HASHRIG_INLINE V S0(V a) {
    return Ops::Xor3(Ops::template Rotr<2>(a), Ops::template Rotr<13>(a),
                     Ops::template Rotr<22>(a));
  }
  static HASHRIG_INLINE V S1(V e) {
    return Ops::Xor3(Ops::template Rotr<6>(e), Ops::template Rotr<11>(e),
                     Ops::template Rotr<25>(e));
  }
  static HASHRIG_INLINE V s0(V x) {
    return Ops::Xor3(Ops::template Rotr<7>(x), Ops::template Rotr<18>(x), Ops::template Shr<3>(x));
  }
  static HASHRIG_INLINE V s1(V x) {
    return Ops::Xor3(Ops::template Rotr<17>(x), Ops::template Rotr<19>(x),
                     Ops::template Shr<10>(x));
  }

  // Round I with the working words kept in place: word k (a=0 .. h=7) of the state
  // before round I lives at s[(k - I) & 7], so no round moves registers.
  template <int I>
  static HASHRIG_INLINE void Round(StateV& s, V kw) {
    V& a = s[(0 - I) & 7];
    V& b = s[(1 - I) & 7];
    V& c = s[(2 - I) & 7];
    V& d = s[(3 - I) & 7];
    V& e = s[(4 - I) & 7];
    V& f = s[(5 - I) & 7];
    V& g = s[(6 - I) & 7];
    V& h = s[(7 - I) & 7];
    const V t1 = Add(Add(h, kw), S1(e), Ops::Ch(e, f, g));
    const V t2 = Add(S0(a), Ops::Maj(a, b, c));
    d = Add(d, t1);
    h = Add(t1, t2);
  }
  // Word k of the state after rounds 0..I-1 have run.
  template <int I>
  static HASHRIG_INLINE V Word(const StateV& s, int k) {
    return s[static_cast<std::size_t>((k - I) & 7)];
  }
  // Lays out a..h so that Round<I> finds them.
  template <int I>
  static HASHRIG_INLINE void Place(StateV& s, const StateV words) {
    for (int k = 0; k < 8; ++k) {
      s[static_cast<std::size_t>((k - I) & 7)] = words[static_cast<std::size_t>(k)];
    }
  }

  static HASHRIG_INLINE V Schedule(const V* w, int i) {
    return Add(s1(w[i - 2]), w[i - 7], s0(w[i - 15]), w[i - 16]);
  }

  // ---- Hash 1, second block: tail words, nonce, padding (80 bytes = 640 bits). ----

  // Schedule word I (18..63) of the header's second block; w[0..I-1] already set where
  // they vary (w[16], w[17] hold the constants).
  template <int I>
  static HASHRIG_INLINE V Hash1Word(const ScanJobData& j, const V* w, V nonce) {
    if constexpr (I == 18) {
      return Add(C(j.w18_part), s0(nonce));
    }
    if constexpr (I == 19) {
      return Add(C(j.w19_part), nonce);
    }
    if constexpr (I == 20) {
      return Add(s1(w[18]), C(0x80000000));
    }
    if constexpr (I == 21) {
      return s1(w[19]);
    }
    if constexpr (I == 22) {
      return Add(s1(w[20]), C(640));
    }
    if constexpr (I >= 23 && I <= 29) {
      return Add(s1(w[I - 2]), w[I - 7]);
    }
    if constexpr (I == 30) {
      return Add(s1(w[28]), w[23], C(j.w30_const));
    }
    if constexpr (I == 31) {
      return Add(s1(w[29]), w[24], C(j.w31_const));
    }
    if constexpr (I == 32) {
      return Add(s1(w[30]), w[25], C(j.w32_const));
    }
    if constexpr (I >= 33) {
      return Schedule(w, I);
    }
  }

  // K[I] + W[I] for rounds 4..17, where the words are constants.
  static constexpr std::uint32_t Hash1ConstKw(int i, std::uint32_t w16, std::uint32_t w17) {
    std::uint32_t w = 0;
    if (i == 4) {
      w = 0x80000000;
    }
    if (i == 15) {
      w = 640;
    }
    if (i == 16) {
      w = w16;
    }
    if (i == 17) {
      w = w17;
    }
    return kRoundConstants[static_cast<std::size_t>(i)] + w;
  }

  // Rounds 3..63 of the header's second block for one job. With kFused the schedule is
  // computed round by round into `w`; otherwise `w` already holds words 18..63.
  template <bool kFused, int... I>
  static HASHRIG_INLINE StateV Hash1Rounds(const ScanJobData& j, V nonce, V* w,
                                           std::integer_sequence<int, I...>) {
    StateV s;
    const std::uint32_t* p = j.after3;
    // Round 3 is two adds: everything but W3 = nonce was folded in up front.
    Place<4>(s, {Add(nonce, C(j.round3_t1 + j.round3_t2)), C(p[0]), C(p[1]), C(p[2]),
                 Add(nonce, C(p[3] + j.round3_t1)), C(p[4]), C(p[5]), C(p[6])});
    (Hash1Step<kFused, I + 4>(j, nonce, w, s), ...);
    StateV out;
    for (std::size_t k = 0; k < 8; ++k) {
      out[k] = Add(Word<64>(s, static_cast<int>(k)), C(j.midstate[k]));
    }
    return out;
  }
  template <bool kFused, int I>
  static HASHRIG_INLINE void Hash1Step(const ScanJobData& j, V nonce, V* w, StateV& s) {
    if constexpr (I < 18) {
      Round<I>(s, C(Hash1ConstKw(I, j.w16, j.w17)));
    } else {
      if constexpr (kFused) {
        w[I] = Hash1Word<I>(j, w, nonce);
      }
      Round<I>(s, Add(w[I], C(kRoundConstants[I])));
    }
  }
  template <int... I>
  static HASHRIG_INLINE void Hash1Schedule(const ScanJobData& j, V nonce, V* w,
                                           std::integer_sequence<int, I...>) {
    ((w[I + 18] = Hash1Word<I + 18>(j, w, nonce)), ...);
  }

  // ---- Hash 2: one block of the 32-byte digest and its padding (256 bits). ----

  // Schedule word I (16..63) when words 8..15 are the padding constants.
  template <int I>
  static HASHRIG_INLINE V Hash2Word(const V* w) {
    if constexpr (I == 16) {
      return Add(s0(w[1]), w[0]);
    }
    if constexpr (I == 17) {
      return Add(s0(w[2]), w[1], C(SmallSigma1(256)));
    }
    if constexpr (I >= 18 && I <= 21) {
      return Add(s1(w[I - 2]), s0(w[I - 15]), w[I - 16]);
    }
    if constexpr (I == 22) {
      return Add(Add(s1(w[20]), C(256)), s0(w[7]), w[6]);
    }
    if constexpr (I == 23) {
      return Add(Add(s1(w[21]), w[16]), C(SmallSigma0(0x80000000)), w[7]);
    }
    if constexpr (I == 24) {
      return Add(s1(w[22]), w[17], C(0x80000000));
    }
    if constexpr (I >= 25 && I <= 29) {
      return Add(s1(w[I - 2]), w[I - 7]);
    }
    if constexpr (I == 30) {
      return Add(s1(w[28]), w[23], C(SmallSigma0(256)));
    }
    if constexpr (I == 31) {
      return Add(s1(w[29]), w[24], s0(w[16]), C(256));
    }
    if constexpr (I >= 32) {
      return Schedule(w, I);
    }
  }
  static constexpr std::uint32_t Hash2ConstKw(int i) {
    std::uint32_t w = 0;
    if (i == 8) {
      w = 0x80000000;
    }
    if (i == 15) {
      w = 256;
    }
    return kRoundConstants[static_cast<std::size_t>(i)] + w;
  }
  // Round 0 from the IV folds to two adds of W0.
  static constexpr std::uint32_t kIvT1 =
      kIv[7] + BigSigma1(kIv[4]) + Ch(kIv[4], kIv[5], kIv[6]) + kRoundConstants[0];
  static constexpr std::uint32_t kIvT2 = BigSigma0(kIv[0]) + Maj(kIv[0], kIv[1], kIv[2]);

  // Runs rounds 1..kLast of hash 2 over digest words `h`; returns the state. kLast repeats
  // the sequence length on purpose: dropping it (deducing from I...) changed GCC 12's code
  // for the paired rolled kernel from 84 to 133 cycles/nonce (hashrig bench, avx512).
  template <int kLast, int... I>
  static HASHRIG_INLINE StateV Hash2Rounds(const StateV& h, std::integer_sequence<int, I...>) {
    V w[64];
    for (std::size_t k = 0; k < 8; ++k) {
      w[k] = h[k];
    }
    StateV s;
    Place<1>(s, {Add(h[0], C(kIvT1 + kIvT2)), C(kIv[0]), C(kIv[1]), C(kIv[2]),
                 Add(h[0], C(kIv[3] + kIvT1)), C(kIv[4]), C(kIv[5]), C(kIv[6])});
    (Hash2Step<I + 1>(w, s), ...);
    return s;
  }
  template <int I>
  static HASHRIG_INLINE void Hash2Step(V* w, StateV& s) {
    if constexpr (I < 8) {
      Round<I>(s, Add(w[I], C(kRoundConstants[I])));
    } else if constexpr (I < 16) {
      Round<I>(s, C(Hash2ConstKw(I)));
    } else {
      w[I] = Hash2Word<I>(w);
      Round<I>(s, Add(w[I], C(kRoundConstants[I])));
    }
  }

  // The last state word of sha256d: h after round 63 is e after round 60, so rounds
  // 61..63 are never run.
  static HASHRIG_INLINE V Hash2Top(const StateV& h) {
    const StateV s = Hash2Rounds<60>(h, std::make_integer_sequence<int, 60>{});
    return Add(Word<61>(s, 4), C(kIv[7]));
  }

  // ---- Kernels. ----

  static HASHRIG_INLINE V ScanOne(const ScanJobData& j, V nonce) {
    V w[64];
    w[16] = C(j.w16);
    w[17] = C(j.w17);
    const StateV h = Hash1Rounds<true>(j, nonce, w, std::make_integer_sequence<int, 60>{});
    return Hash2Top(h);
  }

  static std::size_t Scan(const ScanJobData* jobs, std::size_t jobs_count, std::uint32_t first,
                          std::uint32_t count, std::uint32_t top, Candidate* out) {
    if (jobs_count == 1) {
      return ScanSingle(jobs[0], first, count, top, out);
    }
    return ScanRolled(jobs, jobs_count, first, count, top, out);
  }

  // One version: the schedule is computed round by round, in registers.
  __attribute__((noinline)) static std::size_t ScanSingle(const ScanJobData& job,
                                                          std::uint32_t first, std::uint32_t count,
                                                          std::uint32_t top, Candidate* out) {
    std::size_t found = 0;
    for (std::uint64_t offset = 0; offset < count; offset += kLanes) {
      const std::uint32_t base = first + static_cast<std::uint32_t>(offset);
      const std::uint32_t mask = Ops::TopAtMost(ScanOne(job, NonceWords(base)), top);
      found += Emit(mask, base, offset, count, 0, out + found);
    }
    return found;
  }

  // Rolled versions: the second block (and so its schedule) is the same for all.
  __attribute__((noinline)) static std::size_t ScanRolled(const ScanJobData* jobs,
                                                          std::size_t jobs_count,
                                                          std::uint32_t first, std::uint32_t count,
                                                          std::uint32_t top, Candidate* out) {
    std::size_t found = 0;
    for (std::uint64_t offset = 0; offset < count; offset += kLanes) {
      const std::uint32_t base = first + static_cast<std::uint32_t>(offset);
      const V nonce = NonceWords(base);
      V w[64];
      w[16] = C(jobs[0].w16);
      w[17] = C(jobs[0].w17);
      Hash1Schedule(jobs[0], nonce, w, std::make_integer_sequence<int, 46>{});
      for (std::size_t k = 0; k < jobs_count; ++k) {
        const StateV h =
            Hash1Rounds<false>(jobs[k], nonce, w, std::make_integer_sequence<int, 60>{});
        const std::uint32_t mask = Ops::TopAtMost(Hash2Top(h), top);
        found += Emit(mask, base, offset, count, static_cast<std::uint32_t>(k), out + found);
      }
    }
    return found;
  }

  // Message word 3 for nonces base, base+1, ...: the header stores the nonce
  // little-endian, so the word is its byte swap.
  static HASHRIG_INLINE V NonceWords(std::uint32_t base) {
    return Ops::ByteSwap(Ops::Sequence(base));
  }

  static std::size_t Emit(std::uint32_t mask, std::uint32_t base, std::uint64_t offset,
                          std::uint32_t count, std::uint32_t job, Candidate* out) {
    std::size_t n = 0;
    while (mask != 0) {
      const int lane = __builtin_ctz(mask);
      mask &= mask - 1;
      if (offset + static_cast<std::uint64_t>(lane) < count) {
        out[n++] = {base + static_cast<std::uint32_t>(lane), job};
      }
    }
    return n;
  }

  // sha256d of kLanes 64-byte inputs per step; a partial last group is padded.
  static void DoubleHash64(std::uint8_t* digests, const std::uint8_t* inputs, std::size_t count) {
    for (std::size_t i = 0; i < count; i += kLanes) {
      const std::size_t n = count - i < static_cast<std::size_t>(kLanes) ? count - i : kLanes;
      V w[64];
      for (int k = 0; k < 16; ++k) {
        alignas(64) std::uint32_t words[kLanes] = {};
        for (std::size_t l = 0; l < n; ++l) {
          words[l] = ReadBe32(inputs + (i + l) * 64 + static_cast<std::size_t>(k) * 4);
        }
        w[k] = Ops::Load(words);
      }
      StateV h = FullCompress(w, std::make_integer_sequence<int, 64>{});
      const StateV s = Hash2Rounds<63>(h, std::make_integer_sequence<int, 63>{});
      for (std::size_t k = 0; k < 8; ++k) {
        alignas(64) std::uint32_t words[kLanes];
        Ops::Store(words, Add(Word<64>(s, static_cast<int>(k)), C(kIv[k])));
        for (std::size_t l = 0; l < n; ++l) {
          WriteBe32(digests + (i + l) * 32 + k * 4, words[l]);
        }
      }
    }
  }

  // One message block from the IV, then the constant padding block of a 64-byte message.
  template <int... I>
  static HASHRIG_INLINE StateV FullCompress(V* w, std::integer_sequence<int, I...>) {
    StateV s;
    Place<0>(s, {C(kIv[0]), C(kIv[1]), C(kIv[2]), C(kIv[3]), C(kIv[4]), C(kIv[5]), C(kIv[6]),
                 C(kIv[7])});
    (FullStep<I>(w, s), ...);
    StateV mid;
    for (std::size_t k = 0; k < 8; ++k) {
      mid[k] = Add(Word<64>(s, static_cast<int>(k)), C(kIv[k]));
    }
    StateV t = mid;
    (PaddingStep<I>(t), ...);
    for (std::size_t k = 0; k < 8; ++k) {
      mid[k] = Add(Word<64>(t, static_cast<int>(k)), mid[k]);
    }
    return mid;
  }
  template <int I>
  static HASHRIG_INLINE void FullStep(V* w, StateV& s) {
    if constexpr (I >= 16) {
      w[I] = Schedule(w, I);
    }
    Round<I>(s, Add(w[I], C(kRoundConstants[I])));
  }
  template <int I>
  static HASHRIG_INLINE void PaddingStep(StateV& s) {
    Round<I>(s, C(kPadding64Kw[I]));
  }
};

// Two independent lane groups side by side: twice the lanes and two dependency chains
// per round, for kernels whose round chain (not throughput) is the limit.
template <class Ops>
struct PairOps {
  struct V {
    typename Ops::V lo;
    typename Ops::V hi;
  };
  static constexpr int kLanes = 2 * Ops::kLanes;
  static_assert(kLanes <= 32, "candidate masks are 32 bits");

  static HASHRIG_INLINE V Set1(std::uint32_t x) { return {Ops::Set1(x), Ops::Set1(x)}; }
  static HASHRIG_INLINE V Add(V a, V b) { return {Ops::Add(a.lo, b.lo), Ops::Add(a.hi, b.hi)}; }
  static HASHRIG_INLINE V Xor3(V a, V b, V c) {
    return {Ops::Xor3(a.lo, b.lo, c.lo), Ops::Xor3(a.hi, b.hi, c.hi)};
  }
  static HASHRIG_INLINE V Ch(V e, V f, V g) {
    return {Ops::Ch(e.lo, f.lo, g.lo), Ops::Ch(e.hi, f.hi, g.hi)};
  }
  static HASHRIG_INLINE V Maj(V a, V b, V c) {
    return {Ops::Maj(a.lo, b.lo, c.lo), Ops::Maj(a.hi, b.hi, c.hi)};
  }
  template <int n>
  static HASHRIG_INLINE V Rotr(V x) {
    return {Ops::template Rotr<n>(x.lo), Ops::template Rotr<n>(x.hi)};
  }
  template <int n>
  static HASHRIG_INLINE V Shr(V x) {
    return {Ops::template Shr<n>(x.lo), Ops::template Shr<n>(x.hi)};
  }
  static HASHRIG_INLINE V Sequence(std::uint32_t first) {
    return {Ops::Sequence(first), Ops::Sequence(first + Ops::kLanes)};
  }
  static HASHRIG_INLINE V ByteSwap(V x) { return {Ops::ByteSwap(x.lo), Ops::ByteSwap(x.hi)}; }
  static HASHRIG_INLINE std::uint32_t TopAtMost(V h7, std::uint32_t top) {
    return Ops::TopAtMost(h7.lo, top) | (Ops::TopAtMost(h7.hi, top) << Ops::kLanes);
  }
  static HASHRIG_INLINE V Load(const std::uint32_t* p) {
    return {Ops::Load(p), Ops::Load(p + Ops::kLanes)};
  }
  static HASHRIG_INLINE void Store(std::uint32_t* p, V v) {
    Ops::Store(p, v.lo);
    Ops::Store(p + Ops::kLanes, v.hi);
  }
};

// The kernel table of a lane backend: its Ops run scan and batched sha256d; streaming
// uses the scalar transform (one message is one stream).
template <class Ops>
constexpr KernelTable LaneKernelTable(const char* name, const char* description, int rank,
                                      bool (*supported)(const CpuFeatures&)) {
  return {name,
          description,
          Ops::kLanes,
          rank,
          supported,
          ScalarCompress,
          &Lanes<Ops>::DoubleHash64,
          &Lanes<Ops>::Scan};
}

}  // namespace
}  // namespace hashrig::sha256
