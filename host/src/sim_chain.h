// The `sim` board: a hal/sim chain driven by the real ChainDriver, in process, on the
// steady clock — the same code path as a serial chain except the link — with the board's
// heat (thermal model twin, power from frequency) under the shared thermal policy.
#pragma once

#include <chrono>
#include <memory>

#include "hashrig/hal/protocol/chain_driver.h"
#include "hashrig/hal/protocol/thermal.h"
#include "hashrig/hal/sim/chain.h"
#include "hashrig/hal/sim/thermal.h"
#include "hashrig/host/hash_chain.h"

namespace hashrig::host {

// Per-chip statistics of a chain the host drives, as ChainStatus carries them.
std::vector<ChipStatus> ChipStats(const hal::protocol::ChainDriver& driver);

struct SimBoardThermal {
  double ambient_c = 25;
  hal::protocol::ThermalConfig policy;
};

class SimChain final : public HashChain {
 public:
  SimChain(std::string name, hal::sim::ChainConfig chain, const hal::protocol::DriverConfig& driver,
           SimBoardThermal thermal = {});

  std::string name() const override { return name_; }
  void Start() override;
  void SetWork(const ChainWork& work) override;
  void Poll(std::chrono::milliseconds budget, std::vector<FoundNonce>& found) override;
  ChainStatus status() const override;
  const char* thermal_reason() const { return thermal_reason_; }
  void RecordVerdict(int chip, bool meets_ticket) override {
    driver_.RecordVerdict(chip, meets_ticket);
  }

 private:
  hal::protocol::Micros Now() const;
  void Step(hal::protocol::Micros now);
  void Thermal(hal::protocol::Micros now);
  double Watts() const;

  std::string name_;
  hal::sim::Chain chain_;
  hal::protocol::DriverConfig config_;
  hal::protocol::ChainDriver driver_;
  std::chrono::steady_clock::time_point epoch_;
  hal::protocol::Micros last_{0};
  hal::protocol::Micros last_thermal_{0};
  bool has_work_ = false;
  ChainWork pending_;
  hal::sim::ThermalModel board_;
  hal::protocol::ThermalController policy_;
  double fan_percent_ = 100;
  bool stopped_ = false;
  const char* thermal_reason_ = "";
};

}  // namespace hashrig::host
