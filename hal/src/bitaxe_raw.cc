#include "hashrig/hal/bitaxe_raw.h"

#include <array>

#include "hashrig/hal/usb.h"

namespace hashrig::hal {

Error BitaxeRawControl::Transact(std::uint8_t page, std::uint8_t command,
                                 std::span<const std::uint8_t> data,
                                 std::vector<std::uint8_t>& reply,
                                 std::chrono::milliseconds timeout) {
  const std::uint8_t id = next_id_++;
  if (Error s = control_.Write(bitaxe_raw::Packet(id, page, command, data)); !s.ok()) {
    return s;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::string error;
    while (auto r = bitaxe_raw::ParseReplyV1(pending_, error)) {
      if (r->id != id) {
        continue;  // a late reply to an earlier request
      }
      if (r->status != 0) {
        return {StatusCode::kFailedPrecondition, control_.Describe() +
                                                     ": bitaxe-raw refused the request (status " +
                                                     std::to_string(r->status) + ")"};
      }
      reply = std::move(r->data);
      return {};
    }
    std::array<std::uint8_t, 256> buffer{};
    std::size_t received = 0;
    if (Error s = control_.ReadFor(buffer, std::chrono::milliseconds(10), received); !s.ok()) {
      return s;
    }
    pending_.insert(pending_.end(), buffer.begin(),
                    buffer.begin() + static_cast<std::ptrdiff_t>(received));
  }
  return {StatusCode::kTimeout, control_.Describe() + ": no bitaxe-raw reply within " +
                                    std::to_string(timeout.count()) + " ms"};
}

Error BitaxeRawControl::SetAsicReset(bool asserted) {
  const std::uint8_t level[] = {static_cast<std::uint8_t>(asserted ? 0 : 1)};
  std::vector<std::uint8_t> reply;
  return Transact(bitaxe_raw::kPageGpio, bitaxe_raw::kGpioAsicReset, level, reply);
}

Status BitaxeRawI2c::Write(std::uint8_t address, std::span<const std::uint8_t> bytes) {
  std::vector<std::uint8_t> data = {address};
  data.insert(data.end(), bytes.begin(), bytes.end());
  std::vector<std::uint8_t> reply;
  if (!control_.Transact(bitaxe_raw::kPageI2c, bitaxe_raw::kI2cWrite, data, reply).ok()) {
    return Status(StatusCode::kUnavailable, "bitaxe-raw I2C write failed");
  }
  return {};
}

Status BitaxeRawI2c::WriteRead(std::uint8_t address, std::span<const std::uint8_t> out,
                               std::span<std::uint8_t> in) {
  std::vector<std::uint8_t> data = {address};
  data.insert(data.end(), out.begin(), out.end());
  data.push_back(static_cast<std::uint8_t>(in.size()));
  std::vector<std::uint8_t> reply;
  if (!control_.Transact(bitaxe_raw::kPageI2c, bitaxe_raw::kI2cWriteRead, data, reply).ok() ||
      reply.size() != in.size()) {
    return Status(StatusCode::kUnavailable, "bitaxe-raw I2C read failed");
  }
  std::copy(reply.begin(), reply.end(), in.begin());
  return {};
}

}  // namespace hashrig::hal
