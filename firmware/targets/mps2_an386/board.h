// Board support for the ARM MPS2 AN386 (Cortex-M4, 25 MHz) as QEMU 7.2 models it
// (reference/qemu-firmware.md): register-level CMSDK APB UARTs driven by interrupts into
// ring buffers, SysTick as the clock, the CMSDK watchdog, and semihosting to end a test
// run with a code. Thin on purpose: a production MCU (an STM32F4 behind a USB-UART
// bridge) replaces this folder, not the app.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace hashrig::mps2 {

inline constexpr std::uint32_t kCpuHz = 25'000'000;
inline constexpr int kConsole = 0;    // serial0: log lines
inline constexpr int kHostUart = 1;   // serial1: the board link to the host
inline constexpr int kChainUart = 2;  // serial2: the ASIC chain

void Init();
std::uint64_t Micros();  // since Init

// Non-blocking: what arrived / queue whole or refuse.
std::size_t UartRead(int uart, std::span<std::uint8_t> out);
bool UartWrite(int uart, std::span<const std::uint8_t> bytes);
void UartWriteBlocking(int uart, std::span<const std::uint8_t> bytes);
std::uint32_t UartDropped(int uart);  // received bytes lost to a full ring

void Log(const char* text);  // a line on the console
// A line made of parts (no printf on the MCU).
void Log(const char* a, const char* b, const char* c = "", const char* d = "");
// `value` in decimal into `out` (12 chars), returned for chaining.
const char* Decimal(std::uint32_t value, char (&out)[12]);
void FlushConsole();  // waits until every console byte is out

void WatchdogStart(std::uint32_t millis);
void WatchdogFeed();
void WaitForInterrupt();

[[noreturn]] void Exit(int code);  // semihosting exit (QEMU returns `code`), else reset
// Under a bootloader a fatal error resets the board (which may roll an image back);
// alone, it ends the run through semihosting.
void SetResetOnFatal(bool reset);
[[noreturn]] void Reset();
[[noreturn]] void Fatal(const char* why);

// Interrupt entry points (startup.cc).
void OnSysTick();
void OnUartInterrupt(int uart);
void WatchdogExpired();

}  // namespace hashrig::mps2
