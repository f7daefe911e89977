// Issue 17, point 1: bench's clock probe, a chain of dependent `add $1`, read ~20 GHz on a
// 3.5 GHz Xeon (newer cores fold immediate adds), so every cycles-per-nonce figure was
// 5.5x too high. The probe now chains register-to-register adds, is timed on the thread's
// CPU time, and is checked against a second method; bench prints no cycles when the two
// disagree.
#include "hashrig/host/cli/clock_probe.h"

#include <chrono>

#include <gtest/gtest.h>

namespace hashrig::host {
namespace {

TEST(ClockProbeTest, TheAddChainAgreesWithTheMultiplyChain) {
#if !defined(__x86_64__)
  GTEST_SKIP() << "no second method with a latency known on every core of this architecture";
#endif
  // On a busy machine the clock moves between the two readings, and a neighbour on the
  // core's other hyperthread slows one chain more than the other (three tries failed under
  // ctest -j4 on 2 cores): tried until they agree, for up to a minute. A probe that a core
  // can shorten disagrees every time.
  ClockReading r;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!r.Agreed() && std::chrono::steady_clock::now() < deadline) {
    r = MeasureClock(0.05);
  }
  EXPECT_TRUE(r.Agreed()) << r.add_ghz << " GHz by adds, " << r.multiply_ghz
                          << " GHz by multiplies";
  EXPECT_GT(r.add_ghz, 0.3);
  EXPECT_LT(r.add_ghz, 8.0) << "no core runs at that clock: the chain was shortened";
}

TEST(ClockProbeTest, MethodsThatDisagreeGiveNoClock) {
  EXPECT_FALSE((ClockReading{20.0, 3.5}.Agreed()));  // the old probe's reading on a Xeon
  EXPECT_FALSE((ClockReading{3.5, 0}.Agreed()));     // no second method
  EXPECT_FALSE((ClockReading{3.1, 3.5}.Agreed()));   // 11 % apart
  ASSERT_TRUE((ClockReading{3.5, 3.6}.Agreed()));
  EXPECT_DOUBLE_EQ(*(ClockReading{3.5, 3.6}.Agreed()), 3.5);
}

}  // namespace
}  // namespace hashrig::host
