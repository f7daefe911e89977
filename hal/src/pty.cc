#include "hashrig/hal/pty.h"

#include <fcntl.h>
#include <stdlib.h>  // posix_openpt, grantpt, unlockpt, ptsname_r
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "fd_io.h"

namespace hashrig::hal {

Expected<std::unique_ptr<Pty>> Pty::Open() {
  const int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  char name[128] = {};
  if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0 ||
      ::ptsname_r(master, name, sizeof name) != 0) {
    Error error(StatusCode::kUnavailable,
                std::string("cannot make a PTY: ") + std::strerror(errno));
    if (master >= 0) {
      ::close(master);
    }
    return error;
  }
  const int slave = ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) {
    Error error = OpenError(name);
    ::close(master);
    return error;
  }
  (void)SetFdBaud(slave, 115'200);  // raw mode, the chips' reset rate
  ::fcntl(master, F_SETFL, ::fcntl(master, F_GETFL) | O_NONBLOCK);
  return std::unique_ptr<Pty>(new Pty(master, slave, name));
}

Pty::Pty(int master, int slave, std::string path)
    : master_(master), slave_(slave), path_(std::move(path)) {}

Pty::~Pty() {
  ::close(slave_);
  ::close(master_);
}

std::uint32_t Pty::slave_baud() const { return CurrentBaud(slave_); }

}  // namespace hashrig::hal
