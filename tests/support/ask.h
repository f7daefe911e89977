// One request/answer exchange over TCP as fleet tools make it (cgminer API, a Prometheus
// scrape): connect to 127.0.0.1:port, send, read to EOF. A server that hangs up early
// (a request it refuses to read whole) gives what it answered, or nothing.
#pragma once

#include <cstdint>
#include <string>

#include <boost/asio.hpp>

namespace hashrig::testing {

inline std::string AskApi(std::uint16_t port, const std::string& request) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  boost::system::error_code ec;
  boost::asio::write(socket, boost::asio::buffer(request), ec);
  std::string reply;
  boost::asio::read(socket, boost::asio::dynamic_buffer(reply), ec);
  return reply;
}

}  // namespace hashrig::testing
