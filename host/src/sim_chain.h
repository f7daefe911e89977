// The `sim` board: a hal/sim chain driven by the real ChainDriver, in process, on the
// steady clock. Same code path as a serial chain except the link.
#pragma once

#include <chrono>
#include <memory>

#include "hashrig/hal/protocol/chain_driver.h"
#include "hashrig/hal/sim/chain.h"
#include "hashrig/host/hash_chain.h"

namespace hashrig::host {

class SimChain final : public HashChain {
 public:
  SimChain(std::string name, hal::sim::ChainConfig chain,
           const hal::protocol::DriverConfig& driver);

  std::string name() const override { return name_; }
  void Start() override;
  void SetWork(const ChainWork& work) override;
  void Poll(std::chrono::milliseconds budget, std::vector<FoundNonce>& found) override;
  ChainStatus status() const override;

 private:
  hal::protocol::Micros Now() const;
  void Step(hal::protocol::Micros now);

  std::string name_;
  hal::sim::Chain chain_;
  hal::protocol::ChainDriver driver_;
  std::chrono::steady_clock::time_point epoch_;
  hal::protocol::Micros last_{0};
  bool has_work_ = false;
  ChainWork pending_;
};

}  // namespace hashrig::host
