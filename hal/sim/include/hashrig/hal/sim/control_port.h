// The board side of bitaxe-raw's control port (reference bm13xx-protocol.md §7.2) on the
// simulated peripherals: V1 request packets in, V1 replies out; page 0x05 is the I2C bus
// with the TPS546 and EMC2101 twins, page 0x06 GPIO 0 the ASIC's reset line. For tests
// and simulators of Bitaxe-class boards driven directly by the host.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "hashrig/hal/protocol/bitaxe_raw/codec.h"
#include "hashrig/hal/sim/peripherals.h"

namespace hashrig::hal::sim {

class ControlPortTwin {
 public:
  // Takes request bytes (any split); returns the replies to every request completed.
  std::vector<std::uint8_t> Receive(std::span<const std::uint8_t> bytes);

  SimI2cBus bus;
  std::uint8_t reset_level = 1;  // GPIO 0, active low
  bool silent = false;           // a board that stopped answering
  std::uint32_t requests = 0;

 private:
  protocol::bitaxe_raw::Reply Handle(const protocol::bitaxe_raw::Request& request);
  protocol::bitaxe_raw::RequestDecoder decoder_;
};

}  // namespace hashrig::hal::sim
