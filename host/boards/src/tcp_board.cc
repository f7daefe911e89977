// `tcp:HOST:PORT`: a chain over TCP (`hashrig sim --listen`, firmware under emulation),
// or a board running hashrig firmware behind it (probed with Hello).
#include "chain_session.h"

namespace hashrig::host {

Error ParseTcp(std::string_view rest, BoardSpec& spec) {
  const auto colon = rest.rfind(':');
  const auto port =
      colon == std::string_view::npos ? std::nullopt : ParseWhole(rest.substr(colon + 1));
  if (colon == 0 || !port || *port == 0 || *port > 65535) {
    return {StatusCode::kInvalidArgument, "expected HOST:PORT with a port 1..65535"};
  }
  spec.where = std::string(rest);
  return {};
}

BoardOpener TcpOpener(const BoardSpec& spec, const BoardSettings&) {
  const auto colon = spec.where.rfind(':');
  return [host = spec.where.substr(0, colon),
          port = static_cast<std::uint16_t>(*ParseWhole(
              std::string_view(spec.where).substr(colon + 1)))]() -> Expected<OpenedBoard> {
    auto link = hal::ConnectTcp(host, port, std::chrono::seconds(5));
    if (!link) {
      return link.error();
    }
    return OpenedBoard{std::move(*link), nullptr, true, std::nullopt};
  };
}

}  // namespace hashrig::host
