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

std::uint16_t Crc16False(std::span<const std::uint8_t> data) {
  std::uint16_t crc = 0xFFFF;
  for (std::uint8_t byte : data) {
    crc ^= static_cast<std::uint16_t>(byte << 8);
    for (int i = 0; i < 8; ++i) {
      crc = static_cast<std::uint16_t>((crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1);
    }
  }
  return crc;
}

}  // namespace hashrig::hal::protocol
