// The simulator's own register, outside every real chip's map: a ticket below difficulty 1.
// A CPU finds 32-zero-bit hashes far too slowly for a demo or a test to see nonces, so
// simulated chips also take a threshold on the hash's top 32 bits — a nonce is reported
// when they are <= the register's value (real chips hard-wire 0). The host's driver
// writes it only through this hook (DriverConfig::sub_one_ticket), only when a ticket
// below 1 was asked for, which is documented as simulator-only (hal/sim/README.md).
#pragma once

#include <cstdint>

#include "hashrig/hal/protocol/bm13xx/driver.h"

namespace hashrig::hal::sim {

inline constexpr std::uint8_t kSimTicketTopWord = 0xF4;

// The register value for `difficulty` (< 1): hashes whose top word is <= T occur with
// probability (T + 1) / 2^32, and difficulty d means T1 / d with T1 = 0xFFFF * 2^208.
std::uint32_t SimTicketTopWord(double difficulty);
// The difficulty a top-word threshold gives.
double SimTicketDifficulty(std::uint32_t top_word);

// The hook for DriverConfig::sub_one_ticket.
extern const protocol::SubOneTicket kSubOneTicket;

}  // namespace hashrig::hal::sim
