#include "hashrig/hal/protocol/avalon/packet.h"

#include "hashrig/hal/protocol/crc.h"
#include "hashrig/hal/protocol/le.h"

namespace hashrig::hal::protocol::avalon {

Wire Encode(const Packet& packet) {
  Wire wire{};
  wire[0] = kHeader0;
  wire[1] = kHeader1;
  wire[2] = packet.type;
  wire[3] = packet.opt;
  wire[4] = packet.idx;
  wire[5] = packet.cnt;
  for (std::size_t i = 0; i < kDataSize; ++i) {
    wire[kDataOffset + i] = packet.data[i];
  }
  StoreBe16(&wire[kDataOffset + kDataSize], Crc16Xmodem(packet.data));
  return wire;
}

Result<Packet> Decode(std::span<const std::uint8_t> bytes) {
  if (bytes.size() != kPacketSize) {
    return Status(StatusCode::kInvalidArgument, "an Avalon MM packet is 40 bytes");
  }
  if (bytes[0] != kHeader0 || bytes[1] != kHeader1) {
    return Status(StatusCode::kMismatch, "an Avalon MM packet starts with \"CN\"");
  }
  Packet packet;
  packet.type = bytes[2];
  packet.opt = bytes[3];
  packet.idx = bytes[4];
  packet.cnt = bytes[5];
  for (std::size_t i = 0; i < kDataSize; ++i) {
    packet.data[i] = bytes[kDataOffset + i];
  }
  if (Crc16Xmodem(packet.data) != LoadBe16(&bytes[kDataOffset + kDataSize])) {
    return Status(StatusCode::kBadCrc, "Avalon MM packet CRC mismatch");
  }
  return packet;
}

std::optional<Packet> PacketDecoder::Next() {
  auto& w = window_;
  while (w.size() > 0) {
    if (w[0] != kHeader0 || (w.size() >= 2 && w[1] != kHeader1)) {
      w.Drop(1);
      continue;
    }
    if (w.size() < kPacketSize) {
      return std::nullopt;
    }
    auto packet = Decode(w.span(0, kPacketSize));
    if (!packet.ok()) {
      ++bad_crc_;  // the header matched, so only the CRC can have failed
      w.Drop(1);
      continue;
    }
    w.Drop(kPacketSize, false);
    return *packet;
  }
  return std::nullopt;
}

}  // namespace hashrig::hal::protocol::avalon
