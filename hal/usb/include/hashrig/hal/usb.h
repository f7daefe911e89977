// Hashboards on USB, through libusb-1.0 (no kernel driver needed): USB-UART bridges —
// FTDI FT232R/FT2232 and Silicon Labs CP210x — with their line settings sent as vendor
// control requests, and CDC-ACM boards such as bitaxe-raw (its data port is the chain's
// UART; its control port carries I2C/GPIO/fan packets, reference bm13xx-protocol.md §7);
// and Canaan's AUC (USB to I2C, 29f1:33f2), the converter in front of Avalon 7…10
// modules (reference avalon-protocol.md §2): `OpenAuc` moves whole AUC requests and
// replies (framed by hal/protocol/avalon/auc.h) as bulk transfers, no line settings.
// The encoders and the AUC's cutting/trimming are pure and tested without hardware;
// UsbLink and AucLink are the thin libusb drivers.
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
#include "hashrig/hal/protocol/avalon/auc.h"

namespace hashrig::hal {

// "VID:PID", "VID:PID:SERIAL" or "VID:PID#SERIAL", hex ids.
struct UsbId {
  std::uint16_t vid = 0;
  std::uint16_t pid = 0;
  std::string serial;  // empty: the first matching device
};
std::optional<UsbId> ParseUsbId(std::string_view text);
bool Matches(const UsbId& wanted, std::uint16_t vid, std::uint16_t pid, std::string_view serial);

enum class BridgeKind { kFtdi, kFtdiHighSpeed, kCp210x, kCdcAcm, kCanaanAuc };
// The bridge a device is (known FTDI, CP210x and Canaan AUC ids; anything else is taken
// as CDC-ACM). The AUC is a CDC device too, but not a UART: only 29f1:33f2 is one (its
// siblings 29f1:40f1 and 29f1:33f3 are direct-USB Avalon minis, §2.1).
BridgeKind BridgeFor(std::uint16_t vid, std::uint16_t pid, std::uint16_t bcd_device);
// As `hashrig scan` prints it: "ftdi", "ftdi-h", "cp210x", "cdc-acm", "Canaan AUC".
std::string_view BridgeName(BridgeKind kind);

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

// Canaan's AUC as a link: how bytes map to USB transfers (pure, tested without one).
//
// Write → bulk OUT on EP 0x01, one transfer per AUC request. The driver hands Write
// whole requests (auc.h's AucSimple/AucInit/AucXfer, one or several in a row, padded or
// not); the link reads each request's length byte to find where it ends, so every
// request is its own transfer whatever the caller grouped: XFER exactly its length
// (8 + tx, 48 for one MM packet), every other request (RESET, INIT, DEINIT, INFO, and
// WRITE/READ, which cgminer never sends) the 64-byte packet zero-padded, as cgminer
// sends them (§2.2). Zero bytes where a request would start are padding and are dropped
// (no request has length 0), so a 64-byte AucTransfer and its `span()` cut the same.
// Anything else — a length below 4 or above 64, a request cut short, an unknown code,
// an XFER whose tx length disagrees — is kInvalidArgument naming the byte offset, and
// nothing of that Write is sent. No zero-length packets are added (cgminer's `nozlp`).
Expected<std::vector<protocol::avalon::AucTransfer>> AucOutTransfers(
    std::span<const std::uint8_t> bytes);
// ReadFor ← bulk IN on EP 0x81, one 64-byte packet per USB read. The AUC's reply is
// framed by its length byte (byte 0 = the reply's size, header included); bytes of the
// packet past it are padding and dropped. A packet whose length byte does not frame it
// (below 4, or more than the packet holds) is returned whole, for the driver's
// DecodeAucReply to name the damage rather than the link hiding it.
std::span<const std::uint8_t> AucInBytes(std::span<const std::uint8_t> packet);

// A USB bridge's data path as a ByteLink. Errors name the device; an unplugged device
// is kUnavailable, a stalled transfer a timeout, never a hang. A Canaan AUC is not a
// UART bridge: kInvalidArgument, pointing at OpenAuc.
Expected<std::unique_ptr<ByteLink>> OpenUsb(const UsbId& id, std::uint32_t baud);

// Canaan's AUC (usually 29f1:33f2, any id accepted so a re-flashed unit can be named):
// claims interface 1 (the kernel's cdc_acm detached, as for CDC boards) and moves AUC
// requests/replies on EP 0x01/0x81 as AucOutTransfers/AucInBytes say. The AUC's own
// init (drain, RESET, DEINIT, INIT — §2.2) is the driver's, not the link's. SetBaud and
// SetReset accept anything and do nothing (the I2C clock is INIT's; the AUC has no
// reset line). ReadFor returns the framed reply bytes, keeping what the caller's buffer
// could not take for the next call; it waits at most `timeout` (at least 1 ms: libusb
// reads 0 as "forever"). Write stalls past 2 s are kTimeout; unplugged is kUnavailable;
// a device without interface 1's bulk EP 0x01/0x81 is kNotFound. Errors name the device.
Expected<std::unique_ptr<ByteLink>> OpenAuc(const UsbId& id);

// Every attached device a board could be (for `hashrig scan`): "VID:PID name", the
// name from BridgeName ("29f1:33f2 Canaan AUC").
Expected<std::vector<std::string>> ListUsbBridges();

}  // namespace hashrig::hal
