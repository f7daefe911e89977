// `hashrig run`: the miner. With no pool and no board it runs the embedded default — a
// scaled-down S21-profile chain from hal/sim, driven by the real chain driver, mining
// against the local pool of pool/ in the same process — so a newcomer sees shares
// accepted within seconds.
#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange without it

#include <unistd.h>
#include <boost/asio.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

#include "api_server.h"
#include "boards.h"
#include "hashrig/hal/protocol/registers.h"
#include "hashrig/hal/sim/rigs.h"
#include "hashrig/host/args.h"
#include "hashrig/host/commands.h"
#include "hashrig/host/config.h"
#include "hashrig/host/log.h"
#include "hashrig/host/metrics.h"
#include "hashrig/host/miner.h"
#include "hashrig/host/screen.h"
#include "hashrig/pool/local_pool.h"

namespace hashrig::host {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

const std::vector<OptionSpec> kOptions = {
    {"url", 'o', true, true,
     "pool URL (repeatable, in priority order); none: the built-in local pool"},
    {"user", 'u', true, true, "worker name for the pool given before it"},
    {"pass", 'p', true, true, "password for the pool given before it"},
    {"board", 'b', true, true,
     "sim[:CHIPS], cpu[:THREADS], serial:PATH[@BAUD], tcp:HOST:PORT, usb:VID:PID[#SERIAL] "
     "(repeatable; default: sim)"},
    {"chip", 0, true, false,
     "chip model on serial/tcp/usb boards: BM1397, BM1366, BM1368, BM1370 (default BM1370)"},
    {"chips", 0, true, false,
     "chips per chain (default 4 on sim: a slice of an S21 chain; 1 otherwise)"},
    {"frequency", 0, true, false, "chip frequency in MHz (default: the model's)"},
    {"ticket-difficulty", 0, true, false,
     "difficulty chips report nonces at (default 256; below 1 only for simulated chips)"},
    {"cpu-rate", 0, true, false,
     "real hashes per second the simulated chain may compute (default 2e7)"},
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

void PrintHelp() {
  std::cout << "usage: hashrig run [-o URL -u USER -p PASS]... [OPTIONS]\n\n"
               "Mines. With no pool, on a simulated S21-profile chain against the built-in\n"
               "local pool (the embedded default). Logs every share and a status line.\n\n"
            << FormatOptions(kOptions);
}

struct RunOptions {
  std::vector<pool::PoolEndpoint> pools;
  std::vector<BoardSpec> boards;
  hal::protocol::DriverConfig driver;
  int chips = 4;
  double cpu_rate = 2e7;
  double sim_ambient_c = 25;
  std::chrono::seconds probe_interval{60};
  sha256::Difficulty pool_difficulty = *sha256::Difficulty::From(0.002);
  std::chrono::seconds duration{0};
  std::chrono::seconds status_interval{5};
  LogLevel level = LogLevel::kInfo;
  std::string api_listen;
  std::string metrics_listen;
  std::vector<AllowRule> api_allow;
};

std::optional<std::string> ReadOptions(const Args& args, RunOptions& o) {
  const auto urls = args.GetAll("url");
  const auto users = args.GetAll("user");
  const auto passes = args.GetAll("pass");
  for (std::size_t i = 0; i < urls.size(); ++i) {
    auto url = pool::ParsePoolUrl(urls[i]);
    if (!url) {
      return "-o: " + url.error().message();
    }
    o.pools.push_back(
        {*url, i < users.size() ? users[i] : "hashrig", i < passes.size() ? passes[i] : "x"});
  }
  for (const std::string& text : args.GetAll("board")) {
    std::string error;
    auto spec = ParseBoardSpec(text, error);
    if (!spec) {
      return error;
    }
    o.boards.push_back(*spec);
  }
  if (o.boards.empty()) {
    o.boards.push_back(BoardSpec{"sim", "", "", 115'200, 4});
  }
  const auto chips = ParseCount(args.Get("chips", o.boards[0].kind == "sim" ? "4" : "1"));
  if (!chips || *chips < 1 || *chips > 256) {
    return "--chips: expected 1..256";
  }
  o.chips = static_cast<int>(*chips);
  const auto model = hal::protocol::ModelByName(args.Get("chip", "BM1370"));
  if (!model) {
    return "--chip '" + args.Get("chip") + "': expected BM1397, BM1366, BM1368 or BM1370";
  }
  o.driver.model = *model;
  o.driver.expected_chips = o.chips;
  o.driver.frequency = hal::protocol::InfoOf(*model).default_frequency;
  if (args.Has("frequency")) {
    const auto mhz = ParseDouble(args.Get("frequency"));
    if (!mhz || !hal::protocol::SolvePll(*model, {*mhz}).ok()) {
      return "--frequency '" + args.Get("frequency") + "': not a frequency this chip's PLL makes";
    }
    o.driver.frequency = {*mhz};
  }
  const auto ticket = ParseDouble(args.Get("ticket-difficulty", "256"));
  if (!ticket || *ticket <= 0) {
    return "--ticket-difficulty: expected a positive number";
  }
  o.driver.ticket_difficulty = *ticket;
  const auto rate = ParseDouble(args.Get("cpu-rate", "2e7"));
  if (!rate || *rate <= 0) {
    return "--cpu-rate: expected hashes per second > 0";
  }
  o.cpu_rate = *rate;
  const auto d = ParseDouble(args.Get("pool-difficulty", "0.002"));
  const auto difficulty = d ? sha256::Difficulty::From(*d) : std::nullopt;
  if (!difficulty) {
    return "--pool-difficulty: expected a positive number";
  }
  o.pool_difficulty = *difficulty;
  const auto ambient = ParseDouble(args.Get("sim-ambient", "25"));
  if (!ambient || *ambient < -40 || *ambient > 120) {
    return "--sim-ambient: expected -40..120 °C";
  }
  o.sim_ambient_c = *ambient;
  const auto probe = ParseCount(args.Get("probe-interval", "60"));
  if (!probe || *probe == 0 || *probe > 86400) {
    return "--probe-interval: expected 1..86400 seconds";
  }
  o.probe_interval = std::chrono::seconds(*probe);
  const auto duration = ParseCount(args.Get("duration", "0"));
  const auto interval = ParseCount(args.Get("status-interval", "5"));
  if (!duration || !interval || *interval == 0) {
    return "--duration / --status-interval: expected whole seconds (interval > 0)";
  }
  o.duration = std::chrono::seconds(*duration);
  o.status_interval = std::chrono::seconds(*interval);
  o.api_listen = args.Get("api-listen");
  o.metrics_listen = args.Get("metrics-listen");
  if (args.Has("api-allow")) {
    std::string error;
    auto rules = ParseApiAllow(args.Get("api-allow"), error);
    if (!rules) {
      return error;
    }
    o.api_allow = std::move(*rules);
  }
  const auto level = ParseLogLevel(args.Get("log-level", "info"));
  if (!level) {
    return "--log-level: expected debug, info, warning or error";
  }
  o.level = *level;
  return std::nullopt;
}

// The in-process simulated chain: S21-profile chips (BM1368). A CPU finds 32-zero-bit
// hashes far too slowly, so it uses the simulator's documented sub-1 ticket (about one
// nonce per 2^22 hashes), and short init delays (no real PLL to settle).
hal::protocol::DriverConfig SimDriver(int chips) {
  hal::protocol::DriverConfig driver;
  driver.model = *hal::sim::FindRig("antminer-s21")->chip;
  driver.expected_chips = chips;
  driver.frequency = hal::protocol::InfoOf(driver.model).default_frequency;
  driver.ticket_difficulty = 1.0 / 1024;
  driver.enumeration_silence = 50ms;
  driver.ramp_step_delay = 2ms;
  driver.reset_hold = 5ms;
  return driver;
}

std::vector<std::unique_ptr<HashChain>> MakeBoards(const RunOptions& o, std::string& error) {
  std::vector<std::unique_ptr<HashChain>> chains;
  for (std::size_t i = 0; i < o.boards.size(); ++i) {
    const BoardSpec& spec = o.boards[i];
    const auto driver = spec.kind == "sim" ? SimDriver(spec.count) : o.driver;
    std::string name = (spec.kind == "sim"   ? "SIM"
                        : spec.kind == "cpu" ? "CPU"
                                             : "BM") +
                       std::to_string(i);
    auto chain = MakeBoard(spec, driver, o.cpu_rate, o.sim_ambient_c, name, error);
    if (!chain) {
      return {};
    }
    chains.push_back(std::move(chain));
  }
  return chains;
}

// What an API action does to the running miner.
void Apply(const ApiAction& action, pool::PoolClient& client, Miner& miner, Logger& log,
           const std::function<void(const std::string&)>& stop) {
  using Kind = ApiAction::Kind;
  const auto index = static_cast<std::size_t>(action.pool);
  switch (action.kind) {
    case Kind::kAddPool: {
      auto url = pool::ParsePoolUrl(action.url);
      if (!url) {
        log.Write(LogLevel::kWarning, "api", "addpool: " + url.error().message());
        return;
      }
      client.AddPool({*url, action.user, action.password});
      log.Write(LogLevel::kInfo, "api", "added pool " + url->ToString());
      return;
    }
    case Kind::kSwitchPool:
      log.Write(LogLevel::kInfo, "api", "switching to pool " + std::to_string(index));
      return client.SwitchTo(index);
    case Kind::kEnablePool:
    case Kind::kDisablePool:
      log.Write(LogLevel::kInfo, "api",
                std::string(action.kind == Kind::kEnablePool ? "enabling" : "disabling") +
                    " pool " + std::to_string(index));
      return client.SetPoolEnabled(index, action.kind == Kind::kEnablePool);
    case Kind::kRemovePool:
      log.Write(LogLevel::kInfo, "api", "removing pool " + std::to_string(index));
      (void)client.RemovePool(index);
      return;
    case Kind::kRestart:
      log.Write(LogLevel::kInfo, "api", "restarting the chains");
      return miner.RestartChains();
    case Kind::kQuit:
      return stop("quit requested through the API");
    case Kind::kNone:
      return;
  }
}

template <typename F>
void Every(asio::steady_timer& timer, std::chrono::milliseconds period, F f) {
  timer.expires_after(period);
  timer.async_wait([&timer, period, f](const boost::system::error_code& ec) {
    if (!ec) {
      f();
      Every(timer, period, f);
    }
  });
}

}  // namespace

// The command line, with --config's file merged under it.
std::optional<Args> ParseRunArgs(const std::vector<std::string>& argv, std::string& error) {
  std::optional<Args> args = Args::Parse(argv, kOptions, &error);
  if (!args || !args->Has("config")) {
    return args;
  }
  const std::string path = args->Get("config");
  std::ifstream in(path);
  if (!in) {
    error = "--config " + path + ": cannot read it";
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  const auto from_file = ConfigToArgs(text.str(), kOptions, error);
  if (!from_file) {
    error = path + ": " + error;
    return std::nullopt;
  }
  args = Args::Parse(MergeArgs(*from_file, argv, kOptions), kOptions, &error);
  if (!args) {
    error = path + ": " + error;
  }
  return args;
}

int RunRunCommand(const std::vector<std::string>& argv) {
  std::string error;
  const std::optional<Args> args = ParseRunArgs(argv, error);
  if (!args) {
    std::cerr << "hashrig run: " << error << " (try 'hashrig run --help')\n";
    return kExitUsage;
  }
  if (args->Has("help")) {
    PrintHelp();
    return kExitOk;
  }
  RunOptions options;
  if (auto bad = ReadOptions(*args, options)) {
    std::cerr << "hashrig run: " << *bad << "\n";
    return kExitUsage;
  }
  if (args->Has("print-config")) {
    std::cout << EffectiveConfig(*args, kOptions);
    return kExitOk;
  }
  Logger log(std::cerr, options.level);
  asio::io_context io;
  std::unique_ptr<pool::LocalPool> local;
  if (options.pools.empty()) {
    pool::LocalPoolConfig config;
    config.port = 0;
    config.settings.difficulty = options.pool_difficulty;
    local = std::make_unique<pool::LocalPool>(io, config,
                                              [&log](pool::Severity, const std::string& text) {
                                                log.Write(LogLevel::kDebug, "local pool", text);
                                              });
    const auto port = local->Start();
    if (!port) {
      std::cerr << "hashrig run: local pool: " << port.error().message() << "\n";
      return kExitFailure;
    }
    const bool embedded = !args->Has("board");
    log.Write(LogLevel::kInfo, "run",
              "built-in local pool on 127.0.0.1:" + std::to_string(*port) +
                  (embedded ? " (embedded default: simulated S21-profile chain of " +
                                  std::to_string(options.boards[0].count) + " x BM1368)"
                            : ""));
    options.pools.push_back(
        {*pool::ParsePoolUrl("127.0.0.1:" + std::to_string(*port)), "hashrig.sim", "x"});
  }
  pool::ClientConfig client_config;
  client_config.pools = options.pools;
  client_config.failover.probe_interval = options.probe_interval;
  std::unique_ptr<Miner> miner;
  pool::PoolClient client(io, client_config, [&miner](std::size_t pool, const pool::Event& e) {
    if (miner) {
      miner->OnPoolEvent(pool, e);
    }
  });
  std::string board_error;
  auto chains = MakeBoards(options, board_error);
  if (chains.empty()) {
    std::cerr << "hashrig run: " << board_error << "\n";
    return kExitFailure;
  }
  for (const auto& chain : chains) {
    const std::string what = chain->description();
    log.Write(LogLevel::kInfo, "run", "board " + chain->name() + (what.empty() ? "" : ": " + what));
  }
  miner = std::make_unique<Miner>(client, std::move(chains), log);
  client.Start();

  std::function<void(const std::string&)> stop;
  const auto epoch_now = [] {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  ApiServer api(
      io,
      [&](std::string_view request, std::uint32_t peer) {
        return AnswerApi(request, AccessFor(peer, options.api_allow), miner->Snapshot(),
                         epoch_now());
      },
      [&](const ApiAction& action) { Apply(action, client, *miner, log, stop); });
  ApiServer metrics(
      io,
      [&](std::string_view request, std::uint32_t) {
        return ApiReply{AnswerMetricsHttp(request, miner->Snapshot()), {}};
      },
      [](const ApiAction&) {});
  for (auto [server, where, what] :
       {std::tuple{&api, options.api_listen, "cgminer API"},
        std::tuple{&metrics, options.metrics_listen, "Prometheus metrics"}}) {
    if (where.empty()) {
      continue;
    }
    const auto port = server->Listen(where);
    if (!port) {
      std::cerr << "hashrig run: " << what << ": " << port.error().message() << "\n";
      return kExitFailure;
    }
    log.Write(LogLevel::kInfo, "run", std::string(what) + " on port " + std::to_string(*port));
  }

  asio::steady_timer hash_timer(io), status_timer(io), refresh_timer(io), stop_timer(io);
  Every(hash_timer, 10ms, [&] { miner->Tick(8ms); });
  // On a terminal: a live screen on stdout, with the log's last lines in it (when stderr
  // is the same terminal, the log would scroll the screen away).
  const bool terminal = ::isatty(STDOUT_FILENO) != 0;
  if (terminal && ::isatty(STDERR_FILENO) != 0) {
    log.CaptureTail(12);
  }
  Every(status_timer, options.status_interval, [&] {
    log.Write(LogLevel::kInfo, "status", miner->StatusLine());
    if (terminal) {
      std::cout << RenderScreen(miner->Snapshot(), log.Tail()) << std::flush;
    }
  });
  Every(refresh_timer, 10s, [&] { miner->RefreshWork(); });
  stop = [&](const std::string& why) {
    log.CaptureTail(0);  // the screen is done: the last words go to the log again
    log.Write(LogLevel::kInfo, "run", why + "; " + miner->StatusLine());
    api.Stop();
    metrics.Stop();
    client.Stop();
    if (local) {
      local->Stop();
    }
    io.stop();
  };
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (!ec) {
      stop("signal " + std::to_string(signal));
    }
  });
  if (options.duration.count() > 0) {
    stop_timer.expires_after(options.duration);
    stop_timer.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) {
        stop("ran for " + std::to_string(options.duration.count()) + " s");
      }
    });
  }
  io.run();
  const MinerStats& stats = miner->stats();
  std::cout << "accepted " << stats.accepted << ", rejected " << stats.rejected << ", stale "
            << stats.stale << ", lost " << stats.lost << ", hardware errors "
            << stats.hardware_errors << std::endl;
  return kExitOk;
}

}  // namespace hashrig::host
