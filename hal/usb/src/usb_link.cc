// The libusb half of usb.h: finding a bridge by VID:PID[:serial], claiming it, sending the
// control requests of usb_codec.cc and moving bulk data. libusb errors become Error
// values naming the device.
#include <libusb.h>

#include <array>

#include "hashrig/hal/usb.h"

namespace hashrig::hal {
namespace {

constexpr unsigned kTransferTimeoutMs = 2000;

std::string Hex4(std::uint16_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  return {kDigits[v >> 12], kDigits[(v >> 8) & 15], kDigits[(v >> 4) & 15], kDigits[v & 15]};
}

Error FromLibusb(int rc, const std::string& what) {
  switch (rc) {
    case LIBUSB_SUCCESS:
      return {};
    case LIBUSB_ERROR_NO_DEVICE:
      return {StatusCode::kUnavailable, what + ": device unplugged"};
    case LIBUSB_ERROR_ACCESS:
      return {StatusCode::kUnavailable, what + ": permission denied (needs a udev rule or root)"};
    case LIBUSB_ERROR_BUSY:
      return {StatusCode::kUnavailable, what + ": in use by another program"};
    case LIBUSB_ERROR_TIMEOUT:
      return {StatusCode::kTimeout, what + ": transfer stalled"};
    case LIBUSB_ERROR_PIPE:
      return {StatusCode::kUnavailable, what + ": endpoint halted"};
    case LIBUSB_ERROR_NOT_FOUND:
      return {StatusCode::kNotFound, what + ": not found"};
    default:
      return {StatusCode::kUnavailable, what + ": " + libusb_error_name(rc)};
  }
}

struct Endpoints {
  int interface = 0;
  std::uint8_t in = 0;
  std::uint8_t out = 0;
  std::size_t max_packet = 64;
};

// The bulk endpoints to use: FTDI/CP210x interface 0; CDC-ACM the last data-class
// interface (bitaxe-raw's second function is the ASIC data port).
std::optional<Endpoints> FindEndpoints(libusb_device* device) {
  libusb_config_descriptor* config = nullptr;
  if (libusb_get_active_config_descriptor(device, &config) != LIBUSB_SUCCESS) {
    return std::nullopt;
  }
  std::optional<Endpoints> found;
  for (int i = 0; i < config->bNumInterfaces; ++i) {
    const libusb_interface_descriptor& alt = config->interface[i].altsetting[0];
    Endpoints e{alt.bInterfaceNumber, 0, 0, 64};
    for (int k = 0; k < alt.bNumEndpoints; ++k) {
      const libusb_endpoint_descriptor& ep = alt.endpoint[k];
      if ((ep.bmAttributes & 3) != LIBUSB_TRANSFER_TYPE_BULK) {
        continue;
      }
      ((ep.bEndpointAddress & 0x80) != 0 ? e.in : e.out) = ep.bEndpointAddress;
      e.max_packet = ep.wMaxPacketSize;
    }
    const bool data =
        alt.bInterfaceClass == LIBUSB_CLASS_DATA || alt.bInterfaceClass == LIBUSB_CLASS_VENDOR_SPEC;
    if (e.in != 0 && e.out != 0 && (data || !found)) {
      found = e;
    }
  }
  libusb_free_config_descriptor(config);
  return found;
}

class UsbLink final : public ByteLink {
 public:
  UsbLink(libusb_context* context, libusb_device_handle* handle, BridgeKind kind, std::uint16_t pid,
          Endpoints endpoints, std::string name)
      : context_(context),
        handle_(handle),
        kind_(kind),
        pid_(pid),
        ep_(endpoints),
        name_(std::move(name)) {}
  ~UsbLink() override {
    libusb_release_interface(handle_, ep_.interface);
    libusb_close(handle_);
    libusb_exit(context_);
  }
  UsbLink(const UsbLink&) = delete;
  UsbLink& operator=(const UsbLink&) = delete;

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
  libusb_context* context_;
  libusb_device_handle* handle_;
  BridgeKind kind_;
  std::uint16_t pid_;
  Endpoints ep_;
  std::string name_;
};

std::string SerialOf(libusb_device_handle* handle, const libusb_device_descriptor& d) {
  std::array<unsigned char, 128> text{};
  if (d.iSerialNumber == 0 ||
      libusb_get_string_descriptor_ascii(handle, d.iSerialNumber, text.data(), text.size()) < 0) {
    return {};
  }
  return reinterpret_cast<const char*>(text.data());
}

}  // namespace

Expected<std::unique_ptr<ByteLink>> OpenUsb(const UsbId& id, std::uint32_t baud) {
  const std::string name =
      "usb:" + Hex4(id.vid) + ":" + Hex4(id.pid) + (id.serial.empty() ? "" : "#" + id.serial);
  libusb_context* context = nullptr;
  if (const int rc = libusb_init(&context); rc != LIBUSB_SUCCESS) {
    return FromLibusb(rc, name + ": libusb");
  }
  libusb_device** list = nullptr;
  const ssize_t count = libusb_get_device_list(context, &list);
  Error status(StatusCode::kNotFound, name + ": no such USB device attached");
  for (ssize_t i = 0; i < count; ++i) {
    libusb_device_descriptor d{};
    if (libusb_get_device_descriptor(list[i], &d) != LIBUSB_SUCCESS || d.idVendor != id.vid ||
        d.idProduct != id.pid) {
      continue;
    }
    libusb_device_handle* handle = nullptr;
    if (const int rc = libusb_open(list[i], &handle); rc != LIBUSB_SUCCESS) {
      status = FromLibusb(rc, name + " open");
      continue;
    }
    const auto endpoints = FindEndpoints(list[i]);
    if (!Matches(id, d.idVendor, d.idProduct, SerialOf(handle, d)) || !endpoints) {
      libusb_close(handle);
      continue;
    }
    libusb_set_auto_detach_kernel_driver(handle, 1);
    if (const int rc = libusb_claim_interface(handle, endpoints->interface); rc != LIBUSB_SUCCESS) {
      status = FromLibusb(rc, name + " claim");
      libusb_close(handle);
      continue;
    }
    auto link =
        std::make_unique<UsbLink>(context, handle, BridgeFor(d.idVendor, d.idProduct, d.bcdDevice),
                                  d.idProduct, *endpoints, name);
    libusb_free_device_list(list, 1);
    if (Error setup = link->Setup(baud); !setup.ok()) {
      return setup;
    }
    return std::unique_ptr<ByteLink>(std::move(link));
  }
  if (count >= 0) {
    libusb_free_device_list(list, 1);
  }
  libusb_exit(context);
  return status;
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
    static constexpr const char* kNames[] = {"ftdi", "ftdi-h", "cp210x", "cdc-acm"};
    out.push_back(Hex4(d.idVendor) + ":" + Hex4(d.idProduct) + " " +
                  kNames[static_cast<int>(kind)]);
  }
  if (count >= 0) {
    libusb_free_device_list(list, 1);
  }
  libusb_exit(context);
  return out;
}

}  // namespace hashrig::hal
