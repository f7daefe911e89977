// BM13xx wire frames (reference bm13xx-protocol.md §1, §4, §5): host -> chip commands and
// jobs, chip -> host register and nonce responses; encoders for both directions (the
// simulator speaks the chip side) and incremental decoders that resynchronise after
// garbage and count bad CRCs. Fixed-size buffers only.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "hashrig/hal/protocol/bm13xx/chip.h"
#include "hashrig/hal/protocol/byte_window.h"

namespace hashrig::hal::protocol {

inline constexpr std::uint8_t kPreamble0 = 0x55;
inline constexpr std::uint8_t kPreamble1 = 0xAA;

// Type/flags byte of a host frame.
namespace type {
inline constexpr std::uint8_t kJob = 0x20;
inline constexpr std::uint8_t kCommand = 0x40;
inline constexpr std::uint8_t kBroadcast = 0x10;
inline constexpr std::uint8_t kSetAddress = 0x0;
inline constexpr std::uint8_t kWrite = 0x1;
inline constexpr std::uint8_t kRead = 0x2;
inline constexpr std::uint8_t kChainInactive = 0x3;
}  // namespace type

struct CommandFrame {
  std::array<std::uint8_t, 11> bytes{};
  std::uint8_t size = 0;
  std::span<const std::uint8_t> span() const { return {bytes.data(), size}; }
};

CommandFrame SetAddressFrame(std::uint8_t address);
CommandFrame WriteRegisterFrame(std::uint8_t chip, std::uint8_t reg, std::uint32_t value);
CommandFrame BroadcastWriteFrame(std::uint8_t reg, std::uint32_t value);
CommandFrame ReadRegisterFrame(std::uint8_t chip, std::uint8_t reg);
CommandFrame BroadcastReadFrame(std::uint8_t reg);
CommandFrame ChainInactiveFrame();

using Hash32 = std::array<std::uint8_t, 32>;

// BM1366/68/70 work: the header's fields. Hashes are in header byte order; the encoder
// puts them on the wire word-reversed as the chips want.
struct HeaderJob {
  std::uint8_t job_id = 0;  // the byte as sent (id in bits 6-3)
  std::uint32_t starting_nonce = 0;
  std::uint32_t nbits = 0;
  std::uint32_t ntime = 0;
  Hash32 merkle_root{};
  Hash32 prev_hash{};
  std::uint32_t version = 0;
};
inline constexpr std::size_t kHeaderJobFrameSize = 88;
std::array<std::uint8_t, kHeaderJobFrameSize> EncodeHeaderJob(const HeaderJob& job);
HeaderJob DecodeHeaderJobBody(std::span<const std::uint8_t> body);  // 82 bytes after the length

// BM1397 work: up to four midstates (state words H0..H7) of versions rolled k times.
struct MidstateJob {
  std::uint8_t job_id = 0;
  std::uint8_t midstate_count = 1;
  std::uint32_t starting_nonce = 0;
  std::uint32_t nbits = 0;
  std::uint32_t ntime = 0;
  std::uint32_t merkle_tail = 0;  // header bytes 64-67 as a little-endian value
  std::array<std::array<std::uint32_t, 8>, 4> midstates{};
};
inline constexpr std::size_t kMidstateJobFrameSize = 152;
std::array<std::uint8_t, kMidstateJobFrameSize> EncodeMidstateJob(const MidstateJob& job);
MidstateJob DecodeMidstateJobBody(std::span<const std::uint8_t> body);  // 146 bytes

// A host frame as a chip receives it.
struct HostFrame {
  std::uint8_t type = 0;  // the type/flags byte
  std::array<std::uint8_t, 148> payload{};
  std::uint8_t payload_size = 0;

  bool is_job() const { return (type & 0x60) == type::kJob; }
  bool broadcast() const { return (type & type::kBroadcast) != 0; }
  std::uint8_t command() const { return type & 0x0F; }
  std::span<const std::uint8_t> body() const { return {payload.data(), payload_size}; }
};

// What a register write (command 0x1, or 0x51 to every chip) writes: body = chip address,
// register, value MSB first (bm13xx-protocol.md §1.2).
struct RegisterWrite {
  std::uint8_t chip = 0;  // the chip address (a broadcast reaches every chip)
  std::uint8_t reg = 0;
  std::uint32_t value = 0;
};
// The write `frame` carries; empty if it is no register write or its body is short.
std::optional<RegisterWrite> RegisterWriteOf(const HostFrame& frame);

// Incremental host-frame decoder (the chip side): Push bytes, then take every complete
// frame with Next() until it returns empty. Garbage and frames with a bad CRC are skipped
// one byte at a time, so a real frame right after them is still found.
class HostFrameDecoder {
 public:
  void Push(std::uint8_t byte) { window_.Push(byte); }
  std::optional<HostFrame> Next();
  std::uint32_t bad_crc() const { return bad_crc_; }
  std::uint32_t skipped_bytes() const { return window_.skipped(); }

 private:
  ByteWindow<160> window_;
  std::uint32_t bad_crc_ = 0;
};

// A chip response.
struct Response {
  bool nonce = false;                  // TYPE 4; else a register read (TYPE 0)
  std::array<std::uint8_t, 4> data{};  // bytes 2-5 as on the wire
  std::uint8_t byte6 = 0;              // register: chip address; nonce: excess difficulty
  std::uint8_t byte7 = 0;              // register: register address; nonce: result header
  std::uint16_t version_field = 0;     // 11-byte nonce responses: rolled version bits >> 13

  // Register responses: the value MSB first. Nonce responses: the header nonce (LE).
  std::uint32_t register_value() const;
  std::uint32_t header_nonce() const;
};

struct ResponseFrame {
  std::array<std::uint8_t, 11> bytes{};
  std::uint8_t size = 0;
  std::span<const std::uint8_t> span() const { return {bytes.data(), size}; }
};
ResponseFrame EncodeResponse(const Response& response, std::size_t frame_size);

// Incremental response decoder (the host side) for 9- or 11-byte frames, used like
// HostFrameDecoder: Push, then Next() until empty.
class ResponseDecoder {
 public:
  explicit ResponseDecoder(std::size_t frame_size = 11) : frame_size_(frame_size) {}
  void set_frame_size(std::size_t size) { frame_size_ = size == 9 ? 9 : 11; }
  std::size_t frame_size() const { return frame_size_; }

  void Push(std::uint8_t byte) { window_.Push(byte); }
  std::optional<Response> Next();
  std::uint32_t bad_crc() const { return bad_crc_; }
  std::uint32_t skipped_bytes() const { return window_.skipped(); }

 private:
  std::size_t frame_size_;
  ByteWindow<32> window_;
  std::uint32_t bad_crc_ = 0;
};

}  // namespace hashrig::hal::protocol
