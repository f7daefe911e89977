// One request per TCP connection, as the cgminer API (default port 4028) and a /metrics
// scrape both work: read what the client sent, answer it with the responder, close.
// Actions the answer carries (switchpool, restart, quit...) go to the caller afterwards.
// Every connection has a 2 s deadline; garbage gets the responder's error reply and the
// daemon carries on.
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

  ApiServer(boost::asio::io_context& io, Responder responder, ActionFn action);
  ~ApiServer();
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
