#include "hashrig/host/report/web.h"

#include <algorithm>
#include <charconv>

#include <nlohmann/json.hpp>

#include "hashrig/base/hex.h"
#include "hashrig/base/version.h"
#include "hashrig/host/report/metrics.h"
#include "hashrig/host/report/password.h"

namespace hashrig::host {
namespace {

using json = nlohmann::ordered_json;

constexpr std::chrono::seconds kSessionLife = std::chrono::hours(12);
constexpr std::size_t kMaxSessions = 16;  // a 17th login ends the oldest session
constexpr auto kFailureWindow = std::chrono::seconds(60);
constexpr std::size_t kAttemptsPerPeer = 5;
constexpr std::size_t kFailuresAll = 20;
constexpr std::string_view kCookie = "hashrig_session";
constexpr std::int64_t kHistoryStep = 5;  // seconds between the chart's samples

WebResponse Json(int status, const json& body) {
  WebResponse r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

WebResponse Failure(int status, const std::string& message) {
  return Json(status, {{"error", message}});
}

// 405 with the Allow header HTTP asks for.
WebResponse NotAllowed(const char* allow, const std::string& message) {
  WebResponse r = Failure(405, message);
  r.headers.emplace_back("Allow", allow);
  return r;
}

// A reading in its unit (base/units.h) as a number; null when there is none, never a 0.
template <typename Unit>
json Reading(const std::optional<Unit>& reading) {
  return reading ? json(reading->value) : json(nullptr);
}

json SummaryJson(const MinerSnapshot& s) {
  json active = nullptr;
  for (std::size_t i = 0; i < s.pools.size(); ++i) {
    if (s.pools[i].active) {
      active = {{"index", i}, {"url", s.pools[i].url}, {"alive", s.pools[i].alive}};
    }
  }
  return {{"version", s.version},
          {"uptime_s", s.elapsed_s},
          {"hashrate",
           {{"5s", s.hashrate_5s},
            {"1m", s.hashrate_1m},
            {"5m", s.hashrate_5m},
            {"15m", s.hashrate_15m},
            {"avg", s.hashrate_avg}}},
          {"accepted", s.accepted},
          {"rejected", s.rejected},
          {"rejected_by_reason", s.rejected_by_reason},
          {"stale", s.stale},
          {"lost", s.lost},
          {"discarded", s.discarded},
          {"hardware_errors", s.hardware_errors},
          {"best_share", s.best_share},
          {"found_blocks", s.found_blocks},
          {"pool", active}};
}

// A Canaan MM module as the page shows it (estats' fields, avalon-protocol.md §5.2).
json ModuleJson(const hal::protocol::avalon::ModuleInfo& m) {
  const std::uint32_t mhz = m.top_mhz();
  return {{"id", m.id},
          {"dna", EncodeHex(m.dna)},
          {"firmware", std::string(m.version_string())},
          {"present", m.present},
          {"chips", m.asic_count},
          {"temperature_c", m.present ? Reading(m.temperature) : json(nullptr)},
          {"fan_rpm", m.present ? json(m.fan_rpm[0]) : json(nullptr)},
          {"frequency_mhz", m.present && mhz > 0 ? json(mhz) : json(nullptr)},
          {"power_watts", m.present && m.power ? json(m.power->power.value) : json(nullptr)},
          {"nonces", m.nonces},
          {"hardware_errors", m.hardware_errors()},
          {"lost", m.lost}};
}

json Chain(const ChainSnapshot& c) {
  const ChainStatus& st = c.status;
  json modules = json::array();
  for (const auto& m : st.modules) {
    modules.push_back(ModuleJson(m));
  }
  json chips = json::array();
  for (const ChipCounters& chip : st.chip_counters) {
    chips.push_back({{"address", chip.address.value},
                     {"nonces", chip.nonces},
                     {"hardware_errors", chip.hardware_errors},
                     {"alive", chip.alive}});
  }
  return {
      {"name", c.name},
      {"state", Describe(st)},
      {"mining", Mining(st)},
      {"problem", st.problem},
      {"chips_found", st.chips},
      {"chips_expected", st.expected_chips},
      {"temperature_c", Reading(st.temperature)},
      {"fan_percent", Reading(st.fan)},
      {"fan_rpm", Reading(st.fan_speed)},
      {"frequency_mhz", st.frequency.value},
      {"core_volts", st.core ? json(st.core->voltage.value) : json(nullptr)},
      {"power_watts", Reading(st.power)},
      {"link", st.link ? json{{"bad_frames", st.link->bad_frames},
                              {"skipped_bytes", st.link->skipped_bytes},
                              {"timeouts", st.link->timeouts}}
                       : json(nullptr)},
      {"hashrate", c.hashrate_5s},
      {"nominal_hashrate", st.nominal_hashrate},
      {"hardware_errors", c.hardware_errors},
      {"chips", chips},
      {"generation", st.avalon ? json(std::string(hal::protocol::avalon::InfoOf(*st.avalon).name))
                               : json(nullptr)},
      {"modules", modules}};
}

json Chains(const MinerSnapshot& s) {
  json chains = json::array();
  for (const ChainSnapshot& c : s.chains) {
    chains.push_back(Chain(c));
  }
  return chains;
}

// What each chain runs at, and what an operator may set (ChainLimits; null: not here).
json Settings(const MinerSnapshot& s) {
  json chains = json::array();
  for (std::size_t i = 0; i < s.chains.size(); ++i) {
    const ChainSnapshot& c = s.chains[i];
    const ChainLimits& l = c.status.limits;
    json volts = nullptr;
    if (l.max_voltage.value > 0) {
      volts = {{"min", l.min_voltage.value}, {"max", l.max_voltage.value}};
    }
    json target = nullptr;
    if (l.thermal_target) {
      target = {{"min", l.min_target_c}, {"max", l.max_target_c}};
    }
    chains.push_back(
        {{"index", i},
         {"name", c.name},
         {"state", Describe(c.status)},
         {"frequency_mhz", c.status.frequency.value},
         {"core_volts", c.status.core ? json(c.status.core->voltage.value) : json(nullptr)},
         {"target_c", l.thermal_target ? json(l.target_c) : json(nullptr)},
         {"limits",
          {{"frequency", l.pll_model ? json(std::string(hal::protocol::InfoOf(*l.pll_model).name))
                                     : json(nullptr)},
           {"core_volts", volts},
           {"target_c", target}}}});
  }
  return {{"chains", chains}};
}

// POST /api/v1/settings {"chain": N, "frequency_mhz"?, "core_volts"?, "target_c"?}: each as
// the cgminer API's ascset, all checked before any is applied (one action, or none).
WebResponse TuneChain(const WebRequest& request, const MinerSnapshot& s) {
  const json body = json::parse(request.body, nullptr, false);
  constexpr std::pair<const char*, const char*> kFields[] = {
      {"frequency_mhz", "freq"}, {"core_volts", "voltage"}, {"target_c", "target"}};
  if (body.is_discarded() || !body.is_object() || !body.contains("chain") ||
      !body["chain"].is_number_unsigned()) {
    return Failure(400,
                   "expected JSON {\"chain\": N, \"frequency_mhz\": MHZ, \"core_volts\": V, "
                   "\"target_c\": C} (any of the last three)");
  }
  WebResponse done = Json(200, {{"done", ""}});
  for (const auto& [field, option] : kFields) {
    if (!body.contains(field)) {
      continue;
    }
    if (!body[field].is_number()) {
      return Failure(400, std::string(field) + ": expected a number");
    }
    const ApiOutcome outcome = RunPrivileged("ascset",
                                             std::to_string(body["chain"].get<std::uint64_t>()) +
                                                 "," + option + "," + json(body[field]).dump(),
                                             s);
    if (outcome.action.kind != ApiAction::Kind::kTune) {
      return Failure(400, outcome.message);
    }
    done.action.kind = ApiAction::Kind::kTune;
    done.action.chain = outcome.action.chain;
    const ChainTuning& t = outcome.action.tuning;
    done.action.tuning.frequency = t.frequency ? t.frequency : done.action.tuning.frequency;
    done.action.tuning.voltage = t.voltage ? t.voltage : done.action.tuning.voltage;
    done.action.tuning.target_c = t.target_c ? t.target_c : done.action.tuning.target_c;
  }
  if (done.action.kind != ApiAction::Kind::kTune) {
    return Failure(400, "nothing to set: give frequency_mhz, core_volts or target_c");
  }
  done.body = json{{"done", "chain " + std::to_string(done.action.chain) + ": " +
                                Describe(done.action.tuning)}}
                  .dump();
  return done;
}

json PoolsJson(const MinerSnapshot& s) {
  json out = json::array();
  for (std::size_t i = 0; i < s.pools.size(); ++i) {
    const PoolSnapshot& p = s.pools[i];
    out.push_back({{"index", i},
                   {"url", p.url},
                   {"user", p.user},
                   {"status", !p.enabled ? "disabled"
                              : p.alive  ? "alive"
                                         : "dead"},
                   {"active", p.active},
                   {"enabled", p.enabled},
                   {"accepted", p.accepted},
                   {"rejected", p.rejected},
                   {"difficulty", p.work_difficulty}});
  }
  return out;
}

// "a,b" with ',' and '\' escaped, as cgminer's addpool parameter takes them.
std::string Escaped(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == ',' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out;
}

// A cgminer API privileged command: its name and parameter.
struct PrivilegedCommand {
  const char* name = nullptr;
  std::string parameter;
};

// The cgminer API's privileged command for a change to the pools, in `command`; or why
// the request is refused.
std::optional<WebResponse> PoolCommand(const WebRequest& request, std::string_view path,
                                       PrivilegedCommand& command) {
  if (path == "pools") {
    if (request.method != "POST") {
      return NotAllowed("GET, POST", "pools takes POST (add) or GET");
    }
    const json body = json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.contains("url") ||
        !body["url"].is_string() || !body.value("user", json("")).is_string() ||
        !body.value("password", json("")).is_string()) {
      return Failure(400,
                     "expected JSON {\"url\": \"stratum+tcp://HOST:PORT\", \"user\": "
                     "\"...\", \"password\": \"...\"}");
    }
    const std::string url = body["url"].get<std::string>();
    if (url.rfind("stratum+tcp://", 0) != 0 && url.rfind("stratum+ssl://", 0) != 0 &&
        url.rfind("stratum+tls://", 0) != 0) {
      return Failure(400,
                     "the URL must start with stratum+tcp://, stratum+ssl:// or "
                     "stratum+tls://");
    }
    command = {"addpool", Escaped(url) + "," + Escaped(body.value("user", "")) + "," +
                              Escaped(body.value("password", ""))};
    return std::nullopt;
  }
  const std::string_view rest = path.substr(6);  // after "pools/"
  const auto slash = rest.find('/');
  const std::string index(rest.substr(0, slash));
  const std::string_view verb =
      slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  const char* name = request.method == "DELETE" && verb.empty()      ? "removepool"
                     : request.method == "POST" && verb == "switch"  ? "switchpool"
                     : request.method == "POST" && verb == "enable"  ? "enablepool"
                     : request.method == "POST" && verb == "disable" ? "disablepool"
                                                                     : nullptr;
  if (name == nullptr) {
    return NotAllowed("POST, DELETE", "pools/N takes POST switch|enable|disable or DELETE");
  }
  command = {name, index};
  return std::nullopt;
}

std::string CookieValue(std::string_view header) {
  while (!header.empty()) {
    const auto semi = header.find(';');
    std::string_view pair = header.substr(0, semi);
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    while (!pair.empty() && pair.front() == ' ') {
      pair.remove_prefix(1);
    }
    if (pair.size() > kCookie.size() && pair.substr(0, kCookie.size()) == kCookie &&
        pair[kCookie.size()] == '=') {
      return std::string(pair.substr(kCookie.size() + 1));
    }
  }
  return {};
}

}  // namespace

WebApp::WebApp(WebConfig config) : config_(std::move(config)) {}

void WebApp::Record(const MinerSnapshot& snapshot, std::int64_t unix_now) {
  if (!history_.empty() && unix_now - history_.back().when < kHistoryStep) {
    return;  // one sample per 5 s whatever the status interval: 720 are the last hour
  }
  history_.push_back({unix_now, snapshot.hashrate_5s, snapshot.hashrate_1m, snapshot.hashrate_15m});
  while (history_.size() > config_.history) {
    history_.pop_front();
  }
}

WebResponse WebApp::Handle(const WebRequest& request, const MinerSnapshot& snapshot,
                           const std::vector<std::string>& log_tail, Clock::time_point now) {
  const std::string_view target = request.target;
  const std::string_view path = target.substr(0, target.find('?'));
  if (path == "/metrics" || config_.metrics_only) {
    if (path != "/metrics") {
      return Failure(404, "this port serves /metrics only");
    }
    if (request.method != "GET" && request.method != "HEAD") {
      return NotAllowed("GET, HEAD", "GET /metrics");
    }
    WebResponse r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = RenderMetrics(snapshot);
    return r;
  }
  if (path.rfind("/api/v1/", 0) == 0) {
    return Api(request, path.substr(8), snapshot, log_tail, now);
  }
  if (request.method != "GET" && request.method != "HEAD") {
    return NotAllowed("GET, HEAD", "the page's files are read with GET");
  }
  const WebAsset* asset = FindWebAsset(path == "/" ? "/index.html" : path);
  if (asset == nullptr) {
    return Failure(404, "no such page: " + std::string(path));
  }
  WebResponse r;
  r.content_type = std::string(asset->content_type);
  r.body = std::string(asset->bytes);
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return r;
}

WebResponse WebApp::Api(const WebRequest& request, std::string_view path, const MinerSnapshot& s,
                        const std::vector<std::string>& log_tail, Clock::time_point now) {
  if (path == "login" || path == "logout") {
    if (request.method != "POST") {
      return NotAllowed("POST", std::string(path) + " takes POST");
    }
    return path == "login" ? Login(request, now) : Logout(request);
  }
  if (request.method != "GET" && request.method != "HEAD") {
    return Change(request, path, s, now);
  }
  if (path == "summary") {
    return Json(200, SummaryJson(s));
  }
  if (path == "chains") {
    return Json(200, Chains(s));
  }
  if (path == "pools") {
    return Json(200, PoolsJson(s));
  }
  if (path == "history") {
    json points = json::array();
    for (const Sample& p : history_) {
      points.push_back({p.when, p.rate_5s, p.rate_1m, p.rate_15m});
    }
    return Json(200, {{"columns", {"unix_time", "hashrate_5s", "hashrate_1m", "hashrate_15m"}},
                      {"samples", points}});
  }
  if (path == "log") {
    return Json(200, {{"lines", log_tail}});
  }
  if (path == "session") {
    const Session* session = SessionOf(request, now);
    json out = {{"logged_in", session != nullptr},
                {"password_set", !config_.password_hash.empty()},
                {"may_change", AccessFor(request.peer, config_.allow) == ApiAccess::kWrite}};
    if (session != nullptr) {
      out["csrf"] = session->csrf;
    }
    return Json(200, out);
  }
  if (path == "settings") {
    return Json(200, Settings(s));
  }
  return Failure(404, "no such API path: /api/v1/" + std::string(path));
}

bool WebApp::LockedOut(std::uint32_t peer, Clock::time_point now) {
  const auto expire = [now](std::deque<Clock::time_point>& times) {
    while (!times.empty() && now - times.front() >= kFailureWindow) {
      times.pop_front();
    }
  };
  expire(all_failures_);
  for (auto it = attempts_.begin(); it != attempts_.end();) {
    expire(it->second);
    it = it->second.empty() ? attempts_.erase(it) : std::next(it);
  }
  const auto it = attempts_.find(peer);
  return all_failures_.size() >= kFailuresAll ||
         (it != attempts_.end() && it->second.size() >= kAttemptsPerPeer);
}

WebResponse WebApp::Login(const WebRequest& request, Clock::time_point now) {
  if (config_.password_hash.empty()) {
    return Failure(403, "no password is set: run `hashrig passwd --config FILE` to allow changes");
  }
  // Only an address that may change the miner may log in (nor count against the limits:
  // anyone else could otherwise lock the owner out).
  if (AccessFor(request.peer, config_.allow) != ApiAccess::kWrite) {
    return Failure(403, "this address may not change the miner (--api-allow W:NETWORK)");
  }
  if (LockedOut(request.peer, now)) {
    return Failure(429, "too many login attempts: wait a minute");
  }
  attempts_[request.peer].push_back(now);  // every attempt: each costs a PBKDF2 run
  const json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("password") ||
      !body["password"].is_string()) {
    return Failure(400, "expected JSON {\"password\": \"...\"}");
  }
  if (!CheckPassword(body["password"].get<std::string>(), config_.password_hash)) {
    all_failures_.push_back(now);
    return Failure(401, "wrong password");
  }
  std::erase_if(sessions_, [now](const auto& entry) { return entry.second.expires <= now; });
  while (sessions_.size() >= kMaxSessions) {
    sessions_.erase(std::min_element(sessions_.begin(), sessions_.end(), [](auto& a, auto& b) {
      return a.second.expires < b.second.expires;
    }));
  }
  const std::string token = RandomHex(32);
  const Session& session = sessions_[token] = {RandomHex(32), now + kSessionLife};
  WebResponse r = Json(200, {{"logged_in", true}, {"csrf", session.csrf}});
  r.headers.emplace_back("Set-Cookie", std::string(kCookie) + "=" + token + "; Path=/; Max-Age=" +
                                           std::to_string(kSessionLife.count()) +
                                           "; HttpOnly; SameSite=Strict");
  return r;
}

WebResponse WebApp::Logout(const WebRequest& request) {
  if (const auto token = CookieValue(request.cookie); !token.empty()) {
    sessions_.erase(token);
  }
  WebResponse r = Json(200, {{"logged_in", false}});
  r.headers.emplace_back("Set-Cookie",
                         std::string(kCookie) + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
  return r;
}

const WebApp::Session* WebApp::SessionOf(const WebRequest& request, Clock::time_point now) {
  const auto it = sessions_.find(CookieValue(request.cookie));
  if (it == sessions_.end()) {
    return nullptr;
  }
  if (it->second.expires <= now) {
    sessions_.erase(it);
    return nullptr;
  }
  return &it->second;
}

WebResponse WebApp::Change(const WebRequest& request, std::string_view path, const MinerSnapshot& s,
                           Clock::time_point now) {
  if (path != "pools" && path.rfind("pools/", 0) != 0 && path != "settings") {
    return Failure(404, "no such API path: /api/v1/" + std::string(path));
  }
  if (path == "settings" && request.method != "POST") {
    return NotAllowed("GET, POST", "settings takes POST (change) or GET");
  }
  if (AccessFor(request.peer, config_.allow) != ApiAccess::kWrite) {
    return Failure(403, "this address may not change the miner (--api-allow W:NETWORK)");
  }
  const Session* session = SessionOf(request, now);
  if (session == nullptr) {
    return Failure(401, "log in first");
  }
  if (request.csrf.size() != session->csrf.size() || request.csrf != session->csrf) {
    return Failure(403, "missing or wrong X-CSRF-Token");
  }
  if (path == "settings") {
    return TuneChain(request, s);
  }
  // The cgminer API's privileged command, so both ways check the same things.
  PrivilegedCommand command;
  if (auto refused = PoolCommand(request, path, command)) {
    return *refused;
  }
  const ApiOutcome outcome = RunPrivileged(command.name, command.parameter, s);
  if (!outcome.ok) {
    return Failure(400, outcome.message);
  }
  WebResponse r = Json(200, {{"done", outcome.message}});
  r.action = outcome.action;
  return r;
}

}  // namespace hashrig::host
