// The libusb half of usb.h for UART bridges: claiming one (usb_device.cc), sending the
// control requests of usb_codec.cc and moving bulk data. libusb errors become Error
// values naming the device.
#include <algorithm>

#include "hashrig/hal/usb.h"
#include "usb_device.h"

namespace hashrig::hal {
namespace {

class UsbLink final : public ByteLink {
 public:
  UsbLink(std::unique_ptr<UsbDevice> device, BridgeKind kind)
      : device_(std::move(device)),
        handle_(device_->handle()),
        kind_(kind),
        pid_(device_->descriptor().idProduct),
        ep_(device_->endpoints()),
        name_(device_->name()) {}

  Error Control(const ControlRequest& r) {
    std::vector<std::uint8_t> data = r.data;
    const int rc = libusb_control_transfer(
        handle_, r.request_type, r.request, r.value, r.index, data.empty() ? nullptr : data.data(),
        static_cast<std::uint16_t>(data.size()), kTransferTimeoutMs);
    return FromLibusb(rc < 0 ? rc : 0, name_ + " control request");
  }

  Error Write(std::span<const std::uint8_t> bytes) override {
    int sent = 0;
    std::vector<std::uint8_t> copy(bytes.begin(), bytes.end());
    const int rc = libusb_bulk_transfer(handle_, ep_.out, copy.data(),
                                        static_cast<int>(copy.size()), &sent, kTransferTimeoutMs);
    if (rc == LIBUSB_SUCCESS && static_cast<std::size_t>(sent) != bytes.size()) {
      return {StatusCode::kTimeout, name_ + ": short write"};
    }
    return FromLibusb(rc, name_ + " write");
  }

  Error ReadFor(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout,
                std::size_t& received) override {
    received = 0;
    std::vector<std::uint8_t> raw(std::max<std::size_t>(buffer.size() + 2 * 64, ep_.max_packet));
    int got = 0;
    const int rc =
        libusb_bulk_transfer(handle_, ep_.in, raw.data(), static_cast<int>(raw.size()), &got,
                             static_cast<unsigned>(std::max<long>(1, timeout.count())));
    if (rc != LIBUSB_SUCCESS && rc != LIBUSB_ERROR_TIMEOUT) {
      return FromLibusb(rc, name_ + " read");
    }
    std::span<const std::uint8_t> data(raw.data(), static_cast<std::size_t>(got));
    std::vector<std::uint8_t> stripped;
    if (kind_ == BridgeKind::kFtdi || kind_ == BridgeKind::kFtdiHighSpeed) {
      stripped = StripFtdiStatus(data, ep_.max_packet);
      data = stripped;
    }
    received = std::min(buffer.size(), data.size());
    std::copy(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(received), buffer.begin());
    return {};
  }

  Error SetBaud(std::uint32_t baud) override {
    switch (kind_) {
      case BridgeKind::kFtdi:
      case BridgeKind::kFtdiHighSpeed: {
        const auto r = FtdiBaudRequest(kind_, pid_, baud, 0);
        if (!r) {
          return {StatusCode::kInvalidArgument,
                  name_ + ": " + std::to_string(baud) + " baud is beyond this FTDI chip"};
        }
        return Control(*r);
      }
      case BridgeKind::kCp210x:
        return Control(Cp210xBaudRequest(baud));
      case BridgeKind::kCdcAcm:
        return Control(CdcSetLineCoding(baud, ep_.interface));
      case BridgeKind::kCanaanAuc:  // never a UsbLink (OpenUsb refuses it; see AucLink)
        break;
    }
    return {};
  }

  Error SetReset(bool asserted) override {
    switch (kind_) {
      case BridgeKind::kFtdi:
      case BridgeKind::kFtdiHighSpeed:
        return Control(FtdiModemControl(asserted, 0));
      case BridgeKind::kCp210x:
        return Control(Cp210xModemControl(asserted));
      case BridgeKind::kCdcAcm:
        return Control(CdcControlLineState(asserted, false, ep_.interface));
      case BridgeKind::kCanaanAuc:
        break;
    }
    return {};
  }

  Error Setup(std::uint32_t baud) {
    std::vector<ControlRequest> requests;
    if (kind_ == BridgeKind::kFtdi || kind_ == BridgeKind::kFtdiHighSpeed) {
      requests = FtdiSetupRequests(0);
    } else if (kind_ == BridgeKind::kCp210x) {
      requests = Cp210xSetupRequests(baud);
    }
    for (const ControlRequest& r : requests) {
      if (Error s = Control(r); !s.ok()) {
        return s;
      }
    }
    return SetBaud(baud);
  }

  std::string Describe() const override { return name_; }

 private:
  std::unique_ptr<UsbDevice> device_;
  libusb_device_handle* handle_;
  BridgeKind kind_;
  std::uint16_t pid_;
  Endpoints ep_;
  std::string name_;
};

}  // namespace

Expected<std::unique_ptr<ByteLink>> OpenUsb(const UsbId& id, std::uint32_t baud) {
  const BridgeKind kind = BridgeFor(id.vid, id.pid, 0);
  if (kind == BridgeKind::kCanaanAuc) {
    return Error(StatusCode::kInvalidArgument,
                 UsbName(id) + " is Canaan's AUC (USB to I2C for Avalon modules), not a UART " +
                     "bridge: it is opened as an AUC (OpenAuc)");
  }
  auto device = ClaimUsb(id, FindEndpoints);
  if (!device) {
    return device.error();
  }
  const libusb_device_descriptor& d = (*device)->descriptor();
  auto link = std::make_unique<UsbLink>(std::move(*device),
                                        BridgeFor(d.idVendor, d.idProduct, d.bcdDevice));
  if (Error setup = link->Setup(baud); !setup.ok()) {
    return setup;
  }
  return std::unique_ptr<ByteLink>(std::move(link));
}

Expected<std::vector<std::string>> ListUsbBridges() {
  std::vector<std::string> out;
  libusb_context* context = nullptr;
  if (const int rc = libusb_init(&context); rc != LIBUSB_SUCCESS) {
    return FromLibusb(rc, "libusb");
  }
  libusb_device** list = nullptr;
  const ssize_t count = libusb_get_device_list(context, &list);
  for (ssize_t i = 0; i < count; ++i) {
    libusb_device_descriptor d{};
    if (libusb_get_device_descriptor(list[i], &d) != LIBUSB_SUCCESS) {
      continue;
    }
    const BridgeKind kind = BridgeFor(d.idVendor, d.idProduct, d.bcdDevice);
    const bool cdc = d.bDeviceClass == LIBUSB_CLASS_COMM || d.bDeviceClass == 0xEF;
    if (kind == BridgeKind::kCdcAcm && !cdc) {
      continue;
    }
    out.push_back(Hex4(d.idVendor) + ":" + Hex4(d.idProduct) + " " + std::string(BridgeName(kind)));
  }
  if (count >= 0) {
    libusb_free_device_list(list, 1);
  }
  libusb_exit(context);
  return out;
}

}  // namespace hashrig::hal
