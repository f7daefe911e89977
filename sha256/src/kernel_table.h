// Internal: the table of kernels every backend provides, and the nonce-independent data
// a scan kernel starts from. One table per ISA source file; dispatch.cc lists them.
#pragma once

#include <cstddef>
#include <cstdint>

#include "cpu_features.h"
#include "hashrig/sha256/stream.h"

namespace hashrig::sha256 {

// Everything about one (header, version) that does not depend on the nonce.
// Words are SHA-256 message words (big-endian reads of the header bytes).
struct ScanJobData {
  std::uint32_t version;      // header version, host order
  std::uint32_t midstate[8];  // state after the header's first 64 bytes
  std::uint32_t tail[3];      // block-2 words 0..2: merkle root tail, ntime, nbits
  std::uint32_t after3[8];    // state a..h after rounds 0..2 of block 2
  std::uint32_t round3_t1;    // round 3: h + S1(e) + Ch(e,f,g) + K[3], add W3 (nonce)
  std::uint32_t round3_t2;    // round 3: S0(a) + Maj(a,b,c), all constant
  std::uint32_t w16, w17;     // fully constant schedule words
  std::uint32_t w18_part;     // W18 = w18_part + s0(W3)
  std::uint32_t w19_part;     // W19 = w19_part + W3
  std::uint32_t w30_const;    // s0(W15)
  std::uint32_t w31_const;    // s0(W16) + W15
  std::uint32_t w32_const;    // s0(W17) + W16
};

// A nonce (and the index of the job, i.e. version, it belongs to) whose sha256d has its
// most significant word at or under the target's: still to be checked in full.
struct Candidate {
  std::uint32_t nonce;
  std::uint32_t job;
};

struct KernelTable {
  const char* name;
  const char* description;
  int lanes;
  int rank;  // higher is preferred by "auto"
  bool (*supported)(const CpuFeatures& cpu);

  // SHA-256 compression of `blocks` consecutive 64-byte blocks into `state`.
  void (*compress)(std::uint32_t state[8], const std::uint8_t* blocks, std::size_t blocks_count);

  // sha256d of `count` 64-byte inputs into `count` 32-byte digests.
  void (*double_hash64)(std::uint8_t* digests, const std::uint8_t* inputs, std::size_t count);

  // For nonces first, first+1, ... (count of them, wrapping mod 2^32) and each job,
  // writes a Candidate when bswap(H7) <= top. `out` holds count*jobs_count entries.
  // Returns the number written.
  std::size_t (*scan)(const ScanJobData* jobs, std::size_t jobs_count, std::uint32_t first,
                      std::uint32_t count, std::uint32_t top, Candidate* out);
};

// Tables of the backends this build compiles; each returns nullptr-free static data.
const KernelTable& ScalarKernels();
#if defined(__x86_64__) || defined(__i386__)
const KernelTable& Sse41Kernels();
const KernelTable& Avx2Kernels();
const KernelTable& Avx512Kernels();
const KernelTable& ShaNiKernels();
const KernelTable& ShaNi2Kernels();
const KernelTable& ShaNi4Kernels();
#elif defined(__aarch64__)
const KernelTable& Armv8Kernels();
#endif

// Fills the nonce-independent part of a scan job from a header (nonce ignored), with
// `version` in place of the header's, or from a midstate and header bytes 64..75.
ScanJobData PrepareScanJob(const std::uint8_t header[80], std::uint32_t version);
ScanJobData PrepareScanJob(const std::uint32_t midstate[8], const std::uint8_t tail[12],
                           std::uint32_t version);

}  // namespace hashrig::sha256
