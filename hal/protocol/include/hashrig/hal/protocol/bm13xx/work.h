// Work for a chain in its model's terms: BM1366/68/70 take the header's fields; BM1397
// takes midstates — one per rolled version, up to four, each the SHA-256 state after the
// header's first 64 bytes (reference bm13xx-protocol.md §4), on the freestanding core.
#pragma once

#include <array>
#include <cstdint>

#include "hashrig/hal/protocol/bm13xx/frames.h"

namespace hashrig::hal::protocol {

// The BM1397 job for `header`: `count` midstates of versions rolled within `version_mask`.
MidstateJob MidstateJobFrom(const std::array<std::uint8_t, 80>& header, std::uint32_t version_mask,
                            int count);

}  // namespace hashrig::hal::protocol
