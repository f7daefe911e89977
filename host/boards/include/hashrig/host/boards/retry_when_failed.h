// When a chain that failed (nothing answered, every re-init spent: ChainState::kFailed) is
// started again. The first retry comes kFirstRetry after the failure, each next one twice
// as long after, up to kRetryFailed; a chain that reaches mining starts over at
// kFirstRetry. A control board's serial path stalls for 1-2 s when the machine is loaded
// (docs/RELIABILITY.md): a chain that failed on such a stall mines again seconds later,
// and a board that stays dead is tried every 10 s, not hammered.
#pragma once

#include <algorithm>
#include <chrono>
#include <optional>

#include "hashrig/hal/protocol/chain/chip_driver.h"

namespace hashrig::host {

class RetryWhenFailed {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kFirstRetry{2};
  static constexpr std::chrono::seconds kRetryFailed{10};

  // Called every step with the chain's state; true when the chain is to be started again.
  bool Due(hal::protocol::ChainState state, Clock::time_point now = Clock::now()) {
    if (state == hal::protocol::ChainState::kMining) {
      wait_ = kFirstRetry;
    }
    if (state != hal::protocol::ChainState::kFailed) {
      since_.reset();
      return false;
    }
    if (!since_) {
      since_ = now;
      return false;
    }
    if (now - *since_ < wait_) {
      return false;
    }
    since_.reset();
    wait_ = std::min<std::chrono::seconds>(wait_ * 2, kRetryFailed);
    return true;
  }

  // Starts `chain` (a hal::DirectChain or hal::AvalonChain) again when Due.
  template <typename Chain>
  void RestartIfDue(Chain& chain) {
    if (Due(chain.chain().state())) {
      (void)chain.Start();
    }
  }

 private:
  std::optional<Clock::time_point> since_;
  std::chrono::seconds wait_ = kFirstRetry;
};

}  // namespace hashrig::host
