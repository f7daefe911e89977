// A HashChain on its own thread (issue 10: the daemon never blocks on a board). The
// thread steps the chain, hands checked nonces to the sink in batches, keeps a status
// snapshot the I/O thread can read at any time, and logs every change of state with its
// reason (a chain going down, failing, coming back, stopping for heat) — for every kind
// of chain alike. Implementations give the steps; this owns the thread and the mailbox.
#pragma once

#include <atomic>
#include <chrono>
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

 protected:
  // On the chain's thread. Step runs the chain for at most about `budget` (waiting for
  // the hardware inside it), appending checked nonces.
  virtual void Step(std::chrono::milliseconds budget, std::vector<FoundNonce>& found) = 0;
  virtual void ApplyWork(const ChainWork& work) = 0;
  virtual void ApplyRestart() = 0;
  virtual ChainStatus Snapshot() const = 0;
  // Idle the chips before the thread ends (reset held); best effort.
  virtual void Shutdown() {}
  // Called from Step when the chain learns what it is.
  void SetDescription(std::string what);
  Logger& log() { return log_; }

 private:
  void Run(const std::stop_token& stop);
  void Publish(std::chrono::steady_clock::time_point now);

  std::string name_;
  Logger& log_;
  NonceSink sink_;
  std::jthread thread_;

  mutable std::mutex mutex_;  // guards the mailbox and the snapshot
  std::optional<ChainWork> work_;
  bool restart_ = false;
  ChainStatus status_;
  std::string description_;
  std::chrono::steady_clock::time_point published_{};
};

}  // namespace hashrig::host
