#include "cpu_features.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#elif defined(__aarch64__) && defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace hashrig::sha256 {
namespace {

#if defined(__x86_64__) || defined(__i386__)
constexpr unsigned kXcrSseAvx = 0x6;   // XMM and YMM state
constexpr unsigned kXcrAvx512 = 0xe0;  // opmask, ZMM_Hi256, Hi16_ZMM state

unsigned long long ReadXcr0() {
  unsigned eax = 0;
  unsigned edx = 0;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<unsigned long long>(edx) << 32) | eax;
}
#endif

}  // namespace

CpuFeatures DetectCpuFeatures() {
  CpuFeatures f;
#if defined(__x86_64__) || defined(__i386__)
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) == 0) {
    return f;
  }
  const bool ssse3 = (ecx & (1u << 9)) != 0;
  f.sse41 = ssse3 && (ecx & (1u << 19)) != 0;
  const bool osxsave = (ecx & (1u << 27)) != 0;
  const bool avx = (ecx & (1u << 28)) != 0;
  const unsigned long long xcr0 = osxsave ? ReadXcr0() : 0;
  const bool os_avx = (xcr0 & kXcrSseAvx) == kXcrSseAvx;
  const bool os_avx512 = os_avx && (xcr0 & kXcrAvx512) == kXcrAvx512;

  if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) == 0) {
    return f;
  }
  f.avx2 = avx && os_avx && (ebx & (1u << 5)) != 0;
  const bool avx512f = (ebx & (1u << 16)) != 0;
  const bool avx512bw = (ebx & (1u << 30)) != 0;
  f.avx512 = os_avx512 && avx512f && avx512bw;
  f.sha_ni = f.sse41 && (ebx & (1u << 29)) != 0;
#elif defined(__aarch64__) && defined(__linux__)
  f.armv8_sha2 = (getauxval(AT_HWCAP) & HWCAP_SHA2) != 0;  // the kernel's word for it
#endif
  return f;
}

}  // namespace hashrig::sha256
