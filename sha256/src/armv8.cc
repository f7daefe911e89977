// ARMv8 SHA-2 backend ("armv8"): the AArch64 Cryptographic Extension's SHA256H, SHA256H2,
// SHA256SU0 and SHA256SU1 (only this file gets -march=armv8-a+crypto; detected at run time
// from the kernel's HWCAP_SHA2, as the control boards operators run on — Cortex-A53/A55/A72
// — mostly have it and a few do not). One stream; the scan starts block 2 from the job's
// midstate and stops hash 2 at the word it compares.
//
// State lives as two vectors, abcd and efgh (word 0 in lane 0). Unrolled crypto kernel:
// exempt from the function-size budget (R11).
#include <arm_neon.h>

#include <cstddef>
#include <cstdint>

#include "hashrig/sha256/math.h"
#include "kernel_table.h"

namespace hashrig::sha256 {
namespace {

struct State {
  uint32x4_t abcd;
  uint32x4_t efgh;
};

inline State Load(const std::uint32_t* s) { return {vld1q_u32(s), vld1q_u32(s + 4)}; }

inline void Store(const State& st, std::uint32_t* s) {
  vst1q_u32(s, st.abcd);
  vst1q_u32(s + 4, st.efgh);
}

inline State Add(const State& a, const State& b) {
  return {vaddq_u32(a.abcd, b.abcd), vaddq_u32(a.efgh, b.efgh)};
}

// The 64 rounds over message words m[0..3] (16 words, consumed), from `st`.
inline State Rounds(State st, uint32x4_t m[4]) {
  for (int g = 0; g < 16; ++g) {
    const uint32x4_t kw = vaddq_u32(m[g & 3], vld1q_u32(kRoundConstants.data() + 4 * g));
    if (g < 12) {  // words of group g + 4, in the slot group g leaves
      m[g & 3] = vsha256su1q_u32(vsha256su0q_u32(m[g & 3], m[(g + 1) & 3]), m[(g + 2) & 3],
                                 m[(g + 3) & 3]);
    }
    const uint32x4_t abcd = st.abcd;
    st.abcd = vsha256hq_u32(st.abcd, st.efgh, kw);
    st.efgh = vsha256h2q_u32(st.efgh, abcd, kw);
  }
  return st;
}

// Four big-endian message words from 16 bytes.
inline uint32x4_t LoadWords(const std::uint8_t* p) {
  return vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p)));
}

inline uint32x4_t Words(std::uint32_t w0, std::uint32_t w1, std::uint32_t w2, std::uint32_t w3) {
  const std::uint32_t w[4] = {w0, w1, w2, w3};
  return vld1q_u32(w);
}

void Compress(std::uint32_t state[8], const std::uint8_t* blocks, std::size_t blocks_count) {
  State st = Load(state);
  for (std::size_t b = 0; b < blocks_count; ++b) {
    uint32x4_t m[4];
    for (int i = 0; i < 4; ++i) {
      m[i] = LoadWords(blocks + b * 64 + 16 * i);
    }
    st = Add(Rounds(st, m), st);
  }
  Store(st, state);
}

// Hash 2 of sha256d: the 32-byte digest `first` as one padded block, from the IV.
inline State SecondHash(const State& first) {
  const State iv = Load(kIv.data());
  uint32x4_t m[4] = {first.abcd, first.efgh, Words(0x80000000, 0, 0, 0), Words(0, 0, 0, 256)};
  return Add(Rounds(iv, m), iv);
}

void DoubleHash64(std::uint8_t* digests, const std::uint8_t* inputs, std::size_t count) {
  const State iv = Load(kIv.data());
  for (std::size_t i = 0; i < count; ++i) {
    uint32x4_t m[4];
    for (int q = 0; q < 4; ++q) {
      m[q] = LoadWords(inputs + i * 64 + 16 * q);
    }
    State st = Add(Rounds(iv, m), iv);
    uint32x4_t pad[4] = {Words(0x80000000, 0, 0, 0), Words(0, 0, 0, 0), Words(0, 0, 0, 0),
                         Words(0, 0, 0, 512)};
    st = Add(Rounds(st, pad), st);
    std::uint32_t out[8];
    Store(SecondHash(st), out);
    for (int k = 0; k < 8; ++k) {
      WriteBe32(digests + i * 32 + 4 * k, out[k]);
    }
  }
}

std::size_t Scan(const ScanJobData* jobs, std::size_t jobs_count, std::uint32_t first,
                 std::uint32_t count, std::uint32_t top, Candidate* out) {
  std::size_t found = 0;
  const uint32x4_t padding1 = Words(0x80000000, 0, 0, 0);
  const uint32x4_t zero = vdupq_n_u32(0);
  const uint32x4_t length = Words(0, 0, 0, 640);
  for (std::size_t k = 0; k < jobs_count; ++k) {
    const ScanJobData& job = jobs[k];
    const State mid = Load(job.midstate);
    for (std::uint64_t offset = 0; offset < count; ++offset) {
      const std::uint32_t nonce = first + static_cast<std::uint32_t>(offset);
      // The header stores the nonce little-endian, so message word 3 is its byte swap.
      uint32x4_t m[4] = {Words(job.tail[0], job.tail[1], job.tail[2], __builtin_bswap32(nonce)),
                         padding1, zero, length};
      const State second = SecondHash(Add(Rounds(mid, m), mid));
      const std::uint32_t h7 = vgetq_lane_u32(second.efgh, 3);
      if (__builtin_bswap32(h7) <= top) {
        out[found++] = {nonce, static_cast<std::uint32_t>(k)};
      }
    }
  }
  return found;
}

bool Supported(const CpuFeatures& cpu) { return cpu.armv8_sha2; }

}  // namespace

const KernelTable& Armv8Kernels() {
  static constexpr KernelTable kTable = {
      "armv8", "ARMv8 SHA-2 instructions, 1 stream", 1, 30, Supported, Compress, DoubleHash64,
      Scan};
  return kTable;
}

}  // namespace hashrig::sha256
