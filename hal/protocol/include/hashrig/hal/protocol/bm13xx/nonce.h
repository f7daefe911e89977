// Nonce responses in a model's terms (reference bm13xx-protocol.md §4.3, §5.1): which job
// and small core found it, the rolled version bits, and the chip address bits; and the
// reverse for the chip side, which builds the result header from a job id.
#pragma once

#include <array>
#include <cstdint>

#include "hashrig/hal/protocol/bm13xx/chip.h"
#include "hashrig/hal/protocol/bm13xx/frames.h"

namespace hashrig::hal::protocol {

struct NonceReport {
  std::uint32_t nonce = 0;         // the header nonce (little-endian value)
  std::uint8_t job_id = 0;         // the job byte the host sent
  std::uint8_t small_core = 0;     // BM1397: midstate index
  std::uint8_t core = 0;           // wire byte 2 >> 1
  std::uint8_t address_bits = 0;   // n_be bits 24-17 (ESP: chip = this / interval)
  std::uint32_t version_bits = 0;  // BM1366+: rolled version bits (field << 13)
  std::uint8_t excess = 0;         // byte 6: half-bits of difficulty above the ticket
};

NonceReport DecodeNonce(ChipModel model, const Response& response);

// The job byte that follows `job_id` in ESP's rotation (mod 128).
std::uint8_t NextJobId(ChipModel model, std::uint8_t job_id);
// How many distinct job ids the rotation has (32 for BM1397, else 16).
int JobIdCount(ChipModel model);
// The result header byte a chip sends for a nonce of `job_id` found by `small_core`.
std::uint8_t ResultHeader(ChipModel model, std::uint8_t job_id, std::uint8_t small_core);

// The 80-byte header a nonce of a header job completes (version with the rolled bits).
std::array<std::uint8_t, 80> ReconstructHeader(const HeaderJob& job, std::uint32_t version,
                                               std::uint32_t nonce);

// The job for an 80-byte header (its nonce field ignored): the reverse of the above.
HeaderJob HeaderJobFrom(const std::array<std::uint8_t, 80>& header);

// BM1397 midstate k: the job version with the masked increment applied k times (ESP
// increment_bitmask: add the mask's lowest bit, carrying only across masked bits).
std::uint32_t IncrementVersion(std::uint32_t version, std::uint32_t mask);

}  // namespace hashrig::hal::protocol
