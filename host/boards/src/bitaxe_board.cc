// `bitaxe:DATA:CONTROL`: a Bitaxe-class board through bitaxe-raw — the chain on the data
// tty, the EMC2101 (fan, the ASIC's temperature) and the chain's nRST on the control tty;
// the host runs the firmware's thermal policy on it and sets the core voltage at its TPS546.
#include "chain_session.h"

namespace hashrig::host {

Error ParseBitaxe(std::string_view rest, BoardSpec& spec) {
  const auto colon = rest.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == rest.size()) {
    return {StatusCode::kInvalidArgument, "expected the data tty and the control tty"};
  }
  spec.where = std::string(rest.substr(0, colon));
  spec.control = std::string(rest.substr(colon + 1));
  return {};
}

BoardOpener BitaxeOpener(const BoardSpec& spec, const BoardSettings& settings) {
  return [data = spec.where, control = spec.control,
          volts = settings.core_voltage]() -> Expected<OpenedBoard> {
    auto link = hal::OpenUart(data, 115'200);
    if (!link) {
      return link.error();
    }
    auto control_link = hal::OpenUart(control, 115'200);
    if (!control_link) {
      return control_link.error().Context("control port");
    }
    auto peripherals = hal::OpenBitaxeRawBoard(std::move(*control_link), volts);
    if (!peripherals) {
      return peripherals.error();
    }
    return OpenedBoard{std::move(*link), std::move(*peripherals), false, std::nullopt};
  };
}

}  // namespace hashrig::host
