#include "hashrig/hal/sim_link.h"

#include <thread>

namespace hashrig::hal {

Error SimLink::ReadFor(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout,
                       std::size_t& received) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto now = std::chrono::steady_clock::now();
    chain_.Advance(now - last_);
    last_ = now;
    for (std::uint8_t b : chain_.TakeOutput(baud_)) {
      pending_.push_back(b);
    }
    if (!pending_.empty() || now >= deadline) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  received = std::min(buffer.size(), pending_.size());
  std::copy(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(received),
            buffer.begin());
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(received));
  return {};
}

}  // namespace hashrig::hal
