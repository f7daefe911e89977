// Little-endian 32-bit fields in byte buffers (headers, images, boot records), and the
// byte swap between a nonce's header value (LE) and its MSB-first reading (n_be).
#pragma once

#include <cstdint>

namespace hashrig::hal::protocol {

constexpr std::uint32_t LoadLe32(const std::uint8_t* in) {
  return static_cast<std::uint32_t>(in[0]) | static_cast<std::uint32_t>(in[1]) << 8 |
         static_cast<std::uint32_t>(in[2]) << 16 | static_cast<std::uint32_t>(in[3]) << 24;
}

constexpr void StoreLe32(std::uint8_t* out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) {
    out[i] = static_cast<std::uint8_t>(v >> (8 * i));
  }
}

constexpr std::uint32_t ByteSwap32(std::uint32_t v) {
  return (v >> 24) | ((v >> 8) & 0xFF00u) | ((v << 8) & 0xFF0000u) | (v << 24);
}

}  // namespace hashrig::hal::protocol
