// Wall-clock time as pools and block headers count it: whole seconds since the Unix
// epoch (UTC). ntime, job timestamps and the Noise certificate's validity window use it.
#pragma once

#include <chrono>
#include <cstdint>

namespace hashrig {

inline std::int64_t UnixSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace hashrig
