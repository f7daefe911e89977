#include "hashrig/host/report/api_server.h"

#include "listen.h"

#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange without it

#include <array>
#include <boost/asio.hpp>
#include <chrono>
#include <deque>

#include <charconv>

namespace hashrig::host {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;

// A request arrives in pieces (TCP segments): more is read until the request is complete
// by its syntax, or nothing more came for kQuiet (a plain "summary" has no terminator),
// or it is kMaxRequest long; the whole exchange has kDeadline.
constexpr auto kDeadline = std::chrono::seconds(2);
constexpr auto kQuiet = std::chrono::milliseconds(100);
constexpr std::size_t kMaxRequest = 64 * 1024;
// Connections served at once; a new one beyond closes the oldest (1,000 idle clients
// cost a little and keep no one else out for long).
constexpr std::size_t kMaxConnections = 64;

}  // namespace

struct ApiServer::State : std::enable_shared_from_this<ApiServer::State> {
  State(asio::io_context& io_context, Responder r, ActionFn a, CompleteFn c)
      : io(io_context), responder(std::move(r)), action(std::move(a)), complete(std::move(c)) {}

  // One client: its socket, what it sent so far, its deadline and quiet timers.
  struct Client {
    Client(asio::io_context& io, tcp::socket s) : socket(std::move(s)), deadline(io), quiet(io) {}
    tcp::socket socket;
    std::string request;
    std::array<char, 4096> chunk{};
    asio::steady_timer deadline;
    asio::steady_timer quiet;
    bool answered = false;
  };

  void Serve(const std::shared_ptr<Client>& client) {
    std::erase_if(live, [](const std::weak_ptr<Client>& c) { return c.expired(); });
    while (connections >= kMaxConnections && !live.empty()) {
      if (auto oldest = live.front().lock()) {
        Close(*oldest);
      }
      live.pop_front();
    }
    live.push_back(client);
    ++connections;
    auto self = shared_from_this();
    client->deadline.expires_after(kDeadline);
    client->deadline.async_wait([self, client](const error_code& ec) {
      if (!ec) {
        self->Close(*client);  // a client that never finishes (or never reads) is dropped
      }
    });
    Read(client);
  }

  void Read(const std::shared_ptr<Client>& client) {
    auto self = shared_from_this();
    client->socket.async_read_some(
        asio::buffer(client->chunk), [self, client](const error_code& ec, std::size_t n) {
          if (ec) {  // EOF: answer what came (a client that sent, then shut down)
            return ec == asio::error::eof && !client->request.empty() ? self->Answer(client)
                                                                      : self->Close(*client);
          }
          client->request.append(client->chunk.data(), n);
          if (client->request.size() >= kMaxRequest || self->complete(client->request)) {
            return self->Answer(client);
          }
          client->quiet.expires_after(kQuiet);
          client->quiet.async_wait([self, client](const error_code& e) {
            if (!e) {
              self->Answer(client);
            }
          });
          self->Read(client);
        });
  }

  void Answer(const std::shared_ptr<Client>& client) {
    if (std::exchange(client->answered, true) || !client->socket.is_open()) {
      return;
    }
    client->quiet.cancel();
    client->request.resize(std::min(client->request.size(), kMaxRequest));
    error_code peer_error;
    const auto peer = client->socket.remote_endpoint(peer_error);
    const std::uint32_t address = peer_error ? 0 : Ipv4Of(peer.address());
    auto reply = std::make_shared<ApiReply>(responder(client->request, address));
    auto self = shared_from_this();
    asio::async_write(client->socket, asio::buffer(reply->bytes),
                      [self, client, reply](const error_code&, std::size_t) {
                        self->Close(*client);
                        if (reply->action.kind != ApiAction::Kind::kNone) {
                          self->action(reply->action);
                        }
                      });
  }

  void Close(Client& client) {
    if (!client.socket.is_open()) {
      return;
    }
    client.deadline.cancel();
    client.quiet.cancel();
    error_code ignored;
    client.socket.shutdown(tcp::socket::shutdown_both, ignored);
    client.socket.close(ignored);
    --connections;
  }

  asio::io_context& io;
  std::shared_ptr<Acceptor> acceptor;
  Responder responder;
  ActionFn action;
  CompleteFn complete;
  std::size_t connections = 0;
  std::deque<std::weak_ptr<Client>> live;  // oldest first
};

ApiServer::ApiServer(asio::io_context& io, Responder responder, ActionFn action,
                     CompleteFn complete)
    : state_(std::make_shared<State>(io, std::move(responder), std::move(action),
                                     std::move(complete))) {}

ApiServer::~ApiServer() {
  Stop();
}  // NOLINT(bugprone-exception-escape): close() takes an error_code

Expected<std::uint16_t> ApiServer::Listen(const std::string& where) {
  std::weak_ptr<State> state = state_;
  state_->acceptor = std::make_shared<Acceptor>(state_->io, [state](tcp::socket socket) {
    if (auto self = state.lock()) {
      self->Serve(std::make_shared<State::Client>(self->io, std::move(socket)));
    }
  });
  return state_->acceptor->Listen(where);
}

void ApiServer::Stop() {
  if (state_->acceptor) {
    state_->acceptor->Stop();
  }
}

}  // namespace hashrig::host
