// A TCP proxy for failure tests: forwards lines between a client and a server on
// loopback and drops the connection when a countdown of forwarded lines runs out, or
// when a line contains a given text. Runs on the caller's io_context.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace hashrig::testing {

class TcpProxy {
 public:
  struct Rules {
    long drop_after_lines = -1;      // lines forwarded (both ways) before dropping; -1 never
    std::string drop_on_text;        // drop when a client line contains this
    long connections_to_break = -1;  // apply the rules to this many connections; -1 all
  };

  TcpProxy(boost::asio::io_context& io, std::uint16_t upstream_port);
  ~TcpProxy();
  std::uint16_t port() const;
  // Rules for the next connections; each connection gets a fresh countdown.
  void SetRules(Rules rules);
  std::size_t connections_seen() const;
  std::size_t drops() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace hashrig::testing
