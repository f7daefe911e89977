#include "hashrig/firmware/image.h"

#include "hashrig/hal/protocol/crc.h"
#include "hashrig/hal/protocol/le.h"

namespace hashrig::firmware {

using hal::protocol::Crc16False;
using hal::protocol::LoadLe32;
using hal::protocol::StoreLe32;

std::array<std::uint8_t, kImageHeaderSize> EncodeImageHeader(const ImageHeader& h) {
  std::array<std::uint8_t, kImageHeaderSize> out{};
  StoreLe32(&out[0], h.magic);
  StoreLe32(&out[4], h.board_id);
  StoreLe32(&out[8], h.version);
  StoreLe32(&out[12], h.size);
  for (std::size_t i = 0; i < 32; ++i) {
    out[16 + i] = h.sha256[i];
  }
  StoreLe32(&out[48], Crc16False(std::span(out).first(48)));
  return out;
}

std::optional<ImageHeader> DecodeImageHeader(std::span<const std::uint8_t, kImageHeaderSize> b) {
  if (LoadLe32(&b[0]) != kImageMagic || LoadLe32(&b[48]) != Crc16False(b.first(48))) {
    return std::nullopt;
  }
  ImageHeader h;
  h.board_id = LoadLe32(&b[4]);
  h.version = LoadLe32(&b[8]);
  h.size = LoadLe32(&b[12]);
  for (std::size_t i = 0; i < 32; ++i) {
    h.sha256[i] = b[16 + i];
  }
  return h;
}

}  // namespace hashrig::firmware
