// Numbers in words for logs and reports (hosted only).
#pragma once

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

}  // namespace hashrig
