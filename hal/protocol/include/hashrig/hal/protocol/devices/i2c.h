// The I2C bus the board's devices hang on (TPS546, EMC2101), freestanding so the firmware
// drives them too. Implementations: bitaxe-raw's control port (hal/bitaxe_raw.h), the
// simulated bus of hal/sim (sim/peripherals.h). Each call is one bounded transaction:
// it returns within the implementation's timeout (bitaxe-raw: 1 s) with ok or an error,
// never blocks for ever.
#pragma once

#include <cstdint>
#include <span>

#include "hashrig/base/status.h"

namespace hashrig::hal::protocol {

class I2cBus {
 public:
  virtual ~I2cBus() = default;
  // A write of `bytes` to the 7-bit `address`.
  virtual Status Write(std::uint8_t address, std::span<const std::uint8_t> bytes) = 0;
  // A write of `out` then a repeated-start read filling `in`.
  virtual Status WriteRead(std::uint8_t address, std::span<const std::uint8_t> out,
                           std::span<std::uint8_t> in) = 0;
};

}  // namespace hashrig::hal::protocol
