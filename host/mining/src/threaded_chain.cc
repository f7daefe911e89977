#include "hashrig/host/mining/threaded_chain.h"

#include <cstdio>

#include "hashrig/base/format.h"

namespace hashrig::host {
namespace {

using namespace std::chrono_literals;

constexpr auto kPublishEvery = 100ms;

// How a change of a chain's state is logged: trouble at WARN/ERROR with its reason.
LogLevel LevelOf(const ChainStatus& s) {
  if (s.state == ChainState::kFailed || s.stop == StopReason::kOverheat ||
      s.stop == StopReason::kSensorFailed) {
    return LogLevel::kError;
  }
  if (s.state == ChainState::kDown || !s.problem.empty()) {
    return LogLevel::kWarning;
  }
  return LogLevel::kInfo;
}

// 256, 1, 6.10352e-05 (2^-14): enough digits for a ticket below 1.
std::string TicketText(double ticket) { return FormatDifficulty(ticket); }

}  // namespace

ThreadedChain::~ThreadedChain() { Stop(); }

std::string ThreadedChain::description() const {
  const std::lock_guard lock(mutex_);
  return description_;
}

void ThreadedChain::SetDescription(const std::string& what) {
  {
    const std::lock_guard lock(mutex_);
    if (description_ == what) {
      return;
    }
    description_ = what;
  }
  log_.Write(LogLevel::kInfo, name_, what);
}

void ThreadedChain::Start(NonceSink sink) {
  sink_ = std::move(sink);
  thread_ = std::jthread([this](const std::stop_token& stop) { Run(stop); });
}

void ThreadedChain::Stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
}

void ThreadedChain::Restart() {
  {
    const std::lock_guard lock(mutex_);
    restart_ = true;
  }
  wake_.notify_one();
}

void ThreadedChain::SetWork(const ChainWork& work) {
  {
    const std::lock_guard lock(mutex_);
    work_ = work;
  }
  wake_.notify_one();
}

void ThreadedChain::Tune(const ChainTuning& tuning) {
  {
    const std::lock_guard lock(mutex_);
    ChainTuning& pending = tuning_ ? *tuning_ : tuning_.emplace();  // later values win
    if (tuning.frequency) {
      pending.frequency = tuning.frequency;
    }
    if (tuning.voltage) {
      pending.voltage = tuning.voltage;
    }
    if (tuning.target_c) {
      pending.target_c = tuning.target_c;
    }
  }
  wake_.notify_one();
}

ChainStatus ThreadedChain::status() const {
  const std::lock_guard lock(mutex_);
  return status_;
}

void ThreadedChain::Publish(std::chrono::steady_clock::time_point now) {
  ChainStatus next = Snapshot();
  ChainStatus before;
  {
    const std::lock_guard lock(mutex_);
    before = std::move(status_);
    status_ = next;
    published_ = now;
  }
  if (before.state != next.state || before.stop != next.stop || before.problem != next.problem ||
      before.chips != next.chips) {
    // No count where none is known yet (Canaan modules not detected yet).
    const bool counted = next.chips > 0 || next.expected_chips > 0;
    log_.Write(LevelOf(next), name_,
               Describe(next) + (counted ? " (" + std::to_string(next.chips) + " of " +
                                               std::to_string(next.expected_chips) + " chips)"
                                         : ""));
  }
  if (before.ticket_difficulty > 0 && next.ticket_difficulty > 0 &&
      before.ticket_difficulty != next.ticket_difficulty) {
    log_.Write(
        LogLevel::kInfo, name_,
        "ticket difficulty " + TicketText(before.ticket_difficulty) + " -> " +
            TicketText(next.ticket_difficulty) +
            " (aiming at 64 nonces/s; never above the pool's difficulty, never below the chips' "
            "floor)");
  }
}

void ThreadedChain::Run(const std::stop_token& stop) {
  std::vector<FoundNonce> found;
  Publish(std::chrono::steady_clock::now());
  while (!stop.stop_requested()) {
    std::optional<ChainWork> work;
    std::optional<ChainTuning> tuning;
    bool restart = false;
    {
      const std::lock_guard lock(mutex_);
      work.swap(work_);
      tuning.swap(tuning_);
      restart = std::exchange(restart_, false);
    }
    if (tuning) {
      ApplyTuning(*tuning);
      Publish(std::chrono::steady_clock::now());  // the reports show it at once
    }
    if (restart) {
      ApplyRestart();
    }
    if (work) {
      ApplyWork(*work);
    }
    const auto rest = Step(found);
    if (!found.empty()) {
      sink_(std::move(found));
      found.clear();
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - published_ >= kPublishEvery) {
      Publish(now);
    }
    if (rest.count() > 0) {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, stop, rest,
                     [this] { return work_.has_value() || tuning_.has_value() || restart_; });
    }
  }
  Shutdown();
  Publish(std::chrono::steady_clock::now());
}

}  // namespace hashrig::host
