#include "hashrig/hal/protocol/board_link/frame.h"

#include "hashrig/hal/protocol/crc.h"

namespace hashrig::hal::protocol::link {

Encoded Encode(Type type, std::uint8_t sequence, std::span<const std::uint8_t> payload) {
  Encoded e;
  if (payload.size() > kMaxPayload) {
    return e;
  }
  e.bytes[0] = kMagic0;
  e.bytes[1] = kMagic1;
  e.bytes[2] = kVersion;
  e.bytes[3] = static_cast<std::uint8_t>(type);
  e.bytes[4] = sequence;
  e.bytes[5] = static_cast<std::uint8_t>(payload.size());
  e.bytes[6] = static_cast<std::uint8_t>(payload.size() >> 8);
  for (std::size_t i = 0; i < payload.size(); ++i) {
    e.bytes[7 + i] = payload[i];
  }
  const std::size_t end = 7 + payload.size();
  const std::uint16_t crc = Crc16False(std::span(e.bytes).subspan(2, end - 2));
  e.bytes[end] = static_cast<std::uint8_t>(crc >> 8);
  e.bytes[end + 1] = static_cast<std::uint8_t>(crc);
  e.size = end + 2;
  return e;
}

void Decoder::Expire() {
  if (window_.size() > 0) {
    ++bad_;
    window_.Drop(1);
  }
}

std::optional<Frame> Decoder::Next() {
  auto& w = window_;
  while (w.size() > 0) {
    if (w[0] != kMagic0 || (w.size() >= 2 && w[1] != kMagic1)) {
      w.Drop(1);
      continue;
    }
    if (w.size() < 7) {
      return std::nullopt;
    }
    const std::size_t length = static_cast<std::size_t>(w[5] | w[6] << 8);
    if (w[2] != kVersion || length > kMaxPayload) {
      ++bad_;
      w.Drop(1);
      continue;
    }
    const std::size_t end = 7 + length;
    if (w.size() < end + 2) {
      return std::nullopt;
    }
    const std::uint16_t crc = Crc16False(w.span(2, end - 2));
    if (crc != (w[end] << 8 | w[end + 1])) {
      ++bad_;
      w.Drop(1);
      continue;
    }
    Frame f;
    f.type = static_cast<Type>(w[3]);
    f.sequence = w[4];
    f.size = static_cast<std::uint16_t>(length);
    for (std::size_t i = 0; i < length; ++i) {
      f.payload[i] = w[7 + i];
    }
    w.Drop(end + 2, false);
    return f;
  }
  return std::nullopt;
}

}  // namespace hashrig::hal::protocol::link
