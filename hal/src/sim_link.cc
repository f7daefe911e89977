#include "hashrig/hal/sim_link.h"

#include <algorithm>
#include <thread>

namespace hashrig::hal {
namespace {

std::size_t Drain(std::deque<std::uint8_t>& from, std::span<std::uint8_t> to) {
  const std::size_t n = std::min(to.size(), from.size());
  std::copy_n(from.begin(), n, to.begin());
  from.erase(from.begin(), from.begin() + static_cast<std::ptrdiff_t>(n));
  return n;
}

}  // namespace

Error SimLink::Write(std::span<const std::uint8_t> bytes) {
  board_->Catch().Receive(bytes, baud_);
  return {};
}

Error SimLink::SetBaud(std::uint32_t baud) {
  baud_ = baud;
  return {};
}

Error SimLink::SetReset(bool asserted) {
  board_->Catch().SetReset(asserted);
  return {};
}

Error SimLink::ReadFor(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout,
                       std::size_t& received) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    for (const std::uint8_t b : board_->Catch().TakeOutput(baud_)) {
      pending_.push_back(b);
    }
    if (!pending_.empty() || std::chrono::steady_clock::now() >= deadline) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  received = Drain(pending_, buffer);
  return {};
}

Error SimControlLink::Write(std::span<const std::uint8_t> bytes) {
  for (const std::uint8_t b : board_->Catch().ReceiveControl(bytes)) {
    replies_.push_back(b);
  }
  return {};
}

Error SimControlLink::ReadFor(std::span<std::uint8_t> buffer, std::chrono::milliseconds,
                              std::size_t& received) {
  received = Drain(replies_, buffer);  // replies are immediate
  return {};
}

}  // namespace hashrig::hal
