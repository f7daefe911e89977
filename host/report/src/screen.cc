#include "hashrig/host/report/screen.h"

#include <cstdio>

namespace hashrig::host {
namespace {

std::string Format(const char* format, auto... values) {
  char line[256];
  std::snprintf(line, sizeof line, format, values...);
  return line;
}

}  // namespace

std::string RenderScreen(const MinerSnapshot& s, const std::vector<std::string>& recent_log) {
  std::string out = "\033[H\033[2J";
  out += Format(
      "hashrig %s   up %.0f s   %.2f GH/s (5s)  %.2f GH/s (avg)   A:%llu R:%llu S:%llu HW:%llu\n\n",
      s.version.c_str(), s.elapsed_s, s.hashrate_5s / 1e9, s.hashrate_avg / 1e9,
      static_cast<unsigned long long>(s.accepted), static_cast<unsigned long long>(s.rejected),
      static_cast<unsigned long long>(s.stale), static_cast<unsigned long long>(s.hardware_errors));
  out += "POOL  STATUS    ACTIVE  ACCEPTED  REJECTED  URL\n";
  for (std::size_t i = 0; i < s.pools.size(); ++i) {
    const PoolSnapshot& p = s.pools[i];
    out += Format("%4zu  %-8s  %-6s  %8llu  %8llu  %s\n", i,
                  !p.enabled ? "disabled"
                  : p.alive  ? "alive"
                             : "dead",
                  p.active ? "yes" : "", static_cast<unsigned long long>(p.accepted),
                  static_cast<unsigned long long>(p.rejected), p.url.c_str());
  }
  out += "\nCHAIN  STATUS        CHIPS   MHz    TEMP    FAN   MH/s (5s)  HW\n";
  for (const ChainSnapshot& c : s.chains) {
    const ChainStatus& st = c.status;
    const std::string temp = st.temperature  ? Format("%5.1f", st.temperature->value)
                             : st.has_sensor ? std::string("   --")
                                             : std::string("   no");
    const std::string fan = st.fan ? Format("%3.0f%%", st.fan->value) : std::string("   -");
    out += Format("%-5s  %-12.12s  %5d  %5.0f  %s  %s  %10.2f  %llu\n", c.name.c_str(),
                  Describe(st).c_str(), st.chips, st.frequency.value, temp.c_str(), fan.c_str(),
                  c.hashrate_5s / 1e6, static_cast<unsigned long long>(c.hardware_errors));
    std::string chips;
    for (const ChipCounters& chip : st.chip_counters) {
      chips += Format(" %02x:%llu%s", chip.address.value,
                      static_cast<unsigned long long>(chip.nonces), chip.alive ? "" : "(dead)");
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
