#include "hashrig/hal/protocol/bitaxe_raw/codec.h"

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

std::optional<Request> RequestDecoder::Next() {
  const std::size_t length = Complete(window_, kRequestHeader, bad_);
  if (length == 0) {
    return std::nullopt;
  }
  Request r;
  r.id = window_[2];
  r.page = window_[4];
  r.command = window_[5];
  (void)r.data.Assign(window_.span(kRequestHeader, length - kRequestHeader));
  window_.Drop(length, false);
  return r;
}

std::optional<Reply> ReplyDecoder::Next() {
  const std::size_t length = Complete(window_, kReplyHeader, bad_);
  if (length == 0) {
    return std::nullopt;
  }
  Reply r;
  r.id = window_[2];
  r.status = window_[3];
  (void)r.data.Assign(window_.span(kReplyHeader, length - kReplyHeader));
  window_.Drop(length, false);
  return r;
}

}  // namespace hashrig::hal::protocol::bitaxe_raw
