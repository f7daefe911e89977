#include "hashrig/hal/sim/control_port.h"

namespace hashrig::hal::sim {

namespace raw = protocol::bitaxe_raw;

std::vector<std::uint8_t> ControlPortTwin::Receive(std::span<const std::uint8_t> bytes) {
  std::vector<std::uint8_t> out;
  for (const std::uint8_t b : bytes) {
    decoder_.Push(b);
    while (auto request = decoder_.Next()) {
      ++requests;
      if (silent) {
        continue;
      }
      const raw::Packet reply = raw::Encode(Handle(*request));
      out.insert(out.end(), reply.bytes.begin(),
                 reply.bytes.begin() + static_cast<std::ptrdiff_t>(reply.size));
    }
  }
  return out;
}

raw::Reply ControlPortTwin::Handle(const raw::Request& request) {
  raw::Reply reply{request.id, raw::kOk, {}};
  const auto data = request.data.span();
  if (request.page == raw::kPageI2c && request.command == raw::kI2cWrite && !data.empty()) {
    reply.status = bus.Write(data[0], data.subspan(1)).ok() ? raw::kOk : raw::kFault;
  } else if (request.page == raw::kPageI2c && request.command == raw::kI2cWriteRead &&
             data.size() >= 2 && data.back() <= raw::kMaxData) {
    reply.data.size = data.back();
    const auto in = std::span(reply.data.bytes).first(reply.data.size);
    reply.status =
        bus.WriteRead(data[0], data.subspan(1, data.size() - 2), in).ok() ? raw::kOk : raw::kFault;
  } else if (request.page == raw::kPageGpio) {
    reset_level = data.empty() ? reset_level : data[0];
    reply.data.bytes[0] = reset_level;
    reply.data.size = 1;
  } else {
    reply.status = raw::kInvalid;
  }
  if (reply.status != raw::kOk) {
    reply.data.size = 0;
  }
  return reply;
}

}  // namespace hashrig::hal::sim
