#include "hashrig/host/report/snapshot.h"

#include <cstdio>

namespace hashrig::host {

std::string Describe(const ChainStatus& s) {
  std::string out;
  if (s.stop != StopReason::kNone && !Mining(s)) {
    out = std::string("stopped: ") + hal::protocol::ToString(s.stop);
  } else {
    out = hal::protocol::ToString(s.state);
  }
  if (!s.problem.empty()) {
    out += ": ";
    out += s.problem;
  }
  return out;
}

std::string Describe(const ChainTuning& t) {
  std::string out;
  char part[48];
  const auto add = [&out](const char* text) {
    out += out.empty() ? "" : ", ";
    out += text;
  };
  if (t.frequency) {
    std::snprintf(part, sizeof part, "clock %.2f MHz", t.frequency->value);
    add(part);
  }
  if (t.voltage) {
    std::snprintf(part, sizeof part, "core %.3f V", t.voltage->value);
    add(part);
  }
  if (t.target_c) {
    std::snprintf(part, sizeof part, "fan target %.1f C", *t.target_c);
    add(part);
  }
  return out.empty() ? "nothing" : out;
}

std::string FormatHashrate(double h) {
  static constexpr const char* kUnits[] = {"H/s", "kH/s", "MH/s", "GH/s", "TH/s", "PH/s"};
  int unit = 0;
  while (h >= 1000 && unit < 5) {
    h /= 1000;
    ++unit;
  }
  char text[64];
  std::snprintf(text, sizeof text, "%.2f %s", h, kUnits[unit]);
  return text;
}

}  // namespace hashrig::host
