// `avalon:PATH|tcp:HOST:PORT` and `auc[:#SERIAL|:PATH|:tcp:HOST:PORT]`: Canaan's MM modules,
// as raw 40-byte packets on a byte stream (the simulator's link, reference
// avalon-protocol.md §8b.1) or behind Canaan's AUC — on USB (29f1:33f2, libusb), or its
// framing on a byte stream (`hashrig sim --avalon --auc`).
#include "chain_session.h"
#include "hashrig/hal/usb.h"

namespace hashrig::host {
namespace {

namespace avalon = hal::protocol::avalon;

constexpr std::string_view kTcpPrefix = "tcp:";

// PATH or tcp:HOST:PORT into spec.where.
Error ParseStream(std::string_view rest, BoardSpec& spec) {
  if (rest.substr(0, kTcpPrefix.size()) == kTcpPrefix) {
    if (Error e = ParseTcp(rest.substr(kTcpPrefix.size()), spec); !e.ok()) {
      return e;
    }
    spec.where = std::string(rest);
    return {};
  }
  if (rest.empty()) {
    return {StatusCode::kInvalidArgument, "no device path (or tcp:HOST:PORT)"};
  }
  spec.where = std::string(rest);
  return {};
}

Expected<std::unique_ptr<hal::ByteLink>> OpenStream(const std::string& where) {
  if (std::string_view(where).substr(0, kTcpPrefix.size()) == kTcpPrefix) {
    const std::string host_port = where.substr(kTcpPrefix.size());
    const auto colon = host_port.rfind(':');
    const auto port = ParseWhole(std::string_view(host_port).substr(colon + 1));
    return hal::ConnectTcp(host_port.substr(0, colon), static_cast<std::uint16_t>(*port),
                           std::chrono::seconds(5));
  }
  return hal::OpenUart(where, 115'200);
}

BoardOpener StreamOpener(const std::string& where, avalon::Transport transport) {
  return [where, transport]() -> Expected<OpenedBoard> {
    auto link = OpenStream(where);
    if (!link) {
      return link.error();
    }
    OpenedBoard board{std::move(*link), nullptr, false, std::nullopt};
    board.avalon = transport;
    return board;
  };
}

bool OnUsb(const BoardSpec& spec) { return spec.where.empty() || spec.where[0] == '#'; }

}  // namespace

Error ParseAvalon(std::string_view rest, BoardSpec& spec) { return ParseStream(rest, spec); }

Error ParseAuc(std::string_view rest, BoardSpec& spec) {
  if (rest.empty() || rest[0] == '#') {
    spec.where = std::string(rest);
    return {};
  }
  return ParseStream(rest, spec);
}

BoardOpener AvalonOpener(const BoardSpec& spec, const BoardSettings&) {
  return StreamOpener(spec.where, avalon::Transport::kRaw);
}

BoardOpener AucOpener(const BoardSpec& spec, const BoardSettings&) {
  if (!OnUsb(spec)) {
    return StreamOpener(spec.where, avalon::Transport::kAuc);
  }
  return [serial = spec.where.empty() ? std::string()
                                      : spec.where.substr(1)]() -> Expected<OpenedBoard> {
    hal::UsbId id{avalon::kAucVendorId, avalon::kAucProductId, serial};
    auto link = hal::OpenAuc(id);
    if (!link) {
      return link.error();
    }
    OpenedBoard board{std::move(*link), nullptr, false, std::nullopt};
    board.avalon = avalon::Transport::kAuc;
    return board;
  };
}

}  // namespace hashrig::host
