#include "hashrig/hal/sim_link.h"

#include <algorithm>

namespace hashrig::hal {
namespace {

std::size_t Drain(std::deque<std::uint8_t>& from, std::span<std::uint8_t> to) {
  const std::size_t n = std::min(to.size(), from.size());
  std::copy_n(from.begin(), n, to.begin());
  from.erase(from.begin(), from.begin() + static_cast<std::ptrdiff_t>(n));
  return n;
}

}  // namespace

void SimBoardClock::ReadChain(std::chrono::milliseconds timeout, std::uint32_t host_baud,
                              std::deque<std::uint8_t>& out) {
  WaitFor(timeout, [&](sim::Board& board) {
    for (const std::uint8_t b : board.TakeOutput(host_baud)) {
      out.push_back(b);
    }
    return !out.empty();
  });
}

Error SimLink::Write(std::span<const std::uint8_t> bytes) {
  board_->With([&](sim::Board& board) { board.Receive(bytes, baud_); });
  return {};
}

Error SimLink::SetBaud(std::uint32_t baud) {
  baud_ = baud;
  return {};
}

Error SimLink::SetReset(bool asserted) {
  board_->With([&](sim::Board& board) { board.SetReset(asserted); });
  return {};
}

Error SimLink::ReadFor(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout,
                       std::size_t& received) {
  if (pending_.empty()) {
    board_->ReadChain(timeout, baud_, pending_);
  }
  received = Drain(pending_, buffer);
  return {};
}

Error SimControlLink::Write(std::span<const std::uint8_t> bytes) {
  for (const std::uint8_t b :
       board_->With([&](sim::Board& board) { return board.ReceiveControl(bytes); })) {
    replies_.push_back(b);
  }
  return {};
}

Error SimControlLink::ReadFor(std::span<std::uint8_t> buffer, std::chrono::milliseconds,
                              std::size_t& received) {
  received = Drain(replies_, buffer);  // replies are immediate
  return {};
}

Error AvalonSimLink::Write(std::span<const std::uint8_t> bytes) {
  bus_->With([&](sim::AvalonBus& bus) { bus.Receive(bytes); });
  return {};
}

Error AvalonSimLink::ReadFor(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout,
                             std::size_t& received) {
  if (pending_.empty()) {
    bus_->WaitFor(timeout, [&](sim::AvalonBus& bus) {
      for (const std::uint8_t b : bus.TakeOutput()) {
        pending_.push_back(b);
      }
      return !pending_.empty();
    });
  }
  received = Drain(pending_, buffer);
  return {};
}

}  // namespace hashrig::hal
