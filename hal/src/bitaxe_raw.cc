#include "hashrig/hal/bitaxe_raw.h"

#include <array>
#include <string>

namespace hashrig::hal {

Expected<bitaxe_raw::Data> BitaxeRawControl::Transact(std::uint8_t page, std::uint8_t command,
                                                      std::span<const std::uint8_t> data,
                                                      std::chrono::milliseconds timeout) {
  bitaxe_raw::Request request{next_id_++, page, command, {}};
  if (!request.data.Assign(data)) {
    return Error(StatusCode::kInvalidArgument,
                 "bitaxe-raw request over " + std::to_string(bitaxe_raw::kMaxData) + " bytes");
  }
  if (Error s = control_.Write(bitaxe_raw::Encode(request).span()); !s.ok()) {
    return s;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // Past the deadline, what already arrived is read once more before it is judged: a
  // thread run again only after it (a loaded host) found the reply waiting and called
  // it missing.
  for (bool last = false;;) {
    while (auto r = decoder_.Next()) {
      if (r->id != request.id) {
        continue;  // a late reply to an earlier request
      }
      if (r->status != bitaxe_raw::kOk) {
        return Error(StatusCode::kFailedPrecondition,
                     control_.Describe() + ": bitaxe-raw refused the request (status " +
                         std::to_string(r->status) + ")");
      }
      return r->data;
    }
    if (last) {
      break;
    }
    last = std::chrono::steady_clock::now() >= deadline;
    std::array<std::uint8_t, 256> buffer{};
    std::size_t received = 0;
    const auto wait = last ? std::chrono::milliseconds(0) : std::chrono::milliseconds(10);
    if (Error s = control_.ReadFor(buffer, wait, received); !s.ok()) {
      return s;
    }
    for (std::size_t i = 0; i < received; ++i) {
      decoder_.Push(buffer[i]);
    }
  }
  return Error(StatusCode::kTimeout, control_.Describe() + ": no bitaxe-raw reply within " +
                                         std::to_string(timeout.count()) + " ms");
}

Error BitaxeRawControl::SetAsicReset(bool asserted) {
  const std::uint8_t level[] = {static_cast<std::uint8_t>(asserted ? 0 : 1)};
  const auto reply = Transact(bitaxe_raw::kPageGpio, bitaxe_raw::kGpioAsicReset, level);
  return reply ? Error() : reply.error();
}

namespace {

// Why a bitaxe-raw I2C transfer failed, in the freestanding Status the device drivers
// take (a string literal each): no reply in time, a refusal, or a link that failed.
Status I2cFailure(const Error& why, bool read) {
  static_assert(BitaxeRawControl::kReplyTimeout == std::chrono::seconds(1),
                "the messages below name the reply timeout");
  switch (why.code()) {
    case StatusCode::kTimeout:
      return Status(StatusCode::kTimeout, read ? "bitaxe-raw I2C read: no reply within 1 s"
                                               : "bitaxe-raw I2C write: no reply within 1 s");
    case StatusCode::kFailedPrecondition:
      return Status(StatusCode::kUnavailable,
                    read ? "bitaxe-raw refused the I2C read" : "bitaxe-raw refused the I2C write");
    default:
      return Status(StatusCode::kUnavailable,
                    read ? "bitaxe-raw I2C read failed: control link error"
                         : "bitaxe-raw I2C write failed: control link error");
  }
}

}  // namespace

Status BitaxeRawI2c::Write(std::uint8_t address, std::span<const std::uint8_t> bytes) {
  std::array<std::uint8_t, bitaxe_raw::kMaxData> data{};
  if (bytes.size() + 1 > data.size()) {
    return Status(StatusCode::kInvalidArgument, "I2C write too long for bitaxe-raw");
  }
  data[0] = address;
  std::copy(bytes.begin(), bytes.end(), data.begin() + 1);
  const auto reply = control_.Transact(bitaxe_raw::kPageI2c, bitaxe_raw::kI2cWrite,
                                       std::span(data).first(bytes.size() + 1));
  if (!reply) {
    return I2cFailure(reply.error(), false);
  }
  return {};
}

Status BitaxeRawI2c::WriteRead(std::uint8_t address, std::span<const std::uint8_t> out,
                               std::span<std::uint8_t> in) {
  std::array<std::uint8_t, bitaxe_raw::kMaxData> data{};
  if (out.size() + 2 > data.size() || in.size() > 255) {
    return Status(StatusCode::kInvalidArgument, "I2C transfer too long for bitaxe-raw");
  }
  data[0] = address;
  std::copy(out.begin(), out.end(), data.begin() + 1);
  data[out.size() + 1] = static_cast<std::uint8_t>(in.size());
  const auto reply = control_.Transact(bitaxe_raw::kPageI2c, bitaxe_raw::kI2cWriteRead,
                                       std::span(data).first(out.size() + 2));
  if (!reply) {
    return I2cFailure(reply.error(), true);
  }
  if (reply->size != in.size()) {
    return Status(StatusCode::kMismatch, "bitaxe-raw I2C read: a reply of the wrong length");
  }
  std::copy(reply->bytes.begin(), reply->bytes.begin() + static_cast<std::ptrdiff_t>(in.size()),
            in.begin());
  return {};
}

}  // namespace hashrig::hal
