#include "hashrig/pool/failover.h"

#include <algorithm>

namespace hashrig::pool {

Failover::Failover(std::size_t pool_count, FailoverConfig config, std::uint64_t seed)
    : pool_count_(std::max<std::size_t>(pool_count, 1)),
      config_(config),
      random_(seed),
      enabled_(pool_count_, true) {}

void Failover::Resize(std::size_t pool_count) {
  pool_count_ = std::max<std::size_t>(pool_count, 1);
  enabled_.resize(pool_count_, true);
  active_ = std::min(active_, pool_count_ - 1);
}

void Failover::SetEnabled(std::size_t pool, bool enabled) {
  if (pool < enabled_.size()) {
    enabled_[pool] = enabled;
  }
}

void Failover::SwitchTo(std::size_t pool) {
  if (pool < pool_count_) {
    active_ = pool;
    enabled_[pool] = true;
    failures_ = 0;
    last_probe_.reset();
    probe_cursor_ = 0;
  }
}

// The next enabled pool after `after` in priority order (wrapping), or `after` itself.
std::size_t Failover::NextEnabled(std::size_t after) const {
  for (std::size_t step = 1; step <= pool_count_; ++step) {
    const std::size_t candidate = (after + step) % pool_count_;
    if (enabled_[candidate]) {
      return candidate;
    }
  }
  return after;
}

void Failover::OnHealthy(std::size_t pool) {
  if (pool == active_) {
    failures_ = 0;
  }
}

Attempt Failover::OnFailure(Failure failure) {
  ++failures_;
  const bool switch_now =
      failure != Failure::kDisconnected || failures_ >= config_.failures_before_switch;
  if ((switch_now || !enabled_[active_]) && pool_count_ > 1 && NextEnabled(active_) != active_) {
    active_ = NextEnabled(active_);
    failures_ = 0;
    last_probe_.reset();
    probe_cursor_ = 0;
    return Attempt{active_, std::chrono::milliseconds(0)};
  }
  return Attempt{active_, Backoff()};
}

std::chrono::milliseconds Failover::Backoff() {
  // initial * 2^(failures-1), capped, then +-jitter so a fleet does not reconnect in step.
  const auto shift = std::min<std::size_t>(failures_ == 0 ? 0 : failures_ - 1, 20);
  const auto base =
      std::min(config_.backoff_initial * (std::int64_t{1} << shift), config_.backoff_max);
  std::uniform_real_distribution<double> spread(1.0 - config_.jitter, 1.0 + config_.jitter);
  return std::chrono::milliseconds(
      static_cast<std::int64_t>(static_cast<double>(base.count()) * spread(random_)));
}

std::optional<std::size_t> Failover::ProbeDue(Clock::time_point now) {
  if (active_ == 0) {
    return std::nullopt;
  }
  if (!last_probe_) {
    last_probe_ = now;  // the first probe one interval after leaving the primary
    return std::nullopt;
  }
  if (now - *last_probe_ < config_.probe_interval) {
    return std::nullopt;
  }
  last_probe_ = now;
  for (std::size_t tries = 0; tries < active_; ++tries) {
    const std::size_t candidate = probe_cursor_++ % active_;
    if (enabled_[candidate]) {
      return candidate;
    }
  }
  return std::nullopt;
}

void Failover::OnProbeSucceeded(std::size_t pool) {
  if (pool < active_) {
    active_ = pool;
    failures_ = 0;
    last_probe_.reset();
  }
}

}  // namespace hashrig::pool
