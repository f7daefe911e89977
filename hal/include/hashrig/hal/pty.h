// A pseudo-terminal pair: the chain simulator holds the master and exposes the slave's
// path, which a serial driver opens like /dev/ttyUSB0. The simulator also keeps the
// slave open, to read the rate the driver set (a host at the wrong rate gets garbage).
#pragma once

#include <memory>
#include <string>

#include "hashrig/hal/link.h"

namespace hashrig::hal {

class Pty {
 public:
  static Expected<std::unique_ptr<Pty>> Open();
  ~Pty();
  Pty(const Pty&) = delete;
  Pty& operator=(const Pty&) = delete;

  int master_fd() const { return master_; }
  const std::string& slave_path() const { return path_; }
  // The rate the other side last set on the slave.
  std::uint32_t slave_baud() const;

 private:
  Pty(int master, int slave, std::string path);
  int master_;
  int slave_;
  std::string path_;
};

}  // namespace hashrig::hal
