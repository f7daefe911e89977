// Serial links. Custom rates (3,125,000 baud) need termios2 with BOTHER; glibc's termios
// cannot express them, so this file talks to the kernel's struct directly.
#include <asm/termbits.h>  // struct termios2, BOTHER, TCGETS2, TCSETS2
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "fd_io.h"
#include "hashrig/hal/link.h"

namespace hashrig::hal {
namespace {

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

class UartLink final : public FdLink {
 public:
  UartLink(int fd, std::string path) : FdLink(fd, std::move(path), false) {}

  Error SetBaud(std::uint32_t baud) override {
    // Let what was written at the old rate leave first (the chips switch after the frame).
    ::ioctl(fd(), TCSBRK, 1);  // tcdrain(), without <termios.h> (it clashes with termios2)
    return SetFdBaud(fd(), baud);
  }

  Error SetReset(bool asserted) override {
    // nRST on DTR, as USB-UART boards wire it (active low: asserted = DTR on).
    int bits = TIOCM_DTR;
    if (::ioctl(fd(), asserted ? TIOCMBIS : TIOCMBIC, &bits) != 0 && errno != ENOTTY &&
        errno != EINVAL) {
      return {StatusCode::kUnavailable, Errno("DTR on " + name())};
    }
    return {};
  }

  std::string Describe() const override { return "serial:" + name(); }
};

}  // namespace

std::uint32_t CurrentBaud(int fd) {
  struct termios2 tio {};
  if (::ioctl(fd, TCGETS2, &tio) != 0) {
    return 0;
  }
  return tio.c_ospeed;
}

Error SetFdBaud(int fd, std::uint32_t baud) {
  struct termios2 tio {};
  if (::ioctl(fd, TCGETS2, &tio) != 0) {
    return {StatusCode::kUnavailable, Errno("TCGETS2")};
  }
  tio.c_cflag &= ~static_cast<tcflag_t>(CBAUD | CSIZE | PARENB | CSTOPB | CRTSCTS);
  tio.c_cflag |= BOTHER | CS8 | CLOCAL | CREAD;
  tio.c_iflag = 0;
  tio.c_oflag = 0;
  tio.c_lflag = 0;
  tio.c_cc[VMIN] = 0;
  tio.c_cc[VTIME] = 0;
  tio.c_ispeed = baud;
  tio.c_ospeed = baud;
  if (::ioctl(fd, TCSETS2, &tio) != 0) {
    return {StatusCode::kInvalidArgument, Errno("set " + std::to_string(baud) + " baud")};
  }
  return {};
}

Expected<std::unique_ptr<ByteLink>> OpenUart(const std::string& path, std::uint32_t baud) {
  const int fd = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    return OpenError(path);
  }
  if (Error set = SetFdBaud(fd, baud); !set.ok()) {
    ::close(fd);
    return set.Context(path);
  }
  return std::unique_ptr<ByteLink>(std::make_unique<UartLink>(fd, path));
}

}  // namespace hashrig::hal
