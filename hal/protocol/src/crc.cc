#include "hashrig/hal/protocol/crc.h"

#include <array>

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
// crc16 of the one byte i (shifted in at the top) from 0: a byte at a time, not a bit at a
// time (the bitwise loop was a fifth of fuzz_avalon's time; every Avalon packet and BM13xx
// job carries one). 512 bytes of flash on the MCU.
constexpr std::array<std::uint16_t, 256> kCrc16Table = [] {
  std::array<std::uint16_t, 256> table{};
  for (unsigned i = 0; i < 256; ++i) {
    auto crc = static_cast<std::uint16_t>(i << 8);
    for (int bit = 0; bit < 8; ++bit) {
      crc = static_cast<std::uint16_t>((crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1);
    }
    table[i] = crc;
  }
  return table;
}();

std::uint16_t Crc16Ccitt(std::span<const std::uint8_t> data, std::uint16_t crc) {
  const std::uint8_t* byte = data.data();
  for (std::size_t n = data.size(); n > 0; --n, ++byte) {
    crc = static_cast<std::uint16_t>(crc << 8 ^ kCrc16Table[(crc >> 8 ^ *byte) & 0xFF]);
  }
  return crc;
}

}  // namespace

std::uint16_t Crc16False(std::span<const std::uint8_t> data) { return Crc16Ccitt(data, 0xFFFF); }

std::uint16_t Crc16Xmodem(std::span<const std::uint8_t> data) { return Crc16Ccitt(data, 0x0000); }

}  // namespace hashrig::hal::protocol
