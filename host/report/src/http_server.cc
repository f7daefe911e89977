#include "hashrig/host/report/http_server.h"

#include "listen.h"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <deque>
#include <exception>
#include <optional>

namespace hashrig::host {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;
using tcp = asio::ip::tcp;

constexpr auto kHttpDeadline = std::chrono::seconds(10);
constexpr std::uint32_t kMaxHeader = 8 * 1024;
constexpr std::uint64_t kMaxBody = 64 * 1024;
constexpr std::size_t kHttpMaxConnections = 64;

const char* Reason(int status) {
  return http::obsolete_reason(static_cast<http::status>(status)).data();
}

}  // namespace

struct HttpServer::State : std::enable_shared_from_this<HttpServer::State> {
  State(asio::io_context& io_context, Handler h, ActionFn a)
      : io(io_context), handler(std::move(h)), action(std::move(a)) {}

  struct Connection {
    explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    http::request_parser<http::string_body> parser;
    http::response<http::string_body> response;
    ApiAction action;
  };

  void Serve(const std::shared_ptr<Connection>& c) {
    std::erase_if(live, [](const std::weak_ptr<Connection>& w) { return w.expired(); });
    while (live.size() >= kHttpMaxConnections) {
      if (auto oldest = live.front().lock()) {
        Close(*oldest);
      }
      live.pop_front();
    }
    live.push_back(c);
    c->parser.header_limit(kMaxHeader);
    c->parser.body_limit(kMaxBody);
    c->stream.expires_after(kHttpDeadline);
    auto self = shared_from_this();
    http::async_read(c->stream, c->buffer, c->parser,
                     [self, c](const error_code& ec, std::size_t) { self->OnRequest(c, ec); });
  }

  void OnRequest(const std::shared_ptr<Connection>& c, const error_code& ec) {
    if (ec == http::error::body_limit || ec == http::error::header_limit) {
      return Respond(c, Plain(413, "request too large (headers 8 KiB, body 64 KiB at most)\n"));
    }
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset) {
      return Close(*c);
    }
    if (ec) {
      return Respond(c, Plain(400, "bad request: " + ec.message() + "\n"));
    }
    const auto& req = c->parser.get();
    WebRequest request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    request.body = req.body();
    request.cookie = std::string(req[http::field::cookie]);
    request.csrf = std::string(req["X-CSRF-Token"]);
    error_code peer_error;
    const auto peer = c->stream.socket().remote_endpoint(peer_error);
    request.peer = peer_error ? 0 : Ipv4Of(peer.address());
    WebResponse response;
    try {
      response = handler(request);
    } catch (const std::exception& e) {  // a fault of ours: the client hears it, we go on
      response = Plain(500, std::string("internal error: ") + e.what() + "\n");
    }
    c->action = response.action;
    c->response.version(req.version());
    Respond(c, std::move(response), req.method() == http::verb::head);
  }

  static WebResponse Plain(int status, std::string text) {
    WebResponse r;
    r.status = status;
    r.content_type = "text/plain; charset=utf-8";
    r.body = std::move(text);
    return r;
  }

  // HEAD: the headers GET would have (its Content-Length too), no body.
  void Respond(const std::shared_ptr<Connection>& c, WebResponse response, bool head = false) {
    auto& res = c->response;
    if (res.version() == 0) {
      res.version(11);
    }
    res.result(static_cast<unsigned>(response.status));
    res.reason(Reason(response.status));
    res.set(http::field::server, "hashrig");
    res.set(http::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) {
      res.insert(name, value);
    }
    res.body() = std::move(response.body);
    res.keep_alive(false);
    res.prepare_payload();
    if (head) {
      res.body().clear();
    }
    c->stream.expires_after(kHttpDeadline);
    auto self = shared_from_this();
    http::async_write(c->stream, res, [self, c](const error_code&, std::size_t) {
      self->Close(*c);
      if (c->action.kind != ApiAction::Kind::kNone) {
        self->action(c->action);
      }
    });
  }

  static void Close(Connection& c) {
    error_code ignored;
    c.stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    c.stream.socket().close(ignored);
  }

  asio::io_context& io;
  std::shared_ptr<Acceptor> acceptor;
  Handler handler;
  ActionFn action;
  std::deque<std::weak_ptr<Connection>> live;  // oldest first
};

HttpServer::HttpServer(asio::io_context& io, Handler handler, ActionFn action)
    : state_(std::make_shared<State>(io, std::move(handler), std::move(action))) {}

HttpServer::~HttpServer() { Stop(); }  // NOLINT(bugprone-exception-escape)

Expected<std::uint16_t> HttpServer::Listen(const std::string& where) {
  std::weak_ptr<State> state = state_;
  state_->acceptor = std::make_shared<Acceptor>(state_->io, [state](tcp::socket socket) {
    if (auto self = state.lock()) {
      self->Serve(std::make_shared<State::Connection>(std::move(socket)));
    }
  });
  return state_->acceptor->Listen(where);
}

void HttpServer::Stop() {
  if (state_->acceptor) {
    state_->acceptor->Stop();
  }
}

}  // namespace hashrig::host
