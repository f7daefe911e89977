// The units and identities that cross seams (STYLE R3): a bare double or uint32 says
// nothing of its unit or meaning, these do. Freestanding, header-only; each is a plain
// value with `.value` and comparisons, so they cost nothing over the raw number.
#pragma once

#include <compare>
#include <cstdint>

namespace hashrig {

// Temperatures of boards and chips.
struct Celsius {
  double value = 0;
  friend constexpr auto operator<=>(Celsius, Celsius) = default;
};

// A share of something: fan duty, a chip's share of the chain. 0..100.
struct Percent {
  double value = 0;
  friend constexpr auto operator<=>(Percent, Percent) = default;
};

// Chip clocks.
struct Megahertz {
  double value = 0;
  friend constexpr auto operator<=>(Megahertz, Megahertz) = default;
};

// Core voltage and power.
struct Volts {
  double value = 0;
  friend constexpr auto operator<=>(Volts, Volts) = default;
};
struct Amperes {
  double value = 0;
  friend constexpr auto operator<=>(Amperes, Amperes) = default;
};
struct Watts {
  double value = 0;
  friend constexpr auto operator<=>(Watts, Watts) = default;
};

// Fan speed.
struct Rpm {
  double value = 0;
  friend constexpr auto operator<=>(Rpm, Rpm) = default;
};

// Block header fields as the chips and pools name them (host byte order).
struct Nonce {
  std::uint32_t value = 0;
  friend constexpr auto operator<=>(Nonce, Nonce) = default;
};
struct Version {
  std::uint32_t value = 0;
  friend constexpr auto operator<=>(Version, Version) = default;
};

// The scheduler's one identity for a piece of work, from scheduler to chip and back
// (no reverse lookups): chains echo it with every nonce.
struct WorkToken {
  std::uint32_t value = 0;
  friend constexpr auto operator<=>(WorkToken, WorkToken) = default;
};

// A BM13xx chip's address on its chain (reference bm13xx-protocol.md §3.3).
struct ChipAddress {
  std::uint8_t value = 0;
  friend constexpr auto operator<=>(ChipAddress, ChipAddress) = default;
};

}  // namespace hashrig
