// One simulated hashboard (issue 10): the BM13xx chain (chain.h), the board's heat
// (thermal.h) from one physics — power per chip from the rig profile (rigs.h), scaled by
// the chips' clock, drawn only by chips that hash — its EMC2101 and TPS546 twins on an
// I2C bus, and bitaxe-raw's control port (control_port.h) whose GPIO drives the chain's
// nRST. `hashrig sim`, `run --board sim`, hashrig-fw-sim and the tests all use this.
// Pure: bytes and time in, bytes out; no threads, no clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

#include "hashrig/base/units.h"
#include "hashrig/hal/sim/chain.h"
#include "hashrig/hal/sim/control_port.h"
#include "hashrig/hal/sim/rigs.h"
#include "hashrig/hal/sim/thermal.h"

namespace hashrig::hal::sim {

struct BoardConfig {
  ChainConfig chain;
  Faults faults;
  // The rig whose chips these are (power, heat); null: RigFor(model, chips).
  const RigProfile* rig = nullptr;
  double ambient_c = 25;
  int sensor_glitch_every = 0;  // every Nth EMC2101 diode reading is a 0 °C glitch; 0: never
  // The chips' supply is the TPS546 twin (a Bitaxe through bitaxe-raw): until the host
  // turns it on at 0.9 V or more the chips neither hear nor answer, as with nRST held.
  // false: powered from the start (a chain on a USB bridge, a board that powers itself).
  bool core_from_regulator = false;
};

// The profile a chain of `chips` × `model` is modelled on: a Bitaxe-class board for one
// chip, the Antminer chain of that chip otherwise.
const RigProfile& RigFor(protocol::ChipModel model, int chips);

class Board {
 public:
  explicit Board(const BoardConfig& config);

  // The chain's UART, as chain.h. While nRST is held the chips neither hear nor answer.
  std::vector<HeardRun> Receive(std::span<const std::uint8_t> bytes, std::uint32_t host_baud,
                                std::uint32_t or_baud = 0);
  std::vector<std::uint8_t> TakeOutput(std::uint32_t host_baud, std::uint32_t or_baud = 0);
  std::uint32_t host_baud() const { return chain_.host_baud(); }
  // The nRST line (a USB bridge's DTR, or bitaxe-raw's GPIO 0): asserted holds every chip
  // in reset; released, they start from their power-on state.
  void SetReset(bool asserted);
  // bitaxe-raw's control port: request bytes in, reply bytes out.
  std::vector<std::uint8_t> ReceiveControl(std::span<const std::uint8_t> bytes);

  // Time passes: chips hash (at most `max_catch_up` of work per call, see chain.h), the
  // board heats by the power its hashing chips draw and cools by its fan.
  void Advance(std::chrono::nanoseconds elapsed);

  Watts power() const;
  Celsius temperature() const { return thermal_.temperature(); }
  Chain& chain() { return chain_; }
  const Chain& chain() const { return chain_; }
  ThermalModel& thermal() { return thermal_; }
  SimI2cBus& bus() { return control_.bus; }
  ControlPortTwin& control() { return control_; }
  const RigProfile& rig() const { return rig_; }
  bool in_reset() const { return in_reset_; }
  // The chips have their supply (always, unless core_from_regulator).
  bool powered() const;

 private:
  const RigProfile& rig_;
  Chain chain_;
  ThermalModel thermal_;
  ControlPortTwin control_;
  bool core_from_regulator_ = false;
  bool in_reset_ = false;  // nRST held, or no supply: the chips are silent
  std::chrono::nanoseconds heat_pending_{0};
};

}  // namespace hashrig::hal::sim
