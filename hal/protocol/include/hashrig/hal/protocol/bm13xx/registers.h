// Typed BM13xx registers: addresses, and the value encodings the chips expect
// (reference bm13xx-protocol.md §3).
#pragma once

#include <cstdint>

#include "hashrig/base/status.h"
#include "hashrig/hal/protocol/bm13xx/chip.h"
#include "hashrig/hal/protocol/bm13xx/frames.h"

namespace hashrig::hal::protocol {

namespace reg {
inline constexpr std::uint8_t kChipId = 0x00;
inline constexpr std::uint8_t kHashRate = 0x04;  // BM1397
inline constexpr std::uint8_t kPll0 = 0x08;
inline constexpr std::uint8_t kChipNonceOffset = 0x0C;
inline constexpr std::uint8_t kHashCountingNumber = 0x10;
inline constexpr std::uint8_t kTicketMask = 0x14;
inline constexpr std::uint8_t kMiscControl = 0x18;
inline constexpr std::uint8_t kOrderedClockEnable = 0x20;
inline constexpr std::uint8_t kFastUart = 0x28;
inline constexpr std::uint8_t kUartRelay = 0x2C;
inline constexpr std::uint8_t kCoreRegisterControl = 0x3C;
inline constexpr std::uint8_t kNonceErrorCounter = 0x4C;
inline constexpr std::uint8_t kAnalogMux = 0x54;
inline constexpr std::uint8_t kIoDriverStrength = 0x58;
inline constexpr std::uint8_t kPll3 = 0x68;
inline constexpr std::uint8_t kPll0Divider = 0x70;
inline constexpr std::uint8_t kDomainCounter0 = 0x88;  // 0x88..0x8B
inline constexpr std::uint8_t kTotalCounter = 0x8C;
inline constexpr std::uint8_t kVersionRolling = 0xA4;
inline constexpr std::uint8_t kSoftReset = 0xA8;
inline constexpr std::uint8_t kAdcControl = 0xB9;
}  // namespace reg

// PLL0: f = 25 MHz x FBDIV / (REFDIV x POSTDIV1 x POSTDIV2).
struct Pll {
  std::uint16_t fbdiv = 0;
  std::uint8_t refdiv = 1;
  std::uint8_t postdiv1 = 1;
  std::uint8_t postdiv2 = 1;

  Megahertz frequency() const;
  Megahertz vco() const;
  friend constexpr bool operator==(const Pll&, const Pll&) = default;
};
// ESP-Miner's solver: REFDIV 2 then 1, POSTDIV1 > POSTDIV2 in 7..1, FBDIV in the model's
// range; least error, then lowest VCO, then smallest post-divider product.
Result<Pll> SolvePll(ChipModel model, Megahertz target);
std::uint32_t PllRegister(ChipModel model, const Pll& pll);
Pll PllFromRegister(ChipModel model, std::uint32_t value);

// TICKET_MASK: report nonces with 32 + N leading zero bits, N = floor(log2(ceil(d))),
// each byte of 2^N - 1 bit-reversed. Only powers of two are possible.
std::uint32_t TicketMaskRegister(double difficulty);
// The difficulty a TICKET_MASK value enforces (a power of two >= 1).
double TicketDifficulty(std::uint32_t register_value);
// Leading zero bits a ticket mask value requires (32 + N).
int TicketZeroBits(std::uint32_t register_value);

// MIDSTATE_CONFIG / version rolling (0xA4): 0x90000000 | (pool_mask >> 13) & 0xFFFF.
std::uint32_t VersionRollingRegister(std::uint32_t pool_mask);
std::uint32_t PoolMaskFromVersionRegister(std::uint32_t value);

// UART rate registers. BM1366+: 0x28 divider in bits 15-8, baud = 25 MHz / (8 x (d + 1)).
// BM1397: 0x18 divider in bits 12-8 (and 27-24), same formula.
std::uint8_t BaudRegisterAddress(ChipModel model);
std::uint32_t FastBaudRegister(ChipModel model);  // ESP's "max baud" value
// The value that, written, puts a chip back at its reset rate (BM1397 switches only on
// writes whose low byte is 0x31, as its init's 0x7A31 does).
std::uint32_t SlowBaudRegister(ChipModel model);
std::uint32_t ResetBaudRegister(ChipModel model);
// The broadcast writes of the baud register that move every chip to its fast rate
// (FastBaudRegister) and back to its reset rate (SlowBaudRegister).
CommandFrame FastRateRequest(ChipModel model);
CommandFrame SlowRateRequest(ChipModel model);
// The chip's UART rate for a value of its baud register.
std::uint32_t ChipBaud(ChipModel model, std::uint32_t value);
// Whether writing `value` to `reg` switches the chip's UART rate (to ChipBaud(value)).
bool SwitchesBaud(ChipModel model, std::uint8_t reg, std::uint32_t value);
// The host rate that talks to a chip at `chip_baud` (hosts use standard rates).
std::uint32_t HostBaudFor(std::uint32_t chip_baud);
// The host rate of a chip at power-on (after nRST): HostBaudFor its reset register's rate.
std::uint32_t PowerOnHostBaud(ChipModel model);

// HASH_COUNTING_NUMBER for full nonce coverage (ESP set_nonce_space, percent 1.0).
std::uint32_t HashCountingNumber(ChipModel model, int chips, Megahertz frequency);

// CORE_REGISTER_CONTROL (0x3C): a write to one core register of all cores or of one.
// Bit 31 all cores, bits 23-16 core id, bit 15 write, bits 12-8 core register, 7-0 value.
struct CoreRegisterWrite {
  bool all_cores = true;
  std::uint8_t core = 0;
  std::uint8_t reg = 0;
  std::uint8_t value = 0;
  friend constexpr bool operator==(const CoreRegisterWrite&, const CoreRegisterWrite&) = default;
};
std::uint32_t EncodeCoreRegister(const CoreRegisterWrite& write);
CoreRegisterWrite DecodeCoreRegister(std::uint32_t word);

// Hash counters (0x4C, 0x88-0x8C) count difficulty-1 units of work (2^32 hashes) and
// wrap at 2^32: hashes per second between two readings `seconds` apart.
double CounterHashrate(std::uint32_t before, std::uint32_t after, double seconds);

// CHIP_ID register value a chip answers with.
std::uint32_t ChipIdRegister(ChipModel model, std::uint8_t address);

}  // namespace hashrig::hal::protocol
