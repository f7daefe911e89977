// A HashChain on its own thread (issue 10: the daemon never blocks on a board). The
// thread steps the chain, hands checked nonces to the sink in batches, keeps a status
// snapshot the I/O thread can read at any time, and logs every change of state with its
// reason (a chain going down, failing, coming back, stopping for heat) — for every kind
// of chain alike. Implementations give the steps; this owns the thread and the mailbox.
//
// Between steps the thread sleeps as long as the step asked (a mining chain: a steady
// cadence, its chips' bytes waiting in the link's buffer), and new work, a restart or
// Stop wakes it at once. Every wakeup costs a context switch, so a mining chain wakes
// about 20 times a second, not once per nonce (the host's cost at an S21's nonce rate,
// docs/PERFORMANCE.md).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "hashrig/host/mining/hash_chain.h"
#include "hashrig/host/report/log.h"

namespace hashrig::host {

class ThreadedChain : public HashChain {
 public:
  ThreadedChain(std::string name, Logger& log) : name_(std::move(name)), log_(log) {}
  ~ThreadedChain() override;
  ThreadedChain(const ThreadedChain&) = delete;
  ThreadedChain& operator=(const ThreadedChain&) = delete;

  const std::string& name() const final { return name_; }
  std::string description() const final;
  void Start(NonceSink sink) final;
  void Stop() final;
  void Restart() final;
  void SetWork(const ChainWork& work) final;
  ChainStatus status() const final;
  void Tune(const ChainTuning& tuning) final;

 protected:
  // On the chain's thread. Step does what is due and takes what the hardware sent,
  // appending checked nonces; it returns how long the chain can rest before its next
  // step (0: step again at once).
  virtual std::chrono::milliseconds Step(std::vector<FoundNonce>& found) = 0;
  virtual void ApplyWork(const ChainWork& work) = 0;
  virtual void ApplyRestart() = 0;
  virtual void ApplyTuning(const ChainTuning& tuning) { (void)tuning; }
  virtual ChainStatus Snapshot() const = 0;
  // Idle the chips before the thread ends (reset held); best effort.
  virtual void Shutdown() {}
  // Called from Step when the chain learns what it is.
  void SetDescription(const std::string& what);
  Logger& log() { return log_; }

 private:
  void Run(const std::stop_token& stop);
  void Publish(std::chrono::steady_clock::time_point now);

  std::string name_;
  Logger& log_;
  NonceSink sink_;
  std::jthread thread_;

  mutable std::mutex mutex_;  // guards the mailbox and the snapshot
  std::condition_variable_any wake_;
  std::optional<ChainWork> work_;
  bool restart_ = false;
  std::optional<ChainTuning> tuning_;
  ChainStatus status_;
  std::string description_;
  std::chrono::steady_clock::time_point published_{};
};

}  // namespace hashrig::host
