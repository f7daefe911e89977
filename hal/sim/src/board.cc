#include "hashrig/hal/sim/board.h"

#include <algorithm>

namespace hashrig::hal::sim {
namespace {

// The chain of one hashboard of `rig`, scaled to `chips`: the same heat per chip and
// per area, so a slice of a rig heats as the whole board would.
ThermalConstants ChainConstants(const RigProfile& rig, int chips, double ambient_c) {
  ThermalConstants c = rig.thermal;
  const double scale = static_cast<double>(std::max(1, rig.chips_per_chain)) / std::max(1, chips);
  c.resistance_still_c_per_w *= scale;
  c.resistance_full_c_per_w *= scale;
  c.ambient_c = ambient_c;
  return c;
}

constexpr std::chrono::milliseconds kHeatStep{50};

}  // namespace

const RigProfile& RigFor(protocol::ChipModel model, int chips) {
  const RigProfile* fallback = &kRigs[0];
  for (const RigProfile& rig : kRigs) {
    if (rig.chip != model) {
      continue;
    }
    if ((rig.chips_per_chain == 1) == (chips <= 1)) {
      return rig;
    }
    fallback = &rig;
  }
  return *fallback;
}

Board::Board(const BoardConfig& config)
    : rig_(config.rig != nullptr ? *config.rig : RigFor(config.chain.model, config.chain.chips)),
      chain_(config.chain),
      thermal_(ChainConstants(rig_, config.chain.chips, config.ambient_c)),
      core_from_regulator_(config.core_from_regulator) {
  chain_.SetFaults(config.faults);
  control_.bus.emc2101.board = &thermal_;
  control_.bus.emc2101.glitch_every = config.sensor_glitch_every;
  if (!powered()) {
    SetReset(true);
  }
}

bool Board::powered() const {
  constexpr double kLowestThatRuns = 0.9;  // volts: below, a BM13xx core does not start
  return !core_from_regulator_ || control_.bus.tps546.volts() >= kLowestThatRuns;
}

std::vector<HeardRun> Board::Receive(std::span<const std::uint8_t> bytes, std::uint32_t host_baud,
                                     std::uint32_t or_baud) {
  if (in_reset_) {
    return bytes.empty() ? std::vector<HeardRun>{}
                         : std::vector<HeardRun>{{host_baud, bytes.size()}};
  }
  return chain_.Receive(bytes, host_baud, or_baud);
}

std::vector<std::uint8_t> Board::TakeOutput(std::uint32_t host_baud, std::uint32_t or_baud) {
  return chain_.TakeOutput(host_baud, or_baud);
}

void Board::SetReset(bool asserted) {
  if (asserted) {
    chain_.HardwareReset();
  }
  in_reset_ = asserted;
}

std::vector<std::uint8_t> Board::ReceiveControl(std::span<const std::uint8_t> bytes) {
  auto replies = control_.Receive(bytes);
  // GPIO 0 is nRST, active low; a chip without its supply is as silent as one in reset.
  const bool held = control_.reset_level == 0 || !powered();
  if (held != in_reset_) {
    SetReset(held);
  }
  return replies;
}

Watts Board::power() const {
  const double per_chip = rig_.nominal_watts() / (rig_.chains * std::max(1, rig_.chips_per_chain));
  const double nominal_mhz = protocol::InfoOf(chain_.config().model).default_frequency.value;
  double watts = 0;
  for (int i = 0; i < chain_.chip_count(); ++i) {
    if (!in_reset_ && chain_.hashing(i)) {
      watts += per_chip * chain_.frequency(i).value / nominal_mhz;
    }
  }
  return Watts{watts};
}

void Board::Advance(std::chrono::nanoseconds elapsed) {
  if (!in_reset_) {
    chain_.Advance(elapsed);
  }
  heat_pending_ += elapsed;
  if (heat_pending_ >= kHeatStep) {
    thermal_.Step(heat_pending_, power().value, control_.bus.emc2101.fan_percent());
    heat_pending_ = std::chrono::nanoseconds{0};
  }
}

}  // namespace hashrig::hal::sim
