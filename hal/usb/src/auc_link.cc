// The libusb half of usb.h for Canaan's AUC: interface 1 claimed (usb_device.cc), each AUC
// request one bulk OUT transfer on EP 0x01 and each reply one bulk IN packet on EP 0x81,
// cut and trimmed by usb_codec.cc's AucOutTransfers / AucInBytes. The AUC's commands
// themselves (RESET, INIT, XFER, ...) are the driver's; this link only moves them.
#include <algorithm>
#include <array>
#include <vector>

#include "hashrig/hal/usb.h"
#include "usb_device.h"

namespace hashrig::hal {
namespace {

namespace avalon = protocol::avalon;

class AucLink final : public ByteLink {
 public:
  explicit AucLink(std::unique_ptr<UsbDevice> device) : device_(std::move(device)) {}

  // Every request checked before any is sent; then one transfer each, in order.
  Error Write(std::span<const std::uint8_t> bytes) override {
    auto transfers = AucOutTransfers(bytes);
    if (!transfers) {
      return transfers.error().Context(device_->name() + " write");
    }
    for (avalon::AucTransfer& t : *transfers) {
      int sent = 0;
      const int rc =
          libusb_bulk_transfer(device_->handle(), avalon::kAucEndpointOut, t.bytes.data(),
                               static_cast<int>(t.size), &sent, kTransferTimeoutMs);
      if (rc == LIBUSB_SUCCESS && static_cast<std::size_t>(sent) != t.size) {
        return {StatusCode::kTimeout, device_->name() + ": short write"};
      }
      if (rc != LIBUSB_SUCCESS) {
        return FromLibusb(rc, device_->name() + " write");
      }
    }
    return {};
  }

  Error ReadFor(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout,
                std::size_t& received) override {
    received = 0;
    if (pending_.empty()) {
      if (Error read = ReadPacket(timeout); !read.ok()) {
        return read;
      }
    }
    received = std::min(buffer.size(), pending_.size());
    const auto taken = pending_.begin() + static_cast<std::ptrdiff_t>(received);
    std::copy(pending_.begin(), taken, buffer.begin());
    pending_.erase(pending_.begin(), taken);
    return {};
  }

  Error SetBaud(std::uint32_t) override { return {}; }  // the I2C clock is INIT's
  Error SetReset(bool) override { return {}; }          // the AUC has no reset line
  std::string Describe() const override { return device_->name() + " (Canaan AUC)"; }

 private:
  // One bulk IN packet (or none within `timeout`), its framed reply kept in pending_.
  Error ReadPacket(std::chrono::milliseconds timeout) {
    std::array<std::uint8_t, avalon::kAucPacketSize> packet{};
    int got = 0;
    const auto wait = static_cast<unsigned>(std::max<long>(1, timeout.count()));
    const int rc = libusb_bulk_transfer(device_->handle(), avalon::kAucEndpointIn, packet.data(),
                                        static_cast<int>(packet.size()), &got, wait);
    if (rc != LIBUSB_SUCCESS && rc != LIBUSB_ERROR_TIMEOUT) {
      return FromLibusb(rc, device_->name() + " read");
    }
    const auto reply = AucInBytes({packet.data(), static_cast<std::size_t>(got)});
    pending_.assign(reply.begin(), reply.end());
    return {};
  }

  std::unique_ptr<UsbDevice> device_;
  std::vector<std::uint8_t> pending_;  // a reply the caller's buffer has not taken yet
};

// Interface 1 with bulk EP 0x81 in and 0x01 out (§2.1), as the descriptors say.
std::optional<Endpoints> AucEndpoints(libusb_device* device) {
  const auto found = FindEndpoints(device);
  if (!found || found->interface != avalon::kAucInterface || found->in != avalon::kAucEndpointIn ||
      found->out != avalon::kAucEndpointOut) {
    return std::nullopt;
  }
  return found;
}

}  // namespace

Expected<std::unique_ptr<ByteLink>> OpenAuc(const UsbId& id) {
  auto device = ClaimUsb(id, AucEndpoints);
  if (!device) {
    return device.error();
  }
  return std::unique_ptr<ByteLink>(std::make_unique<AucLink>(std::move(*device)));
}

}  // namespace hashrig::hal
