#include "fd_io.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hashrig::hal {

Error WriteAllFd(int fd, std::span<const std::uint8_t> bytes, const std::string& name,
                 bool socket) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, static_cast<int>(kWriteStall.count())) <= 0 ||
        (p.revents & (POLLERR | POLLHUP)) != 0) {
      return {StatusCode::kUnavailable, name + ": write stalled, or the device or peer is gone"};
    }
    const ssize_t n = socket ? ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL)
                             : ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
      return {StatusCode::kUnavailable, name + ": write: " + std::strerror(errno)};
    }
    done += n > 0 ? static_cast<std::size_t>(n) : 0;
  }
  return {};
}

Error ReadFdFor(int fd, std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout,
                std::size_t& received, const std::string& name, bool socket) {
  received = 0;
  pollfd p{fd, POLLIN, 0};
  const int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
  if (ready < 0 && errno != EINTR) {
    return {StatusCode::kUnavailable, name + ": poll: " + std::strerror(errno)};
  }
  if (ready <= 0) {
    return {};
  }
  if ((p.revents & POLLIN) == 0 && (p.revents & (POLLERR | POLLHUP | POLLNVAL)) != 0) {
    return {StatusCode::kUnavailable, name + ": closed or unplugged"};
  }
  const ssize_t n = socket ? ::recv(fd, buffer.data(), buffer.size(), 0)
                           : ::read(fd, buffer.data(), buffer.size());
  if (n == 0) {
    return {StatusCode::kUnavailable, name + ": end of stream (device or peer gone)"};
  }
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) {
      return {};
    }
    return {StatusCode::kUnavailable, name + ": read: " + std::strerror(errno)};
  }
  received = static_cast<std::size_t>(n);
  return {};
}

FdLink::FdLink(int fd, std::string name, bool socket)
    : fd_(fd), name_(std::move(name)), socket_(socket) {}

FdLink::~FdLink() { ::close(fd_); }

Error OpenError(const std::string& path) {
  const int error = errno;
  const std::string what = path + ": " + std::strerror(error);
  switch (error) {
    case ENOENT:
    case ENODEV:
    case ENXIO:
      return {StatusCode::kNotFound, what + " (is the board plugged in and powered?)"};
    case EACCES:
    case EPERM:
      return {StatusCode::kPermission,
              what + " (add the user to group dialout, or install hashrig's udev rules)"};
    case EBUSY:
      return {StatusCode::kBusy, what + " (another program has it open)"};
    default:
      return {StatusCode::kUnavailable, what};
  }
}

}  // namespace hashrig::hal
