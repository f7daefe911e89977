#include "hashrig/host/cli/clock_probe.h"

#include <time.h>

#include <cmath>
#include <cstdint>

namespace hashrig::host {
namespace {

constexpr int kChain = 64;  // dependent instructions per loop iteration

#if defined(__x86_64__)
constexpr double kMultiplyLatency = 3;
#else
constexpr double kMultiplyLatency = 0;  // not known for every core: no second method
#endif

// x += y, kChain times per iteration, y unknown to the compiler and the core's decoder.
std::uint64_t AddChain(std::uint64_t iterations, std::uint64_t y) {
  std::uint64_t x = 0;
  for (std::uint64_t i = 0; i < iterations; ++i) {
#if defined(__x86_64__)
    __asm__ volatile(".rept 64\n\taddq %1, %0\n\t.endr" : "+r"(x) : "r"(y));
#elif defined(__aarch64__)
    __asm__ volatile(".rept 64\n\tadd %0, %0, %1\n\t.endr" : "+r"(x) : "r"(y));
#else
    x += y * kChain;
#endif
  }
  return x;
}

// x *= y, kChain times per iteration.
std::uint64_t MultiplyChain(std::uint64_t iterations, std::uint64_t y) {
  std::uint64_t x = 1;
  for (std::uint64_t i = 0; i < iterations; ++i) {
#if defined(__x86_64__)
    __asm__ volatile(".rept 64\n\timulq %1, %0\n\t.endr" : "+r"(x) : "r"(y));
#else
    for (int k = 0; k < kChain; ++k) {
      x *= y;
    }
#endif
  }
  return x;
}

// Chain instructions per CPU-second of `chain`, doubling its length until it ran for
// `seconds`.
template <typename Chain>
double InstructionsPerSecond(Chain chain, double seconds) {
  volatile std::uint64_t y = 0x9E3779B97F4A7C15u;  // odd, and read at run time
  (void)chain(100'000, y);                         // wake the core up to speed
  for (std::uint64_t iterations = 100'000;; iterations *= 2) {
    const double start = ThreadCpuSeconds();
    (void)chain(iterations, y);
    const double elapsed = ThreadCpuSeconds() - start;
    if (elapsed >= seconds) {
      return static_cast<double>(iterations) * kChain / elapsed;
    }
  }
}

}  // namespace

double ThreadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

std::optional<double> ClockReading::Agreed() const {
  if (!(add_ghz > 0) || !(multiply_ghz > 0) ||
      std::abs(add_ghz - multiply_ghz) > kClockTolerance * multiply_ghz) {
    return std::nullopt;
  }
  return add_ghz;
}

ClockReading MeasureClock(double seconds) {
  ClockReading r;
  r.add_ghz = InstructionsPerSecond(AddChain, seconds) / 1e9;
  if (kMultiplyLatency > 0) {
    r.multiply_ghz = InstructionsPerSecond(MultiplyChain, seconds) * kMultiplyLatency / 1e9;
  }
  return r;
}

}  // namespace hashrig::host
