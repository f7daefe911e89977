#include "hashrig/hal/protocol/avalon/generation.h"

namespace hashrig::hal::protocol::avalon {
namespace {

struct PllEntry {
  std::uint8_t generations;
  std::uint16_t mhz;
  std::uint32_t word;
};

// The PLL words the reference prints (§3.5); a table of known points, not the drivers'.
constexpr PllEntry kPllWords[] = {
    {kA7, 600, 0x0133f813},         {kA8 | kLc3 | kA10, 0, 0x04400000},
    {kA8 | kLc3, 25, 0x04000000},   {kA8 | kLc3, 500, 0x009d9761},
    {kA8 | kLc3, 525, 0x009f17c1},  {kA8 | kLc3, 650, 0x00998e61},
    {kA8 | kLc3, 800, 0x009f8fe1},  {kA8 | kLc3, 850, 0x00908421},
    {kA8 | kLc3, 1200, 0x009785e1}, {kA10, 525, 0x009f17c1},
    {kA10, 575, 0x00968da1},
};

}  // namespace

std::optional<std::uint32_t> PllWordFor(Generation generation, Megahertz frequency) {
  for (const PllEntry& entry : kPllWords) {
    if ((entry.generations & Bit(generation)) != 0 && entry.mhz == frequency.value) {
      return entry.word;
    }
  }
  return std::nullopt;
}

std::optional<Megahertz> PllFrequencyOf(Generation generation, std::uint32_t word) {
  for (const PllEntry& entry : kPllWords) {
    if ((entry.generations & Bit(generation)) != 0 && entry.word == word) {
      return Megahertz{static_cast<double>(entry.mhz)};
    }
  }
  return std::nullopt;
}

}  // namespace hashrig::hal::protocol::avalon
