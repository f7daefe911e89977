// Byte links to a hashboard: a small interface with timeouts (STYLE R4: ReadFor bounds
// its wait) and the implementations the host uses — UART via termios (any rate,
// including 1,000,000 and 3,125,000 baud), TCP, and the PTY pair the chain simulator
// exposes. Platform errors become Errors (base/error.h) with context, never exceptions.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "hashrig/base/error.h"

namespace hashrig::hal {

class ByteLink {
 public:
  virtual ~ByteLink() = default;
  // Writes every byte, or fails (unplugged, closed, stalled longer than the link allows).
  virtual Error Write(std::span<const std::uint8_t> bytes) = 0;
  // Waits at most `timeout` for data, then returns what arrived (possibly nothing) in
  // `received`. A closed or vanished device is an error, never an endless wait.
  virtual Error ReadFor(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout,
                        std::size_t& received) = 0;
  // The UART rate (links without one accept any rate).
  virtual Error SetBaud(std::uint32_t baud) = 0;
  // The chain's nRST line, where the link has one.
  virtual Error SetReset(bool asserted) = 0;
  virtual std::string Describe() const = 0;
};

// A serial device (/dev/ttyUSB0, /dev/ttyACM0, a PTY slave): 8N1, raw, no flow control.
Expected<std::unique_ptr<ByteLink>> OpenUart(const std::string& path, std::uint32_t baud);
// A TCP byte stream (simulators, firmware under emulation).
Expected<std::unique_ptr<ByteLink>> ConnectTcp(const std::string& host, std::uint16_t port,
                                               std::chrono::milliseconds timeout);

// The rate a serial file descriptor is set to (TCGETS2: exact, also for custom rates).
std::uint32_t CurrentBaud(int fd);
Error SetFdBaud(int fd, std::uint32_t baud);

}  // namespace hashrig::hal
