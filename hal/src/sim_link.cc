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

// The silicon thread keeps the board within a few milliseconds of real time: it lets time
// pass in slices of kSlice, releasing the board between slices (a reader or writer waits
// at most one slice's hashing), and rests kTick between rounds. Fallen behind by more
// than kMaxLag (a descheduled thread, a loaded machine), it skips ahead: that work is
// lost — a lower hashrate, honestly reported — never owed.
constexpr std::chrono::milliseconds kSlice{5};
constexpr std::chrono::milliseconds kTick{5};
constexpr std::chrono::milliseconds kMaxLag{50};

}  // namespace

SimBoardClock::SimBoardClock(const sim::BoardConfig& config)
    : board_(config), silicon_([this](const std::stop_token& stop) { Run(stop); }) {}

SimBoardClock::~SimBoardClock() {
  silicon_.request_stop();
  silicon_.join();
}

void SimBoardClock::Run(const std::stop_token& stop) {
  auto last = std::chrono::steady_clock::now();
  while (!stop.stop_requested()) {
    const auto now = std::chrono::steady_clock::now();
    last = std::max(last, now - kMaxLag);
    while (last < now && !stop.stop_requested()) {
      const auto slice = std::min<std::chrono::nanoseconds>(now - last, kSlice);
      {
        const std::lock_guard lock(mutex_);
        board_.Advance(slice);
      }
      last += slice;
      output_.notify_all();
    }
    std::this_thread::sleep_for(kTick);
  }
}

void SimBoardClock::ReadChain(std::chrono::milliseconds timeout, std::uint32_t host_baud,
                              std::deque<std::uint8_t>& out) {
  std::unique_lock lock(mutex_);
  const auto take = [&] {
    for (const std::uint8_t b : board_.TakeOutput(host_baud)) {
      out.push_back(b);
    }
    return !out.empty();
  };
  if (!take() && timeout.count() > 0) {
    (void)output_.wait_for(lock, timeout, take);
  }
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

}  // namespace hashrig::hal
