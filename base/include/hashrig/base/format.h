// Numbers in words for logs and reports (hosted only).
#pragma once

#include <time.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace hashrig {

// A share or ticket difficulty with its significant digits, however small: 29588,
// 0.0234, 0.00195312, 1e-08 — never "0.0000" (issue 13, point 4).
inline std::string FormatDifficulty(double difficulty) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", difficulty);
  return text;
}

// `t` in UTC to the millisecond, as the log writes it: 2026-11-30T10:15:08.616Z.
inline std::string FormatUtcMillis(std::chrono::system_clock::time_point t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()) % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[64];
  std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(millis.count()));
  return stamp;
}

}  // namespace hashrig
