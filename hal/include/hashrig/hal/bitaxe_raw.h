// bitaxe-raw's control port, the host's side (reference bm13xx-protocol.md §7.2): one
// request at a time, ids that wrap at 255, V1 replies matched by id within a timeout
// (the codec is hal/protocol/bitaxe_raw/codec.h, shared with the simulated board); and
// an I2C bus over it, so the board's TPS546 and EMC2101 drivers work unchanged.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>

#include "hashrig/hal/link.h"
#include "hashrig/hal/protocol/bitaxe_raw/codec.h"
#include "hashrig/hal/protocol/devices/i2c.h"

namespace hashrig::hal {

namespace bitaxe_raw = protocol::bitaxe_raw;

class BitaxeRawControl {
 public:
  explicit BitaxeRawControl(ByteLink& control) : control_(control) {}

  // How long a request waits for its reply unless told otherwise.
  static constexpr std::chrono::milliseconds kReplyTimeout{1000};
  // One request; its reply's data, or why there was none (refused, silent, link gone).
  Expected<bitaxe_raw::Data> Transact(std::uint8_t page, std::uint8_t command,
                                      std::span<const std::uint8_t> data,
                                      std::chrono::milliseconds timeout = kReplyTimeout);
  // The ASIC's nRST (GPIO 0, active low).
  Error SetAsicReset(bool asserted);
  ByteLink& link() { return control_; }

 private:
  ByteLink& control_;
  std::uint8_t next_id_ = 0;
  bitaxe_raw::ReplyDecoder decoder_;
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
