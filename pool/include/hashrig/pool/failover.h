// Which pool to connect to next, and when: pools in priority order, failover after
// repeated disconnects, at once on an authorization failure or when a pool stops sending
// work, reconnects with exponential backoff and jitter, and a periodic probe of the
// higher-priority pools so that mining returns to them when they recover. Pure: the
// driver reports what happened and asks what to do (STYLE R5); randomness is injected.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <vector>

namespace hashrig::pool {

struct FailoverConfig {
  std::size_t failures_before_switch = 3;  // consecutive disconnects (ESP-Miner uses 3)
  std::chrono::milliseconds backoff_initial{500};
  std::chrono::milliseconds backoff_max{30'000};
  double jitter = 0.25;  // +-25% of each delay
  std::chrono::seconds probe_interval{60};
};

enum class Failure { kDisconnected, kAuthorization, kNoWork };

struct Attempt {
  std::size_t pool = 0;
  std::chrono::milliseconds delay{0};
};

class Failover {
 public:
  using Clock = std::chrono::steady_clock;

  Failover(std::size_t pool_count, FailoverConfig config, std::uint64_t seed);

  // The pool mining now (or being connected to).
  std::size_t active() const { return active_; }
  // A session on `pool` is authorized and has work: its failures are forgiven.
  void OnHealthy(std::size_t pool);
  // The active connection ended; returns where to connect next and after what delay.
  Attempt OnFailure(Failure failure);
  // When mining below the primary: the higher-priority pool to probe now, if one is due
  // (each in turn, highest first).
  std::optional<std::size_t> ProbeDue(Clock::time_point now);
  // A probe of `pool` got authorized and received work: switch up to it.
  void OnProbeSucceeded(std::size_t pool);

  std::size_t consecutive_failures() const { return failures_; }

  // Operator controls (the cgminer API's addpool/switchpool/enablepool/disablepool).
  void Resize(std::size_t pool_count);
  void SetEnabled(std::size_t pool, bool enabled);
  bool enabled(std::size_t pool) const { return pool < enabled_.size() && enabled_[pool]; }
  void SwitchTo(std::size_t pool);
  std::size_t pool_count() const { return pool_count_; }

 private:
  std::chrono::milliseconds Backoff();
  std::size_t NextEnabled(std::size_t after) const;

  std::size_t pool_count_;
  FailoverConfig config_;
  std::mt19937_64 random_;
  std::size_t active_ = 0;
  std::size_t failures_ = 0;
  std::optional<Clock::time_point> last_probe_;
  std::size_t probe_cursor_ = 0;
  std::vector<bool> enabled_;
};

}  // namespace hashrig::pool
