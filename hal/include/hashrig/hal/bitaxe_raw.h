// bitaxe-raw's control port (reference bm13xx-protocol.md §7.2): one request at a time,
// ids that wrap at 255, V1 replies matched by id within a timeout; and an I2C bus over it
// so the board's TPS546 and EMC2101 drivers (hal/protocol/peripherals.h) work unchanged.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

#include "hashrig/hal/link.h"
#include "hashrig/hal/protocol/peripherals.h"

namespace hashrig::hal {

class BitaxeRawControl {
 public:
  explicit BitaxeRawControl(ByteLink& control) : control_(control) {}

  Error Transact(std::uint8_t page, std::uint8_t command, std::span<const std::uint8_t> data,
                 std::vector<std::uint8_t>& reply,
                 std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));
  // The ASIC's nRST (GPIO 0, active low).
  Error SetAsicReset(bool asserted);

 private:
  ByteLink& control_;
  std::uint8_t next_id_ = 0;
  std::vector<std::uint8_t> pending_;
};

class BitaxeRawI2c final : public protocol::I2cBus {
 public:
  explicit BitaxeRawI2c(BitaxeRawControl& control) : control_(control) {}
  Status Write(std::uint8_t address, std::span<const std::uint8_t> bytes) override;
  Status WriteRead(std::uint8_t address, std::span<const std::uint8_t> out,
                   std::span<std::uint8_t> in) override;

 private:
  BitaxeRawControl& control_;
};

}  // namespace hashrig::hal
