// HTTP/1.1 on Boost.Beast for the dashboard, its REST API and /metrics (issue 15, point
// 5; it replaced a hand-written one). One request per connection (Connection: close):
// Beast reads the whole request however it arrives in pieces, at most 8 KiB of headers
// and 64 KiB of body (more: 413, or 400 for a request Beast cannot parse), within 10 s;
// at most 64 connections at once (a new one closes the oldest); a failed accept is
// retried after 100 ms. The handler answers on the I/O thread; the action its response
// carries goes to the caller after the response is written.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "hashrig/base/error.h"
#include "hashrig/host/report/web.h"

namespace boost::asio {
class io_context;
}

namespace hashrig::host {

class HttpServer {
 public:
  using Handler = std::function<WebResponse(const WebRequest&)>;
  using ActionFn = std::function<void(const ApiAction&)>;

  HttpServer(boost::asio::io_context& io, Handler handler, ActionFn action);
  ~HttpServer();  // NOLINT(bugprone-exception-escape): only bad_alloc, then terminate
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  // `where` as ParseListenAddress (api_server.h) reads it; returns the bound port. The
  // peer's address reaches the handler as the cgminer API's rules see it (IPv4).
  Expected<std::uint16_t> Listen(const std::string& where);
  void Stop();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace hashrig::host
