// `hashrig run`: the miner. With no pool and no board it runs the embedded default — a
// slice of an S21-profile hashboard from hal/sim, driven by the real chain controller,
// mining against the local pool of pool/ in the same process — so a newcomer sees
// shares accepted within seconds. This file turns options into a DaemonConfig and the
// boards' chains; the Daemon (host/mining) runs them.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "hashrig/hal/protocol/bm13xx/registers.h"
#include "hashrig/hal/sim/sim_registers.h"
#include "hashrig/host/boards/board_kinds.h"
#include "hashrig/host/cli/args.h"
#include "hashrig/host/cli/commands.h"
#include "hashrig/host/cli/config.h"
#include "hashrig/host/mining/daemon.h"
#include "hashrig/host/report/api_server.h"
#include "hashrig/host/report/log.h"
#include "hashrig/host/report/password.h"
#include "tools.h"

namespace hashrig::host {
namespace {

struct RunOptions {
  DaemonConfig daemon;
  std::vector<BoardSpec> boards;
  BoardSettings settings;
  pool::LocalPoolConfig local;
  LogLevel level = LogLevel::kInfo;
  bool embedded = false;
};

Error ReadTls(const Args& args, pool::TlsOptions& tls) {
  if (args.Has("tls-ca")) {
    tls.ca_file = args.Get("tls-ca");
    if (!std::ifstream(tls.ca_file)) {
      return Invalid("--tls-ca: cannot read '" + tls.ca_file + "'");
    }
  }
  if (args.Has("tls-fingerprint")) {
    auto pinned = pool::ParseCertificateFingerprint(args.Get("tls-fingerprint"));
    if (!pinned) {
      return pinned.error().Context("--tls-fingerprint");
    }
    tls.pinned = *pinned;
  }
  tls.insecure = args.Has("tls-insecure");
  return {};
}

Error ReadPools(const Args& args, RunOptions& o) {
  const auto urls = args.GetAll("url");
  const auto users = args.GetAll("user");
  const auto passes = args.GetAll("pass");
  if (urls.empty() && (!users.empty() || !passes.empty())) {
    // A worker name with no pool would mine the built-in demo pool, earning nothing.
    return Invalid(
        "-u/-p (config: user, pass) given without -o (config: url): name the pool they are "
        "for (-o stratum+tcp://HOST:PORT); "
        "with no -o, -u or -p hashrig mines its built-in demo pool");
  }
  for (std::size_t i = 0; i < urls.size(); ++i) {
    auto url = pool::ParsePoolUrl(urls[i]);
    if (!url) {
      return url.error().Context("-o");
    }
    o.daemon.pools.push_back(
        {*url, i < users.size() ? users[i] : "hashrig", i < passes.size() ? passes[i] : "x"});
  }
  return ReadTls(args, o.daemon.tls);
}

Error ReadBoards(const Args& args, RunOptions& o) {
  for (const std::string& text : args.GetAll("board")) {
    auto spec = ParseBoardSpec(text);
    if (!spec) {
      return spec.error();
    }
    o.boards.push_back(*spec);
  }
  o.embedded = o.boards.empty();
  if (o.embedded) {
    o.boards.push_back(*ParseBoardSpec("sim:4"));
  }
  return {};
}

std::string FormatVolts(Volts v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f V", v.value);
  return text;
}

// The chips: model, count, clock, core voltage and ticket of the chains the host drives.
Error ReadChips(const Args& args, RunOptions& o) {
  namespace p = hal::protocol;
  const bool sim = o.boards[0].kind == FindBoardKind("sim");
  const auto chips = ParseCount(args.Get("chips", sim ? std::to_string(o.boards[0].count) : "1"));
  if (!chips || *chips < 1 || *chips > 256) {
    return Invalid("--chips: expected 1..256");
  }
  const auto model = p::ModelByName(args.Get("chip", sim ? "BM1368" : "BM1370"));
  if (!model) {
    return Invalid("--chip '" + args.Get("chip") + "': expected BM1397, BM1366, BM1368 or BM1370");
  }
  p::DriverConfig& driver = o.settings.driver;
  driver.model = *model;
  driver.expected_chips = static_cast<int>(*chips);
  driver.frequency = p::InfoOf(*model).default_frequency;
  if (args.Has("frequency")) {
    const auto mhz = ParseDouble(args.Get("frequency"));
    if (!mhz || !p::SolvePll(*model, {*mhz}).ok()) {
      return Invalid("--frequency '" + args.Get("frequency") +
                     "': not a frequency this chip's PLL makes");
    }
    driver.frequency = {*mhz};
  }
  o.settings.core_voltage = p::InfoOf(*model).default_core_voltage;
  if (args.Has("voltage")) {
    const auto volts = ParseDouble(args.Get("voltage"));
    const p::ChipInfo& info = p::InfoOf(*model);
    if (!volts || *volts < p::kMinCoreVoltage.value || *volts > info.max_core_voltage.value) {
      char range[64];
      std::snprintf(range, sizeof range, "%.2f..%.3f V", p::kMinCoreVoltage.value,
                    info.max_core_voltage.value);
      return Invalid("--voltage '" + args.Get("voltage") + "': a " + std::string(info.name) +
                     " takes " + range + " (default " + FormatVolts(info.default_core_voltage) +
                     ")");
    }
    o.settings.core_voltage = Volts{*volts};
  }
  const auto ticket = ParseDouble(args.Get("ticket-difficulty", "256"));
  if (!ticket || *ticket <= 0) {
    return Invalid("--ticket-difficulty: expected a positive number");
  }
  driver.ticket_difficulty = *ticket;
  o.settings.ticket_given = args.Has("ticket-difficulty");
  if (Error e = ReadAvalonSettings(args, o.settings.avalon); !e.ok()) {
    return e;
  }
  if (*ticket < 1) {
    driver.sub_one_ticket = &hal::sim::kSubOneTicket;  // simulated chips only (help says so)
  }
  return {};
}

Error ReadSimulation(const Args& args, RunOptions& o) {
  const auto d = args.Number("pool-difficulty", 0.002, 0, 1e15);
  const auto difficulty = d ? sha256::Difficulty::From(*d) : std::nullopt;
  if (!difficulty) {
    return Invalid("--pool-difficulty: expected a positive number");
  }
  o.local.port = 0;
  o.local.settings.difficulty = *difficulty;
  if (Error e = FirstError({
          Store(args.Number("cpu-rate", 2e7, 1, 1e12, "hashes per second"),
                o.settings.sim_cpu_rate),
          Store(args.Number("sim-ambient", 25, -40, 120, "°C"), o.settings.sim_ambient_c),
      });
      !e.ok()) {
    return e;
  }
  if (args.Has("cpu-rate")) {  // the default (2e7) is within what a core does
    o.settings.sim_cpu_rate = UsableCpuRate(o.settings.sim_cpu_rate, "run");
  }
  return {};
}

Error ReadDaemon(const Args& args, RunOptions& o) {
  DaemonConfig& d = o.daemon;
  d.api_listen = args.Get("api-listen");
  d.metrics_listen = args.Get("metrics-listen");
  d.http_listen = args.Get("http-listen");
  d.http_password_hash = args.Get("http-password-hash");
  if (!d.http_password_hash.empty() && !ValidPasswordHash(d.http_password_hash)) {
    return Invalid("--http-password-hash: not a hash `hashrig passwd` wrote");
  }
  // Checked here, so a bad value exits 2 before any board or pool starts.
  for (const char* name : {"api-listen", "metrics-listen", "http-listen"}) {
    if (args.Has(name)) {
      if (auto where = ParseListenAddress(args.Get(name)); !where) {
        return where.error().Context(std::string("--") + name);
      }
    }
  }
  if (args.Has("api-allow")) {
    auto rules = ParseApiAllow(args.Get("api-allow"));
    if (!rules) {
      return rules.error();
    }
    d.api_allow = std::move(*rules);
  }
  const auto level = ParseLogLevel(args.Get("log-level", "info"));
  if (!level) {
    return Invalid("--log-level: expected debug, info, warning or error");
  }
  o.level = *level;
  constexpr unsigned long long kDay = 86400;
  return FirstError({
      Store(args.Whole("probe-interval", 60, 1, kDay, "seconds"), d.probe_interval),
      Store(args.Whole("duration", 0, 0, 365 * kDay, "seconds (0: until stopped)"), d.duration),
      Store(args.Whole("status-interval", 5, 1, kDay, "seconds"), d.status_interval),
  });
}

Expected<RunOptions> ReadOptions(const Args& args) {
  RunOptions o;
  for (Error (*read)(const Args&, RunOptions&) :
       {&ReadPools, &ReadBoards, &ReadChips, &ReadSimulation, &ReadDaemon}) {
    if (Error e = read(args, o); !e.ok()) {
      return e;
    }
  }
  if (o.daemon.pools.empty()) {
    o.daemon.local = o.local;
    o.daemon.local_note =
        o.embedded ? " (embedded default: simulated S21-profile chain of " +
                         std::to_string(o.boards[0].count) + " x " +
                         std::string(hal::protocol::InfoOf(o.settings.driver.model).name) + ")"
                   : "";
  }
  return o;
}

std::vector<std::unique_ptr<HashChain>> MakeChains(const RunOptions& o, Logger& log) {
  std::vector<std::unique_ptr<HashChain>> chains;
  for (std::size_t i = 0; i < o.boards.size(); ++i) {
    const BoardSpec& spec = o.boards[i];
    std::string name = std::string(spec.kind->name_prefix) + std::to_string(i);
    log.Write(LogLevel::kInfo, "run", "board " + name + ": " + spec.text);
    chains.push_back(spec.kind->make_chain(spec, o.settings, std::move(name), log));
  }
  return chains;
}

}  // namespace

// The command line, with --config's file merged under it.
Expected<Args> ParseRunArgs(const std::vector<std::string>& argv,
                            const std::vector<OptionSpec>& options) {
  auto args = Args::Parse(argv, options);
  if (!args || !args->Has("config")) {
    return args;
  }
  const std::string path = args->Get("config");
  std::ifstream in(path);
  if (!in) {
    return Error(StatusCode::kNotFound, "--config " + path + ": cannot read it");
  }
  std::stringstream text;
  text << in.rdbuf();
  const auto from_file = ConfigToArgs(text.str(), options);
  if (!from_file) {
    return from_file.error().Context(path);
  }
  auto merged = Args::Parse(MergeArgs(*from_file, argv, options), options);
  if (!merged) {
    return merged.error().Context(path);
  }
  merged->set_command_line(argv);
  return merged;
}

int RunMiner(const Args& args) {
  HoldDaemonSignals();  // one sent while the miner starts is acted on, not fatal
  auto options = ReadOptions(args);
  if (!options) {
    return UsageError("run", options.error().message());
  }
  if (args.Has("print-config")) {
    std::cout << EffectiveConfig(args, FindCommand("run")->options);
    return kExitOk;
  }
  Logger log(std::cerr, options->level);
  // On a terminal: a live screen on stdout, with the log's last lines in it (when stderr
  // is the same terminal, the log would scroll the screen away).
  options->daemon.screen = ::isatty(STDOUT_FILENO) != 0 && ::isatty(STDERR_FILENO) != 0;
  if (args.Has("config")) {  // SIGHUP: the file again, under the same command line
    options->daemon.reload = [argv = args.command_line()]() -> Expected<ReloadedSettings> {
      const auto& specs = FindCommand("run")->options;
      auto again = ParseRunArgs(argv, specs);
      auto read = again ? ReadOptions(*again) : Expected<RunOptions>(again.error());
      if (!read) {
        return read.error();
      }
      return ReloadedSettings{read->daemon.pools, read->level};
    };
  }
  Daemon daemon(options->daemon, MakeChains(*options, log), log);
  return daemon.Run() == 0 ? kExitOk : kExitFailure;
}

}  // namespace hashrig::host
