// Byte links to a simulated board in the same process (hal/sim/board.h), in real time,
// without a PTY: the chain's UART (SimLink) and bitaxe-raw's control port
// (SimControlLink), sharing one board. `run --board sim`, `hashrig scan` and
// `board-test` on sim boards, and hashrig-fw-sim's in-process chain go through them, so
// every board kind runs the same driver code as a serial one.
#pragma once

#include <chrono>
#include <deque>
#include <memory>

#include "hashrig/hal/link.h"
#include "hashrig/hal/sim/board.h"

namespace hashrig::hal {

// The board and the clock its links share: every read brings it up to now.
class SimBoardClock {
 public:
  explicit SimBoardClock(const sim::BoardConfig& config) : board_(config) {}
  sim::Board& Catch() {
    const auto now = std::chrono::steady_clock::now();
    board_.Advance(now - last_);
    last_ = now;
    return board_;
  }
  sim::Board& board() { return board_; }

 private:
  sim::Board board_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
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
  sim::Board& board() { return board_->board(); }

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
