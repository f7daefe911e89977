#include "hashrig/host/screen.h"

#include <cstdio>

namespace hashrig::host {
namespace {

std::string Format(const char* format, auto... values) {
  char line[256];
  std::snprintf(line, sizeof line, format, values...);
  return line;
}

}  // namespace

std::string RenderScreen(const ApiSnapshot& s, const std::vector<std::string>& recent_log) {
  std::string out = "\033[H\033[2J";
  out += Format(
      "hashrig %s   up %.0f s   %.2f GH/s (5s)  %.2f GH/s (avg)   A:%llu R:%llu S:%llu HW:%llu\n\n",
      s.version.c_str(), s.elapsed_s, s.mhs_5s / 1000, s.mhs_av / 1000,
      static_cast<unsigned long long>(s.accepted), static_cast<unsigned long long>(s.rejected),
      static_cast<unsigned long long>(s.stale), static_cast<unsigned long long>(s.hardware_errors));
  out += "POOL  STATUS    ACTIVE  ACCEPTED  REJECTED  URL\n";
  for (std::size_t i = 0; i < s.pools.size(); ++i) {
    const ApiPool& p = s.pools[i];
    out += Format("%4zu  %-8s  %-6s  %8llu  %8llu  %s\n", i,
                  !p.enabled ? "disabled"
                  : p.alive  ? "alive"
                             : "dead",
                  p.active ? "yes" : "", static_cast<unsigned long long>(p.accepted),
                  static_cast<unsigned long long>(p.rejected), p.url.c_str());
  }
  out += "\nCHAIN  STATUS        CHIPS   MHz    TEMP  FAN   MH/s (5s)  HW\n";
  for (const ApiChain& c : s.chains) {
    out += Format("%-5s  %-12s  %5d  %5.0f  %5.1f  %3d%%  %10.2f  %llu\n", c.name.c_str(),
                  c.status.c_str(), c.chips, c.frequency_mhz, c.temperature, c.fan_percent,
                  c.mhs_5s, static_cast<unsigned long long>(c.hardware_errors));
    std::string chips;
    for (const ApiChip& chip : c.chip_stats) {
      chips += Format(" %02x:%llu%s", chip.address, static_cast<unsigned long long>(chip.nonces),
                      chip.alive ? "" : "(dead)");
    }
    if (!chips.empty()) {
      out += "       chips (address:nonces)" + chips + "\n";
    }
  }
  if (!recent_log.empty()) {
    out += "\n";
    for (const std::string& line : recent_log) {
      out += line + "\n";
    }
  }
  return out;
}

}  // namespace hashrig::host
