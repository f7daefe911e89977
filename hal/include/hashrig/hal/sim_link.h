// Byte links to a simulated board in the same process (hal/sim/board.h), in real time,
// without a PTY: the chain's UART (SimLink) and bitaxe-raw's control port
// (SimControlLink), sharing one board. `run --board sim`, `hashrig scan` and
// `board-test` on sim boards, and hashrig-fw-sim's in-process chain go through them, so
// every board kind runs the same driver code as a serial one.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <stop_token>
#include <thread>
#include <utility>

#include "hashrig/hal/link.h"
#include "hashrig/hal/sim/board.h"

namespace hashrig::hal {

// The board its links share, with a thread of its own standing for the silicon: time
// passes and the chips hash there, in real time, as a real board's do beside the host —
// so the host's chain loop reads and waits exactly as on a UART and never stalls on the
// simulation's SHA-256 (issue 10). Readers and writers take the board's lock; the
// silicon thread holds it for one short slice of time at a time.
class SimBoardClock {
 public:
  explicit SimBoardClock(const sim::BoardConfig& config);
  ~SimBoardClock();
  SimBoardClock(const SimBoardClock&) = delete;
  SimBoardClock& operator=(const SimBoardClock&) = delete;

  // Runs `f(board)` on the board, under its lock.
  template <typename F>
  decltype(auto) With(F&& f) {
    const std::lock_guard lock(mutex_);
    return f(board_);
  }
  // Waits at most `timeout` for bytes from the chain, read at `host_baud`; appends them.
  void ReadChain(std::chrono::milliseconds timeout, std::uint32_t host_baud,
                 std::deque<std::uint8_t>& out);

 private:
  void Run(const std::stop_token& stop);

  sim::Board board_;
  std::mutex mutex_;
  std::condition_variable_any output_;
  std::jthread silicon_;  // last: it runs on everything above
};

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

}  // namespace hashrig::hal
