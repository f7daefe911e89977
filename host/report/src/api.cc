#include "hashrig/host/report/api.h"

#include <arpa/inet.h>
#include <algorithm>
#include <cctype>

namespace hashrig::host {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxRequest = 4096;
constexpr const char* kDescription = "hashrig 0.1.0";

struct Command {
  std::string_view name;
  bool privileged;
};
constexpr Command kCommands[] = {
    {"version", false},    {"config", false},    {"summary", false},   {"pools", false},
    {"devs", false},       {"edevs", false},     {"stats", false},     {"estats", false},
    {"devdetails", false}, {"coin", false},      {"check", false},     {"privileged", false},
    {"addpool", true},     {"switchpool", true}, {"enablepool", true}, {"disablepool", true},
    {"removepool", true},  {"restart", true},    {"quit", true},
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
                       {"Description", kDescription}}});
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
  if (text.empty() || text.size() > kMaxRequest) {
    return Error(StatusCode::kInvalidArgument, text.empty() ? "empty request" : "request too long");
  }
  ApiRequest request;
  std::string commands;
  if (text.front() == '{') {
    const json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("command") || !j["command"].is_string()) {
      return Error(StatusCode::kInvalidArgument, "invalid JSON");
    }
    commands = j["command"].get<std::string>();
    if (auto it = j.find("parameter"); it != j.end()) {
      request.parameter = it->is_string() ? it->get<std::string>() : Text(*it);
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
    const auto plus = commands.find('+', start);
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
      out.back()["Power"] = core->power.value;
      out.back()["VR Status Word"] = core->status_word;
    }
  }
  return out;
}

json Stats(const MinerSnapshot& s) {
  json chains = {{"Elapsed", static_cast<std::int64_t>(s.elapsed_s)},
                 {"GHS 5s", Ghs(s.hashrate_5s)},
                 {"GHS av", Ghs(s.hashrate_avg)},
                 {"rate_unit", "GH/s"},
                 {"total_rateideal", Ghs(s.hashrate_avg)},
                 {"miner_count", s.chains.size()}};
  for (std::size_t i = 0; i < s.chains.size(); ++i) {
    const ChainSnapshot& c = s.chains[i];
    const std::string n = std::to_string(i + 1);
    chains["chain_rate" + n] = Ghs(c.hashrate_5s);
    chains["chain_acn" + n] = c.status.chips;
    // bmminer's chip status string: 'o' for a chip that answers, 'x' for one that does not.
    std::string acs(static_cast<std::size_t>(std::max(0, c.status.chips)), 'o');
    json nonces = json::array();
    json errors = json::array();
    for (std::size_t k = 0; k < c.status.chip_counters.size(); ++k) {
      const ChipCounters& chip = c.status.chip_counters[k];
      if (k < acs.size() && !chip.alive) {
        acs[k] = 'x';
      }
      nonces.push_back(chip.nonces);
      errors.push_back(chip.hardware_errors);
    }
    // Chips expected but not found (dead, or lost on a noisy line): 'x' as bmminer shows.
    acs.append(static_cast<std::size_t>(std::max(0, c.status.expected_chips - c.status.chips)),
               'x');
    chains["chain_acs" + n] = acs;
    chains["chain_chip_nonces" + n] = nonces;
    chains["chain_chip_hw" + n] = errors;
    chains["temp" + n] = Temperature(c.status);
    chains["temp_chip" + n] = Temperature(c.status);
    chains["fan" + n] = c.status.fan ? c.status.fan->value : 0;
    chains["freq_avg" + n] = c.status.frequency.value;
  }
  return json::array(
      {{{"STATS", 0}, {"ID", "hashrig0"}, {"Miner", kDescription}, {"Type", "hashrig"}}, chains});
}

json Version(const MinerSnapshot& s) {
  return json::array(
      {{{"CGMiner", s.version}, {"API", "3.7"}, {"Miner", kDescription}, {"Type", "hashrig"}}});
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

Answer Privileged(const std::string& name, const std::string& parameter, const MinerSnapshot& s,
                  std::int64_t now) {
  Answer a;
  using Kind = ApiAction::Kind;
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
    // url,user,pass with "\," escaping a comma.
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
    if (parts.size() != 3 || parts[0].empty()) {
      a.body = {{"STATUS", Status('E', 52, "Missing addpool details", now)}};
      return a;
    }
    a.action = {Kind::kAddPool, -1, parts[0], parts[1], parts[2]};
    a.body = {{"STATUS", Status('S', 55, "Added pool '" + parts[0] + "'", now)}};
    return a;
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
  a.action = {kind, *pool, {}, {}, {}};
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

ApiReply AnswerApi(std::string_view request, ApiAccess access, const MinerSnapshot& snapshot,
                   std::int64_t now) {
  const auto parsed = ParseApiRequest(request);
  json body;
  ApiAction action;
  if (access == ApiAccess::kNone) {
    body = {{"STATUS", Status('E', 45, "Access denied", now)}, {"id", 1}};
  } else if (!parsed) {
    const bool json_error = !request.empty() && request.front() == '{';
    body = {{"STATUS", Status('E', json_error ? 23 : 14,
                              json_error ? "Invalid JSON" : "Invalid command", now)},
            {"id", 1}};
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
  return {Text(body) + std::string(1, '\0'), action};
}

}  // namespace hashrig::host
