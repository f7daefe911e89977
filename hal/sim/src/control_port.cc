#include "hashrig/hal/sim/control_port.h"

namespace hashrig::hal::sim {
namespace {

// Pages and commands of the V1 protocol (the host's encoder is hal/usb.h bitaxe_raw).
constexpr std::uint8_t kPageI2c = 0x05;
constexpr std::uint8_t kPageGpio = 0x06;
constexpr std::uint8_t kI2cWrite = 0x20;
constexpr std::uint8_t kI2cWriteRead = 0x40;
constexpr std::uint8_t kOk = 0x00;
constexpr std::uint8_t kInvalid = 0x11;
constexpr std::uint8_t kFault = 0x13;

}  // namespace

std::vector<std::uint8_t> ControlPortTwin::Receive(std::span<const std::uint8_t> bytes) {
  pending_.insert(pending_.end(), bytes.begin(), bytes.end());
  std::vector<std::uint8_t> out;
  while (pending_.size() >= 2) {
    const std::size_t length = pending_[0] | static_cast<std::size_t>(pending_[1]) << 8;
    if (length < 6) {
      pending_.erase(pending_.begin());  // not a packet: resynchronise
      continue;
    }
    if (pending_.size() < length) {
      break;
    }
    const std::vector<std::uint8_t> packet(pending_.begin(),
                                           pending_.begin() + static_cast<std::ptrdiff_t>(length));
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(length));
    ++requests;
    if (!silent) {
      for (const std::uint8_t b : Handle(packet)) {
        out.push_back(b);
      }
    }
  }
  return out;
}

std::vector<std::uint8_t> ControlPortTwin::Handle(std::span<const std::uint8_t> packet) {
  const std::uint8_t id = packet[2];
  const std::uint8_t page = packet[4];
  const std::uint8_t command = packet[5];
  const auto data = packet.subspan(6);
  std::vector<std::uint8_t> payload;
  std::uint8_t status = kOk;
  if (page == kPageI2c && command == kI2cWrite && !data.empty()) {
    status = bus.Write(data[0], data.subspan(1)).ok() ? kOk : kFault;
  } else if (page == kPageI2c && command == kI2cWriteRead && data.size() >= 2) {
    payload.resize(data.back());
    status = bus.WriteRead(data[0], data.subspan(1, data.size() - 2), payload).ok() ? kOk : kFault;
  } else if (page == kPageGpio) {
    reset_level = data.empty() ? reset_level : data[0];
    payload = {reset_level};
  } else {
    status = kInvalid;
  }
  if (status != kOk) {
    payload.clear();
  }
  const std::size_t length = 4 + payload.size();
  std::vector<std::uint8_t> reply(length);  // indexed: GCC 12 misreads insert() here
  reply[0] = static_cast<std::uint8_t>(length);
  reply[1] = static_cast<std::uint8_t>(length >> 8);
  reply[2] = id;
  reply[3] = status;
  for (std::size_t i = 0; i < payload.size(); ++i) {
    reply[4 + i] = payload[i];
  }
  return reply;
}

}  // namespace hashrig::hal::sim
