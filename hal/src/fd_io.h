// Bounded reads and writes on a file descriptor (serial device or socket), shared by the
// UART and TCP links: a stall or a vanished peer is an Error, never a hang.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>

#include "hashrig/hal/link.h"

namespace hashrig::hal {

inline constexpr std::chrono::milliseconds kWriteStall{2000};

Error WriteAllFd(int fd, std::span<const std::uint8_t> bytes, const std::string& name, bool socket);
Error ReadFdFor(int fd, std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout,
                std::size_t& received, const std::string& name, bool socket);
// A ByteLink on a descriptor it owns (and closes): bounded reads and writes through the
// functions above. The UART and TCP links add what their line can do.
class FdLink : public ByteLink {
 public:
  // `name` is what errors say (a device path, "tcp:HOST:PORT"); `socket`: a peer that
  // can go away (a hang-up is an Error, not the end of data).
  FdLink(int fd, std::string name, bool socket);
  ~FdLink() override;
  FdLink(const FdLink&) = delete;
  FdLink& operator=(const FdLink&) = delete;

  Error Write(std::span<const std::uint8_t> bytes) override {
    return WriteAllFd(fd_, bytes, name_, socket_);
  }
  Error ReadFor(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout,
                std::size_t& received) override {
    return ReadFdFor(fd_, buffer, timeout, received, name_, socket_);
  }

 protected:
  int fd() const { return fd_; }
  const std::string& name() const { return name_; }

 private:
  int fd_;
  std::string name_;
  bool socket_;
};

// errno after a failed open() of `path`, as an Error an operator can act on: a missing
// device is kNotFound, a refused one kPermission with what to do about it.
Error OpenError(const std::string& path);

}  // namespace hashrig::hal
