#include "hashrig/host/mining/statistics.h"

#include <algorithm>

namespace hashrig::host {

std::size_t RateWindow::Index(Clock::time_point t) const {
  return t <= start_ ? 0 : static_cast<std::size_t>((t - start_) / bucket_);
}

void RateWindow::Roll(Clock::time_point now) {
  const std::size_t index = Index(now);
  if (index <= head_index_) {
    return;
  }
  const std::size_t steps = std::min(index - head_index_, kBuckets);
  for (std::size_t i = 0; i < steps; ++i) {
    head_ = (head_ + 1) % kBuckets;
    sums_[head_] = 0;
  }
  head_index_ = index;
}

void RateWindow::Add(double hashes, Clock::time_point now) {
  Roll(now);
  sums_[head_] += hashes;
}

double RateWindow::HashesPerSecond(Clock::time_point now) const {
  const std::size_t index = Index(now);
  if (index >= head_index_ + kBuckets) {
    return 0;  // nothing in the window
  }
  // The buckets from head_index_ - (kBuckets - 1 - (index - head_index_)) to head_index_.
  const std::size_t stale = index - head_index_;  // buckets that have passed since the head
  double total = 0;
  for (std::size_t i = 0; i + stale < kBuckets; ++i) {
    total += sums_[(head_ + kBuckets - i) % kBuckets];
  }
  // The time covered: the window (less the part of the current bucket still to come), or
  // everything since the start when that is shorter.
  const auto covered_window =
      bucket_ * static_cast<Clock::rep>(kBuckets - 1) + ((now - start_) % bucket_);
  const auto covered = std::min<Clock::duration>(covered_window, now - start_);
  const double seconds = std::chrono::duration<double>(covered).count();
  return seconds <= 0 ? 0 : total / seconds;
}

}  // namespace hashrig::host
