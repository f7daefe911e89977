// libFuzzer: arbitrary text as a chip capture (hal/capture.h) — parsed, and when it
// parses, replayed through the BM13xx decoders (hal/replay.h) and written back: the
// written text parses again to the same bursts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "hashrig/hal/capture.h"
#include "hashrig/hal/replay.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto capture = hashrig::hal::ParseCapture(text);
  if (!capture) {
    if (capture.error().message().empty()) {
      std::abort();  // every refusal says why
    }
    return 0;
  }
  (void)hashrig::hal::Replay(*capture);
  std::string again = hashrig::hal::FormatCaptureHeader(*capture);
  for (const auto& burst : capture->bursts) {
    again += hashrig::hal::FormatCaptureBurst(burst);
  }
  const auto reparsed = hashrig::hal::ParseCapture(again);
  if (!reparsed || reparsed->bursts.size() != capture->bursts.size() ||
      reparsed->model != capture->model || reparsed->chips != capture->chips) {
    std::abort();
  }
  for (std::size_t i = 0; i < capture->bursts.size(); ++i) {
    const auto& a = capture->bursts[i];
    const auto& b = reparsed->bursts[i];
    if (a.micros != b.micros || a.to_chips != b.to_chips || a.baud != b.baud ||
        a.bytes != b.bytes) {
      std::abort();
    }
  }
  return 0;
}
