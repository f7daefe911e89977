#include "clock_probe.h"

#include <chrono>
#include <cstdint>

namespace hashrig::host {
namespace {

// 64 dependent adds per iteration: latency-bound at one add per cycle on every x86 and
// ARM core we know; the loop's own counter runs beside the chain.
std::uint64_t AddChain(std::uint64_t iterations) {
  std::uint64_t x = 0;
  for (std::uint64_t i = 0; i < iterations; ++i) {
#if defined(__x86_64__)
    __asm__ volatile(
        ".rept 64\n\t"
        "addq $1, %0\n\t"
        ".endr"
        : "+r"(x));
#elif defined(__aarch64__)
    __asm__ volatile(
        ".rept 64\n\t"
        "add %0, %0, #1\n\t"
        ".endr"
        : "+r"(x));
#else
    x += 64;
#endif
  }
  return x;
}

}  // namespace

double MeasureClockGhz(double seconds) {
  using Clock = std::chrono::steady_clock;
  AddChain(1'000'000);  // wake the core up to speed
  std::uint64_t iterations = 1'000'000;
  while (true) {
    const auto start = Clock::now();
    AddChain(iterations);
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    if (elapsed >= seconds) {
      return static_cast<double>(iterations) * 64.0 / elapsed / 1e9;
    }
    iterations *= 2;
  }
}

}  // namespace hashrig::host
