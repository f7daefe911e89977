#include "hashrig/hal/capture.h"

#include <charconv>
#include <initializer_list>

#include "hashrig/base/hex.h"
#include "hashrig/hal/protocol/chain/chip_driver.h"

namespace hashrig::hal {
namespace {

constexpr std::string_view kMagic = "# hashrig chip capture 1";

// The next space-separated word of `line` (advancing it).
std::string_view Word(std::string_view& line) {
  const auto start = line.find_first_not_of(' ');
  if (start == std::string_view::npos) {
    line = {};
    return {};
  }
  line.remove_prefix(start);
  const auto end = line.find(' ');
  const std::string_view word = line.substr(0, end);
  line.remove_prefix(end == std::string_view::npos ? line.size() : end);
  return word;
}

template <typename T>
bool Number(std::string_view word, T& out) {
  const auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), out);
  return ec == std::errc() && end == word.data() + word.size() && !word.empty();
}

// Text built piece by piece: GCC 12 warns falsely (-Wrestrict) on "a" + b + "c" chains.
std::string Join(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (const std::string_view part : parts) {
    out += part;
  }
  return out;
}

Error Bad(std::size_t line, const std::string& what) {
  return {StatusCode::kInvalidArgument, Join({"line ", std::to_string(line), ": ", what})};
}

Error ParseSetting(std::string_view key, std::string_view value, std::size_t at, Capture& c) {
  if (key == "model") {
    const auto model = protocol::ModelByName(value);
    if (!model) {
      return Bad(at, Join({"unknown chip model '", value, "'"}));
    }
    c.model = *model;
    return {};
  }
  if (key == "baud") {
    if (!Number(value, c.start_baud) || c.start_baud == 0) {
      return Bad(at, Join({"baud: '", value, "' is not a baud rate"}));
    }
    return {};
  }
  if (!Number(value, c.chips) || c.chips < 1 || c.chips > protocol::kMaxChips) {
    return Bad(at, Join({"chips: expected 1..", std::to_string(protocol::kMaxChips)}));
  }
  return {};
}

Error ParseBurst(std::string_view line, std::size_t at, CaptureBurst& burst) {
  const std::string_view time = Word(line);
  const std::string_view direction = Word(line);
  const std::string_view baud = Word(line);
  const std::string_view hex = Word(line);
  if (!Word(line).empty()) {
    return Bad(at, "expected MICROSECONDS >|< BAUD HEX, found more");
  }
  if (!Number(time, burst.micros)) {
    return Bad(at, Join({"'", time, "': expected microseconds"}));
  }
  if (direction != ">" && direction != "<" && direction != "!") {
    return Bad(at, Join({"'", direction,
                         "': expected > (to chips), < (from chips) or ! (nRST released)"}));
  }
  burst.to_chips = direction != "<";
  burst.reset = direction == "!";
  if (!Number(baud, burst.baud) || burst.baud == 0) {
    return Bad(at, Join({"'", baud, "': expected a baud rate"}));
  }
  if (burst.reset) {
    return hex.empty() ? Error{} : Bad(at, "an nRST release (!) carries no bytes");
  }
  if (hex.size() > 2 * kMaxCaptureBurst) {
    return Bad(at, Join({"a burst of more than ", std::to_string(kMaxCaptureBurst), " bytes"}));
  }
  auto bytes = DecodeHex(hex);
  if (!bytes || bytes->empty()) {
    return Bad(at, "expected the burst's bytes in hex");
  }
  burst.bytes = std::move(*bytes);
  return {};
}

}  // namespace

Expected<Capture> ParseCapture(std::string_view text) {
  Capture capture;
  std::size_t at = 0;
  bool magic = false;
  while (!text.empty()) {
    ++at;
    const auto newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (line == kMagic) {
      magic = true;
    } else if (!magic && line.starts_with(kMagic.substr(0, kMagic.size() - 1))) {
      return Bad(at, Join({"chip capture version ", line.substr(kMagic.size() - 1),
                           " is not supported (this build reads version 1)"}));
    }
    if (line.empty() || line.front() == '#') {
      continue;
    }
    if (!magic) {
      return Bad(at, Join({"not a chip capture (the first line must be '", kMagic, "')"}));
    }
    std::string_view rest = line;
    const std::string_view key = Word(rest);
    if (key == "model" || key == "chips" || key == "baud") {
      const std::string_view value = Word(rest);
      if (Error e = ParseSetting(key, value, at, capture); !e.ok()) {
        return e;
      }
      continue;
    }
    CaptureBurst burst;
    if (Error e = ParseBurst(line, at, burst); !e.ok()) {
      return e;
    }
    if (!capture.bursts.empty() && burst.micros < capture.bursts.back().micros) {
      return Bad(at, "time goes backwards");
    }
    capture.bursts.push_back(std::move(burst));
  }
  if (!magic) {
    return Error(StatusCode::kInvalidArgument, "empty: not a chip capture");
  }
  return capture;
}

std::string FormatCaptureHeader(const Capture& capture) {
  constexpr std::string_view kColumns =
      "\n# microseconds  direction (> to chips, < from chips, ! nRST released)  baud  bytes\n";
  const std::string baud =
      capture.start_baud != 0 ? "\nbaud " + std::to_string(capture.start_baud) : "";
  return Join({kMagic, "\nmodel ", protocol::InfoOf(capture.model).name, "\nchips ",
               std::to_string(capture.chips), baud, kColumns});
}

std::string FormatCaptureBurst(const CaptureBurst& burst) {
  if (burst.reset) {
    return Join({std::to_string(burst.micros), " ! ", std::to_string(burst.baud), "\n"});
  }
  return Join({std::to_string(burst.micros), burst.to_chips ? " > " : " < ",
               std::to_string(burst.baud), " ", EncodeHex(burst.bytes), "\n"});
}

}  // namespace hashrig::hal
