#include "hashrig/hal/protocol/crc.h"

namespace hashrig::hal::protocol {

std::uint8_t Crc5Bits(std::span<const std::uint8_t> data, std::size_t bits) {
  std::uint8_t crc = 0x1F;
  for (std::size_t i = 0; i < bits; ++i) {
    const unsigned bit = (data[i / 8] >> (7 - i % 8)) & 1u;
    const unsigned top = (crc >> 4) & 1u;
    crc = static_cast<std::uint8_t>((crc << 1) & 0x1F);
    if ((bit ^ top) != 0) {
      crc ^= 0x05;
    }
  }
  return crc;
}

namespace {

// Poly 0x1021, MSB first, no reflection, no final XOR; the two variants differ in `crc`'s
// initial value only.
std::uint16_t Crc16Ccitt(std::span<const std::uint8_t> data, std::uint16_t crc) {
  for (std::uint8_t byte : data) {
    crc ^= static_cast<std::uint16_t>(byte << 8);
    for (int i = 0; i < 8; ++i) {
      crc = static_cast<std::uint16_t>((crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1);
    }
  }
  return crc;
}

}  // namespace

std::uint16_t Crc16False(std::span<const std::uint8_t> data) { return Crc16Ccitt(data, 0xFFFF); }

std::uint16_t Crc16Xmodem(std::span<const std::uint8_t> data) { return Crc16Ccitt(data, 0x0000); }

}  // namespace hashrig::hal::protocol
