// bitaxe-raw's control port, V1 packets (reference bm13xx-protocol.md §7.2–7.3), both
// sides: requests `[length LE][id][bus 0][page][command][data…]` and replies
// `[length LE][id][status][data…]`, the length counting every byte. The host's client
// (hal/bitaxe_raw.h) and the simulated board's control port (hal/sim/control_port.h)
// share this codec. Freestanding: fixed buffers, decoders that resynchronise after
// garbage one byte at a time.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "hashrig/hal/protocol/byte_window.h"

namespace hashrig::hal::protocol::bitaxe_raw {

inline constexpr std::uint8_t kPageI2c = 0x05;
inline constexpr std::uint8_t kPageGpio = 0x06;
inline constexpr std::uint8_t kPageAdc = 0x07;
inline constexpr std::uint8_t kPageFan = 0x09;
inline constexpr std::uint8_t kI2cSetFrequency = 0x10;
inline constexpr std::uint8_t kI2cWrite = 0x20;
inline constexpr std::uint8_t kI2cRead = 0x30;
inline constexpr std::uint8_t kI2cWriteRead = 0x40;
inline constexpr std::uint8_t kGpioAsicReset = 0x00;

// Reply status (V1).
inline constexpr std::uint8_t kOk = 0x00;
inline constexpr std::uint8_t kTimeout = 0x10;
inline constexpr std::uint8_t kInvalid = 0x11;
inline constexpr std::uint8_t kDenied = 0x12;  // overflow or denied
inline constexpr std::uint8_t kFault = 0x13;

inline constexpr std::size_t kMaxData = 250;
inline constexpr std::size_t kRequestHeader = 6;
inline constexpr std::size_t kReplyHeader = 4;

struct Data {
  std::array<std::uint8_t, kMaxData> bytes{};
  std::size_t size = 0;
  std::span<const std::uint8_t> span() const { return {bytes.data(), size}; }
  // Copies `from`, at most kMaxData bytes; false if it did not fit.
  bool Assign(std::span<const std::uint8_t> from);
};

struct Request {
  static constexpr std::size_t kHeader = kRequestHeader;
  std::uint8_t id = 0;
  std::uint8_t page = 0;
  std::uint8_t command = 0;
  Data data;
};

struct Reply {
  static constexpr std::size_t kHeader = kReplyHeader;
  std::uint8_t id = 0;
  std::uint8_t status = kOk;
  Data data;
};

struct Packet {
  std::array<std::uint8_t, kMaxData + kRequestHeader> bytes{};
  std::size_t size = 0;
  std::span<const std::uint8_t> span() const { return {bytes.data(), size}; }
};

Packet Encode(const Request& request);
Packet Encode(const Reply& reply);

// Push bytes as they come, take whole Requests or Replies with Next(). A length below the
// header or above the largest packet is garbage: one byte dropped and counted.
template <typename Message>
class Decoder {
 public:
  void Push(std::uint8_t byte) { window_.Push(byte); }
  std::optional<Message> Next();
  std::uint32_t bad() const { return bad_; }

 private:
  ByteWindow<kMaxData + kRequestHeader + 8> window_;
  std::uint32_t bad_ = 0;
};
using RequestDecoder = Decoder<Request>;
using ReplyDecoder = Decoder<Reply>;

}  // namespace hashrig::hal::protocol::bitaxe_raw
