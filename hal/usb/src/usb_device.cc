// Finding, opening and claiming a USB device by VID:PID[:serial]; libusb errors become
// Error values naming the device.
#include "usb_device.h"

#include <array>

namespace hashrig::hal {
namespace {

std::string SerialOf(libusb_device_handle* handle, const libusb_device_descriptor& d) {
  std::array<unsigned char, 128> text{};
  if (d.iSerialNumber == 0 ||
      libusb_get_string_descriptor_ascii(handle, d.iSerialNumber, text.data(), text.size()) < 0) {
    return {};
  }
  return reinterpret_cast<const char*>(text.data());
}

// `device` opened and claimed if it is the one `id` names and `choose` finds its
// endpoints; otherwise nullptr, with `status` saying why when it is worth saying.
std::unique_ptr<UsbDevice> TryClaim(libusb_context* context, libusb_device* device,
                                    const libusb_device_descriptor& d, const UsbId& id,
                                    EndpointChoice choose, Error& status) {
  const std::string name = UsbName(id);
  libusb_device_handle* handle = nullptr;
  if (const int rc = libusb_open(device, &handle); rc != LIBUSB_SUCCESS) {
    status = FromLibusb(rc, name + " open");
    return nullptr;
  }
  if (!Matches(id, d.idVendor, d.idProduct, SerialOf(handle, d))) {
    libusb_close(handle);
    return nullptr;
  }
  const auto endpoints = choose(device);
  if (!endpoints) {
    status = {StatusCode::kNotFound, name + ": not the interface and bulk endpoints expected"};
    libusb_close(handle);
    return nullptr;
  }
  libusb_set_auto_detach_kernel_driver(handle, 1);
  if (const int rc = libusb_claim_interface(handle, endpoints->interface); rc != LIBUSB_SUCCESS) {
    status = FromLibusb(rc, name + " claim interface " + std::to_string(endpoints->interface));
    libusb_close(handle);
    return nullptr;
  }
  return std::make_unique<UsbDevice>(context, handle, *endpoints, d, name);
}

}  // namespace

UsbDevice::~UsbDevice() {
  libusb_release_interface(handle_, endpoints_.interface);
  libusb_close(handle_);
  libusb_exit(context_);
}

std::string Hex4(std::uint16_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  return {kDigits[v >> 12], kDigits[(v >> 8) & 15], kDigits[(v >> 4) & 15], kDigits[v & 15]};
}

std::string UsbName(const UsbId& id) {
  return "usb:" + Hex4(id.vid) + ":" + Hex4(id.pid) + (id.serial.empty() ? "" : "#" + id.serial);
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

Expected<std::unique_ptr<UsbDevice>> ClaimUsb(const UsbId& id, EndpointChoice choose) {
  const std::string name = UsbName(id);
  libusb_context* context = nullptr;
  if (const int rc = libusb_init(&context); rc != LIBUSB_SUCCESS) {
    return FromLibusb(rc, name + ": libusb");
  }
  libusb_device** list = nullptr;
  const ssize_t count = libusb_get_device_list(context, &list);
  Error status(StatusCode::kNotFound, name + ": no such USB device attached");
  std::unique_ptr<UsbDevice> claimed;
  for (ssize_t i = 0; i < count && !claimed; ++i) {
    libusb_device_descriptor d{};
    if (libusb_get_device_descriptor(list[i], &d) == LIBUSB_SUCCESS && d.idVendor == id.vid &&
        d.idProduct == id.pid) {
      claimed = TryClaim(context, list[i], d, id, choose, status);
    }
  }
  if (count >= 0) {
    libusb_free_device_list(list, 1);
  }
  if (!claimed) {
    libusb_exit(context);
    return status;
  }
  return claimed;
}

}  // namespace hashrig::hal
