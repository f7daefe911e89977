// `usb:VID:PID[#SERIAL]`: a chain behind a USB-UART bridge claimed through libusb (FTDI,
// CP210x, CDC-ACM), or a board running hashrig firmware behind one (probed with Hello).
#include "chain_session.h"
#include "hashrig/hal/usb.h"

namespace hashrig::host {

Error ParseUsb(std::string_view rest, BoardSpec& spec) {
  if (!hal::ParseUsbId(std::string(rest))) {
    return {StatusCode::kInvalidArgument, "expected hex VID:PID, optionally #SERIAL"};
  }
  spec.where = std::string(rest);
  return {};
}

BoardOpener UsbOpener(const BoardSpec& spec, const BoardSettings&) {
  return [id = *hal::ParseUsbId(spec.where)]() -> Expected<OpenedBoard> {
    auto link = hal::OpenUsb(id, 115'200);
    if (!link) {
      return link.error();
    }
    return OpenedBoard{std::move(*link), nullptr, true, std::nullopt};
  };
}

}  // namespace hashrig::host
