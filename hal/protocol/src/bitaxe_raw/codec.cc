#include "hashrig/hal/protocol/bitaxe_raw/codec.h"

#include <type_traits>

namespace hashrig::hal::protocol::bitaxe_raw {
namespace {

Packet Frame(std::uint8_t id, std::span<const std::uint8_t> head, const Data& data) {
  Packet p;
  const std::size_t length = 3 + head.size() + data.size;
  p.bytes[0] = static_cast<std::uint8_t>(length);
  p.bytes[1] = static_cast<std::uint8_t>(length >> 8);
  p.bytes[2] = id;
  std::size_t at = 3;
  for (const std::uint8_t b : head) {
    p.bytes[at++] = b;
  }
  for (std::size_t i = 0; i < data.size; ++i) {
    p.bytes[at++] = data.bytes[i];
  }
  p.size = at;
  return p;
}

// The length of the packet at the window's front: 0 while incomplete, or garbage
// (one byte dropped and counted in `bad`).
template <typename Window>
std::size_t Complete(Window& w, std::size_t header, std::uint32_t& bad) {
  while (w.size() >= 2) {
    const std::size_t length = w[0] | static_cast<std::size_t>(w[1]) << 8;
    if (length < header || length > header + kMaxData) {
      ++bad;
      w.Drop(1);
      continue;
    }
    return w.size() >= length ? length : 0;
  }
  return 0;
}

}  // namespace

bool Data::Assign(std::span<const std::uint8_t> from) {
  size = from.size() < kMaxData ? from.size() : kMaxData;
  for (std::size_t i = 0; i < size; ++i) {
    bytes[i] = from[i];
  }
  return size == from.size();
}

Packet Encode(const Request& r) {
  const std::uint8_t head[] = {0x00, r.page, r.command};  // bus 0
  return Frame(r.id, head, r.data);
}

Packet Encode(const Reply& r) {
  const std::uint8_t head[] = {r.status};
  return Frame(r.id, head, r.data);
}

template <typename Message>
std::optional<Message> Decoder<Message>::Next() {
  const std::size_t length = Complete(window_, Message::kHeader, bad_);
  if (length == 0) {
    return std::nullopt;
  }
  Message m;
  m.id = window_[2];
  if constexpr (std::is_same_v<Message, Request>) {
    m.page = window_[4];  // window_[3] is the bus, always 0
    m.command = window_[5];
  } else {
    m.status = window_[3];
  }
  (void)m.data.Assign(window_.span(Message::kHeader, length - Message::kHeader));
  window_.Drop(length, false);
  return m;
}

template class Decoder<Request>;
template class Decoder<Reply>;

}  // namespace hashrig::hal::protocol::bitaxe_raw
