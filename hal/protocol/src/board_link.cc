#include "hashrig/hal/protocol/board_link.h"

#include <cstring>

#include "hashrig/hal/protocol/crc.h"

namespace hashrig::hal::protocol::link {
namespace {

class Writer {
 public:
  void U8(std::uint8_t v) { Put(&v, 1); }
  void U16(std::uint16_t v) {
    const std::uint8_t b[] = {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8)};
    Put(b, 2);
  }
  void U32(std::uint32_t v) {
    const std::uint8_t b[] = {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8),
                              static_cast<std::uint8_t>(v >> 16),
                              static_cast<std::uint8_t>(v >> 24)};
    Put(b, 4);
  }
  void Bytes(const void* data, std::size_t size) {
    Put(static_cast<const std::uint8_t*>(data), size);
  }
  std::span<const std::uint8_t> span() const { return {bytes_.data(), size_}; }

 private:
  void Put(const std::uint8_t* data, std::size_t size) {
    for (std::size_t i = 0; i < size && size_ < bytes_.size(); ++i) {
      bytes_[size_++] = data[i];
    }
  }
  std::array<std::uint8_t, kMaxPayload> bytes_{};
  std::size_t size_ = 0;
};

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> data) : data_(data) {}
  std::uint8_t U8() { return at_ < data_.size() ? data_[at_++] : (fail_ = true, 0); }
  std::uint16_t U16() { return static_cast<std::uint16_t>(U8() | U8() << 8); }
  std::uint32_t U32() {
    const std::uint32_t lo = U16();
    return lo | static_cast<std::uint32_t>(U16()) << 16;
  }
  void Bytes(void* out, std::size_t size) {
    auto* o = static_cast<std::uint8_t*>(out);
    for (std::size_t i = 0; i < size; ++i) {
      o[i] = U8();
    }
  }
  // Every byte read, none missing: the payload had exactly the expected size.
  bool Exact() const { return !fail_ && at_ == data_.size(); }

 private:
  std::span<const std::uint8_t> data_;
  std::size_t at_ = 0;
  bool fail_ = false;
};

}  // namespace

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

Encoded EncodeHelloReply(std::uint8_t sequence, const HelloReply& m) {
  Writer w;
  w.U8(m.protocol);
  w.U8(m.chip_model);
  w.U8(m.chips);
  w.U32(m.firmware_version);
  w.Bytes(m.board_model.data(), m.board_model.size());
  w.Bytes(m.serial.data(), m.serial.size());
  w.U32(m.board_id);
  w.U8(m.running_slot);
  w.U32(m.slot_bytes);
  return Encode(Type::kHelloReply, sequence, w.span());
}

std::optional<HelloReply> DecodeHelloReply(std::span<const std::uint8_t> payload) {
  Reader r(payload);
  HelloReply m;
  m.protocol = r.U8();
  m.chip_model = r.U8();
  m.chips = r.U8();
  m.firmware_version = r.U32();
  r.Bytes(m.board_model.data(), m.board_model.size());
  r.Bytes(m.serial.data(), m.serial.size());
  m.board_id = r.U32();
  m.running_slot = r.U8();
  m.slot_bytes = r.U32();
  return r.Exact() ? std::optional(m) : std::nullopt;
}

Encoded EncodeConfigure(std::uint8_t sequence, const Configure& m) {
  Writer w;
  w.U16(m.frequency_quarter_mhz);
  w.U16(m.core_millivolts);
  std::uint32_t bits = 0;
  std::memcpy(&bits, &m.ticket_difficulty, 4);
  w.U32(bits);
  w.U32(m.version_mask);
  return Encode(Type::kConfigure, sequence, w.span());
}

std::optional<Configure> DecodeConfigure(std::span<const std::uint8_t> payload) {
  Reader r(payload);
  Configure m;
  m.frequency_quarter_mhz = r.U16();
  m.core_millivolts = r.U16();
  const std::uint32_t bits = r.U32();
  std::memcpy(&m.ticket_difficulty, &bits, 4);
  m.version_mask = r.U32();
  return r.Exact() ? std::optional(m) : std::nullopt;
}

Encoded EncodeWork(std::uint8_t sequence, const Work& m) {
  Writer w;
  w.U32(m.token);
  w.Bytes(m.header.data(), m.header.size());
  return Encode(Type::kWork, sequence, w.span());
}

std::optional<Work> DecodeWork(std::span<const std::uint8_t> payload) {
  Reader r(payload);
  Work m;
  m.token = r.U32();
  r.Bytes(m.header.data(), m.header.size());
  return r.Exact() ? std::optional(m) : std::nullopt;
}

Encoded EncodeNonce(const Nonce& m) {
  Writer w;
  w.U32(m.token);
  w.U8(m.chip);
  w.U8(m.core);
  w.U32(m.nonce);
  w.U32(m.version);
  return Encode(Type::kNonce, 0, w.span());
}

std::optional<Nonce> DecodeNonce(std::span<const std::uint8_t> payload) {
  Reader r(payload);
  Nonce m;
  m.token = r.U32();
  m.chip = r.U8();
  m.core = r.U8();
  m.nonce = r.U32();
  m.version = r.U32();
  return r.Exact() ? std::optional(m) : std::nullopt;
}

Encoded EncodeTelemetry(std::uint8_t sequence, const Telemetry& m) {
  Writer w;
  w.U16(static_cast<std::uint16_t>(m.temperature_decidegrees));
  w.U16(m.fan_rpm);
  w.U8(m.fan_percent);
  w.U16(m.millivolts);
  w.U16(m.milliamps);
  w.U8(m.thermal_state);
  w.U8(m.chips_alive);
  w.U32(m.nonces);
  w.U32(m.hardware_errors);
  w.U8(m.chain_state);
  w.U8(m.flags);
  w.U16(m.frequency_quarter_mhz);
  return Encode(Type::kTelemetry, sequence, w.span());
}

std::optional<Telemetry> DecodeTelemetry(std::span<const std::uint8_t> payload) {
  Reader r(payload);
  Telemetry m;
  m.temperature_decidegrees = static_cast<std::int16_t>(r.U16());
  m.fan_rpm = r.U16();
  m.fan_percent = r.U8();
  m.millivolts = r.U16();
  m.milliamps = r.U16();
  m.thermal_state = r.U8();
  m.chips_alive = r.U8();
  m.nonces = r.U32();
  m.hardware_errors = r.U32();
  m.chain_state = r.U8();
  m.flags = r.U8();
  m.frequency_quarter_mhz = r.U16();
  return r.Exact() ? std::optional(m) : std::nullopt;
}

Encoded EncodeChipStats(std::uint8_t sequence, const ChipStats& m) {
  Writer w;
  const std::uint8_t count = m.count > kChipsPerPage ? kChipsPerPage : m.count;
  w.U8(m.first);
  w.U8(m.total);
  w.U8(count);
  for (std::size_t i = 0; i < count; ++i) {
    const ChipEntry& c = m.chips[i];
    w.U8(c.address);
    w.U8(c.alive);
    w.U32(c.nonces);
    w.U32(c.hardware_errors);
  }
  return Encode(Type::kChipStats, sequence, w.span());
}

std::optional<ChipStats> DecodeChipStats(std::span<const std::uint8_t> payload) {
  Reader r(payload);
  ChipStats m;
  m.first = r.U8();
  m.total = r.U8();
  m.count = r.U8();
  if (m.count > kChipsPerPage) {
    return std::nullopt;
  }
  for (std::size_t i = 0; i < m.count; ++i) {
    ChipEntry& c = m.chips[i];
    c.address = r.U8();
    c.alive = r.U8();
    c.nonces = r.U32();
    c.hardware_errors = r.U32();
  }
  return r.Exact() ? std::optional(m) : std::nullopt;
}

Encoded EncodeFlashWrite(std::uint8_t sequence, const FlashWrite& m) {
  Writer w;
  w.U32(m.offset);
  w.Bytes(m.data.data(), m.size > m.data.size() ? m.data.size() : m.size);
  return Encode(Type::kFlashWrite, sequence, w.span());
}

std::optional<FlashWrite> DecodeFlashWrite(std::span<const std::uint8_t> payload) {
  if (payload.size() < 5 || payload.size() > 4 + 256) {
    return std::nullopt;
  }
  Reader r(payload.first(4));
  FlashWrite m;
  m.offset = r.U32();
  m.size = static_cast<std::uint16_t>(payload.size() - 4);
  for (std::size_t i = 0; i < m.size; ++i) {
    m.data[i] = payload[4 + i];
  }
  return m;
}

Encoded EncodeAck(std::uint8_t sequence, Type acknowledged) {
  const std::uint8_t payload[] = {static_cast<std::uint8_t>(acknowledged)};
  return Encode(Type::kAck, sequence, payload);
}

Encoded EncodeError(std::uint8_t sequence, Type refused, ErrorCode code) {
  const std::uint8_t payload[] = {static_cast<std::uint8_t>(refused),
                                  static_cast<std::uint8_t>(code)};
  return Encode(Type::kError, sequence, payload);
}

}  // namespace hashrig::hal::protocol::link
