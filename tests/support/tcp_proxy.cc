#include "support/tcp_proxy.h"

#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>

namespace hashrig::testing {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;

}  // namespace

struct TcpProxy::State : std::enable_shared_from_this<TcpProxy::State> {
  State(asio::io_context& io_context, std::uint16_t upstream)
      : io(io_context),
        acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        upstream_port(upstream) {}

  struct Link : std::enable_shared_from_this<Link> {
    Link(asio::io_context& io, tcp::socket c, Rules r, std::shared_ptr<State> s)
        : client(std::move(c)), server(io), rules(std::move(r)), state(std::move(s)) {}

    void Start(std::uint16_t port) {
      auto self = shared_from_this();
      server.async_connect({asio::ip::make_address("127.0.0.1"), port},
                           [self](const error_code& ec) {
                             if (ec) {
                               return self->Drop();
                             }
                             self->Pump(self->client, self->server, self->from_client, true);
                             self->Pump(self->server, self->client, self->from_server, false);
                           });
    }

    void Pump(tcp::socket& from, tcp::socket& to, asio::streambuf& buf, bool client_side) {
      auto self = shared_from_this();
      asio::async_read_until(
          from, buf, '\n',
          [self, &from, &to, &buf, client_side](const error_code& ec, std::size_t n) {
            if (ec || self->dropped) {
              return self->Drop();
            }
            const auto begin = asio::buffers_begin(buf.data());
            auto line =
                std::make_shared<std::string>(begin, begin + static_cast<std::ptrdiff_t>(n));
            buf.consume(n);
            const bool text_hit = client_side && !self->rules.drop_on_text.empty() &&
                                  line->find(self->rules.drop_on_text) != std::string::npos;
            if (text_hit || self->rules.drop_after_lines == 0) {
              return self->Drop();
            }
            if (self->rules.drop_after_lines > 0) {
              --self->rules.drop_after_lines;
            }
            asio::async_write(
                to, asio::buffer(*line),
                [self, line, &from, &to, &buf, client_side](const error_code& e, std::size_t) {
                  if (e) {
                    return self->Drop();
                  }
                  self->Pump(from, to, buf, client_side);
                });
          });
    }

    void Drop() {
      if (dropped) {
        return;
      }
      dropped = true;
      ++state->drops;
      error_code ignored;
      client.close(ignored);
      server.close(ignored);
    }

    tcp::socket client;
    tcp::socket server;
    asio::streambuf from_client;
    asio::streambuf from_server;
    Rules rules;
    std::shared_ptr<State> state;
    bool dropped = false;
  };

  void Accept() {
    auto self = shared_from_this();
    acceptor.async_accept([self](const error_code& ec, tcp::socket socket) {
      if (ec) {
        return;
      }
      ++self->connections;
      Rules link_rules = self->rules;
      if (link_rules.connections_to_break == 0) {
        link_rules = Rules{};
      } else if (link_rules.connections_to_break > 0) {
        --self->rules.connections_to_break;
      }
      auto link = std::make_shared<Link>(self->io, std::move(socket), link_rules, self);
      link->Start(self->upstream_port);
      self->Accept();
    });
  }

  asio::io_context& io;
  tcp::acceptor acceptor;
  std::uint16_t upstream_port;
  Rules rules;
  std::size_t connections = 0;
  std::size_t drops = 0;
};

TcpProxy::TcpProxy(asio::io_context& io, std::uint16_t upstream_port)
    : state_(std::make_shared<State>(io, upstream_port)) {
  state_->Accept();
}

TcpProxy::~TcpProxy() {
  error_code ignored;
  state_->acceptor.close(ignored);
}

std::uint16_t TcpProxy::port() const { return state_->acceptor.local_endpoint().port(); }
void TcpProxy::SetRules(Rules rules) { state_->rules = std::move(rules); }
std::size_t TcpProxy::connections_seen() const { return state_->connections; }
std::size_t TcpProxy::drops() const { return state_->drops; }

}  // namespace hashrig::testing
