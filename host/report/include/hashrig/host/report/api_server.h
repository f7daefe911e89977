// One request per TCP connection, as the cgminer API (default port 4028) and a /metrics
// scrape both work: read the whole request, answer it with the responder, close.
// A request may come in pieces: it is read until `complete` says so, nothing more came
// for 100 ms, or it reached 64 KiB (issue 13, point 8; issue 15, point 3). Every
// connection has a 2 s deadline, at most 64 are served at once (more are closed), a
// failed accept is retried after 100 ms. Garbage gets the responder's error reply and
// the daemon carries on. Actions the answer carries (switchpool, restart, quit...) go to
// the caller afterwards.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "hashrig/base/error.h"
#include "hashrig/host/report/api.h"

namespace boost::asio {
class io_context;
}

namespace hashrig::host {

// Where a server listens, from "[ADDRESS:]PORT". A port alone is 127.0.0.1:PORT, loopback
// only; "0.0.0.0:PORT" is every IPv4 interface; "[::]:PORT" every interface, IPv6 and IPv4
// (Linux maps IPv4 clients onto an IPv6 socket); "[::1]:PORT" the IPv6 loopback. Port 0
// asks the system for a free one. Errors: kInvalidArgument naming the text.
struct ListenAddress {
  std::string address;  // IPv4 dotted or IPv6 text, no brackets
  std::uint16_t port = 0;
};
Expected<ListenAddress> ParseListenAddress(std::string_view where);

class ApiServer {
 public:
  // The request and the client's IPv4 address (host order) in, the reply out.
  using Responder = std::function<ApiReply(std::string_view request, std::uint32_t peer)>;
  using ActionFn = std::function<void(const ApiAction&)>;
  // Whether what came so far is a whole request by its syntax.
  using CompleteFn = std::function<bool(std::string_view request)>;

  ApiServer(boost::asio::io_context& io, Responder responder, ActionFn action, CompleteFn complete);
  ~ApiServer();  // NOLINT(bugprone-exception-escape): only bad_alloc, then terminate
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;
  // `where` as ParseListenAddress reads it; returns the bound port. A client's address
  // reaches the responder as IPv4: an IPv4-mapped IPv6 one as its IPv4 address, ::1 as
  // 127.0.0.1, any other IPv6 client as 0.0.0.0 (the allow rules are IPv4 networks).
  Expected<std::uint16_t> Listen(const std::string& where);
  void Stop();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace hashrig::host
