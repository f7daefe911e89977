// Canaan Avalon's MM packet (reference avalon-protocol.md §3.1–3.3), both directions:
//
//   offset 0  'C' 'N'        header (0x43 0x4E)
//          2  TYPE           generation.h names the types per generation
//          3  OPT            host -> MM: 0 through the AUC, the module id on a raw stream
//                            (§8b.1); MM -> host: the last byte of the module's DNA
//                            (0 in ACKDETECT)
//          4  IDX            1-based place in a multi-packet message (STATUS: the miner,
//                            0-based; STATUS_ASIC/PVT: a chip, see messages.h)
//          5  CNT            packets in the message (STATUS: the module's miner count)
//          6  DATA[32]       multi-byte numbers big-endian unless messages.h says otherwise
//         38  CRC-16/XMODEM  over DATA only, high byte first in both directions (§3.2, §7.1:
//                            Avalon 7 and later; the Avalon 4 era sent MM -> host low first)
//
// 40 bytes in both directions. The header, TYPE, OPT, IDX and CNT are not covered by the
// CRC: a decoder checks both header bytes (§7.2: cgminer accepts a packet unless both are
// wrong; we are stricter) and the CRC. Freestanding: fixed buffers, no heap.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "hashrig/base/status.h"
#include "hashrig/hal/protocol/byte_window.h"

namespace hashrig::hal::protocol::avalon {

inline constexpr std::uint8_t kHeader0 = 0x43;  // 'C'
inline constexpr std::uint8_t kHeader1 = 0x4E;  // 'N'
inline constexpr std::size_t kPacketSize = 40;
inline constexpr std::size_t kDataSize = 32;
inline constexpr std::size_t kDataOffset = 6;

using Data = std::array<std::uint8_t, kDataSize>;
using Wire = std::array<std::uint8_t, kPacketSize>;

// One MM packet, its CRC implied (computed by Encode, checked by Decode).
struct Packet {
  std::uint8_t type = 0;
  std::uint8_t opt = 0;
  std::uint8_t idx = 1;
  std::uint8_t cnt = 1;
  Data data{};

  friend bool operator==(const Packet&, const Packet&) = default;
};

// The 40 wire bytes of `packet`.
Wire Encode(const Packet& packet);

// Exactly one packet of 40 bytes. Errors: kInvalidArgument (not 40 bytes), kMismatch (a
// header other than "CN"), kBadCrc.
Result<Packet> Decode(std::span<const std::uint8_t> bytes);

// Incremental decoder for a byte stream that may hold garbage (a raw PTY/TCP link, a
// damaged capture): Feed it what was read (or Push a byte and take every complete packet
// with Next() until it returns empty). Bytes before a "CN" header are skipped; a 40-byte candidate
// whose CRC fails is counted and only its first byte dropped, so a real packet starting inside it
// is still found. A packet cut short waits in pending() for the rest.
class PacketDecoder {
 public:
  // The window holds two packets: push a byte, then take what it completed with Next().
  void Push(std::uint8_t byte) { window_.Push(byte); }
  std::optional<Packet> Next();
  // Every packet `bytes` completes, in order, to `each(const Packet&)` — a read of any size
  // (a 4 KiB PTY read holds a hundred packets; pushed whole, all but two would be lost).
  template <class Each>
  void Feed(std::span<const std::uint8_t> bytes, Each&& each) {
    for (const std::uint8_t b : bytes) {
      window_.Push(b);
      while (const auto packet = Next()) {
        each(*packet);
      }
    }
  }

  // Bytes held for a packet not yet complete.
  std::size_t pending() const { return window_.size(); }
  std::uint32_t bad_crc() const { return bad_crc_; }
  // Bytes dropped while looking for a header, and the first bytes of bad-CRC candidates.
  std::uint32_t skipped_bytes() const { return window_.skipped(); }

 private:
  ByteWindow<2 * kPacketSize> window_;
  std::uint32_t bad_crc_ = 0;
};

}  // namespace hashrig::hal::protocol::avalon
