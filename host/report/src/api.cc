#include "hashrig/host/report/api.h"

#include <arpa/inet.h>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "hashrig/base/hex.h"
#include "hashrig/base/version.h"
#include "hashrig/hal/protocol/bm13xx/registers.h"
#include "hashrig/pool/url.h"

namespace hashrig::host {
namespace {

// Keys keep the order they are written in: cgminer's order, and the text form's first
// key names the item ("POOL=0,URL=...").
using json = nlohmann::ordered_json;

constexpr std::size_t kMaxCommandBytes = 4096;
constexpr std::size_t kMaxPools = 32;       // addpool beyond: refused
constexpr std::size_t kMaxPoolField = 256;  // bytes of an added pool's URL, user, password
constexpr std::string_view kDescription = kNameAndVersion;

struct Command {
  std::string_view name;
  bool privileged;
};
constexpr Command kCommands[] = {
    {"version", false},    {"config", false},    {"summary", false},   {"pools", false},
    {"devs", false},       {"edevs", false},     {"stats", false},     {"estats", false},
    {"devdetails", false}, {"coin", false},      {"check", false},     {"privileged", false},
    {"addpool", true},     {"switchpool", true}, {"enablepool", true}, {"disablepool", true},
    {"removepool", true},  {"restart", true},    {"quit", true},       {"ascset", true},
};

const Command* Find(std::string_view name) {
  for (const Command& c : kCommands) {
    if (c.name == name) {
      return &c;
    }
  }
  return nullptr;
}

bool ValidName(std::string_view name) {
  return !name.empty() && name.size() <= 32 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

json Status(char letter, int code, const std::string& message, std::int64_t when) {
  return json::array({{{"STATUS", std::string(1, letter)},
                       {"When", when},
                       {"Code", code},
                       {"Msg", message},
                       {"Description", std::string(kDescription)}}});
}

std::string Text(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

double Mhs(double hashes_per_second) { return hashes_per_second / 1e6; }
double Ghs(double hashes_per_second) { return hashes_per_second / 1e9; }

// cgminer's device status words.
const char* CgminerStatus(const ChainStatus& s) {
  if (Mining(s)) {
    return "Alive";
  }
  return s.state == ChainState::kDown || s.state == ChainState::kFailed ? "Dead" : "Initialising";
}

// A chain without a reading reports no number at all: fleet tools treat 0 as a reading.
json Temperature(const ChainStatus& s) {
  return s.temperature ? json(s.temperature->value) : json(nullptr);
}

}  // namespace

Expected<ApiRequest> ParseApiRequest(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == '\0' ||
                           text.back() == ' ')) {
    text.remove_suffix(1);
  }
  while (!text.empty() && (text.front() == '\n' || text.front() == '\r' || text.front() == ' ' ||
                           text.front() == '\t')) {
    text.remove_prefix(1);
  }
  if (text.empty() || text.size() > kMaxCommandBytes) {
    return Error(StatusCode::kInvalidArgument, text.empty() ? "empty request" : "request too long");
  }
  ApiRequest request;
  std::string commands;
  if (text.front() == '{') {
    const json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("command") || !j["command"].is_string()) {
      return Error(StatusCode::kInvalidArgument, "invalid JSON");
    }
    request.json = true;
    commands = j["command"].get<std::string>();
    if (auto it = j.find("parameter"); it != j.end()) {
      request.parameter = it->is_string() ? it->get<std::string>() : Text(*it);
    }
    if (auto it = j.find("new_api"); it != j.end()) {
      request.new_api = it->is_boolean() ? it->get<bool>() : *it == "true";
    }
  } else {
    const auto bar = text.find('|');
    commands = std::string(text.substr(0, bar));
    if (bar != std::string_view::npos) {
      request.parameter = std::string(text.substr(bar + 1));
    }
  }
  std::size_t start = 0;
  while (start <= commands.size()) {
    // Joins are JSON only (cgminer): in a plain request '+' makes an invalid name.
    const auto plus = request.json ? commands.find('+', start) : std::string::npos;
    std::string name =
        commands.substr(start, plus == std::string::npos ? std::string::npos : plus - start);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (!ValidName(name)) {
      return Error(StatusCode::kInvalidArgument, "invalid command");
    }
    if (std::find(request.commands.begin(), request.commands.end(), name) ==
        request.commands.end()) {
      request.commands.push_back(name);
    }
    if (plus == std::string::npos) {
      break;
    }
    start = plus + 1;
  }
  return request;
}

Expected<std::vector<AllowRule>> ParseApiAllow(std::string_view spec) {
  std::vector<AllowRule> rules;
  std::size_t start = 0;
  while (start < spec.size()) {
    const auto comma = spec.find(',', start);
    std::string item(spec.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    start = comma == std::string_view::npos ? spec.size() : comma + 1;
    AllowRule rule;
    if (item.size() > 2 && item[1] == ':' && (item[0] == 'W' || item[0] == 'R')) {
      rule.write = item[0] == 'W';
      item = item.substr(2);
    }
    const auto slash = item.find('/');
    std::string address = item.substr(0, slash);
    if (slash != std::string::npos) {
      const std::string bits = item.substr(slash + 1);
      if (bits.empty() || bits.size() > 2 || !std::all_of(bits.begin(), bits.end(), ::isdigit) ||
          std::stoi(bits) > 32) {
        return Error(StatusCode::kInvalidArgument, "--api-allow '" + item + "': bad prefix length");
      }
      rule.prefix = std::stoi(bits);
    }
    // cgminer accepts short forms such as 10.0.0/24 and 0/0: pad to four parts.
    for (int dots = static_cast<int>(std::count(address.begin(), address.end(), '.')); dots < 3;
         ++dots) {
      address += ".0";
    }
    in_addr parsed{};
    if (inet_pton(AF_INET, address.c_str(), &parsed) != 1) {
      return Error(StatusCode::kInvalidArgument,
                   "--api-allow '" + item + "': not an IPv4 address or network");
    }
    rule.network = ntohl(parsed.s_addr);
    rules.push_back(rule);
  }
  return rules;
}

ApiAccess AccessFor(std::uint32_t ipv4, const std::vector<AllowRule>& rules) {
  if (rules.empty()) {
    return (ipv4 >> 24) == 127 ? ApiAccess::kRead : ApiAccess::kNone;
  }
  for (const AllowRule& rule : rules) {
    const std::uint32_t mask = rule.prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - rule.prefix);
    if ((ipv4 & mask) == (rule.network & mask)) {
      return rule.write ? ApiAccess::kWrite : ApiAccess::kRead;
    }
  }
  return ApiAccess::kNone;
}

namespace {

json Summary(const MinerSnapshot& s) {
  const auto total = static_cast<double>(s.accepted + s.rejected + s.stale);
  const double work = s.diff1_work > 0 ? s.diff1_work : 1;
  return {{"Elapsed", static_cast<std::int64_t>(s.elapsed_s)},
          {"MHS av", Mhs(s.hashrate_avg)},
          {"MHS 5s", Mhs(s.hashrate_5s)},
          {"MHS 1m", Mhs(s.hashrate_1m)},
          {"MHS 5m", Mhs(s.hashrate_5m)},
          {"MHS 15m", Mhs(s.hashrate_15m)},
          {"GHS av", Ghs(s.hashrate_avg)},
          {"GHS 5s", Ghs(s.hashrate_5s)},
          {"Found Blocks", s.found_blocks},
          {"Accepted", s.accepted},
          {"Rejected", s.rejected},
          {"Hardware Errors", s.hardware_errors},
          {"Stale", s.stale},
          {"Discarded", s.discarded},
          {"Get Failures", 0},
          {"Remote Failures", 0},
          {"Difficulty Accepted", s.difficulty_accepted},
          {"Difficulty Rejected", s.difficulty_rejected},
          {"Difficulty Stale", s.difficulty_stale},
          {"Best Share", s.best_share},
          {"Total MH", Mhs(s.hashrate_avg) * s.elapsed_s},
          {"Work Utility", s.elapsed_s > 0 ? s.diff1_work * 60 / s.elapsed_s : 0},
          {"Device Hardware%", 100.0 * static_cast<double>(s.hardware_errors) /
                                   (work + static_cast<double>(s.hardware_errors))},
          {"Pool Rejected%", total > 0 ? 100.0 * static_cast<double>(s.rejected) / total : 0},
          {"Pool Stale%", total > 0 ? 100.0 * static_cast<double>(s.stale) / total : 0}};
}

json Pools(const MinerSnapshot& s) {
  json out = json::array();
  for (std::size_t i = 0; i < s.pools.size(); ++i) {
    const PoolSnapshot& p = s.pools[i];
    out.push_back({{"POOL", i},
                   {"URL", p.url},
                   {"Status", !p.enabled ? "Disabled"
                              : p.alive  ? "Alive"
                                         : "Dead"},
                   {"Priority", i},
                   {"Quota", 1},
                   {"Long Poll", "N"},
                   {"Accepted", p.accepted},
                   {"Rejected", p.rejected},
                   {"Stale", p.stale},
                   {"Get Failures", 0},
                   {"Remote Failures", 0},
                   {"User", p.user},
                   {"Last Share Time", p.last_share_time},
                   {"Difficulty Accepted", p.difficulty_accepted},
                   {"Difficulty Rejected", p.difficulty_rejected},
                   {"Last Share Difficulty", p.last_share_difficulty},
                   {"Work Difficulty", p.work_difficulty},
                   {"Has Stratum", true},
                   {"Stratum Active", p.active},
                   {"Stratum URL", p.url},
                   {"Stratum Difficulty", p.work_difficulty},
                   {"Has Vmask", true}});
  }
  return out;
}

json Devs(const MinerSnapshot& s) {
  json out = json::array();
  for (std::size_t i = 0; i < s.chains.size(); ++i) {
    const ChainSnapshot& c = s.chains[i];
    out.push_back({{"ASC", i},
                   {"Name", c.name},
                   {"ID", i},
                   {"Enabled", "Y"},
                   {"Status", CgminerStatus(c.status)},
                   {"State", Describe(c.status)},  // hashrig's: as the log and status line say
                   {"Temperature", Temperature(c.status)},
                   {"MHS av", Mhs(c.hashrate_avg)},
                   {"MHS 5s", Mhs(c.hashrate_5s)},
                   {"GHS 5s", Ghs(c.hashrate_5s)},
                   {"Accepted", c.submitted},
                   {"Hardware Errors", c.hardware_errors},
                   {"Diff1 Work", c.diff1_work},
                   {"Effective Chips", c.status.chips},
                   {"Expected Chips", c.status.expected_chips}});
    if (const auto& core = c.status.core) {  // a regulator the host drives
      out.back()["Core Voltage"] = core->voltage.value;
      out.back()["Core Current"] = core->current.value;
      out.back()["VR Status Word"] = core->status_word;
    }
    if (c.status.power) {  // the regulator's output, or the Canaan modules' PSUs
      out.back()["Power"] = c.status.power->value;
    }
    if (const auto& link = c.status.link) {  // hashrig's keys: a bad cable shows here first
      out.back()["Link Bad Frames"] = link->bad_frames;
      out.back()["Link Skipped Bytes"] = link->skipped_bytes;
      out.back()["Link Timeouts"] = link->timeouts;
    }
  }
  return out;
}

// bmminer's chip status string: 'o' for a chip that answers, 'x' for one that does not,
// and an 'x' for each chip expected but not found (dead, or lost on a noisy line).
std::string ChipString(const ChainStatus& status) {
  std::string acs(static_cast<std::size_t>(std::max(0, status.chips)), 'o');
  for (std::size_t k = 0; k < status.chip_counters.size() && k < acs.size(); ++k) {
    if (!status.chip_counters[k].alive) {
      acs[k] = 'x';
    }
  }
  acs.append(static_cast<std::size_t>(std::max(0, status.expected_chips - status.chips)), 'x');
  return acs;
}

double NominalHashrate(const MinerSnapshot& s) {
  double sum = 0;
  for (const ChainSnapshot& c : s.chains) {
    sum += c.status.nominal_hashrate;
  }
  return sum;
}

// A list of numbers as Canaan's estats writes them: space-separated.
template <class Range>
std::string Spaced(const Range& values, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) {
      out += ' ';
    }
    out += std::to_string(values[i]);
  }
  return out;
}

// One module as cgminer's Avalon drivers report it in estats (`MM ID<n>`, avalon-protocol.md
// §5.2): Key[values] items, space-separated, in cgminer's order, only those the host
// knows. MW local works and MH hardware errors per miner, LW/HW their sums, Temp the MM's
// °C, Fan1/Fan2 RPM, FanR the duty %, Vo the raw STATUS_VOLT reading, PS the PSU's error
// bits, Vin, Vout (10 mV), Iout (10 mA), Pout (W), Vset (10 mV), Freq the top PLL point
// (MHz), ECHU per-miner and ECMM module error codes, CRC the CRC errors it counted.
std::string MmId(const hal::protocol::avalon::ModuleInfo& m, std::size_t miners,
                 std::int64_t elapsed) {
  std::uint64_t works = 0;
  std::uint64_t errors = 0;
  for (std::size_t i = 0; i < miners; ++i) {
    works += m.local_works[i];
    errors += m.hw_errors[i];
  }
  std::string out = "Ver[" + std::string(m.version_string()) + "] DNA[" + EncodeHex(m.dna) +
                    "] Elapsed[" + std::to_string(elapsed) + "] MW[" +
                    Spaced(m.local_works, miners) + "] LW[" + std::to_string(works) + "] MH[" +
                    Spaced(m.hw_errors, miners) + "] HW[" + std::to_string(errors) + "]";
  if (m.temperature) {
    out += " Temp[" + std::to_string(std::lround(m.temperature->value)) + "]";
  }
  out += " Fan1[" + std::to_string(m.fan_rpm[0]) + "] Fan2[" + std::to_string(m.fan_rpm[1]) +
         "] FanR[" + std::to_string(m.fan_duty) + "%]";
  if (m.voltage_raw) {
    out += " Vo[" + std::to_string(*m.voltage_raw) + "]";
  }
  if (m.power) {
    const auto units = [](double value, double per_unit) {
      return std::to_string(std::lround(value / per_unit));
    };
    out += " PS[" + std::to_string(m.power->error_bits) + " " + units(m.power->input.value, 0.01) +
           " " + units(m.power->output.value, 0.01) + " " + units(m.power->current.value, 0.01) +
           " " + units(m.power->power.value, 1) + " " + units(m.power->set_point.value, 0.01) + "]";
  }
  out += " Freq[" + std::to_string(m.top_mhz()) + "] Led[0] TA[" + std::to_string(m.asic_count) +
         "] ECHU[" + Spaced(m.miner_error, miners) + "] ECMM[" + std::to_string(m.module_error) +
         "] CRC[" + std::to_string(m.crc_errors) + "]";
  return out;
}

// cgminer's per-device STATS entries for the Avalon chains (an AUC, or a raw link): ID
// the chain's name (AV0...), "MM ID<id>" per module answering (id = its I2C address, as
// cgminer numbers them), "MM Count". Appended after the bmminer entries of stats and
// estats, so readers of STATS[1] are not disturbed.
void AppendAvalonDevices(const MinerSnapshot& s, json& entries) {
  namespace av = hal::protocol::avalon;
  for (const ChainSnapshot& c : s.chains) {
    if (!c.status.avalon) {
      continue;
    }
    const av::GenerationInfo& info = av::InfoOf(*c.status.avalon);
    json device = {{"STATS", entries.size() - 1},  // entries[0] is the version entry
                   {"ID", c.name},
                   {"Elapsed", static_cast<std::int64_t>(s.elapsed_s)},
                   {"Driver", std::string(info.driver)}};
    int count = 0;
    for (const av::ModuleInfo& m : c.status.modules) {
      if (m.present) {
        device["MM ID" + std::to_string(m.id)] =
            MmId(m, info.miners, static_cast<std::int64_t>(s.elapsed_s));
        ++count;
      }
    }
    device["MM Count"] = count;
    entries.push_back(std::move(device));
  }
}

// bmminer's STATS (pyasic's BMMiner backend, cgminer exporters): STATS[0] names the
// miner, STATS[1] has per-chain keys numbered from 1. Rates in GH/s, rate_unit "GH" (the
// field's spelling: pyasic reads "GH/s" as another unit); total_rateideal and
// chain_rateidealN are the nominal rates (clock x small cores x chips). tempN and
// temp_chipN are the chain's reading, temp2_N and temp_pcbN the same reading as the
// board's (one sensor per board here); fanN is RPM as bmminer's, fan_dutyN the percent
// the host set (hashrig's own key).
json Stats(const MinerSnapshot& s) {
  json chains = {{"STATS", 0},
                 {"ID", "hashrig0"},
                 {"Elapsed", static_cast<std::int64_t>(s.elapsed_s)},
                 {"GHS 5s", Ghs(s.hashrate_5s)},
                 {"GHS av", Ghs(s.hashrate_avg)},
                 {"rate_unit", "GH"},
                 {"total_rateideal", Ghs(NominalHashrate(s))},
                 {"total_rate", Ghs(s.hashrate_5s)},
                 {"miner_count", s.chains.size()}};
  for (std::size_t i = 0; i < s.chains.size(); ++i) {
    const ChainSnapshot& c = s.chains[i];
    const std::string n = std::to_string(i + 1);
    chains["chain_rate" + n] = Ghs(c.hashrate_5s);
    chains["chain_rateideal" + n] = Ghs(c.status.nominal_hashrate);
    chains["chain_acn" + n] = c.status.chips;
    json nonces = json::array();
    json errors = json::array();
    for (const ChipCounters& chip : c.status.chip_counters) {
      nonces.push_back(chip.nonces);
      errors.push_back(chip.hardware_errors);
    }
    chains["chain_acs" + n] = ChipString(c.status);
    chains["chain_hw" + n] = c.hardware_errors;
    chains["chain_chip_nonces" + n] = nonces;
    chains["chain_chip_hw" + n] = errors;
    chains["temp" + n] = Temperature(c.status);
    chains["temp_chip" + n] = Temperature(c.status);
    chains["temp2_" + n] = Temperature(c.status);
    chains["temp_pcb" + n] = Temperature(c.status);
    chains["fan" + n] = c.status.fan_speed ? json(c.status.fan_speed->value) : json(nullptr);
    chains["fan_duty" + n] = c.status.fan ? json(c.status.fan->value) : json(nullptr);
    chains["freq_avg" + n] = c.status.frequency.value;
  }
  json entries = json::array({{{"CGMiner", s.version},
                               {"Miner", std::string(kDescription)},
                               {"CompileTime", std::string(kBuildTime)},
                               {"Type", "hashrig"}},
                              chains});
  AppendAvalonDevices(s, entries);
  return entries;
}

// One reading as the array Antminer's new API gives per board (its sensors): empty when
// there is none.
json Readings(const std::optional<Celsius>& reading) {
  return reading ? json::array({reading->value}) : json::array();
}

// Antminer's newer API, `{"command":"stats","new_api":true}` (S19 XP, S21 firmware): a
// STATUS object, INFO, and STATS[0] with a `chain` array that pyasic's Antminer backend
// reads (index, rate_real in GH/s, asic_num, temp_pcb, temp_chip, sn).
json NewApiStats(const MinerSnapshot& s, std::int64_t now) {
  json chains = json::array();
  json fans = json::array();
  for (std::size_t i = 0; i < s.chains.size(); ++i) {
    const ChainSnapshot& c = s.chains[i];
    chains.push_back({{"index", i},
                      {"freq_avg", c.status.frequency.value},
                      {"rate_ideal", Ghs(c.status.nominal_hashrate)},
                      {"rate_real", Ghs(c.hashrate_5s)},
                      {"asic_num", c.status.chips},
                      {"asic", ChipString(c.status)},
                      {"temp_pcb", Readings(c.status.temperature)},
                      {"temp_chip", Readings(c.status.temperature)},
                      {"hw", c.hardware_errors},
                      {"sn", c.status.serial}});
    if (c.status.fan_speed) {
      fans.push_back(c.status.fan_speed->value);
    }
  }
  json stats = {{"elapsed", static_cast<std::int64_t>(s.elapsed_s)},
                {"rate_unit", "GH/s"},
                {"rate_5s", Ghs(s.hashrate_5s)},
                {"rate_15m", Ghs(s.hashrate_15m)},
                {"rate_avg", Ghs(s.hashrate_avg)},
                {"rate_ideal", Ghs(NominalHashrate(s))},
                {"chain_num", s.chains.size()},
                {"fan_num", fans.size()},
                {"fan", fans},
                {"chain", chains}};
  return {{"STATUS", {{"STATUS", "S"}, {"when", now}, {"Msg", "stats"}, {"api_version", "1.0.0"}}},
          {"INFO",
           {{"miner_version", std::string(kDescription)},
            {"CompileTime", std::string(kBuildTime)},
            {"type", "hashrig"}}},
          {"STATS", json::array({stats})}};
}

json Version(const MinerSnapshot& s) {
  return json::array({{{"CGMiner", s.version},
                       {"API", "3.7"},
                       {"Miner", std::string(kDescription)},
                       {"CompileTime", std::string(kBuildTime)},
                       {"Type", "hashrig"}}});
}

json Config(const MinerSnapshot& s) {
  return json::array({{{"ASC Count", s.chains.size()},
                       {"PGA Count", 0},
                       {"Pool Count", s.pools.size()},
                       {"Strategy", "Failover"},
                       {"Log Interval", 5},
                       {"OS", "Linux"}}});
}

json DevDetails(const MinerSnapshot& s) {
  json details = json::array();
  for (std::size_t i = 0; i < s.chains.size(); ++i) {
    details.push_back({{"DEVDETAILS", i},
                       {"Name", s.chains[i].name},
                       {"ID", i},
                       {"Driver", "hashrig"},
                       {"Model", s.chains[i].name},
                       {"Device Path", ""}});
  }
  return details;
}

// A read-only command: one STATUS (its code and message) and one section.
struct Report {
  std::string_view name;
  int code;
  std::string_view message;  // after the count, when there is one
  std::string_view section;
  json (*body)(const MinerSnapshot&);
  std::size_t (*count)(const MinerSnapshot&) = nullptr;
};

std::size_t PoolCount(const MinerSnapshot& s) { return s.pools.size(); }
std::size_t ChainCount(const MinerSnapshot& s) { return s.chains.size(); }
json SummarySection(const MinerSnapshot& s) { return json::array({Summary(s)}); }
json Coin(const MinerSnapshot&) { return json::array({{{"Hash Method", "sha256"}, {"LP", true}}}); }

constexpr Report kReports[] = {
    {"version", 22, "CGMiner versions", "VERSION", &Version},
    {"config", 33, "CGMiner config", "CONFIG", &Config},
    {"summary", 11, "Summary", "SUMMARY", &SummarySection},
    {"pools", 7, " Pool(s)", "POOLS", &Pools, &PoolCount},
    {"devs", 9, " ASC(s)", "DEVS", &Devs, &ChainCount},
    {"edevs", 9, " ASC(s)", "DEVS", &Devs, &ChainCount},
    {"stats", 70, "CGMiner stats", "STATS", &Stats},
    {"estats", 70, "CGMiner stats", "STATS", &Stats},
    {"devdetails", 69, "Device Details", "DEVDETAILS", &DevDetails},
    {"coin", 78, "CGMiner coin", "COIN", &Coin},
};

const Report* FindReport(std::string_view name) {
  for (const Report& r : kReports) {
    if (r.name == name) {
      return &r;
    }
  }
  return nullptr;
}

struct Answer {  // NOLINT(bugprone-exception-escape): json's destructor does not throw
  json body;     // the whole reply object (STATUS + section)
  ApiAction action;
};

std::optional<int> PoolIndex(const std::string& parameter, const MinerSnapshot& s) {
  if (parameter.empty() || parameter.size() > 4 ||
      !std::all_of(parameter.begin(), parameter.end(), ::isdigit)) {
    return std::nullopt;
  }
  const int n = std::stoi(parameter);
  return n < static_cast<int>(s.pools.size()) ? std::optional<int>(n) : std::nullopt;
}

// A command's parameter split at its commas, "\," escaping a comma (cgminer's syntax):
// "url,user,pass" for addpool, "N,OPTION,VALUE" for ascset.
std::vector<std::string> SplitParameter(const std::string& parameter) {
  std::vector<std::string> parts(1);
  for (std::size_t i = 0; i < parameter.size(); ++i) {
    if (parameter[i] == '\\' && i + 1 < parameter.size()) {
      parts.back() += parameter[++i];
    } else if (parameter[i] == ',') {
      parts.emplace_back();
    } else {
      parts.back() += parameter[i];
    }
  }
  return parts;
}

// Why `option` = `value` is outside what the chain can take (its ChainLimits); empty: fine.
// `tuning` gets the value.
std::string CheckTuning(const ChainLimits& limits, const std::string& option, double value,
                        ChainTuning& tuning) {
  char text[160];
  if (option == "freq") {
    if (!limits.pll_model) {
      return "this chain has no clock to set";
    }
    if (!hal::protocol::SolvePll(*limits.pll_model, Megahertz{value}).ok()) {
      std::snprintf(text, sizeof text, "%.2f MHz is not a clock the %s's PLL makes", value,
                    std::string(hal::protocol::InfoOf(*limits.pll_model).name).c_str());
      return text;
    }
    tuning.frequency = Megahertz{value};
  } else if (option == "voltage") {
    if (limits.max_voltage.value <= 0) {
      return "the host drives no core voltage regulator on this chain";
    }
    if (value < limits.min_voltage.value || value > limits.max_voltage.value) {
      std::snprintf(text, sizeof text, "%.3f V is outside %.3f..%.3f V", value,
                    limits.min_voltage.value, limits.max_voltage.value);
      return text;
    }
    tuning.voltage = Volts{value};
  } else if (option == "target") {
    if (!limits.thermal_target) {
      return "the host runs no fan loop on this chain";
    }
    if (value < limits.min_target_c || value > limits.max_target_c) {
      std::snprintf(text, sizeof text, "%.1f C is outside %.1f..%.1f C", value, limits.min_target_c,
                    limits.max_target_c);
      return text;
    }
    tuning.target_c = value;
  } else {
    return "unknown option '" + option + "' (freq, voltage, target)";
  }
  return {};
}

// ascset|N,OPTION,VALUE (cgminer's per-device setting): freq MHz, voltage V, target C.
Answer AscSet(const std::string& parameter, const MinerSnapshot& s, std::int64_t now) {
  Answer a;
  const auto fields = SplitParameter(parameter);
  const bool digits = !fields[0].empty() && fields[0].size() <= 4 &&
                      std::all_of(fields[0].begin(), fields[0].end(), ::isdigit);
  const std::size_t chain = digits ? std::stoul(fields[0]) : s.chains.size();
  if (chain >= s.chains.size()) {
    a.body = {{"STATUS", Status('E', 107,
                                "Invalid ASC id " + fields[0] + " - range is 0 - " +
                                    std::to_string(static_cast<int>(s.chains.size()) - 1),
                                now)}};
    return a;
  }
  const std::string which = "ASC " + fields[0];
  double value = 0;
  const char* text = fields.size() == 3 ? fields[2].c_str() : "";
  char* end = nullptr;
  if (fields.size() == 3) {
    value = std::strtod(text, &end);
  }
  if (fields.size() != 3 || end == text || *end != '\0' || !std::isfinite(value)) {
    a.body = {{"STATUS", Status('E', 120, which + " set failed: expected N,OPTION,VALUE", now)}};
    return a;
  }
  ChainTuning tuning;
  if (const std::string why = CheckTuning(s.chains[chain].status.limits, fields[1], value, tuning);
      !why.empty()) {
    a.body = {{"STATUS", Status('E', 120, which + " set failed: " + why, now)}};
    return a;
  }
  a.action.kind = ApiAction::Kind::kTune;
  a.action.chain = static_cast<int>(chain);
  a.action.tuning = tuning;
  a.body = {{"STATUS", Status('S', 119, which + " set OK: " + Describe(tuning), now)}};
  return a;
}

// addpool|URL,USER,PASS with "\," escaping a comma: the URL must be one the pool client
// takes (pool/url.h), the fields short, and at most kMaxPools pools, or nothing is added.
Answer AddPool(const std::string& parameter, const MinerSnapshot& s, std::int64_t now) {
  Answer a;
  const auto parts = SplitParameter(parameter);
  if (parts.size() != 3 || parts[0].empty()) {
    a.body = {{"STATUS", Status('E', 52, "Missing addpool details", now)}};
    return a;
  }
  std::string why;
  if (s.pools.size() >= kMaxPools) {
    why = "there are " + std::to_string(s.pools.size()) + " pools already (at most " +
          std::to_string(kMaxPools) + ")";
  } else if (parts[0].size() > kMaxPoolField || parts[1].size() > kMaxPoolField ||
             parts[2].size() > kMaxPoolField) {
    why = "URL, user and password take " + std::to_string(kMaxPoolField) + " bytes at most";
  } else if (const auto url = pool::ParsePoolUrl(parts[0]); !url) {
    why = url.error().message();
  }
  if (!why.empty()) {
    a.body = {{"STATUS", Status('E', 52, "Invalid addpool details: " + why, now)}};
    return a;
  }
  a.action.kind = ApiAction::Kind::kAddPool;
  a.action.url = parts[0];
  a.action.user = parts[1];
  a.action.password = parts[2];
  a.body = {{"STATUS", Status('S', 55, "Added pool '" + parts[0] + "'", now)}};
  return a;
}

Answer Privileged(const std::string& name, const std::string& parameter, const MinerSnapshot& s,
                  std::int64_t now) {
  Answer a;
  using Kind = ApiAction::Kind;
  if (name == "ascset") {
    return AscSet(parameter, s, now);
  }
  if (name == "restart") {
    a.body = {{"STATUS", "RESTART"}};
    a.action.kind = Kind::kRestart;
    return a;
  }
  if (name == "quit") {
    a.body = {{"STATUS", "BYE"}};
    a.action.kind = Kind::kQuit;
    return a;
  }
  if (name == "addpool") {
    return AddPool(parameter, s, now);
  }
  const auto pool = PoolIndex(parameter, s);
  if (!pool) {
    a.body = {{"STATUS", Status('E', 26,
                                "Invalid pool id " + parameter + " - range is 0 - " +
                                    std::to_string(static_cast<int>(s.pools.size()) - 1),
                                now)}};
    return a;
  }
  const Kind kind = name == "switchpool"    ? Kind::kSwitchPool
                    : name == "enablepool"  ? Kind::kEnablePool
                    : name == "disablepool" ? Kind::kDisablePool
                                            : Kind::kRemovePool;
  if (kind == Kind::kRemovePool && s.pools[static_cast<std::size_t>(*pool)].active) {
    a.body = {{"STATUS", Status('E', 67, "Cannot remove active pool " + parameter, now)}};
    return a;
  }
  a.action.kind = kind;
  a.action.pool = s.pools[static_cast<std::size_t>(*pool)].id;
  const int code = kind == Kind::kSwitchPool    ? 27
                   : kind == Kind::kEnablePool  ? 47
                   : kind == Kind::kDisablePool ? 48
                                                : 68;
  a.body = {{"STATUS", Status('S', code, name + " " + parameter + " done", now)}};
  return a;
}

Answer One(const std::string& name, const std::string& parameter, ApiAccess access,
           const MinerSnapshot& s, std::int64_t now) {
  const Command* command = Find(name);
  if (command == nullptr) {
    return {{{"STATUS", Status('E', 14, "Invalid command", now)}}, {}};
  }
  if (command->privileged || name == "privileged") {
    if (access != ApiAccess::kWrite) {
      return {{{"STATUS", Status('E', 45, "Access denied to '" + name + "' command", now)}}, {}};
    }
    if (name == "privileged") {
      return {{{"STATUS", Status('S', 46, "Privileged access OK", now)}}, {}};
    }
    return Privileged(name, parameter, s, now);
  }
  if (const Report* report = FindReport(name)) {
    const std::string message = (report->count != nullptr ? std::to_string(report->count(s)) : "") +
                                std::string(report->message);
    return {{{"STATUS", Status('S', report->code, message, now)},
             {std::string(report->section), report->body(s)}},
            {}};
  }
  // check|command: does it exist, and may this client run it?
  const Command* checked = Find(parameter);
  const bool allowed = checked != nullptr && (!checked->privileged || access == ApiAccess::kWrite);
  return {{{"STATUS", Status('S', 72, "Check command", now)},
           {"CHECK", json::array({{{"Exists", checked != nullptr ? "Y" : "N"},
                                   {"Access", allowed ? "Y" : "N"}}})}},
          {}};
}

}  // namespace

bool ApiRequestComplete(std::string_view request) {
  const auto start = request.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) {
    return false;
  }
  if (request[start] == '{') {
    return nlohmann::json::accept(request.substr(start));
  }
  return request.find_first_of("|\n") != std::string_view::npos;
}

namespace {

// cgminer's text form of a value: ',', '|', '=' and '\' escaped with '\'; a missing
// reading (null) is empty; arrays as JSON text. A control character (a NUL that came in a
// request, say) becomes a space: the reply's only NUL is its end.
std::string PlainValue(const json& v) {
  const std::string text = v.is_string() ? v.get<std::string>() : v.is_null() ? "" : Text(v);
  std::string out;
  for (const char c : text) {
    if (c == ',' || c == '|' || c == '=' || c == '\\') {
      out += '\\';
    }
    out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
  }
  return out;
}

// One item: "KEY=VALUE,...|". An item whose first key is an index in capitals (POOL=0,
// ASC=0, STATS=0, STATUS=S) stands alone; the others take their section's name first
// ("SUMMARY,Elapsed=12,...|"), as cgminer writes them.
std::string PlainItem(const json& item, const std::string& section) {
  std::string out;
  const bool indexed =
      !item.empty() && std::all_of(item.begin().key().begin(), item.begin().key().end(),
                                   [](char c) { return c >= 'A' && c <= 'Z'; });
  if (!indexed) {
    out = section + ",";
  }
  const char* comma = "";
  for (const auto& [key, value] : item.items()) {
    out += comma + key + "=" + PlainValue(value);
    comma = ",";
  }
  return out + "|";
}

// A JSON reply in cgminer's text form: the STATUS item, then each item of each section.
// quit and restart answer "BYE" and "RESTART" alone.
std::string Plain(const json& body) {
  const json& status = body["STATUS"];
  if (status.is_string()) {
    return status.get<std::string>();
  }
  std::string out = PlainItem(status[0], "STATUS");
  for (const auto& [section, items] : body.items()) {
    if (section != "STATUS" && items.is_array()) {
      for (const json& item : items) {
        out += PlainItem(item, section);
      }
    }
  }
  return out;
}

}  // namespace

ApiOutcome RunPrivileged(std::string_view command, const std::string& parameter,
                         const MinerSnapshot& snapshot) {
  const std::string name(command);
  const Command* known = Find(name);
  if (known == nullptr || !known->privileged) {
    return {false, "Invalid command", {}};
  }
  Answer a = Privileged(name, parameter, snapshot, 0);
  const json& status = a.body["STATUS"];
  if (status.is_string()) {  // quit: BYE, restart: RESTART
    return {true, status.get<std::string>(), a.action};
  }
  return {status[0]["STATUS"] == "S", status[0]["Msg"].get<std::string>(), a.action};
}

ApiReply AnswerApi(std::string_view request, ApiAccess access, const MinerSnapshot& snapshot,
                   std::int64_t now) {
  const auto parsed = ParseApiRequest(request);
  const auto start = request.find_first_not_of(" \t\r\n");
  const bool json_request =
      parsed ? parsed->json : start != std::string_view::npos && request[start] == '{';
  json body;
  ApiAction action;
  if (access == ApiAccess::kNone) {
    body = {{"STATUS", Status('E', 45, "Access denied", now)}, {"id", 1}};
  } else if (!parsed) {
    body = {{"STATUS", Status('E', json_request ? 23 : 14,
                              json_request ? "Invalid JSON" : "Invalid command", now)},
            {"id", 1}};
  } else if (parsed->new_api && parsed->commands == std::vector<std::string>{"stats"}) {
    body = NewApiStats(snapshot, now);
  } else if (parsed->commands.size() == 1) {
    Answer a = One(parsed->commands[0], parsed->parameter, access, snapshot, now);
    body = std::move(a.body);
    body["id"] = 1;
    action = a.action;
  } else {
    for (const std::string& name : parsed->commands) {
      const Command* c = Find(name);
      if (c == nullptr || c->privileged || name == "check" || name == "privileged") {
        body = {{"STATUS", Status('E', 14, "Join not allowed for '" + name + "'", now)}, {"id", 1}};
        break;
      }
      json part = One(name, "", access, snapshot, now).body;
      part["id"] = 1;
      body[name] = json::array({part});
    }
    body["id"] = 1;
  }
  return {(json_request ? Text(body) : Plain(body)) + std::string(1, '\0'), action};
}

}  // namespace hashrig::host
