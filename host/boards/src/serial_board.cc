// `serial:PATH[@BAUD]`: a chain on a serial device — a USB-UART bridge's tty, a
// bitaxe-raw data port, or a `hashrig sim` PTY — or a board running hashrig firmware
// behind one (probed with Hello).
#include "chain_session.h"

namespace hashrig::host {

Error ParseSerial(std::string_view rest, BoardSpec& spec) {
  const auto at = rest.find('@');
  spec.where = std::string(rest.substr(0, at));
  if (spec.where.empty()) {
    return {StatusCode::kInvalidArgument, "no device path"};
  }
  if (at != std::string_view::npos) {
    const auto baud = ParseWhole(rest.substr(at + 1));
    if (!baud || *baud < 1200 || *baud > 12'000'000) {
      return {StatusCode::kInvalidArgument, "bad baud rate"};
    }
    spec.baud = static_cast<std::uint32_t>(*baud);
  }
  return {};
}

BoardOpener SerialOpener(const BoardSpec& spec, const BoardSettings&) {
  return [path = spec.where, baud = spec.baud]() -> Expected<OpenedBoard> {
    auto link = hal::OpenUart(path, baud);
    if (!link) {
      return link.error();
    }
    return OpenedBoard{std::move(*link), nullptr, true, std::nullopt};
  };
}

}  // namespace hashrig::host
