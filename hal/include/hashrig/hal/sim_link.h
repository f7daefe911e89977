// Byte links to a simulated board in the same process (hal/sim/board.h), in real time,
// without a PTY: the chain's UART (SimLink) and bitaxe-raw's control port
// (SimControlLink), sharing one board. `run --board sim`, `hashrig scan` and
// `board-test` on sim boards, and hashrig-fw-sim's in-process chain go through them, so
// every board kind runs the same driver code as a serial one.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <stop_token>
#include <thread>
#include <utility>

#include "hashrig/hal/courteous_mutex.h"
#include "hashrig/hal/link.h"
#include "hashrig/hal/sim/avalon.h"
#include "hashrig/hal/sim/board.h"

namespace hashrig::hal {

// A simulated device — a board (sim::Board) or an Avalon bus (sim::AvalonBus): anything
// with Advance(elapsed) — with a thread of its own standing for the silicon: time passes
// and the chips hash there, in real time, as a real board's do beside the host — so the
// host's loop reads and waits exactly as on a UART and never stalls on the simulation's
// SHA-256 (issue 10). Readers and writers take the device's lock; the silicon thread holds
// it for one short slice of time at a time, and lets them go first (CourteousMutex). Fallen behind
// by more than kMaxLag (a descheduled thread, a loaded machine), it skips ahead: that work is lost
// — a lower hashrate, honestly reported — never owed.
template <typename Device>
class SimClock {
 public:
  template <typename Config>
  explicit SimClock(const Config& config)
      : device_(config), silicon_([this](const std::stop_token& stop) { Run(stop); }) {}
  ~SimClock() {
    silicon_.request_stop();
    silicon_.join();
  }
  SimClock(const SimClock&) = delete;
  SimClock& operator=(const SimClock&) = delete;

  // Runs `f(device)` on the device, under its lock (before the silicon's next slice).
  template <typename F>
  decltype(auto) With(F&& f) {
    const std::lock_guard lock(mutex_);
    return f(device_);
  }
  // Waits at most `timeout` until `take(device)` (under the lock) returns true.
  template <typename Take>
  void WaitFor(std::chrono::milliseconds timeout, Take take) {
    std::unique_lock lock(mutex_);
    if (!take(device_) && timeout.count() > 0) {
      (void)output_.wait_for(lock, timeout, [&] { return take(device_); });
    }
  }

 private:
  // A slice is hashed under the lock: at 1e7 H/s, 1 ms of it is ~1.4 ms of a core here
  // (5 ms slices held the lock ~7 ms, and a slice preempted under load held it longer).
  static constexpr std::chrono::milliseconds kSlice{1};
  static constexpr std::chrono::milliseconds kTick{5};
  static constexpr std::chrono::milliseconds kMaxLag{50};

  void Run(const std::stop_token& stop) {
    auto last = std::chrono::steady_clock::now();
    while (!stop.stop_requested()) {
      const auto now = std::chrono::steady_clock::now();
      last = std::max(last, now - kMaxLag);
      while (last < now && !stop.stop_requested()) {
        const auto slice = std::min<std::chrono::nanoseconds>(now - last, kSlice);
        {
          const CourteousMutex::AfterOthers lock(mutex_);  // the PTY's thread goes first
          device_.Advance(slice);
        }
        last += slice;
        output_.notify_all();
      }
      std::this_thread::sleep_for(kTick);
    }
  }

  Device device_;
  CourteousMutex mutex_;
  std::condition_variable_any output_;
  std::jthread silicon_;  // last: it runs on everything above
};

// The board its links share (SimLink, SimControlLink).
class SimBoardClock : public SimClock<sim::Board> {
 public:
  using SimClock::SimClock;
  // Waits at most `timeout` for bytes from the chain, read at `host_baud`; appends them.
  void ReadChain(std::chrono::milliseconds timeout, std::uint32_t host_baud,
                 std::deque<std::uint8_t>& out);
};

// An Avalon bus in real time (AvalonSimLink, `hashrig sim --avalon`).
using AvalonSimClock = SimClock<sim::AvalonBus>;

class SimLink final : public ByteLink {
 public:
  explicit SimLink(std::shared_ptr<SimBoardClock> board) : board_(std::move(board)) {}
  // A board of its own.
  explicit SimLink(const sim::BoardConfig& config)
      : SimLink(std::make_shared<SimBoardClock>(config)) {}

  Error Write(std::span<const std::uint8_t> bytes) override;
  Error ReadFor(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout,
                std::size_t& received) override;
  Error SetBaud(std::uint32_t baud) override;
  Error SetReset(bool asserted) override;
  std::string Describe() const override { return "sim"; }
  // Runs `f(board)` on the simulated board, under its lock.
  template <typename F>
  decltype(auto) WithBoard(F&& f) {
    return board_->With(std::forward<F>(f));
  }

 private:
  std::shared_ptr<SimBoardClock> board_;
  std::uint32_t baud_ = 115'200;
  std::deque<std::uint8_t> pending_;
};

class SimControlLink final : public ByteLink {
 public:
  explicit SimControlLink(std::shared_ptr<SimBoardClock> board) : board_(std::move(board)) {}

  Error Write(std::span<const std::uint8_t> bytes) override;
  Error ReadFor(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout,
                std::size_t& received) override;
  Error SetBaud(std::uint32_t) override { return {}; }
  Error SetReset(bool) override { return {}; }
  std::string Describe() const override { return "sim control port"; }

 private:
  std::shared_ptr<SimBoardClock> board_;
  std::deque<std::uint8_t> replies_;
};

// A byte link to an in-process simulated Avalon bus (hal/sim/avalon.h): CN packets on a
// raw stream, or AUC requests if the bus has its AUC — what `hashrig sim --avalon` serves
// on a PTY, without one. Rates and nRST do not apply (accepted and ignored).
class AvalonSimLink final : public ByteLink {
 public:
  explicit AvalonSimLink(std::shared_ptr<AvalonSimClock> bus) : bus_(std::move(bus)) {}
  explicit AvalonSimLink(const sim::AvalonConfig& config)
      : AvalonSimLink(std::make_shared<AvalonSimClock>(config)) {}

  Error Write(std::span<const std::uint8_t> bytes) override;
  Error ReadFor(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout,
                std::size_t& received) override;
  Error SetBaud(std::uint32_t) override { return {}; }
  Error SetReset(bool) override { return {}; }
  std::string Describe() const override { return "avalon sim"; }
  // Runs `f(bus)` on the simulated bus, under its lock (unplug a module, read counters).
  template <typename F>
  decltype(auto) WithBus(F&& f) {
    return bus_->With(std::forward<F>(f));
  }

 private:
  std::shared_ptr<AvalonSimClock> bus_;
  std::deque<std::uint8_t> pending_;
};

}  // namespace hashrig::hal
