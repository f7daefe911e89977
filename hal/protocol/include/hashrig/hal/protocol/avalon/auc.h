// Canaan's AUC ("USB2IIC Converter", USB 29f1:33f2; bulk EP 0x01 out, 0x81 in, 64-byte
// packets, interface 1): the request/reply framing the host speaks to it (reference
// avalon-protocol.md §2.2). Every transfer starts with 4 bytes — length of the whole
// transfer (header included), transaction id, session id (the host sends 0, the AUC
// echoes them), request code (host -> AUC) or result code (AUC -> host); AUC numbers are
// little-endian. One XFER carries one 40-byte MM packet to the I2C slave = module id
// (0 = every module) and reads `rx_length` bytes back after the AUC's xfer delay.
//
//   host -> AUC RESET, DEINIT, INFO: length 4, sent as 64 bytes zero-padded;
//               INIT: length 12, LE32 I2C clock (Hz), LE32 xfer delay (4800 ≈ 1 ms, §7.20),
//               sent as 64 bytes; XFER: length 8 + tx, tx length, rx length, options (0),
//               slave address, the tx bytes — sent as exactly `length` bytes (48 for one
//               MM packet).
//   AUC -> host length 4 + body, the request's ids, result code, body: INIT the 12-char
//               firmware version ("AUC-20151208"), INFO 7 bytes, XFER the rx bytes.
//
// Host init (§2.2): drain, RESET, DEINIT, INIT(400000 Hz, 19200), keep the version.
// Freestanding: fixed buffers; the libusb transfer is the hal link's.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "hashrig/base/status.h"
#include "hashrig/base/units.h"

namespace hashrig::hal::protocol::avalon {

inline constexpr std::uint16_t kAucVendorId = 0x29f1;
inline constexpr std::uint16_t kAucProductId = 0x33f2;
inline constexpr std::uint8_t kAucInterface = 1;
inline constexpr std::uint8_t kAucEndpointOut = 0x01;
inline constexpr std::uint8_t kAucEndpointIn = 0x81;
inline constexpr std::size_t kAucPacketSize = 64;
inline constexpr std::size_t kAucHeaderSize = 4;
inline constexpr std::size_t kAucXferHeaderSize = 8;
inline constexpr std::size_t kAucMaxTx = kAucPacketSize - kAucXferHeaderSize;  // 56
inline constexpr std::size_t kAucMaxBody = kAucPacketSize - kAucHeaderSize;    // 60
inline constexpr std::uint32_t kAucDefaultSpeed = 400'000;                     // Hz
inline constexpr std::uint32_t kAucDefaultXdelay = 19'200;                     // ≈ 4 ms

enum class AucRequest : std::uint8_t {
  kReset = 0xA0,
  kInit = 0xA1,
  kDeinit = 0xA2,
  kWrite = 0xA3,
  kRead = 0xA4,
  kXfer = 0xA5,
  kInfo = 0xA6,
};

enum class AucResult : std::uint8_t {
  kOk = 0x00,
  kError = 0x01,
  kNak = 0x02,
  kBusError = 0x03,
  kSlaveNak = 0x04,
  kArbitrationLost = 0x05,
  kTimeout = 0x10,
  kInvalidCommand = 0x11,
  kInvalidParameter = 0x12,
  kPartialData = 0x13,
};

// The bytes to write to EP 0x01: `size` of them (64, or an XFER's own length).
struct AucTransfer {
  std::array<std::uint8_t, kAucPacketSize> bytes{};
  std::size_t size = 0;
  std::span<const std::uint8_t> span() const { return {bytes.data(), size}; }
};

// RESET, DEINIT or INFO (64 bytes, length 4).
AucTransfer AucSimple(AucRequest request);
// INIT with the I2C clock and xfer delay (64 bytes, length 12).
AucTransfer AucInit(std::uint32_t speed_hz, std::uint32_t xfer_delay);
// XFER of `tx` (at most kAucMaxTx) to `slave` (7-bit), reading `rx_length` bytes back
// (at most kAucMaxBody). kInvalidArgument past either bound or for a slave above 0x7F.
Result<AucTransfer> AucXfer(std::uint8_t slave, std::span<const std::uint8_t> tx,
                            std::uint8_t rx_length);

// A request as the AUC reads it (the simulated AUC's side). For XFER: slave, rx_length
// and the tx bytes; for INIT: speed and delay; other requests have no body.
struct AucRequestView {
  AucRequest request = AucRequest::kReset;
  std::uint32_t speed_hz = 0;
  std::uint32_t xfer_delay = 0;
  std::uint8_t slave = 0;
  std::uint8_t rx_length = 0;
  std::array<std::uint8_t, kAucMaxTx> tx{};
  std::size_t tx_size = 0;
  std::span<const std::uint8_t> tx_span() const { return {tx.data(), tx_size}; }
};
// kInvalidArgument: shorter than its length byte says, a length below the header or an
// XFER whose tx length disagrees with it, an unknown request code.
Result<AucRequestView> DecodeAucRequest(std::span<const std::uint8_t> bytes);

// A reply as the host reads it: byte 0 must equal the bytes read (the host reads exactly
// the length it expects, rx_length + 4).
struct AucReply {
  AucResult result = AucResult::kOk;
  std::uint8_t transaction = 0;
  std::uint8_t session = 0;
  std::array<std::uint8_t, kAucMaxBody> body{};
  std::size_t body_size = 0;
  std::span<const std::uint8_t> body_span() const { return {body.data(), body_size}; }
};
AucTransfer EncodeAucReply(const AucReply& reply);
// kInvalidArgument: fewer than 4 bytes, or byte 0 not the count of `bytes`. The result
// code is returned as it came; the caller judges it.
Result<AucReply> DecodeAucReply(std::span<const std::uint8_t> bytes);

// INFO's 7-byte reply body.
struct AucInfo {
  std::uint16_t temperature_adc = 0;
  std::uint8_t request_queue = 0;
  std::uint8_t response_queue = 0;
  std::uint16_t tx_flags = 0;
  std::uint8_t state = 0;
};
Result<AucInfo> DecodeAucInfo(std::span<const std::uint8_t> body);
// The host's conversion of the ADC (10 kΩ NTC, B = 3500, 10 kΩ series, 3.3 V; 0x0200 ->
// 25.0 °C); kInvalidArgument for 0 or a reading at the rail (no finite temperature).
Result<Celsius> AucTemperature(std::uint16_t adc);

}  // namespace hashrig::hal::protocol::avalon
