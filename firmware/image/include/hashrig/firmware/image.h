// The firmware image header (firmware/boot.h runs the A/B update on it): magic, board
// id, version, body size, SHA-256 of the body, and a CRC over the header itself. Shared:
// the firmware checks images before it boots or commits them, the host before it sends
// one (`hashrig flash`) and when it makes one (`hashrig image`). Little-endian.
//
//   offset 0 magic "HRIM" · 4 board id · 8 version · 12 size · 16 sha256[32] · 48 CRC-16
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace hashrig::firmware {

inline constexpr std::uint32_t kImageMagic = 0x4D495248;  // "HRIM"
inline constexpr std::size_t kImageHeaderSize = 52;

struct ImageHeader {
  std::uint32_t magic = kImageMagic;
  std::uint32_t board_id = 0;
  std::uint32_t version = 0;
  std::uint32_t size = 0;  // body bytes after the header
  std::array<std::uint8_t, 32> sha256{};
};
std::array<std::uint8_t, kImageHeaderSize> EncodeImageHeader(const ImageHeader& header);
// Empty on a bad magic or header checksum.
std::optional<ImageHeader> DecodeImageHeader(std::span<const std::uint8_t, kImageHeaderSize> bytes);

}  // namespace hashrig::firmware
