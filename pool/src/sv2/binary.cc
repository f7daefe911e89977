#include "hashrig/pool/sv2/binary.h"

#include <bit>
#include <cstring>

namespace hashrig::pool::sv2 {

void Writer::Put(float v, wire::F32) { Le(std::bit_cast<std::uint32_t>(v), 4); }

void Writer::Put(const std::string& v, wire::Str255) {
  Length(v.size(), wire::Str255::kMax, 1);
  out_.insert(out_.end(), v.begin(), v.end());
}

void Writer::Length(std::size_t size, std::size_t max, std::size_t prefix) {
  if (size > max && error_.ok()) {
    error_ = Error(StatusCode::kInvalidArgument, std::string(field_) + ": " + std::to_string(size) +
                                                     " items, at most " + std::to_string(max));
  }
  Le(size > max ? max : size, static_cast<int>(prefix));
}

std::uint64_t Reader::Le(std::size_t n) {
  const auto bytes = Take(n);
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    v |= std::uint64_t{bytes[i]} << (8 * i);
  }
  return v;
}

std::span<const std::uint8_t> Reader::Take(std::size_t n) {
  if (!error_.ok()) {
    return {};
  }
  if (n > remaining()) {
    Fail("needs " + std::to_string(n) + " bytes, " + std::to_string(remaining()) + " left");
    return {};
  }
  const auto out = in_.subspan(at_, n);
  at_ += n;
  return out;
}

void Reader::Fail(const std::string& what) {
  if (error_.ok()) {
    error_ = Error(StatusCode::kInvalidArgument, std::string(field_) + ": " + what);
  }
}

void Reader::Get(float& v, wire::F32) {
  v = std::bit_cast<float>(static_cast<std::uint32_t>(Le(4)));
}

void Reader::Get(bool& v, wire::Bool) {
  const auto b = Le(1);
  if (b > 1) {
    return Fail("BOOL " + std::to_string(b) + " (0 or 1)");
  }
  v = b == 1;
}

void Reader::Get(sv2::U256& v, wire::U256) {
  const auto bytes = Take(v.size());
  if (!bytes.empty()) {
    std::memcpy(v.data(), bytes.data(), v.size());
  }
}

void Reader::Get(std::string& v, wire::Str255) {
  const auto n = Le(1);
  const auto bytes = Take(n);
  v.assign(bytes.begin(), bytes.end());
}

Error Reader::Finish(std::string_view message) {
  if (!error_.ok()) {
    return error_.Context(message);
  }
  if (remaining() != 0) {
    return Error(
        StatusCode::kInvalidArgument,
        std::string(message) + ": " + std::to_string(remaining()) + " bytes after the last field");
  }
  return {};
}

std::array<std::uint8_t, FrameHeader::kSize> FrameHeader::Encode() const {
  const std::uint16_t ext = extension_type | (channel_msg ? kChannelBit : 0);
  return {static_cast<std::uint8_t>(ext),
          static_cast<std::uint8_t>(ext >> 8),
          msg_type,
          static_cast<std::uint8_t>(msg_length),
          static_cast<std::uint8_t>(msg_length >> 8),
          static_cast<std::uint8_t>(msg_length >> 16)};
}

FrameHeader FrameHeader::Decode(std::span<const std::uint8_t, kSize> b) {
  const auto ext = static_cast<std::uint16_t>(b[0] | (b[1] << 8));
  FrameHeader h;
  h.extension_type = ext & ~kChannelBit;
  h.channel_msg = (ext & kChannelBit) != 0;
  h.msg_type = b[2];
  h.msg_length = b[3] | (b[4] << 8) | (std::uint32_t{b[5]} << 16);
  return h;
}

}  // namespace hashrig::pool::sv2
