// When a failed chain is started again (host/boards retry_when_failed.h), on given times.
#include "hashrig/host/boards/retry_when_failed.h"

#include <gtest/gtest.h>

namespace hashrig::host {
namespace {

using namespace std::chrono_literals;
using State = hal::protocol::ChainState;

// Steps every 100 ms from `start` while the chain is failed; the time of the first retry.
RetryWhenFailed::Clock::time_point NextRetry(RetryWhenFailed& retry,
                                             RetryWhenFailed::Clock::time_point start) {
  for (auto now = start; now < start + 60s; now += 100ms) {
    if (retry.Due(State::kFailed, now)) {
      return now;
    }
  }
  return start + 60s;
}

// A chain that failed on a stall (a loaded control board's PTY, 1-2 s) was left for 10 s:
// in the suite under load, conformance dead-chip's 20 s session then ended before it
// mined. The first retry now comes after 2 s, the next ones 4 s, 8 s, then every 10 s.
TEST(RetryWhenFailedTest, TheFirstRetryComesSoonThenTheyBackOffToTenSeconds) {
  RetryWhenFailed retry;
  auto t = RetryWhenFailed::Clock::time_point{} + 1h;
  EXPECT_FALSE(retry.Due(State::kEnumerating, t));
  for (const auto expected : {2s, 4s, 8s, 10s, 10s}) {
    const auto due = NextRetry(retry, t);
    EXPECT_EQ(due - t, expected);
    // Started again: enumerating for a while, then failed again.
    EXPECT_FALSE(retry.Due(State::kEnumerating, due + 100ms));
    t = due + 1s;
  }
}

// A chain that mined between two failures starts over at the first, short wait; one that
// only got as far as enumerating does not.
TEST(RetryWhenFailedTest, MiningStartsTheWaitOverEnumeratingDoesNot) {
  RetryWhenFailed retry;
  auto t = RetryWhenFailed::Clock::time_point{} + 1h;
  auto due = NextRetry(retry, t);
  ASSERT_EQ(due - t, 2s);
  EXPECT_FALSE(retry.Due(State::kEnumerating, due + 100ms));
  t = due + 1s;
  due = NextRetry(retry, t);
  ASSERT_EQ(due - t, 4s);
  EXPECT_FALSE(retry.Due(State::kMining, due + 100ms));
  t = due + 1s;
  EXPECT_EQ(NextRetry(retry, t) - t, 2s);
}

}  // namespace
}  // namespace hashrig::host
