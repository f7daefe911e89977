// Work for a chain in its model's terms: BM1366/68/70 take the header's fields; BM1397
// takes midstates — one per rolled version, up to four, each the SHA-256 state after the
// header's first 64 bytes (reference bm13xx-protocol.md §4). Freestanding: the caller
// supplies the compression of that first block (the host's sha256 core, or the firmware's
// scalar one), so hal/protocol stays free of a SHA-256 dependency.
#pragma once

#include <array>
#include <cstdint>

#include "hashrig/hal/protocol/chain_driver.h"

namespace hashrig::hal::protocol {

// Writes the SHA-256 state after compressing `block` (64 bytes) from the initial state.
using MidstateFn = void (*)(const std::uint8_t* block, std::array<std::uint32_t, 8>& state);

// The BM1397 job for `header`: `count` midstates of versions rolled within `version_mask`.
MidstateJob MidstateJobFrom(const std::array<std::uint8_t, 80>& header, std::uint32_t version_mask,
                            int count, MidstateFn midstate);

// Queues `header` as work on `driver`, in the form its model takes.
Result<std::uint8_t> SendWork(ChainDriver& driver, const std::array<std::uint8_t, 80>& header,
                              std::uint32_t token, MidstateFn midstate);

}  // namespace hashrig::hal::protocol
