// A chip-link capture (issue 11, point 10): both directions of a BM13xx UART with when
// and at which rate each burst went — what `hashrig sim --record FILE` writes and
// `hashrig replay FILE` reads. Text, one burst a line, so a capture can be read, diffed,
// trimmed and written by hand from a logic-analyser or ESP-Miner log:
//
//   # hashrig chip capture 1
//   model BM1370
//   chips 1
//   baud 115200
//   # microseconds  direction  rate  bytes (hex)
//   1000 > 115200 55aa5209000000a4...
//   1450 < 115200 aa551370000000000005
//   9000 ! 115200
//
// "baud" is the rate the chips listened at when the capture began (optional: without it,
// the rate of the first host burst — a capture cut from the middle of a session).
// ">" is host to chips, "<" chips to host; the rate is the baud the sender used (for the
// host's bytes, the rate the chips heard them at when the sampled PTY rate allowed both).
// "!" is nRST released (bitaxe-raw's GPIO): the chips are back in their power-on state,
// at the rate given; it carries no bytes. Blank lines and lines starting with '#' are
// ignored. Errors name the line and what was wrong.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hashrig/base/error.h"
#include "hashrig/hal/protocol/bm13xx/chip.h"

namespace hashrig::hal {

struct CaptureBurst {
  std::uint64_t micros = 0;  // since the capture began
  bool to_chips = true;      // '>' host to chips; '<' chips to host
  std::uint32_t baud = 0;
  std::vector<std::uint8_t> bytes;
  bool reset = false;  // '!': nRST released, the chips at power-on (no bytes)
};

struct Capture {
  protocol::ChipModel model = protocol::ChipModel::kBm1370;
  int chips = 1;
  std::uint32_t start_baud = 0;  // the chips' rate at the start; 0: the first host burst's
  std::vector<CaptureBurst> bursts;
};

// The capture's text (the format above); a burst of more than kMaxBurst bytes is refused.
inline constexpr std::size_t kMaxCaptureBurst = 65536;
Expected<Capture> ParseCapture(std::string_view text);
std::string FormatCaptureHeader(const Capture& capture);
std::string FormatCaptureBurst(const CaptureBurst& burst);

}  // namespace hashrig::hal
