// What the host can reach of the board around a chain it drives itself: its hottest
// temperature, its fan, and the chain's nRST where the board routes it (issue 10: the
// sensors the firmware's thermal policy runs on, host-side). A plain USB-UART chain has
// none of these; a Bitaxe-class board through bitaxe-raw has all three on its control
// port (the EMC2101 on I2C, nRST on GPIO 0).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "hashrig/base/error.h"
#include "hashrig/base/units.h"
#include "hashrig/hal/link.h"
#include "hashrig/hal/protocol/devices/tps546.h"

namespace hashrig::hal {

using protocol::CoreReading;

class BoardPeripherals {
 public:
  virtual ~BoardPeripherals() = default;
  // The hottest reading; empty: the sensor did not answer (or reads a fault).
  virtual std::optional<Celsius> Temperature() = 0;
  virtual Error SetFan(Percent duty) = 0;
  virtual std::optional<Rpm> FanSpeed() = 0;
  // The chain's nRST.
  virtual Error SetReset(bool asserted) = 0;
  // The core voltage, where the host drives the board's regulator; empty: none does (the
  // board powers its chips itself), or it did not answer.
  virtual std::optional<CoreReading> ReadCore() { return std::nullopt; }
  // A new core voltage at the regulator the host drives, while the chain runs (an
  // operator's setting). kFailedPrecondition where there is none.
  virtual Error SetCoreVoltage(Volts voltage) {
    (void)voltage;
    return Error(StatusCode::kFailedPrecondition,
                 "the host drives no core voltage regulator on this board");
  }
  virtual std::string Describe() const = 0;
};

// bitaxe-raw's control port: the EMC2101 is checked (product id) and its fan set to 100 %
// until the first reading; the TPS546 (0x24), where one answers, is set to `core_voltage`,
// turned on and read back (within 10 %: else an error naming both; a board without one
// powers its chips itself, which Describe() says). The chain is held in reset meanwhile.
// An error if the board does not answer as one.
Expected<std::unique_ptr<BoardPeripherals>> OpenBitaxeRawBoard(std::unique_ptr<ByteLink> control,
                                                               Volts core_voltage);

}  // namespace hashrig::hal
