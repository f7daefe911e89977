// `hashrig run`: the miner. With no pool and no board it runs the embedded default — a
// slice of an S21-profile hashboard from hal/sim, driven by the real chain controller,
// mining against the local pool of pool/ in the same process — so a newcomer sees
// shares accepted within seconds. This file turns options into a DaemonConfig and the
// boards' chains; the Daemon (host/mining) runs them.
#include <unistd.h>

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
#include "hashrig/host/report/log.h"

namespace hashrig::host {
namespace {

const std::vector<OptionSpec>& Options() {
  static const std::string board_help =
      BoardSyntaxList() + " (repeatable; default: sim — a slice of an S21 hashboard)";
  static const std::vector<OptionSpec> kOptions = {
      {"url", 'o', true, true,
       "pool URL (repeatable, in priority order); none: the built-in local pool"},
      {"user", 'u', true, true, "worker name for the pool given before it"},
      {"pass", 'p', true, true, "password for the pool given before it"},
      {"board", 'b', true, true, board_help},
      {"chip", 0, true, false,
       "chip model: BM1397, BM1366, BM1368, BM1370 (default BM1370; BM1368 on sim boards)"},
      {"chips", 0, true, false,
       "chips per chain (default 4 on sim: a slice of an S21 chain; 1 otherwise)"},
      {"frequency", 0, true, false, "chip frequency in MHz (default: the model's)"},
      {"ticket-difficulty", 0, true, false,
       "difficulty chips report nonces at (default 256; below 1 only for simulated chips)"},
      {"cpu-rate", 0, true, false,
       "real hashes per second a simulated board may compute (default 2e7)"},
      {"pool-difficulty", 0, true, false, "difficulty of the built-in pool (default 0.002)"},
      {"probe-interval", 0, true, false,
       "seconds between probes of higher-priority pools while failed over (default 60)"},
      {"sim-ambient", 0, true, false, "ambient temperature of simulated boards, °C (default 25)"},
      {"api-listen", 0, true, false, "[ADDRESS:]PORT for the cgminer API (e.g. 4028; default off)"},
      {"metrics-listen", 0, true, false, "[ADDRESS:]PORT for Prometheus /metrics (default off)"},
      {"api-allow", 0, true, false,
       "who may use the API: W:NET/BITS (privileged), R:NET/BITS or NET/BITS, comma-separated "
       "(default: read-only from loopback)"},
      {"duration", 0, true, false,
       "stop after this many seconds (default: run until SIGINT/SIGTERM)"},
      {"status-interval", 0, true, false, "seconds between status lines (default 5)"},
      {"log-level", 0, true, false, "debug, info, warning or error (default info)"},
      {"config", 'c', true, false,
       "JSON file of these options (docs/CONFIG.md); the command line wins"},
      {"print-config", 0, false, false, "print the effective configuration as JSON and exit"},
      {"help", 'h', false, false, "show this help"},
  };
  return kOptions;
}

constexpr std::string_view kUsage =
    "usage: hashrig run [-o URL -u USER -p PASS]... [OPTIONS]\n\n"
    "Mines. With no pool, on a simulated S21-profile chain against the built-in\n"
    "local pool (the embedded default). Logs every share and a status line.\n\n";

struct RunOptions {
  DaemonConfig daemon;
  std::vector<BoardSpec> boards;
  BoardSettings settings;
  pool::LocalPoolConfig local;
  LogLevel level = LogLevel::kInfo;
  bool embedded = false;
};

Error ReadPools(const Args& args, RunOptions& o) {
  const auto urls = args.GetAll("url");
  const auto users = args.GetAll("user");
  const auto passes = args.GetAll("pass");
  for (std::size_t i = 0; i < urls.size(); ++i) {
    auto url = pool::ParsePoolUrl(urls[i]);
    if (!url) {
      return url.error().Context("-o");
    }
    o.daemon.pools.push_back(
        {*url, i < users.size() ? users[i] : "hashrig", i < passes.size() ? passes[i] : "x"});
  }
  return {};
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

Error Invalid(std::string message) { return {StatusCode::kInvalidArgument, std::move(message)}; }

// The chips: model, count, clock and ticket of the chains the host drives.
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
  const auto ticket = ParseDouble(args.Get("ticket-difficulty", "256"));
  if (!ticket || *ticket <= 0) {
    return Invalid("--ticket-difficulty: expected a positive number");
  }
  driver.ticket_difficulty = *ticket;
  o.settings.ticket_given = args.Has("ticket-difficulty");
  if (*ticket < 1) {
    driver.sub_one_ticket = &hal::sim::kSubOneTicket;  // simulated chips only (help says so)
  }
  return {};
}

Error ReadSimulation(const Args& args, RunOptions& o) {
  const auto rate = ParseDouble(args.Get("cpu-rate", "2e7"));
  if (!rate || *rate <= 0) {
    return Invalid("--cpu-rate: expected hashes per second > 0");
  }
  o.settings.sim_cpu_rate = *rate;
  const auto ambient = ParseDouble(args.Get("sim-ambient", "25"));
  if (!ambient || *ambient < -40 || *ambient > 120) {
    return Invalid("--sim-ambient: expected -40..120 °C");
  }
  o.settings.sim_ambient_c = *ambient;
  const auto d = ParseDouble(args.Get("pool-difficulty", "0.002"));
  const auto difficulty = d ? sha256::Difficulty::From(*d) : std::nullopt;
  if (!difficulty) {
    return Invalid("--pool-difficulty: expected a positive number");
  }
  o.local.port = 0;
  o.local.settings.difficulty = *difficulty;
  return {};
}

Error ReadDaemon(const Args& args, RunOptions& o) {
  DaemonConfig& d = o.daemon;
  const auto probe = ParseCount(args.Get("probe-interval", "60"));
  if (!probe || *probe == 0 || *probe > 86400) {
    return Invalid("--probe-interval: expected 1..86400 seconds");
  }
  d.probe_interval = std::chrono::seconds(*probe);
  const auto duration = ParseCount(args.Get("duration", "0"));
  const auto interval = ParseCount(args.Get("status-interval", "5"));
  if (!duration || !interval || *interval == 0) {
    return Invalid("--duration / --status-interval: expected whole seconds (interval > 0)");
  }
  d.duration = std::chrono::seconds(*duration);
  d.status_interval = std::chrono::seconds(*interval);
  d.api_listen = args.Get("api-listen");
  d.metrics_listen = args.Get("metrics-listen");
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
  return {};
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

// The command line, with --config's file merged under it.
Expected<Args> ParseRunArgs(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, Options());
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
  const auto from_file = ConfigToArgs(text.str(), Options());
  if (!from_file) {
    return from_file.error().Context(path);
  }
  auto merged = Args::Parse(MergeArgs(*from_file, argv, Options()), Options());
  if (!merged) {
    return merged.error().Context(path);
  }
  return merged;
}

int Run(const Args& args) {
  auto options = ReadOptions(args);
  if (!options) {
    std::cerr << "hashrig run: " << options.error().message() << "\n";
    return kExitUsage;
  }
  if (args.Has("print-config")) {
    std::cout << EffectiveConfig(args, Options());
    return kExitOk;
  }
  Logger log(std::cerr, options->level);
  // On a terminal: a live screen on stdout, with the log's last lines in it (when stderr
  // is the same terminal, the log would scroll the screen away).
  options->daemon.screen = ::isatty(STDOUT_FILENO) != 0 && ::isatty(STDERR_FILENO) != 0;
  Daemon daemon(options->daemon, MakeChains(*options, log), log);
  return daemon.Run() == 0 ? kExitOk : kExitFailure;
}

}  // namespace

const Command& RunCommand() {
  static const Command kCommand{
      "run",  "mine (no pool given: a simulated chain against the built-in pool)",
      kUsage, Options(),
      &Run,   &ParseRunArgs};
  return kCommand;
}

}  // namespace hashrig::host
