// What the libusb links share (usb_link.cc's UART bridges, auc_link.cc's AUC): libusb
// errors as Errors naming the device, and finding, opening and claiming a device by its
// UsbId. Private to hal_usb.
#pragma once

#include <libusb.h>

#include <memory>
#include <optional>
#include <string>

#include "hashrig/hal/usb.h"

namespace hashrig::hal {

// Write stalls longer than this are kTimeout.
inline constexpr unsigned kTransferTimeoutMs = 2000;

struct Endpoints {
  int interface = 0;
  std::uint8_t in = 0;
  std::uint8_t out = 0;
  std::size_t max_packet = 64;
};

// An opened device with its interface claimed; released, closed and libusb ended when
// destroyed.
class UsbDevice {
 public:
  UsbDevice(libusb_context* context, libusb_device_handle* handle, Endpoints endpoints,
            const libusb_device_descriptor& descriptor, std::string name)
      : context_(context),
        handle_(handle),
        endpoints_(endpoints),
        descriptor_(descriptor),
        name_(std::move(name)) {}
  ~UsbDevice();
  UsbDevice(const UsbDevice&) = delete;
  UsbDevice& operator=(const UsbDevice&) = delete;

  libusb_device_handle* handle() const { return handle_; }
  const Endpoints& endpoints() const { return endpoints_; }
  const libusb_device_descriptor& descriptor() const { return descriptor_; }
  const std::string& name() const { return name_; }

 private:
  libusb_context* context_;
  libusb_device_handle* handle_;
  Endpoints endpoints_;
  libusb_device_descriptor descriptor_;
  std::string name_;
};

// "usb:VID:PID" or "usb:VID:PID#SERIAL", lower-case hex.
std::string UsbName(const UsbId& id);
std::string Hex4(std::uint16_t v);
// Success for LIBUSB_SUCCESS; otherwise "what: why" (unplugged is kUnavailable, a
// stalled transfer kTimeout).
Error FromLibusb(int rc, const std::string& what);

// The bulk endpoints to use: FTDI/CP210x interface 0; CDC-ACM (and the AUC, a CDC
// device) the last data-class interface.
std::optional<Endpoints> FindEndpoints(libusb_device* device);

// The endpoints a link uses on `device`, or nullopt when it has none such.
using EndpointChoice = std::optional<Endpoints> (*)(libusb_device* device);
// The first attached device matching `id` that `choose` accepts, opened, with its
// interface claimed (a kernel driver on it detached). kNotFound when none is attached.
Expected<std::unique_ptr<UsbDevice>> ClaimUsb(const UsbId& id, EndpointChoice choose);

}  // namespace hashrig::hal
