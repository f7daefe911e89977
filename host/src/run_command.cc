// `hashrig run`: the miner. With no pool and no board it runs the embedded default — a
// scaled-down S21-profile chain from hal/sim, driven by the real chain driver, mining
// against the local pool of pool/ in the same process — so a newcomer sees shares
// accepted within seconds.
#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>
#include <iostream>

#include "hashrig/hal/sim/rigs.h"
#include "hashrig/host/args.h"
#include "hashrig/host/commands.h"
#include "hashrig/host/log.h"
#include "hashrig/host/miner.h"
#include "hashrig/pool/local_pool.h"
#include "sim_chain.h"

namespace hashrig::host {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

const std::vector<OptionSpec> kOptions = {
    {"url", 'o', true, true,
     "pool URL (repeatable, in priority order); none: the built-in local pool"},
    {"user", 'u', true, true, "worker name for the pool given before it"},
    {"pass", 'p', true, true, "password for the pool given before it"},
    {"chips", 0, true, false, "chips on the simulated chain (default 4: a slice of an S21 chain)"},
    {"cpu-rate", 0, true, false,
     "real hashes per second the simulated chain may compute (default 2e7)"},
    {"pool-difficulty", 0, true, false, "difficulty of the built-in pool (default 0.002)"},
    {"duration", 0, true, false,
     "stop after this many seconds (default: run until SIGINT/SIGTERM)"},
    {"status-interval", 0, true, false, "seconds between status lines (default 5)"},
    {"log-level", 0, true, false, "debug, info, warning or error (default info)"},
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
  int chips = 4;
  double cpu_rate = 2e7;
  pool::Difficulty pool_difficulty = *pool::Difficulty::From(0.002);
  std::chrono::seconds duration{0};
  std::chrono::seconds status_interval{5};
  LogLevel level = LogLevel::kInfo;
};

std::optional<std::string> ReadOptions(const Args& args, RunOptions& o) {
  const auto urls = args.GetAll("url");
  const auto users = args.GetAll("user");
  const auto passes = args.GetAll("pass");
  for (std::size_t i = 0; i < urls.size(); ++i) {
    auto url = pool::ParsePoolUrl(urls[i]);
    if (!url) {
      return "-o: " + url.error().message;
    }
    o.pools.push_back(
        {*url, i < users.size() ? users[i] : "hashrig", i < passes.size() ? passes[i] : "x"});
  }
  const auto chips = ParseCount(args.Get("chips", "4"));
  if (!chips || *chips < 1 || *chips > 256) {
    return "--chips: expected 1..256";
  }
  o.chips = static_cast<int>(*chips);
  const auto rate = ParseDouble(args.Get("cpu-rate", "2e7"));
  if (!rate || *rate <= 0) {
    return "--cpu-rate: expected hashes per second > 0";
  }
  o.cpu_rate = *rate;
  const auto d = ParseDouble(args.Get("pool-difficulty", "0.002"));
  const auto difficulty = d ? pool::Difficulty::From(*d) : std::nullopt;
  if (!difficulty) {
    return "--pool-difficulty: expected a positive number";
  }
  o.pool_difficulty = *difficulty;
  const auto duration = ParseCount(args.Get("duration", "0"));
  const auto interval = ParseCount(args.Get("status-interval", "5"));
  if (!duration || !interval || *interval == 0) {
    return "--duration / --status-interval: expected whole seconds (interval > 0)";
  }
  o.duration = std::chrono::seconds(*duration);
  o.status_interval = std::chrono::seconds(*interval);
  const auto level = ParseLogLevel(args.Get("log-level", "info"));
  if (!level) {
    return "--log-level: expected debug, info, warning or error";
  }
  o.level = *level;
  return std::nullopt;
}

std::unique_ptr<HashChain> EmbeddedChain(const RunOptions& o) {
  const hal::sim::RigProfile& s21 = *hal::sim::FindRig("antminer-s21");
  hal::protocol::DriverConfig driver;
  driver.model = *s21.chip;
  driver.expected_chips = o.chips;
  driver.frequency = hal::protocol::InfoOf(driver.model).default_frequency;
  // A CPU finds 32-zero-bit hashes far too slowly; the simulator's documented sub-1
  // ticket lets nonces flow (about one per 2^22 hashes).
  driver.ticket_difficulty = 1.0 / 1024;
  driver.enumeration_silence = 50ms;
  driver.ramp_step_delay = 2ms;
  driver.reset_hold = 5ms;
  return std::make_unique<SimChain>(
      "SIM0", hal::sim::ChainConfig{driver.model, o.chips, o.cpu_rate, 1}, driver);
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

int RunRunCommand(const std::vector<std::string>& argv) {
  std::string error;
  const std::optional<Args> args = Args::Parse(argv, kOptions, &error);
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
      std::cerr << "hashrig run: local pool: " << port.error().message << "\n";
      return kExitFailure;
    }
    log.Write(LogLevel::kInfo, "run",
              "embedded default: local pool on 127.0.0.1:" + std::to_string(*port) +
                  ", simulated S21-profile chain of " + std::to_string(options.chips) +
                  " x BM1368");
    options.pools.push_back(
        {*pool::ParsePoolUrl("127.0.0.1:" + std::to_string(*port)), "hashrig.sim", "x"});
  }
  pool::ClientConfig client_config;
  client_config.pools = options.pools;
  std::unique_ptr<Miner> miner;
  pool::PoolClient client(io, client_config, [&miner](std::size_t pool, const pool::Event& e) {
    if (miner) {
      miner->OnPoolEvent(pool, e);
    }
  });
  std::vector<std::unique_ptr<HashChain>> chains;
  chains.push_back(EmbeddedChain(options));
  miner = std::make_unique<Miner>(client, std::move(chains), log);
  client.Start();

  asio::steady_timer hash_timer(io), status_timer(io), refresh_timer(io), stop_timer(io);
  Every(hash_timer, 10ms, [&] { miner->Tick(8ms); });
  Every(status_timer, options.status_interval,
        [&] { log.Write(LogLevel::kInfo, "status", miner->StatusLine()); });
  Every(refresh_timer, 10s, [&] { miner->RefreshWork(); });
  auto stop = [&](const std::string& why) {
    log.Write(LogLevel::kInfo, "run", why + "; " + miner->StatusLine());
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
  std::cout << "accepted " << miner->stats().accepted << ", rejected " << miner->stats().rejected
            << ", stale " << miner->stats().stale << ", hardware errors "
            << miner->stats().hardware_errors << std::endl;
  return kExitOk;
}

}  // namespace hashrig::host
