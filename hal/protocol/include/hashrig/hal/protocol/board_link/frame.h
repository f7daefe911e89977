// The host ⇄ controller-board protocol, its framing (docs/board-link.md): magic, version,
// type, sequence number, length, payload, CRC-16; and an incremental decoder that
// resynchronises after garbage. The payloads are described in messages.h. Freestanding:
// the firmware serves it, the host speaks it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "hashrig/base/names.h"
#include "hashrig/hal/protocol/byte_window.h"

namespace hashrig::hal::protocol::link {

inline constexpr std::uint8_t kMagic0 = 0x48;  // 'H'
inline constexpr std::uint8_t kMagic1 = 0x52;  // 'R'
inline constexpr std::uint8_t kVersion = 1;
inline constexpr std::size_t kMaxPayload = 300;
inline constexpr std::size_t kOverhead = 9;  // magic, version, type, seq, length, CRC

enum class Type : std::uint8_t {
  kHello = 0x01,
  kHelloReply = 0x81,
  kChainReset = 0x02,
  kConfigure = 0x03,
  kWork = 0x04,
  kNonce = 0x85,
  kTelemetryRequest = 0x06,
  kTelemetry = 0x86,
  kSetFan = 0x07,
  kSetVoltage = 0x08,
  kChipStatsRequest = 0x09,
  kSetVersionMask = 0x0A,
  kChipStats = 0x89,
  kFlashErase = 0x10,
  kFlashWrite = 0x11,
  kFlashVerify = 0x12,
  kFlashCommit = 0x13,
  kReboot = 0x14,
  kConfirm = 0x15,
  kAck = 0x90,
  kError = 0xFF,
};

enum class ErrorCode : std::uint8_t {
  kBadPayload = 1,
  kUnknownType = 2,
  kBusy = 3,
  kFlash = 4,
  kVerifyFailed = 5
};

struct Frame {
  Type type = Type::kAck;
  std::uint8_t sequence = 0;
  std::array<std::uint8_t, kMaxPayload> payload{};
  std::uint16_t size = 0;
  std::span<const std::uint8_t> body() const { return {payload.data(), size}; }
};

struct Encoded {
  std::array<std::uint8_t, kMaxPayload + kOverhead> bytes{};
  std::size_t size = 0;
  std::span<const std::uint8_t> span() const { return {bytes.data(), size}; }
};

// Empty payload span allowed; a payload over kMaxPayload gives an empty (size 0) frame.
Encoded Encode(Type type, std::uint8_t sequence, std::span<const std::uint8_t> payload);
inline constexpr EnumName<Type> kTypeNames[] = {
    {Type::kHello, "Hello"},
    {Type::kHelloReply, "HelloReply"},
    {Type::kChainReset, "ChainReset"},
    {Type::kConfigure, "Configure"},
    {Type::kWork, "Work"},
    {Type::kNonce, "Nonce"},
    {Type::kTelemetryRequest, "TelemetryRequest"},
    {Type::kTelemetry, "Telemetry"},
    {Type::kSetFan, "SetFan"},
    {Type::kSetVoltage, "SetVoltage"},
    {Type::kChipStatsRequest, "ChipStatsRequest"},
    {Type::kChipStats, "ChipStats"},
    {Type::kFlashErase, "FlashErase"},
    {Type::kFlashWrite, "FlashWrite"},
    {Type::kFlashVerify, "FlashVerify"},
    {Type::kFlashCommit, "FlashCommit"},
    {Type::kReboot, "Reboot"},
    {Type::kConfirm, "Confirm"},
    {Type::kAck, "Ack"},
    {Type::kError, "Error"},
};
constexpr const char* ToString(Type t) { return NameOf(kTypeNames, t, "unknown"); }
inline constexpr EnumName<ErrorCode> kErrorCodeNames[] = {
    {ErrorCode::kBadPayload, "bad payload"},
    {ErrorCode::kUnknownType, "unknown message type"},
    {ErrorCode::kBusy, "busy"},
    {ErrorCode::kFlash, "flash operation failed"},
    {ErrorCode::kVerifyFailed, "image verification failed"},
};
// "bad payload", "busy", …
constexpr const char* ToString(ErrorCode c) { return NameOf(kErrorCodeNames, c, "unknown error"); }

class Decoder {
 public:
  void Push(std::uint8_t byte) { window_.Push(byte); }
  std::optional<Frame> Next();
  // Bytes held for a frame not yet complete.
  std::size_t pending() const { return window_.size(); }
  // The link went quiet in the middle of a frame (a damaged length can announce more
  // bytes than will ever come): give that frame up — one byte dropped, counted as bad —
  // so the frames behind it are found by the next calls to Next().
  void Expire();
  std::uint32_t bad_frames() const { return bad_; }
  std::uint32_t skipped_bytes() const { return window_.skipped(); }

 private:
  ByteWindow<kMaxPayload + kOverhead + 16> window_;
  std::uint32_t bad_ = 0;
};

}  // namespace hashrig::hal::protocol::link
