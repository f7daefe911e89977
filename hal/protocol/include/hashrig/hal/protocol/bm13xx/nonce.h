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

// Where a chip's nonces lie (§5.1), reading the nonce MSB first (n_be) less the job's
// starting nonce: bits 31-25 name the core; BM1366 and BM1397 stamp the chip address in
// bits 24-17 and count in bits 16-0 (ESP's reading, chip = bits 24-17 / interval, which
// holds for every interval; MUJ-REF drops address bit 0); BM1368 and BM1370 stamp
// nothing and count in bits 24-0 from CHIP_NONCE_OFFSET << 9 (MUJ-REF; the hashrig
// driver writes the offsets, so a chain's chips never share a nonce).
inline constexpr int kCoreShift = 25;
constexpr bool StampsAddress(ChipModel model) {
  return model == ChipModel::kBm1366 || model == ChipModel::kBm1397;
}
constexpr int CounterBits(ChipModel model) { return StampsAddress(model) ? 17 : 25; }
// The CHIP_NONCE_OFFSET value the hashrig driver writes for chip `index` of `chips`.
constexpr std::uint32_t ChipNonceOffset(int index, int chips) {
  return chips > 1 ? static_cast<std::uint32_t>(index) * 65536u / static_cast<std::uint32_t>(chips)
                   : 0;
}
// Where chip `index` of `chips`, at `address`, starts counting (n_be, relative to the job's
// starting nonce) on a chain the hashrig driver configured: its core 0 tests
// starting nonce + this first.
constexpr std::uint32_t ChipNonceBase(ChipModel model, int index, int chips, std::uint8_t address) {
  return StampsAddress(model) ? std::uint32_t{address} << 17 : ChipNonceOffset(index, chips) << 9;
}

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
