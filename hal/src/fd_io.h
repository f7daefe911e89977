// Bounded reads and writes on a file descriptor (serial device or socket), shared by the
// UART and TCP links: a stall or a vanished peer is a LinkStatus, never a hang.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>

#include "hashrig/hal/link.h"

namespace hashrig::hal {

inline constexpr std::chrono::milliseconds kWriteStall{2000};

LinkStatus WriteAllFd(int fd, std::span<const std::uint8_t> bytes, const std::string& name,
                      bool socket);
LinkStatus ReadFdFor(int fd, std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout,
                     std::size_t& received, const std::string& name, bool socket);

}  // namespace hashrig::hal
