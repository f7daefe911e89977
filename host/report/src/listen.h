// What the cgminer API server and the HTTP server share: opening a listening socket from
// "[ADDRESS:]PORT", and a client's address as the allow rules see it.
#pragma once

#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>
#include <cstdint>
#include <string>

#include "hashrig/base/error.h"

namespace hashrig::host {

// IPv4 as is; an IPv4-mapped IPv6 address as its IPv4 address; ::1 as 127.0.0.1; any other
// IPv6 client as 0.0.0.0 (the allow rules are IPv4 networks).
std::uint32_t Ipv4Of(const boost::asio::ip::address& address);

// Opens, binds and listens `acceptor` on `where` (ParseListenAddress); the bound port.
Expected<std::uint16_t> OpenAcceptor(boost::asio::ip::tcp::acceptor& acceptor,
                                     const std::string& where);

}  // namespace hashrig::host
