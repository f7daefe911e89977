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

#include "hashrig/hal/link.h"

namespace hashrig::hal {
namespace {

class TcpLink final : public ByteLink {
 public:
  TcpLink(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  ~TcpLink() override { ::close(fd_); }
  TcpLink(const TcpLink&) = delete;
  TcpLink& operator=(const TcpLink&) = delete;

  LinkStatus Write(std::span<const std::uint8_t> bytes) override {
    std::size_t done = 0;
    while (done < bytes.size()) {
      pollfd p{fd_, POLLOUT, 0};
      if (::poll(&p, 1, 2000) <= 0 || (p.revents & (POLLERR | POLLHUP)) != 0) {
        return {StatusCode::kUnavailable, name_ + ": write stalled or connection closed"};
      }
      const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
      if (n < 0 && errno != EAGAIN && errno != EINTR) {
        return {StatusCode::kUnavailable, name_ + ": " + std::strerror(errno)};
      }
      done += n > 0 ? static_cast<std::size_t>(n) : 0;
    }
    return {};
  }

  LinkStatus ReadFor(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout,
                     std::size_t& received) override {
    received = 0;
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (ready <= 0) {
      return {};
    }
    const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
    if (n == 0) {
      return {StatusCode::kUnavailable, name_ + ": connection closed by the peer"};
    }
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) {
        return {};
      }
      return {StatusCode::kUnavailable, name_ + ": " + std::strerror(errno)};
    }
    received = static_cast<std::size_t>(n);
    return {};
  }

  LinkStatus SetBaud(std::uint32_t) override { return {}; }  // no UART on this side
  LinkStatus SetReset(bool) override { return {}; }
  std::string Describe() const override { return name_; }

 private:
  int fd_;
  std::string name_;
};

}  // namespace

std::unique_ptr<ByteLink> ConnectTcp(const std::string& host, std::uint16_t port,
                                     std::chrono::milliseconds timeout, LinkStatus& status) {
  const std::string name = "tcp:" + host + ":" + std::to_string(port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
      rc != 0) {
    status = {StatusCode::kNotFound, name + ": " + ::gai_strerror(rc)};
    return nullptr;
  }
  status = {StatusCode::kUnavailable, name + ": no address answered"};
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
      status = {StatusCode::kUnavailable, name + ": " + std::strerror(error)};
      ::close(fd);
      continue;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::freeaddrinfo(found);
    status = {};
    return std::make_unique<TcpLink>(fd, name);
  }
  ::freeaddrinfo(found);
  return nullptr;
}

}  // namespace hashrig::hal
