// The host ⇄ controller-board protocol (docs/board-link.md): framing with a sequence
// number and CRC-16, message encoders and decoders for both sides, and an incremental
// decoder that resynchronises after garbage. Freestanding: the firmware serves it, the
// host speaks it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "hashrig/hal/protocol/frames.h"

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

// Typed payloads. Each Decode returns empty on a payload of the wrong size.
struct HelloReply {
  std::uint8_t protocol = kVersion;
  std::uint8_t chip_model = 3;
  std::uint8_t chips = 1;
  std::uint32_t firmware_version = 0;
  std::array<char, 16> board_model{};
  std::array<char, 16> serial{};
  std::uint32_t board_id = 0;        // images must carry this id (firmware/boot.h)
  std::uint8_t running_slot = 0xFF;  // 0 A, 1 B, 0xFF no bootloader
  std::uint32_t slot_bytes = 0;      // the largest image a slot takes
};
struct Configure {
  std::uint16_t frequency_quarter_mhz = 0;
  std::uint16_t core_millivolts = 0;
  float ticket_difficulty = 256;
  std::uint32_t version_mask = 0;
};
struct Work {
  std::uint32_t token = 0;
  std::array<std::uint8_t, 80> header{};
};
struct Nonce {
  std::uint32_t token = 0;
  std::uint8_t chip = 0;
  std::uint8_t core = 0;
  std::uint32_t nonce = 0;
  std::uint32_t version = 0;
};
struct Telemetry {
  std::int16_t temperature_decidegrees = 0;  // -32768: sensor failed
  std::uint16_t fan_rpm = 0;
  std::uint8_t fan_percent = 0;
  std::uint16_t millivolts = 0;
  std::uint16_t milliamps = 0;
  std::uint8_t thermal_state = 0;
  std::uint8_t chips_alive = 0;
  std::uint32_t nonces = 0;
  std::uint32_t hardware_errors = 0;
  std::uint8_t chain_state = 0;  // ChainState: 0 idle … 4 mining, 5 failed
  std::uint8_t flags = 0;        // kFlag* bits
  std::uint16_t frequency_quarter_mhz = 0;
};
inline constexpr std::uint8_t kFlagHostSilence = 1;  // the chain was idled: host went silent
inline constexpr std::uint8_t kFlagTrial = 2;        // the running image is on trial

// Per-chip counters, a page of chips at a time (a request names the first chip).
struct ChipEntry {
  std::uint8_t address = 0;
  std::uint8_t alive = 1;
  std::uint32_t nonces = 0;
  std::uint32_t hardware_errors = 0;
};
inline constexpr std::size_t kChipEntrySize = 10;
inline constexpr std::size_t kChipsPerPage = (kMaxPayload - 3) / kChipEntrySize;  // 29
struct ChipStats {
  std::uint8_t first = 0;
  std::uint8_t total = 0;  // chips on the chain
  std::uint8_t count = 0;  // entries in this page
  std::array<ChipEntry, kChipsPerPage> chips{};
};
struct FlashWrite {
  std::uint32_t offset = 0;
  std::array<std::uint8_t, 256> data{};
  std::uint16_t size = 0;
};

Encoded EncodeHelloReply(std::uint8_t sequence, const HelloReply& m);
std::optional<HelloReply> DecodeHelloReply(std::span<const std::uint8_t> payload);
Encoded EncodeConfigure(std::uint8_t sequence, const Configure& m);
std::optional<Configure> DecodeConfigure(std::span<const std::uint8_t> payload);
Encoded EncodeWork(std::uint8_t sequence, const Work& m);
std::optional<Work> DecodeWork(std::span<const std::uint8_t> payload);
Encoded EncodeNonce(const Nonce& m);
std::optional<Nonce> DecodeNonce(std::span<const std::uint8_t> payload);
Encoded EncodeTelemetry(std::uint8_t sequence, const Telemetry& m);
std::optional<Telemetry> DecodeTelemetry(std::span<const std::uint8_t> payload);
Encoded EncodeChipStats(std::uint8_t sequence, const ChipStats& m);
std::optional<ChipStats> DecodeChipStats(std::span<const std::uint8_t> payload);
Encoded EncodeFlashWrite(std::uint8_t sequence, const FlashWrite& m);
std::optional<FlashWrite> DecodeFlashWrite(std::span<const std::uint8_t> payload);
Encoded EncodeAck(std::uint8_t sequence, Type acknowledged);
Encoded EncodeError(std::uint8_t sequence, Type refused, ErrorCode code);

}  // namespace hashrig::hal::protocol::link
