#include "hashrig/host/report/metrics.h"

#include <cstdio>
#include <optional>

#include "hashrig/base/hex.h"

namespace hashrig::host {
namespace {

// The length of the UTF-8 sequence at `text[i]`, 0 when it is not one (stray or overlong
// bytes, surrogates, beyond U+10FFFF).
std::size_t Utf8Length(const std::string& text, std::size_t i) {
  const auto byte = [&text](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  const std::size_t n = lead < 0x80                    ? 1
                        : lead >= 0xC2 && lead <= 0xDF ? 2
                        : lead >= 0xE0 && lead <= 0xEF ? 3
                        : lead >= 0xF0 && lead <= 0xF4 ? 4
                                                       : 0;
  if (n == 0 || i + n > text.size()) {
    return 0;
  }
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      return 0;
    }
  }
  const unsigned char second = n > 1 ? byte(i + 1) : 0;
  if ((lead == 0xE0 && second < 0xA0) || (lead == 0xED && second > 0x9F) ||
      (lead == 0xF0 && second < 0x90) || (lead == 0xF4 && second > 0x8F)) {
    return 0;
  }
  return n;
}

std::string Escape(const std::string& raw) {
  std::string value;  // valid UTF-8: each bad byte is U+FFFD
  for (std::size_t i = 0; i < raw.size();) {
    const std::size_t n = Utf8Length(raw, i);
    value += n == 0 ? std::string("\xEF\xBF\xBD") : raw.substr(i, n);
    i += n == 0 ? 1 : n;
  }
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Number(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

class Writer {
 public:
  void Family(const char* name, const char* type, const char* help) {
    out_ += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  }
  void Sample(const char* name, const std::string& labels, double value) {
    // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on "{" + labels + "}".
    out_ += name;
    if (!labels.empty()) {
      out_ += '{';
      out_ += labels;
      out_ += '}';
    }
    out_ += ' ';
    out_ += Number(value);
    out_ += '\n';
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

std::string Label(const char* key, const std::string& value) {
  return std::string(key) + "=\"" + Escape(value) + "\"";
}

double Count(std::uint64_t n) { return static_cast<double>(n); }

void RenderMiner(Writer& w, const MinerSnapshot& s) {
  w.Family("hashrig_uptime_seconds", "gauge", "Seconds since the miner started.");
  w.Sample("hashrig_uptime_seconds", "", s.elapsed_s);
  w.Family("hashrig_hashrate_hashes_per_second", "gauge",
           "Hashrate from difficulty-weighted verified nonces, by averaging window.");
  for (const auto& [window, rate] : {std::pair{"5s", s.hashrate_5s},
                                     {"1m", s.hashrate_1m},
                                     {"5m", s.hashrate_5m},
                                     {"15m", s.hashrate_15m},
                                     {"avg", s.hashrate_avg}}) {
    w.Sample("hashrig_hashrate_hashes_per_second", Label("window", window), rate);
  }
  w.Family("hashrig_shares_total", "counter",
           "Shares by the pool's verdict (lost: never answered; discarded: never sent).");
  for (const auto& [result, n] : {std::pair{"accepted", s.accepted},
                                  {"rejected", s.rejected},
                                  {"stale", s.stale},
                                  {"lost", s.lost},
                                  {"discarded", s.discarded}}) {
    w.Sample("hashrig_shares_total", Label("result", result), Count(n));
  }
  w.Family("hashrig_share_difficulty_total", "counter",
           "Sum of the difficulty of shares, by verdict.");
  w.Sample("hashrig_share_difficulty_total", Label("result", "accepted"), s.difficulty_accepted);
  w.Sample("hashrig_share_difficulty_total", Label("result", "rejected"), s.difficulty_rejected);
  w.Family("hashrig_nonces_total", "counter",
           "Verified nonces from every chain, each meeting its chip's ticket.");
  w.Sample("hashrig_nonces_total", "", Count(s.nonces));
  w.Family("hashrig_hardware_errors_total", "counter", "Nonces that failed their chip's ticket.");
  w.Sample("hashrig_hardware_errors_total", "", Count(s.hardware_errors));
  w.Family("hashrig_diff1_work_total", "counter",
           "Verified work in difficulty-1 units (2^32 hashes).");
  w.Sample("hashrig_diff1_work_total", "", s.diff1_work);
  w.Family("hashrig_best_share_difficulty", "gauge", "Best share difficulty since start.");
  w.Sample("hashrig_best_share_difficulty", "", s.best_share);
}

void RenderPools(Writer& w, const std::vector<PoolSnapshot>& pools) {
  w.Family("hashrig_pool_up", "gauge", "1 when connected to the pool.");
  for (std::size_t i = 0; i < pools.size(); ++i) {
    w.Sample("hashrig_pool_up",
             Label("pool", std::to_string(pools[i].id)) + "," + Label("url", pools[i].url),
             pools[i].alive ? 1 : 0);
  }
  w.Family("hashrig_pool_active", "gauge", "1 for the pool being mined.");
  for (std::size_t i = 0; i < pools.size(); ++i) {
    w.Sample("hashrig_pool_active", Label("pool", std::to_string(pools[i].id)),
             pools[i].active ? 1 : 0);
  }
  w.Family("hashrig_pool_shares_total", "counter", "Shares per pool by verdict.");
  for (std::size_t i = 0; i < pools.size(); ++i) {
    const std::string pool = Label("pool", std::to_string(pools[i].id));
    w.Sample("hashrig_pool_shares_total", pool + "," + Label("result", "accepted"),
             Count(pools[i].accepted));
    w.Sample("hashrig_pool_shares_total", pool + "," + Label("result", "rejected"),
             Count(pools[i].rejected));
  }
}

// A family with one sample per chain.
struct ChainFamily {
  const char* name;
  const char* type;
  const char* help;
  double (*value)(const ChainSnapshot&);
};

constexpr ChainFamily kChainFamilies[] = {
    {"hashrig_chain_up", "gauge", "1 when the chain is mining.",
     [](const ChainSnapshot& c) { return Mining(c.status) ? 1.0 : 0.0; }},
    {"hashrig_chain_chips", "gauge", "Chips found on the chain.",
     [](const ChainSnapshot& c) { return static_cast<double>(c.status.chips); }},
    {"hashrig_chain_chips_expected", "gauge", "Chips the chain should have (--chips).",
     [](const ChainSnapshot& c) { return static_cast<double>(c.status.expected_chips); }},
    {"hashrig_chain_hashrate_hashes_per_second", "gauge", "Chain hashrate over 5 s.",
     [](const ChainSnapshot& c) { return c.hashrate_5s; }},
    {"hashrig_chain_hardware_errors_total", "counter", "Hardware errors per chain.",
     [](const ChainSnapshot& c) { return Count(c.hardware_errors); }},
};

// A family with a sample for each chain that has the reading (a sensor, a regulator the host
// drives, a link whose bytes the host decodes): none for the others, never a 0 that would read
// as a measurement.
struct ReadingFamily {
  const char* name;
  const char* type;
  const char* help;
  std::optional<double> (*value)(const ChainSnapshot&);
};

constexpr ReadingFamily kReadingFamilies[] = {
    {"hashrig_chain_frequency_hertz", "gauge", "The chips' clock on the chain (the PLL setting).",
     [](const ChainSnapshot& c) -> std::optional<double> {
       return c.status.frequency.value > 0 ? std::optional(c.status.frequency.value * 1e6)
                                           : std::nullopt;
     }},
    {"hashrig_chain_nominal_hashrate_hashes_per_second", "gauge",
     "What the chain should hash at its clock (clock x small cores x expected chips).",
     [](const ChainSnapshot& c) -> std::optional<double> {
       return c.status.nominal_hashrate > 0 ? std::optional(c.status.nominal_hashrate)
                                            : std::nullopt;
     }},
    {"hashrig_chain_temperature_celsius", "gauge",
     "The chain's hottest temperature (its board's sensor).",
     [](const ChainSnapshot& c) -> std::optional<double> {
       return c.status.temperature ? std::optional(c.status.temperature->value) : std::nullopt;
     }},
    {"hashrig_chain_fan_ratio", "gauge", "Fan duty the host set for the chain's board (0..1).",
     [](const ChainSnapshot& c) -> std::optional<double> {
       return c.status.fan ? std::optional(c.status.fan->value / 100) : std::nullopt;
     }},
    {"hashrig_chain_fan_rpm", "gauge", "Fan speed read from the chain's board.",
     [](const ChainSnapshot& c) -> std::optional<double> {
       return c.status.fan_speed ? std::optional(c.status.fan_speed->value) : std::nullopt;
     }},
    {"hashrig_chain_core_volts", "gauge",
     "Core voltage read back at the chain's regulator (READ_VOUT).",
     [](const ChainSnapshot& c) -> std::optional<double> {
       return c.status.core ? std::optional(c.status.core->voltage.value) : std::nullopt;
     }},
    {"hashrig_chain_core_amperes", "gauge", "Core current at the chain's regulator (READ_IOUT).",
     [](const ChainSnapshot& c) -> std::optional<double> {
       return c.status.core ? std::optional(c.status.core->current.value) : std::nullopt;
     }},
    {"hashrig_chain_core_watts", "gauge",
     "Power at the chain's core regulator output (volts x amperes).",
     [](const ChainSnapshot& c) -> std::optional<double> {
       return c.status.core ? std::optional(c.status.core->power.value) : std::nullopt;
     }},
    {"hashrig_chain_regulator_status_word", "gauge",
     "The regulator's PMBus STATUS_WORD (0: no fault or warning).",
     [](const ChainSnapshot& c) -> std::optional<double> {
       return c.status.core ? std::optional<double>(c.status.core->status_word) : std::nullopt;
     }},
    {"hashrig_chain_link_bad_frames_total", "counter",
     "Frames from the chain whose CRC or layout failed (chains whose bytes the host decodes).",
     [](const ChainSnapshot& c) -> std::optional<double> {
       return c.status.link ? std::optional(Count(c.status.link->bad_frames)) : std::nullopt;
     }},
    {"hashrig_chain_link_skipped_bytes_total", "counter",
     "Bytes from the chain dropped looking for a frame (garbage, bytes of failed frames).",
     [](const ChainSnapshot& c) -> std::optional<double> {
       return c.status.link ? std::optional(Count(c.status.link->skipped_bytes)) : std::nullopt;
     }},
    {"hashrig_chain_link_timeouts_total", "counter",
     "Requests without a good answer (Avalon polls, a firmware board's requests).",
     [](const ChainSnapshot& c) -> std::optional<double> {
       return c.status.link ? std::optional(Count(c.status.link->timeouts)) : std::nullopt;
     }},
    {"hashrig_chain_power_watts", "gauge",
     "What the chain's boards draw: the core regulator's output, or the Canaan modules' PSUs.",
     [](const ChainSnapshot& c) -> std::optional<double> {
       return c.status.power ? std::optional(c.status.power->value) : std::nullopt;
     }},
};

// A family with one sample per chip of every chain the host drives.
struct ChipFamily {
  const char* name;
  const char* help;
  double (*value)(const ChipCounters&);
};

constexpr ChipFamily kChipFamilies[] = {
    {"hashrig_chip_nonces_total", "Nonces per chip (chains the host drives).",
     [](const ChipCounters& chip) { return Count(chip.nonces); }},
    {"hashrig_chip_hardware_errors_total", "Hardware errors per chip.",
     [](const ChipCounters& chip) { return Count(chip.hardware_errors); }},
};

// A family with a sample per Canaan MM module of every Avalon chain (present or lost),
// labelled with its chain, id and DNA; modules without the reading have no sample, and a
// lost module has no readings (its last temperature stayed on while it was gone).
struct ModuleFamily {
  const char* name;
  const char* type;
  const char* help;
  std::optional<double> (*value)(const hal::protocol::avalon::ModuleInfo&);
};

using Module = hal::protocol::avalon::ModuleInfo;
constexpr ModuleFamily kModuleFamilies[] = {
    {"hashrig_module_up", "gauge", "1 while the Avalon module answers its polls.",
     [](const Module& m) -> std::optional<double> { return m.present ? 1.0 : 0.0; }},
    {"hashrig_module_chips", "gauge", "ASICs the module reported at detection.",
     [](const Module& m) -> std::optional<double> { return m.asic_count; }},
    {"hashrig_module_temperature_celsius", "gauge", "The module's temperature (its STATUS).",
     [](const Module& m) -> std::optional<double> {
       return m.present && m.temperature ? std::optional(m.temperature->value) : std::nullopt;
     }},
    {"hashrig_module_fan_rpm", "gauge", "The module's first fan (its STATUS).",
     [](const Module& m) -> std::optional<double> {
       return m.present && m.temperature ? std::optional<double>(m.fan_rpm[0]) : std::nullopt;
     }},
    {"hashrig_module_frequency_hertz", "gauge",
     "The module's top PLL point (STATUS_PLL, or as set).",
     [](const Module& m) -> std::optional<double> {
       return m.present && m.top_mhz() > 0 ? std::optional(m.top_mhz() * 1e6) : std::nullopt;
     }},
    {"hashrig_module_power_watts", "gauge",
     "Output power of the module's PSU (LC3/A10 STATUS_POWER).",
     [](const Module& m) -> std::optional<double> {
       return m.present && m.power ? std::optional(m.power->power.value) : std::nullopt;
     }},
    {"hashrig_module_input_volts", "gauge",
     "Input voltage of the module's PSU (LC3/A10 STATUS_POWER).",
     [](const Module& m) -> std::optional<double> {
       return m.present && m.power ? std::optional(m.power->input.value) : std::nullopt;
     }},
    {"hashrig_module_error_code", "gauge", "The MM's error code (ECMM; its bits are not public).",
     [](const Module& m) -> std::optional<double> { return m.module_error; }},
    {"hashrig_module_nonces_total", "counter", "Nonces the module sent.",
     [](const Module& m) -> std::optional<double> { return m.nonces; }},
    {"hashrig_module_hardware_errors_total", "counter",
     "Hardware errors the module counted (its miners' MH).",
     [](const Module& m) -> std::optional<double> {
       return static_cast<double>(m.hardware_errors());
     }},
    {"hashrig_module_lost_total", "counter", "Times the module stopped answering and was lost.",
     [](const Module& m) -> std::optional<double> { return m.lost; }},
    {"hashrig_module_crc_errors_total", "counter", "CRC errors the module counted.",
     [](const Module& m) -> std::optional<double> { return m.crc_errors; }},
};

void RenderModules(Writer& w, const std::vector<ChainSnapshot>& chains) {
  for (const ModuleFamily& family : kModuleFamilies) {
    w.Family(family.name, family.type, family.help);
    for (const ChainSnapshot& c : chains) {
      for (const Module& m : c.status.modules) {
        if (const auto value = family.value(m)) {
          std::string labels = Label("chain", c.name);
          labels += ',';
          labels += Label("module", std::to_string(m.id));
          labels += ',';
          labels += Label("dna", EncodeHex(m.dna));
          w.Sample(family.name, labels, *value);
        }
      }
    }
  }
}

void RenderChains(Writer& w, const std::vector<ChainSnapshot>& chains) {
  for (const ChainFamily& family : kChainFamilies) {
    w.Family(family.name, family.type, family.help);
    for (const ChainSnapshot& c : chains) {
      w.Sample(family.name, Label("chain", c.name), family.value(c));
    }
  }
  for (const ReadingFamily& family : kReadingFamilies) {
    w.Family(family.name, family.type, family.help);
    for (const ChainSnapshot& c : chains) {
      if (const auto value = family.value(c)) {
        w.Sample(family.name, Label("chain", c.name), *value);
      }
    }
  }
  for (const ChipFamily& family : kChipFamilies) {
    w.Family(family.name, "counter", family.help);
    for (const ChainSnapshot& c : chains) {
      for (const ChipCounters& chip : c.status.chip_counters) {
        w.Sample(
            family.name,
            Label("chain", c.name) + "," + Label("address", std::to_string(chip.address.value)),
            family.value(chip));
      }
    }
  }
}

}  // namespace

std::string RenderMetrics(const MinerSnapshot& s) {
  Writer w;
  RenderMiner(w, s);
  RenderPools(w, s.pools);
  RenderChains(w, s.chains);
  RenderModules(w, s.chains);
  return w.Take();
}

}  // namespace hashrig::host
