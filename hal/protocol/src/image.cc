#include "hashrig/hal/protocol/image.h"

#include "hashrig/hal/protocol/crc.h"

namespace hashrig::hal::protocol {
namespace {

void Put32(std::uint8_t* out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) {
    out[i] = static_cast<std::uint8_t>(v >> (8 * i));
  }
}

std::uint32_t Get32(const std::uint8_t* in) {
  return static_cast<std::uint32_t>(in[0]) | static_cast<std::uint32_t>(in[1]) << 8 |
         static_cast<std::uint32_t>(in[2]) << 16 | static_cast<std::uint32_t>(in[3]) << 24;
}

}  // namespace

std::array<std::uint8_t, kImageHeaderSize> EncodeImageHeader(const ImageHeader& h) {
  std::array<std::uint8_t, kImageHeaderSize> out{};
  Put32(&out[0], h.magic);
  Put32(&out[4], h.board_id);
  Put32(&out[8], h.version);
  Put32(&out[12], h.size);
  for (std::size_t i = 0; i < 32; ++i) {
    out[16 + i] = h.sha256[i];
  }
  Put32(&out[48], Crc16False(std::span(out).first(48)));
  return out;
}

std::optional<ImageHeader> DecodeImageHeader(std::span<const std::uint8_t, kImageHeaderSize> b) {
  if (Get32(&b[0]) != kImageMagic || Get32(&b[48]) != Crc16False(b.first(48))) {
    return std::nullopt;
  }
  ImageHeader h;
  h.board_id = Get32(&b[4]);
  h.version = Get32(&b[8]);
  h.size = Get32(&b[12]);
  for (std::size_t i = 0; i < 32; ++i) {
    h.sha256[i] = b[16 + i];
  }
  return h;
}

}  // namespace hashrig::hal::protocol
