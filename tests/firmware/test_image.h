// A firmware image for the tests: header (board, version, size, SHA-256) + body.
#pragma once

#include <cstdint>
#include <vector>

#include "hashrig/firmware/image.h"
#include "hashrig/sha256/sha256.h"

namespace hashrig::firmware {

inline std::vector<std::uint8_t> MakeImage(std::uint32_t board, std::uint32_t version,
                                           const std::vector<std::uint8_t>& body) {
  firmware::ImageHeader h;
  h.board_id = board;
  h.version = version;
  h.size = static_cast<std::uint32_t>(body.size());
  h.sha256 = sha256::Hash(body);
  const auto header = firmware::EncodeImageHeader(h);
  std::vector<std::uint8_t> image(header.size() +
                                  body.size());  // indexed: GCC 12 misreads insert()
  for (std::size_t i = 0; i < header.size(); ++i) {
    image[i] = header[i];
  }
  for (std::size_t i = 0; i < body.size(); ++i) {
    image[header.size() + i] = body[i];
  }
  return image;
}

}  // namespace hashrig::firmware
