// How a chain is driven, written once (issue 10): the firmware's main loop, the host's
// chains on serial/USB/TCP links and the simulated board all run this. It owns, around a
// chip family's driver: the work to send once the chain mines, a ring of recent work to
// check every nonce against (sha256d on the freestanding core: a nonce that misses its
// ticket is that chip's hardware error), and the thermal policy (policy/thermal.h) —
// fan, stop, restart slower. Pure and freestanding: times, bytes and sensor readings in;
// operations (write, baud, reset, fan) and checked nonces out.
//
//   ChainController chain(driver, config);
//   chain.Start(now);  chain.SetWork(work);
//   loop: op = chain.Poll(now); perform op; chain.OnBytes(read bytes, now);
//         if (chain.ThermalDue(now)) chain.OnTemperature(read sensor, now);
//         while (chain.NextNonce(n)) { n.hash, n.meets_ticket … }
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "hashrig/hal/protocol/chain/chip_driver.h"
#include "hashrig/hal/protocol/policy/thermal.h"
#include "hashrig/sha256/stream.h"

namespace hashrig::hal::protocol {

struct ControllerConfig {
  ThermalConfig thermal;
  Micros thermal_period{250'000};
  // A chain whose board gives no temperature: no thermal decisions, the fan is left as
  // it is, and its state says "no sensor" (never 0 °C).
  bool has_sensor = true;
};

struct CheckedNonce {
  NonceEvent event;
  sha256::Digest hash{};      // sha256d of the header it completes (little-endian number)
  bool meets_ticket = false;  // false: a hardware error of that chip
};

class ChainController {
 public:
  static constexpr std::size_t kRecentWork = 32;

  ChainController(ChipDriver& driver, const ControllerConfig& config);

  // The chain should mine: reset and initialise it. Refused (kBusy) while it cools down.
  Status Start(Micros now);
  // Idle the chain: no work, nRST held (host silence, shutdown, an operator).
  void Stop();
  // New settings, applied at the next Start. The frequency is capped by what overheats
  // took off (policy/thermal.h): a new setting never undoes a step-down.
  void Configure(const ChainSettings& settings);
  // Replaces the work waiting to be sent; sent as soon as the chain mines.
  void SetWork(const ChainWork& work);
  // The host's fan setting; empty: the thermal loop's. Hot overrides it either way.
  void SetManualFan(std::optional<Percent> fan);
  // The fan loop's target temperature (ThermalController::set_target's bounds).
  double SetThermalTarget(double celsius) { return thermal_.set_target(celsius); }
  const ThermalConfig& thermal_config() const { return thermal_.config(); }

  Operation Poll(Micros now);
  void OnBytes(std::span<const std::uint8_t> bytes, Micros now);
  bool NextNonce(CheckedNonce& out);

  bool ThermalDue(Micros now) const;
  // The hottest reading; empty: the sensor did not answer.
  void OnTemperature(std::optional<Celsius> reading, Micros now);

  ChainState state() const;  // the driver's, kIdle while stopped
  bool mining() const { return state() == ChainState::kMining; }
  StopReason stop_reason() const { return stop_; }
  ThermalState thermal_state() const { return thermal_state_; }
  // The believed temperature (ThermalController::believed: a glitch is not shown, a
  // failed sensor is empty).
  std::optional<Celsius> temperature() const { return temperature_; }
  Percent fan() const { return fan_; }
  bool has_sensor() const { return config_.has_sensor; }
  Megahertz frequency() const { return settings_.frequency; }
  std::uint32_t unmatched_nonces() const { return unmatched_; }  // work no longer known
  const ChipDriver& driver() const { return driver_; }
  ChipDriver& driver() { return driver_; }

 private:
  struct Recent {
    ChainWork work;
    bool valid = false;
  };
  const Recent* FindWork(WorkToken token) const;
  void ApplyThermal(const ThermalDecision& d, Micros now);
  void UpdateFan();

  ChipDriver& driver_;
  ControllerConfig config_;
  ChainSettings settings_;
  ThermalController thermal_;
  bool wanted_ = false;  // asked to mine (Start), until Stop
  StopReason stop_ = StopReason::kNone;
  ThermalState thermal_state_ = ThermalState::kNormal;
  std::optional<Celsius> temperature_;
  Micros next_thermal_{0};
  std::optional<Percent> manual_fan_;
  Percent thermal_fan_{100};
  Percent fan_{100};  // what was last set: 100 % until the first reading
  bool fan_due_ = true;
  bool reset_due_ = false;

  ChainWork pending_;
  bool has_work_ = false;
  bool received_work_ = false;
  std::array<Recent, kRecentWork> recent_{};
  std::size_t recent_next_ = 0;
  std::uint32_t unmatched_ = 0;
};

}  // namespace hashrig::hal::protocol
