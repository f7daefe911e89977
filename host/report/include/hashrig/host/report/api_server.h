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
  // "PORT" or "ADDRESS:PORT" (default address 127.0.0.1); returns the bound port.
  Expected<std::uint16_t> Listen(const std::string& where);
  void Stop();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace hashrig::host
