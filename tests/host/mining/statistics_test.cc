// The hashrate windows: a sliding window of buckets — a burst reads as what it is for the
// window's length and no longer, an idle chain reads 0 once its window has passed, and
// just after the start the rate is over the time since the start, not the whole window.
#include "hashrig/host/mining/statistics.h"

#include <gtest/gtest.h>

namespace hashrig::host {
namespace {

using namespace std::chrono_literals;
using Clock = RateWindow::Clock;

TEST(RateWindowTest, SteadyWorkReadsItsRate) {
  const Clock::time_point t0{};
  RateWindow w(5s, t0);
  for (int i = 1; i <= 100; ++i) {  // 1 MH every 100 ms: 10 MH/s
    w.Add(1e6, t0 + 100ms * i);
  }
  EXPECT_NEAR(w.HashesPerSecond(t0 + 10s), 10e6, 0.6e6);
}

TEST(RateWindowTest, ABurstIsForgottenAfterTheWindow) {
  const Clock::time_point t0{};
  RateWindow w(5s, t0);
  w.Add(50e6, t0 + 20s);                               // a backlog delivered at once
  EXPECT_LE(w.HashesPerSecond(t0 + 20s), 50e6 / 4.7);  // never more than the work / window
  EXPECT_GT(w.HashesPerSecond(t0 + 24s), 0);
  EXPECT_EQ(w.HashesPerSecond(t0 + 26s), 0) << "out of the window";
}

TEST(RateWindowTest, EarlyReadingsCoverOnlyTheTimeSinceStart) {
  const Clock::time_point t0{};
  RateWindow w(60s, t0);
  for (int i = 1; i <= 20; ++i) {
    w.Add(1e6, t0 + 100ms * i);
  }
  EXPECT_NEAR(w.HashesPerSecond(t0 + 2s), 10e6, 0.6e6) << "2 s of work over 2 s, not over 60";
}

}  // namespace
}  // namespace hashrig::host
