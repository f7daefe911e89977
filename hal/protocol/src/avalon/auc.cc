#include "hashrig/hal/protocol/avalon/auc.h"

#include <cmath>

#include "hashrig/hal/protocol/le.h"

namespace hashrig::hal::protocol::avalon {
namespace {

constexpr Status kBadRequest{StatusCode::kInvalidArgument, "not a well-formed AUC request"};

AucTransfer Header(AucRequest request, std::uint8_t length, std::size_t size) {
  AucTransfer t;
  t.bytes[0] = length;
  t.bytes[3] = static_cast<std::uint8_t>(request);
  t.size = size;
  return t;
}

bool Known(std::uint8_t code) { return code >= 0xA0 && code <= 0xA6; }

}  // namespace

AucTransfer AucSimple(AucRequest request) {
  return Header(request, kAucHeaderSize, kAucPacketSize);
}

AucTransfer AucInit(std::uint32_t speed_hz, std::uint32_t xfer_delay) {
  AucTransfer t = Header(AucRequest::kInit, 12, kAucPacketSize);
  StoreLe32(&t.bytes[4], speed_hz);
  StoreLe32(&t.bytes[8], xfer_delay);
  return t;
}

Result<AucTransfer> AucXfer(std::uint8_t slave, std::span<const std::uint8_t> tx,
                            std::uint8_t rx_length) {
  if (tx.size() > kAucMaxTx || rx_length > kAucMaxBody || slave > 0x7F) {
    return Status(StatusCode::kInvalidArgument, "an AUC transfer is at most 64 bytes");
  }
  const std::size_t size = kAucXferHeaderSize + tx.size();
  AucTransfer t = Header(AucRequest::kXfer, static_cast<std::uint8_t>(size), size);
  t.bytes[4] = static_cast<std::uint8_t>(tx.size());
  t.bytes[5] = rx_length;
  t.bytes[6] = 0;  // options
  t.bytes[7] = slave;
  for (std::size_t i = 0; i < tx.size(); ++i) {
    t.bytes[kAucXferHeaderSize + i] = tx[i];
  }
  return t;
}

Result<AucRequestView> DecodeAucRequest(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kAucHeaderSize || bytes[0] < kAucHeaderSize || bytes[0] > bytes.size() ||
      bytes[0] > kAucPacketSize || !Known(bytes[3])) {
    return kBadRequest;
  }
  AucRequestView view;
  view.request = static_cast<AucRequest>(bytes[3]);
  const std::size_t length = bytes[0];
  if (view.request == AucRequest::kInit) {
    if (length != 12) {
      return kBadRequest;
    }
    view.speed_hz = LoadLe32(&bytes[4]);
    view.xfer_delay = LoadLe32(&bytes[8]);
  }
  if (view.request == AucRequest::kXfer) {
    if (length < kAucXferHeaderSize || bytes[4] != length - kAucXferHeaderSize ||
        bytes[5] > kAucMaxBody) {
      return kBadRequest;
    }
    view.tx_size = bytes[4];
    view.rx_length = bytes[5];
    view.slave = bytes[7];
    for (std::size_t i = 0; i < view.tx_size; ++i) {
      view.tx[i] = bytes[kAucXferHeaderSize + i];
    }
  }
  return view;
}

AucTransfer EncodeAucReply(const AucReply& reply) {
  AucTransfer t;
  const std::size_t body = reply.body_size > kAucMaxBody ? kAucMaxBody : reply.body_size;
  t.size = kAucHeaderSize + body;
  t.bytes[0] = static_cast<std::uint8_t>(t.size);
  t.bytes[1] = reply.transaction;
  t.bytes[2] = reply.session;
  t.bytes[3] = static_cast<std::uint8_t>(reply.result);
  for (std::size_t i = 0; i < body; ++i) {
    t.bytes[kAucHeaderSize + i] = reply.body[i];
  }
  return t;
}

Result<AucReply> DecodeAucReply(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kAucHeaderSize || bytes.size() > kAucPacketSize || bytes[0] != bytes.size()) {
    return Status(StatusCode::kInvalidArgument, "an AUC reply's length byte is its size");
  }
  AucReply reply;
  reply.transaction = bytes[1];
  reply.session = bytes[2];
  reply.result = static_cast<AucResult>(bytes[3]);
  reply.body_size = bytes.size() - kAucHeaderSize;
  for (std::size_t i = 0; i < reply.body_size; ++i) {
    reply.body[i] = bytes[kAucHeaderSize + i];
  }
  return reply;
}

Result<AucInfo> DecodeAucInfo(std::span<const std::uint8_t> body) {
  if (body.size() != 7) {
    return Status(StatusCode::kInvalidArgument, "an AUC INFO reply has 7 bytes");
  }
  return AucInfo{LoadLe16(&body[0]), body[2], body[3], LoadLe16(&body[4]), body[6]};
}

Result<Celsius> AucTemperature(std::uint16_t adc) {
  // The host's arithmetic (§2.2): millivolt-ish integer, then the NTC's resistance.
  const auto value = static_cast<int>(3.3 * adc * 10000 / 1023);
  const double ratio = value == 0 ? 0 : 3.3 * 10000 / value - 1;
  if (value <= 0 || ratio <= 0) {
    return Status(StatusCode::kInvalidArgument, "AUC temperature ADC out of range");
  }
  const double resistance = 10000 / ratio;
  const double inverse = std::log(resistance / 10000) / 3500 + 1 / (25 + 273.15);
  return Celsius{1 / inverse - 273.15};
}

}  // namespace hashrig::hal::protocol::avalon
