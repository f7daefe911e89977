// The board support package: everything the app needs from the hardware, behind one
// interface. An MCU target implements it with registers (targets/mps2_an386), host_sim
// with Linux file descriptors and hal/sim, the tests with a fake. Nothing here blocks
// for long: reads return what has arrived, writes queue.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "hashrig/base/units.h"
#include "hashrig/hal/protocol/chain/chip_driver.h"

namespace hashrig::firmware {

using hal::protocol::Micros;

struct PowerReading {
  Volts voltage{};
  Amperes current{};
};

class Bsp {
 public:
  // Monotonic time since power-on.
  virtual Micros Now() = 0;

  // The host link (a USB-UART bridge on real boards): bytes received since the last call,
  // at most out.size(); and bytes to send, queued whole or not at all (false: the link
  // is full or gone, the frame is dropped and counted by the app).
  virtual std::size_t HostRead(std::span<std::uint8_t> out) = 0;
  virtual bool HostWrite(std::span<const std::uint8_t> bytes) = 0;

  // The chain UART and its reset line.
  virtual std::size_t ChainRead(std::span<std::uint8_t> out) = 0;
  virtual void ChainWrite(std::span<const std::uint8_t> bytes) = 0;
  virtual void ChainSetBaud(std::uint32_t baud) = 0;
  virtual void ChainReset(bool asserted) = 0;

  // The hottest chain temperature; empty when the sensor does not answer.
  virtual std::optional<Celsius> Temperature() = 0;
  virtual void SetFan(Percent duty) = 0;
  virtual Rpm FanSpeed() = 0;
  // Core voltage: false if the regulator refused it or is absent.
  virtual bool SetCoreVoltage(Volts voltage) = 0;
  virtual PowerReading ReadPower() = 0;

  // The hardware watchdog: resets the MCU unless fed within its period.
  virtual void FeedWatchdog() = 0;
  // Restarts the board through its bootloader (does not return on an MCU).
  virtual void Reboot() = 0;
  // Sleeps until an interrupt or at most `limit`: the main loop's idle.
  virtual void WaitForEvent(Micros limit) = 0;

 protected:
  Bsp() = default;
  ~Bsp() = default;  // never deleted through this interface (no heap on the MCU)
  Bsp(const Bsp&) = default;
  Bsp& operator=(const Bsp&) = default;
};

}  // namespace hashrig::firmware
