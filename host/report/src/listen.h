// What the cgminer API server and the HTTP server share: listening on "[ADDRESS:]PORT"
// and accepting, and a client's address as the allow rules see it.
#pragma once

#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "hashrig/base/error.h"

namespace hashrig::host {

// IPv4 as is; an IPv4-mapped IPv6 address as its IPv4 address; ::1 as 127.0.0.1; any other
// IPv6 client as 0.0.0.0 (the allow rules are IPv4 networks).
std::uint32_t Ipv4Of(const boost::asio::ip::address& address);

// Accepts connections for a server and hands each socket to it. A failed accept (out of
// file descriptors) is tried again after 100 ms, not in a spin. Made with make_shared
// (its pending accept holds it); Stop ends it.
class Acceptor : public std::enable_shared_from_this<Acceptor> {
 public:
  using OnSocket = std::function<void(boost::asio::ip::tcp::socket)>;
  Acceptor(boost::asio::io_context& io, OnSocket on_socket);
  // `where` as ParseListenAddress reads it; the bound port.
  Expected<std::uint16_t> Listen(const std::string& where);
  void Stop();

 private:
  void Accept();

  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_;
  OnSocket on_socket_;
};

}  // namespace hashrig::host
