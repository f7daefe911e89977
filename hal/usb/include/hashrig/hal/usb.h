// Hashboards on USB, through libusb-1.0 (no kernel driver needed): USB-UART bridges —
// FTDI FT232R/FT2232 and Silicon Labs CP210x — with their line settings sent as vendor
// control requests, and CDC-ACM boards such as bitaxe-raw (its data port is the chain's
// UART; its control port carries I2C/GPIO/fan packets, reference bm13xx-protocol.md §7).
// The encoders are pure and tested without hardware; UsbLink is the thin libusb driver.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hashrig/hal/link.h"

namespace hashrig::hal {

// "VID:PID", "VID:PID:SERIAL" or "VID:PID#SERIAL", hex ids.
struct UsbId {
  std::uint16_t vid = 0;
  std::uint16_t pid = 0;
  std::string serial;  // empty: the first matching device
};
std::optional<UsbId> ParseUsbId(std::string_view text);
bool Matches(const UsbId& wanted, std::uint16_t vid, std::uint16_t pid, std::string_view serial);

enum class BridgeKind { kFtdi, kFtdiHighSpeed, kCp210x, kCdcAcm };
// The bridge a device is (known FTDI and CP210x ids; anything else is taken as CDC-ACM).
BridgeKind BridgeFor(std::uint16_t vid, std::uint16_t pid, std::uint16_t bcd_device);

struct ControlRequest {
  std::uint8_t request_type = 0;
  std::uint8_t request = 0;
  std::uint16_t value = 0;
  std::uint16_t index = 0;
  std::vector<std::uint8_t> data;
};

// FTDI SIO_SET_BAUD_RATE: the divisor in eighths of the base clock (3 MHz; 12 MHz on H
// chips), encoded as libftdi and the FTDI application notes describe. Empty when the
// rate is beyond the chip (over 3 MBd on FT232R/FT2232D).
std::optional<ControlRequest> FtdiBaudRequest(BridgeKind kind, std::uint16_t pid,
                                              std::uint32_t baud, int interface);
// The rate the chip really runs at for that request (it rounds to eighths).
std::uint32_t FtdiActualBaud(BridgeKind kind, std::uint32_t baud);
std::vector<ControlRequest> FtdiSetupRequests(int interface);  // reset, 8N1, no flow, latency 1 ms
ControlRequest FtdiModemControl(bool dtr, int interface);
// Bulk IN data from an FTDI chip: every max-packet chunk starts with 2 modem status bytes.
std::vector<std::uint8_t> StripFtdiStatus(std::span<const std::uint8_t> bulk,
                                          std::size_t max_packet);

std::vector<ControlRequest> Cp210xSetupRequests(std::uint32_t baud);  // enable, baud, 8N1
ControlRequest Cp210xBaudRequest(std::uint32_t baud);
ControlRequest Cp210xModemControl(bool dtr);

ControlRequest CdcSetLineCoding(std::uint32_t baud, int interface);
ControlRequest CdcControlLineState(bool dtr, bool rts, int interface);

// bitaxe-raw control port packets: [len lo, len hi, id, bus, page, cmd, data...].

// A USB bridge's data path as a ByteLink. Errors name the device; an unplugged device
// is kUnavailable, a stalled transfer a timeout, never a hang.
Expected<std::unique_ptr<ByteLink>> OpenUsb(const UsbId& id, std::uint32_t baud);

// Every attached device a board could be (for `hashrig scan`): "VID:PID serial kind".
Expected<std::vector<std::string>> ListUsbBridges();

}  // namespace hashrig::hal
