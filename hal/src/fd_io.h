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
// errno after a failed open() of `path`, as an Error an operator can act on: a missing
// device is kNotFound, a refused one kPermission with what to do about it.
Error OpenError(const std::string& path);

}  // namespace hashrig::hal
