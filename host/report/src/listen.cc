#include "listen.h"

#include <charconv>

#include "hashrig/host/report/api_server.h"

namespace hashrig::host {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;

}  // namespace

std::uint32_t Ipv4Of(const asio::ip::address& address) {
  if (address.is_v4()) {
    return address.to_v4().to_uint();
  }
  const auto v6 = address.to_v6();
  if (v6.is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_uint();
  }
  return v6.is_loopback() ? asio::ip::address_v4::loopback().to_uint() : 0;
}

Expected<ListenAddress> ParseListenAddress(std::string_view where) {
  const auto invalid = [where] {
    // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on "'" + text + "...".
    std::string message = "'";
    message += where;
    message += "': expected [ADDRESS:]PORT (4028, 0.0.0.0:4028, [::]:4028)";
    return Error(StatusCode::kInvalidArgument, std::move(message));
  };
  const auto colon = where.rfind(':');
  std::string_view address = colon == std::string_view::npos ? "127.0.0.1" : where.substr(0, colon);
  const std::string_view port_text =
      colon == std::string_view::npos ? where : where.substr(colon + 1);
  if (address.size() >= 2 && address.front() == '[' && address.back() == ']') {
    address = address.substr(1, address.size() - 2);
  } else if (address.find(':') != std::string_view::npos) {
    return invalid();  // an IPv6 address takes brackets: "[::1]:4028"
  }
  error_code ec;
  const auto ip = asio::ip::make_address(address, ec);
  unsigned port = 0;
  const auto [end, parse_error] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec || port_text.empty() || parse_error != std::errc() ||
      end != port_text.data() + port_text.size() || port > 65535) {
    return invalid();
  }
  return ListenAddress{ip.to_string(), static_cast<std::uint16_t>(port)};
}

namespace {
constexpr auto kAcceptRetry = std::chrono::milliseconds(100);
}  // namespace

Acceptor::Acceptor(asio::io_context& io, OnSocket on_socket)
    : acceptor_(io), retry_(io), on_socket_(std::move(on_socket)) {}

Expected<std::uint16_t> Acceptor::Listen(const std::string& where) {
  const auto parsed = ParseListenAddress(where);
  if (!parsed) {
    return parsed.error();
  }
  error_code ec;
  const tcp::endpoint endpoint(asio::ip::make_address(parsed->address, ec), parsed->port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) {
    acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    acceptor_.bind(endpoint, ec);
  }
  if (!ec) {
    acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    return Error(StatusCode::kUnavailable, "cannot listen on " + where + ": " + ec.message());
  }
  Accept();
  return acceptor_.local_endpoint().port();
}

void Acceptor::Stop() {
  error_code ignored;
  acceptor_.close(ignored);
  retry_.cancel(ignored);
}

void Acceptor::Accept() {
  auto self = shared_from_this();
  acceptor_.async_accept([self](const error_code& ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) {
      return;
    }
    if (ec) {  // e.g. EMFILE: try again a little later instead of spinning
      self->retry_.expires_after(kAcceptRetry);
      self->retry_.async_wait([self](const error_code& e) {
        if (!e) {
          self->Accept();
        }
      });
      return;
    }
    self->on_socket_(std::move(socket));
    self->Accept();
  });
}

}  // namespace hashrig::host
