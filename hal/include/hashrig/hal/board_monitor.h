// The board's sensors read on a thread of their own, beside the chain's loop (as
// ESP-Miner runs its power and fan task beside the ASIC task): the temperature every
// thermal period, the core regulator once a second, and fan settings applied as the
// chain's thermal policy asks. A control port that answers slowly (bitaxe-raw on a busy
// USB bus or a loaded host: each I2C transfer up to BitaxeRawControl::kReplyTimeout)
// then slows the readings, never the chain: its bring-up is ~80 steps paced by the
// driver's own delays, and a loop that waited on five transfers a second between them
// took minutes to reach mining (docs/RELIABILITY.md, conformance `sensor-glitch`).
//
// Every call into the board is made under one lock (one transfer at a time on its
// control port): the monitor's reads and writes, and With() from the chain's thread
// (nRST, the core voltage, a one-off reading), which waits for a transfer in flight.
//
//   BoardMonitor monitor(std::move(board), 250ms);
//   loop: if (auto t = monitor.TakeTemperature()) feed t->celsius to the policy;
//         monitor.SetFan(duty); if (Error e = monitor.TakeError(); !e.ok()) …
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>
#include <utility>

#include "hashrig/hal/board.h"
#include "hashrig/hal/courteous_mutex.h"

namespace hashrig::hal {

class BoardMonitor {
 public:
  using Clock = std::chrono::steady_clock;
  // One temperature reading: empty when the sensor did not answer (or read a fault), as
  // BoardPeripherals::Temperature(). (When it finished: last_reading_at().)
  struct Temperature {
    std::optional<Celsius> celsius;
  };
  static constexpr std::chrono::seconds kCoreEvery{1};
  // Fan writes that fail in a row before TakeError() reports it (a transfer lost on a
  // slow control port is tried again; a fan that cannot be set at all takes the board down).
  static constexpr int kFanAttempts = 3;

  // Starts reading `board` (not null) every `period`.
  BoardMonitor(std::unique_ptr<BoardPeripherals> board, std::chrono::microseconds period);
  ~BoardMonitor();  // stops and joins the thread, then lets the board go
  BoardMonitor(const BoardMonitor&) = delete;
  BoardMonitor& operator=(const BoardMonitor&) = delete;

  // The newest temperature reading not taken yet (older ones are superseded); empty: none
  // since the last call.
  std::optional<Temperature> TakeTemperature();
  // When the newest temperature reading finished (the monitor's start before the first).
  Clock::time_point last_reading_at() const;
  // The regulator as last read (once a second); empty: none, or it did not answer.
  std::optional<CoreReading> core() const;
  // The fan's duty, applied on the monitor's thread (the newest setting wins).
  void SetFan(Percent duty);
  // A fan setting that failed kFanAttempts times in a row, since the last call (then
  // cleared); ok: none.
  Error TakeError();
  // Runs `f(board)` under the board's lock, on the caller's thread: after the transfer
  // in flight, before the monitor's next one.
  template <typename F>
  decltype(auto) With(F&& f) {
    const std::lock_guard lock(board_mutex_);
    return f(*board_);
  }
  template <typename F>
  decltype(auto) With(F&& f) const {
    const std::lock_guard lock(board_mutex_);
    return f(std::as_const(*board_));
  }

 private:
  // `f(board)` on the monitor's thread, once no With() caller waits for the board.
  template <typename F>
  decltype(auto) Transfer(F&& f) {
    const CourteousMutex::AfterOthers lock(board_mutex_);
    return f(*board_);
  }
  void Run(const std::stop_token& stop);

  std::unique_ptr<BoardPeripherals> board_;
  const std::chrono::microseconds period_;
  mutable CourteousMutex board_mutex_;  // every call into *board_

  mutable std::mutex mutex_;  // the fields below
  std::condition_variable_any wake_;
  std::optional<Temperature> temperature_;
  Clock::time_point last_reading_at_ = Clock::now();
  std::optional<CoreReading> core_;
  std::optional<Percent> fan_;  // a setting not applied yet
  Clock::time_point fan_retry_at_{};
  int fan_failures_ = 0;
  Error error_;

  std::jthread thread_;  // last: it runs on everything above
};

}  // namespace hashrig::hal
