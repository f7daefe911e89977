#include "sim_chain.h"

#include <algorithm>
#include <thread>

#include "boards.h"
#include "hashrig/hal/protocol/work.h"
#include "hashrig/hal/sim/rigs.h"

namespace hashrig::host {
namespace {

namespace p = hal::protocol;

constexpr p::Micros kThermalPeriod{100'000};

// The S21 profile's chain, scaled to `chips`: the same heat per chip and per area.
hal::sim::ThermalConstants BoardConstants(int chips, double ambient_c) {
  const hal::sim::RigProfile& s21 = *hal::sim::FindRig("antminer-s21");
  hal::sim::ThermalConstants c = s21.thermal;
  const double scale = static_cast<double>(s21.chips_per_chain) / std::max(1, chips);
  c.resistance_still_c_per_w *= scale;
  c.resistance_full_c_per_w *= scale;
  c.ambient_c = ambient_c;
  return c;
}

}  // namespace

SimChain::SimChain(std::string name, hal::sim::ChainConfig chain, const p::DriverConfig& driver,
                   SimBoardThermal thermal)
    : name_(std::move(name)),
      chain_(chain),
      config_(driver),
      driver_(driver),
      epoch_(std::chrono::steady_clock::now()),
      board_(BoardConstants(chain.chips, thermal.ambient_c)),
      policy_(thermal.policy, driver.frequency) {}

p::Micros SimChain::Now() const {
  return std::chrono::duration_cast<p::Micros>(std::chrono::steady_clock::now() - epoch_);
}

void SimChain::Start() {
  stopped_ = false;
  driver_.Start(Now());
}

void SimChain::SetWork(const ChainWork& work) {
  pending_ = work;
  has_work_ = true;
}

double SimChain::Watts() const {
  // S21: 3500 W over 324 chips at 490 MHz; power follows the clock.
  const hal::sim::RigProfile& s21 = *hal::sim::FindRig("antminer-s21");
  const double per_chip = s21.nominal_watts() / (s21.chains * s21.chips_per_chain);
  return per_chip * driver_.chips_found() * config_.frequency.value / 490.0;
}

void SimChain::Thermal(p::Micros now) {
  if (now - last_thermal_ < kThermalPeriod) {
    return;
  }
  const double seconds = static_cast<double>((now - last_thermal_).count()) / 1e6;
  last_thermal_ = now;
  const bool hashing = !stopped_ && driver_.state() == p::ChainState::kMining;
  board_.Step(std::chrono::duration<double>(seconds), hashing ? Watts() : 0.0, fan_percent_);
  const p::ThermalDecision d = policy_.Update(board_.Read().value, now);
  fan_percent_ = d.fan_percent;
  thermal_reason_ = d.reason;
  if (d.stop_chain && !stopped_) {
    stopped_ = true;  // the chips stop at once: reset held, no work
    driver_.Idle();
    chain_.HardwareReset();
  }
  if (d.restart_chain) {
    stopped_ = false;
    config_.frequency = d.frequency;
    driver_.Reconfigure(config_);
    driver_.Start(now);
    has_work_ = true;
  }
}

void SimChain::Step(p::Micros now) {
  for (int i = 0; i < 64; ++i) {
    const p::Operation op = driver_.Poll(now);
    if (op.kind == p::Operation::Kind::kNone) {
      break;
    }
    if (op.kind == p::Operation::Kind::kWrite) {
      chain_.Receive(op.data(), driver_.host_baud());
    } else if (op.kind == p::Operation::Kind::kReset && op.reset_asserted) {
      chain_.HardwareReset();
    }
  }
  chain_.Advance(now - last_);
  last_ = now;
  driver_.OnBytes(chain_.TakeOutput(driver_.host_baud()), now);
}

void SimChain::Poll(std::chrono::milliseconds budget, std::vector<FoundNonce>& found) {
  const auto until = Now() + budget;
  do {
    const p::Micros now = Now();
    Thermal(now);
    if (stopped_) {
      last_ = now;  // no hashing while stopped
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      continue;
    }
    if (has_work_ && driver_.state() == p::ChainState::kMining) {
      has_work_ = !p::SendWork(driver_, pending_.header, pending_.token, CoreMidstate).ok();
    }
    Step(now);
    p::NonceEvent e;
    while (driver_.NextNonce(e)) {
      found.push_back({e.token, e.chip, e.nonce, e.version, e.ticket_difficulty});
    }
  } while (Now() < until);
}

ChainStatus SimChain::status() const {
  ChainStatus s;
  s.mining = !stopped_ && driver_.state() == p::ChainState::kMining;
  s.chips = driver_.chips_found();
  s.state = stopped_ ? std::string("stopped: ") + thermal_reason_ : p::ToString(driver_.state());
  if (!stopped_ && !driver_.status().ok()) {
    s.state += std::string(": ") + driver_.status().message();
  }
  s.temperature_c = board_.Read().value;
  s.fan_percent = fan_percent_;
  s.frequency_mhz = config_.frequency.value;
  s.chip_stats = ChipStats(driver_);
  return s;
}

std::vector<ChipStatus> ChipStats(const p::ChainDriver& driver) {
  std::vector<ChipStatus> chips;
  chips.reserve(static_cast<std::size_t>(driver.chips_found()));
  for (int i = 0; i < driver.chips_found(); ++i) {
    const p::ChipStats& c = driver.chip(i);
    chips.push_back({i, c.address, c.nonces, c.hardware_errors, c.alive});
  }
  return chips;
}

std::string Describe(const ChainStatus& status) {
  return status.state + " (" + std::to_string(status.chips) + " chips)";
}

}  // namespace hashrig::host
