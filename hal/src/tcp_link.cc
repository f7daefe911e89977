// A byte link over TCP: the chain simulator's and the emulated firmware's transport.
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "fd_io.h"
#include "hashrig/hal/link.h"

namespace hashrig::hal {
namespace {

class TcpLink final : public FdLink {
 public:
  TcpLink(int fd, std::string name) : FdLink(fd, std::move(name), true) {}

  Error SetBaud(std::uint32_t) override { return {}; }  // no UART on this side
  Error SetReset(bool) override { return {}; }
  std::string Describe() const override { return name(); }
};

}  // namespace

Expected<std::unique_ptr<ByteLink>> ConnectTcp(const std::string& host, std::uint16_t port,
                                               std::chrono::milliseconds timeout) {
  const std::string name = "tcp:" + host + ":" + std::to_string(port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
      rc != 0) {
    return Error(StatusCode::kNotFound, name + ": " + ::gai_strerror(rc));
  }
  Error status(StatusCode::kUnavailable, name + ": no address answered");
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      continue;
    }
    int error = ETIMEDOUT;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
      error = errno;
    }
    pollfd p{fd, POLLOUT, 0};
    socklen_t len = sizeof error;
    if (error == ETIMEDOUT && ::poll(&p, 1, static_cast<int>(timeout.count())) > 0 &&
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0) {
      error = errno;
    }
    if (error != 0) {
      status = Error(StatusCode::kUnavailable, name + ": " + std::strerror(error));
      ::close(fd);
      continue;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::freeaddrinfo(found);
    return std::unique_ptr<ByteLink>(std::make_unique<TcpLink>(fd, name));
  }
  ::freeaddrinfo(found);
  return status;
}

}  // namespace hashrig::hal
