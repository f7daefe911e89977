#include "hashrig/host/report/api_server.h"

#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange without it

#include <array>
#include <boost/asio.hpp>
#include <chrono>

#include <charconv>

namespace hashrig::host {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;

constexpr auto kDeadline = std::chrono::seconds(2);

}  // namespace

struct ApiServer::State : std::enable_shared_from_this<ApiServer::State> {
  State(asio::io_context& io_context, Responder r, ActionFn a)
      : io(io_context), acceptor(io), responder(std::move(r)), action(std::move(a)) {}

  void Accept() {
    auto self = shared_from_this();
    acceptor.async_accept([self](const error_code& ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !self->acceptor.is_open()) {
        return;
      }
      if (!ec) {
        self->Serve(std::make_shared<tcp::socket>(std::move(socket)));
      }
      self->Accept();
    });
  }

  void Serve(const std::shared_ptr<tcp::socket>& socket) {
    auto buffer = std::make_shared<std::array<char, 4096>>();
    auto deadline = std::make_shared<asio::steady_timer>(io, kDeadline);
    deadline->async_wait([socket](const error_code& ec) {
      if (!ec) {
        error_code ignored;
        socket->close(ignored);  // a client that never sends (or never reads) is dropped
      }
    });
    auto self = shared_from_this();
    socket->async_read_some(asio::buffer(*buffer), [self, socket, buffer, deadline](
                                                       const error_code& ec, std::size_t n) {
      if (ec) {
        deadline->cancel();
        return;
      }
      error_code peer_error;
      const auto peer = socket->remote_endpoint(peer_error);
      const std::uint32_t address =
          !peer_error && peer.address().is_v4() ? peer.address().to_v4().to_uint() : 0;
      auto reply =
          std::make_shared<ApiReply>(self->responder(std::string_view(buffer->data(), n), address));
      asio::async_write(*socket, asio::buffer(reply->bytes),
                        [self, socket, reply, deadline](const error_code&, std::size_t) {
                          deadline->cancel();
                          error_code ignored;
                          socket->shutdown(tcp::socket::shutdown_both, ignored);
                          socket->close(ignored);
                          if (reply->action.kind != ApiAction::Kind::kNone) {
                            self->action(reply->action);
                          }
                        });
    });
  }

  asio::io_context& io;
  tcp::acceptor acceptor;
  Responder responder;
  ActionFn action;
};

ApiServer::ApiServer(asio::io_context& io, Responder responder, ActionFn action)
    : state_(std::make_shared<State>(io, std::move(responder), std::move(action))) {}

ApiServer::~ApiServer() {
  Stop();
}  // NOLINT(bugprone-exception-escape): close() takes an error_code

Expected<std::uint16_t> ApiServer::Listen(const std::string& where) {
  const auto colon = where.rfind(':');
  const std::string address = colon == std::string::npos ? "127.0.0.1" : where.substr(0, colon);
  const std::string port_text = colon == std::string::npos ? where : where.substr(colon + 1);
  error_code ec;
  const auto ip = asio::ip::make_address(address, ec);
  unsigned port = 70000;
  const auto [end, parse_error] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (parse_error != std::errc() || end != port_text.data() + port_text.size()) {
    port = 70000;
  }
  if (ec || port > 65535) {
    return Error(StatusCode::kInvalidArgument, "'" + where + "': expected [ADDRESS:]PORT");
  }
  const tcp::endpoint endpoint(ip, static_cast<std::uint16_t>(port));
  auto& acceptor = state_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) {
    acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    acceptor.bind(endpoint, ec);
  }
  if (!ec) {
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    return Error(StatusCode::kUnavailable, "cannot listen on " + where + ": " + ec.message());
  }
  state_->Accept();
  return acceptor.local_endpoint().port();
}

void ApiServer::Stop() {
  error_code ignored;
  state_->acceptor.close(ignored);
}

}  // namespace hashrig::host
