// The cgminer API on TCP (default port 4028): one request per connection, answered by
// AnswerApi (api.h) from the miner's snapshot; actions (switchpool, restart, quit...)
// handed to the caller. Every connection has a 2 s deadline; garbage gets the API's own
// error reply and the daemon carries on.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hashrig/host/api.h"
#include "hashrig/pool/result.h"

namespace boost::asio {
class io_context;
}

namespace hashrig::host {

class ApiServer {
 public:
  using SnapshotFn = std::function<ApiSnapshot()>;
  using ActionFn = std::function<void(const ApiAction&)>;

  ApiServer(boost::asio::io_context& io, std::vector<AllowRule> allow, SnapshotFn snapshot,
            ActionFn action);
  ~ApiServer();
  // "PORT" or "ADDRESS:PORT" (default address 127.0.0.1); returns the bound port.
  pool::Result<std::uint16_t> Listen(const std::string& where);
  void Stop();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace hashrig::host
