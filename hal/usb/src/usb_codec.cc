// The pure half of usb.h: ids, bridge kinds, every control request and how AUC requests
// and replies map to bulk transfers, testable without a device.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>

#include "hashrig/hal/usb.h"

namespace hashrig::hal {
namespace {

// bmRequestType values.
constexpr std::uint8_t kVendorOut = 0x40;           // host to device, vendor, device
constexpr std::uint8_t kVendorInterfaceOut = 0x41;  // host to device, vendor, interface
constexpr std::uint8_t kClassInterfaceOut = 0x21;   // host to device, class, interface

// FTDI SIO requests (libftdi, FTDI AN232B-05).
constexpr std::uint8_t kSioReset = 0x00;
constexpr std::uint8_t kSioModemCtrl = 0x01;
constexpr std::uint8_t kSioSetFlowCtrl = 0x02;
constexpr std::uint8_t kSioSetBaudRate = 0x03;
constexpr std::uint8_t kSioSetData = 0x04;
constexpr std::uint8_t kSioSetLatencyTimer = 0x09;

// CP210x requests (Silicon Labs AN571).
constexpr std::uint8_t kCpIfcEnable = 0x00;
constexpr std::uint8_t kCpSetLineCtl = 0x03;
constexpr std::uint8_t kCpSetMhs = 0x07;
constexpr std::uint8_t kCpSetBaudRate = 0x1E;

std::optional<std::uint16_t> Hex16(std::string_view text) {
  std::uint16_t value = 0;
  if (text.empty() || text.size() > 4) {
    return std::nullopt;
  }
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

std::uint16_t InterfaceIndex(int interface) { return static_cast<std::uint16_t>(interface + 1); }

}  // namespace

std::optional<UsbId> ParseUsbId(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view rest = text.substr(colon + 1);
  const auto serial_at = rest.find_first_of(":#");
  const auto vid = Hex16(text.substr(0, colon));
  const auto pid = Hex16(rest.substr(0, serial_at));
  if (!vid || !pid) {
    return std::nullopt;
  }
  UsbId id{*vid, *pid, {}};
  if (serial_at != std::string_view::npos) {
    id.serial = std::string(rest.substr(serial_at + 1));
    if (id.serial.empty()) {
      return std::nullopt;
    }
  }
  return id;
}

bool Matches(const UsbId& wanted, std::uint16_t vid, std::uint16_t pid, std::string_view serial) {
  return wanted.vid == vid && wanted.pid == pid &&
         (wanted.serial.empty() || wanted.serial == serial);
}

BridgeKind BridgeFor(std::uint16_t vid, std::uint16_t pid, std::uint16_t bcd_device) {
  if (vid == 0x0403) {
    // "H" chips clock the divisor from 120 MHz: FT2232H (0x6010, bcdDevice 0x0700),
    // FT4232H (0x6011), FT232H (0x6014). FT232R (0x6001) and FT2232D (0x6010, 0x0500) not.
    const bool high_speed =
        pid == 0x6011 || pid == 0x6014 || (pid == 0x6010 && bcd_device == 0x0700);
    return high_speed ? BridgeKind::kFtdiHighSpeed : BridgeKind::kFtdi;
  }
  if (vid == 0x10C4 && (pid == 0xEA60 || pid == 0xEA70 || pid == 0xEA71)) {
    return BridgeKind::kCp210x;
  }
  if (vid == protocol::avalon::kAucVendorId && pid == protocol::avalon::kAucProductId) {
    return BridgeKind::kCanaanAuc;
  }
  return BridgeKind::kCdcAcm;
}

std::string_view BridgeName(BridgeKind kind) {
  switch (kind) {
    case BridgeKind::kFtdi:
      return "ftdi";
    case BridgeKind::kFtdiHighSpeed:
      return "ftdi-h";
    case BridgeKind::kCp210x:
      return "cp210x";
    case BridgeKind::kCdcAcm:
      return "cdc-acm";
    case BridgeKind::kCanaanAuc:
      return "Canaan AUC";
  }
  return "?";
}

Expected<std::vector<protocol::avalon::AucTransfer>> AucOutTransfers(
    std::span<const std::uint8_t> bytes) {
  using protocol::avalon::AucRequest;
  std::vector<protocol::avalon::AucTransfer> out;
  std::size_t at = 0;
  while (at < bytes.size()) {
    if (bytes[at] == 0) {
      ++at;  // padding: no request starts with length 0
      continue;
    }
    const auto request = protocol::avalon::DecodeAucRequest(bytes.subspan(at));
    if (!request.ok()) {
      return Error(StatusCode::kInvalidArgument,
                   "not an AUC request at byte " + std::to_string(at) + " (length " +
                       std::to_string(bytes[at]) + " of " + std::to_string(bytes.size() - at) +
                       " bytes left): " + request.status().message());
    }
    const std::size_t length = bytes[at];
    protocol::avalon::AucTransfer t;
    std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(at), length, t.bytes.begin());
    t.size = request->request == AucRequest::kXfer ? length : protocol::avalon::kAucPacketSize;
    out.push_back(t);
    at += length;
  }
  return out;
}

std::span<const std::uint8_t> AucInBytes(std::span<const std::uint8_t> packet) {
  if (packet.empty() || packet[0] < protocol::avalon::kAucHeaderSize || packet[0] > packet.size()) {
    return packet;  // not framed: whole, for DecodeAucReply to name
  }
  return packet.first(packet[0]);
}

namespace {

// Divisor in eighths of the base clock, or 0 when out of range.
std::uint32_t FtdiEighths(BridgeKind kind, std::uint32_t baud) {
  const std::uint64_t base = kind == BridgeKind::kFtdiHighSpeed ? 12'000'000 : 3'000'000;
  if (baud == 0 || baud > base) {
    return 0;
  }
  const auto eighths = static_cast<std::uint32_t>((base * 8 + baud / 2) / baud);
  return std::min<std::uint32_t>(eighths, 0x1FFFF);
}

}  // namespace

std::optional<ControlRequest> FtdiBaudRequest(BridgeKind kind, std::uint16_t pid,
                                              std::uint32_t baud, int interface) {
  static constexpr std::uint8_t kFraction[8] = {0, 3, 2, 4, 1, 5, 6, 7};
  const std::uint32_t eighths = FtdiEighths(kind, baud);
  if (eighths == 0) {
    return std::nullopt;
  }
  std::uint32_t encoded = (eighths >> 3) | static_cast<std::uint32_t>(kFraction[eighths & 7]) << 14;
  if (eighths == 8) {
    encoded = 0;  // divisor 1: the full base clock
  } else if (eighths == 12) {
    encoded = 1;  // divisor 1.5
  }
  if (kind == BridgeKind::kFtdiHighSpeed) {
    encoded |= 0x20000;  // bit 17: the divisor counts 120 MHz / 10, not 48 MHz / 16
  }
  ControlRequest r;
  r.request_type = kVendorOut;
  r.request = kSioSetBaudRate;
  r.value = static_cast<std::uint16_t>(encoded);
  r.index = static_cast<std::uint16_t>(encoded >> 16);
  // Multi-interface chips and the FT232H take the interface in wIndex's low byte.
  if (pid == 0x6010 || pid == 0x6011 || pid == 0x6014) {
    r.index = static_cast<std::uint16_t>(r.index << 8 | InterfaceIndex(interface));
  }
  return r;
}

std::uint32_t FtdiActualBaud(BridgeKind kind, std::uint32_t baud) {
  const std::uint64_t base = kind == BridgeKind::kFtdiHighSpeed ? 12'000'000 : 3'000'000;
  const std::uint32_t eighths = FtdiEighths(kind, baud);
  return eighths == 0 ? 0 : static_cast<std::uint32_t>(base * 8 / eighths);
}

std::vector<ControlRequest> FtdiSetupRequests(int interface) {
  const std::uint16_t index = InterfaceIndex(interface);
  return {
      {kVendorOut, kSioReset, 0, index, {}},
      {kVendorOut, kSioSetData, 0x0008, index, {}},  // 8 data bits, no parity, 1 stop
      {kVendorOut, kSioSetFlowCtrl, 0, index, {}},
      {kVendorOut, kSioSetLatencyTimer, 1, index, {}},  // 1 ms: nonces must not wait 16 ms
  };
}

ControlRequest FtdiModemControl(bool dtr, int interface) {
  // High byte: which lines to change; low byte: their levels.
  return {kVendorOut,
          kSioModemCtrl,
          static_cast<std::uint16_t>(0x0100 | (dtr ? 1 : 0)),
          InterfaceIndex(interface),
          {}};
}

std::vector<std::uint8_t> StripFtdiStatus(std::span<const std::uint8_t> bulk,
                                          std::size_t max_packet) {
  std::vector<std::uint8_t> out;
  for (std::size_t at = 0; at < bulk.size(); at += max_packet) {
    const std::size_t end = std::min(bulk.size(), at + max_packet);
    if (end - at > 2) {
      out.insert(out.end(), bulk.begin() + static_cast<std::ptrdiff_t>(at + 2),
                 bulk.begin() + static_cast<std::ptrdiff_t>(end));
    }
  }
  return out;
}

ControlRequest Cp210xBaudRequest(std::uint32_t baud) {
  return {kVendorInterfaceOut,
          kCpSetBaudRate,
          0,
          0,
          {static_cast<std::uint8_t>(baud), static_cast<std::uint8_t>(baud >> 8),
           static_cast<std::uint8_t>(baud >> 16), static_cast<std::uint8_t>(baud >> 24)}};
}

std::vector<ControlRequest> Cp210xSetupRequests(std::uint32_t baud) {
  return {
      {kVendorInterfaceOut, kCpIfcEnable, 1, 0, {}},
      Cp210xBaudRequest(baud),
      {kVendorInterfaceOut, kCpSetLineCtl, 0x0800, 0, {}},  // 8 data bits, no parity, 1 stop
  };
}

ControlRequest Cp210xModemControl(bool dtr) {
  return {
      kVendorInterfaceOut, kCpSetMhs, static_cast<std::uint16_t>(0x0100 | (dtr ? 1 : 0)), 0, {}};
}

ControlRequest CdcSetLineCoding(std::uint32_t baud, int interface) {
  return {kClassInterfaceOut,
          0x20,
          0,
          static_cast<std::uint16_t>(interface),
          {static_cast<std::uint8_t>(baud), static_cast<std::uint8_t>(baud >> 8),
           static_cast<std::uint8_t>(baud >> 16), static_cast<std::uint8_t>(baud >> 24), 0, 0, 8}};
}

ControlRequest CdcControlLineState(bool dtr, bool rts, int interface) {
  return {kClassInterfaceOut,
          0x22,
          static_cast<std::uint16_t>((dtr ? 1 : 0) | (rts ? 2 : 0)),
          static_cast<std::uint16_t>(interface),
          {}};
}

}  // namespace hashrig::hal
