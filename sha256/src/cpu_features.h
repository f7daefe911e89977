// Internal: what the CPU and OS let us run, from CPUID and XGETBV (x86) or the kernel's
// HWCAP (AArch64).
#pragma once

namespace hashrig::sha256 {

struct CpuFeatures {
  bool sse41 = false;
  bool avx2 = false;
  bool avx512 = false;      // AVX-512 F + BW with the OS saving opmask and ZMM state
  bool sha_ni = false;      // x86 SHA extensions (with SSE4.1)
  bool armv8_sha2 = false;  // AArch64 SHA-2 instructions (Linux HWCAP_SHA2)
};

// Reads the running CPU. AVX and AVX-512 count only if XGETBV says the OS saves their
// register state; otherwise using them would fault or corrupt on a context switch.
CpuFeatures DetectCpuFeatures();

}  // namespace hashrig::sha256
