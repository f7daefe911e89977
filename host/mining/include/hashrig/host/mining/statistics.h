// Hashrate over a window, as the miner reports it (cgminer's 5 s, 1 m, 5 m, 15 m): the
// difficulty-weighted work of verified nonces that fell in the last `window`, divided by
// the time it covers (less than the window just after the start). A sliding window of
// buckets, not an exponential average: a burst of nonces reads as what it is for exactly
// the window's length, and an idle chain reads 0 once its window has passed.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>

namespace hashrig::host {

class RateWindow {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t kBuckets = 20;

  RateWindow(std::chrono::seconds window, Clock::time_point start)
      : bucket_(std::chrono::duration_cast<Clock::duration>(window) / kBuckets), start_(start) {}

  void Add(double hashes, Clock::time_point now);
  double HashesPerSecond(Clock::time_point now) const;

 private:
  std::size_t Index(Clock::time_point t) const;
  void Roll(Clock::time_point now);

  Clock::duration bucket_;
  Clock::time_point start_;
  std::array<double, kBuckets> sums_{};
  std::size_t head_ = 0;        // the bucket `head_index_` lives in
  std::size_t head_index_ = 0;  // absolute bucket number since start
};

// Hashes a difficulty-1 share stands for: 2^32.
inline constexpr double kHashesPerDiff1 = 4294967296.0;

}  // namespace hashrig::host
