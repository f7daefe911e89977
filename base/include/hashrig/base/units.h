// The units and identities that cross seams (STYLE R3): a bare double or uint32 says
// nothing of its unit or meaning, these do. Freestanding, header-only; each is a plain
// value with `.value` and comparisons, distinct from the others, so it costs nothing over
// the raw number and cannot be mixed up with another.
#pragma once

#include <compare>
#include <cstdint>

namespace hashrig {

template <typename Tag, typename T = double>
struct Quantity {
  T value{};
  friend constexpr auto operator<=>(const Quantity&, const Quantity&) = default;
};

using Celsius = Quantity<struct CelsiusTag>;      // board and chip temperatures
using Percent = Quantity<struct PercentTag>;      // fan duty, shares of a whole: 0..100
using Megahertz = Quantity<struct MegahertzTag>;  // chip clocks
using Volts = Quantity<struct VoltsTag>;          // core voltage
using Amperes = Quantity<struct AmperesTag>;
using Watts = Quantity<struct WattsTag>;
using Rpm = Quantity<struct RpmTag>;  // fan speed

// Block header fields as the chips and pools name them (host byte order).
using Nonce = Quantity<struct NonceTag, std::uint32_t>;
using Version = Quantity<struct VersionTag, std::uint32_t>;

// The scheduler's one identity for a piece of work, from scheduler to chip and back
// (no reverse lookups): chains echo it with every nonce.
using WorkToken = Quantity<struct WorkTokenTag, std::uint32_t>;

// A BM13xx chip's address on its chain (reference bm13xx-protocol.md §3.3).
using ChipAddress = Quantity<struct ChipAddressTag, std::uint8_t>;

}  // namespace hashrig
