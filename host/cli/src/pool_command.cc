// `hashrig pool`: the local Stratum V1 pool (pool/local_pool.h) as a process, for the
// embedded default of `hashrig run`, for tests, and for anyone who wants a pool that
// never goes away on their bench.
#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>
#include <iostream>

#include "hashrig/host/cli/args.h"
#include "hashrig/host/cli/commands.h"
#include "hashrig/host/report/log.h"
#include "hashrig/pool/hex.h"
#include "hashrig/pool/local_pool.h"

namespace hashrig::host {
namespace {

Error Invalid(std::string message) { return {StatusCode::kInvalidArgument, std::move(message)}; }

namespace asio = boost::asio;

const std::vector<OptionSpec> kOptions = {
    {"listen", 'l', true, false,
     "ADDRESS:PORT to listen on (default 127.0.0.1:3333; port 0 = any)"},
    {"difficulty", 'd', true, false, "share difficulty, fractional allowed (default 0.002)"},
    {"job-interval", 0, true, false, "seconds between new jobs (default 30)"},
    {"block-interval", 0, true, false, "seconds between simulated new blocks (default 600)"},
    {"payout-script", 0, true, false, "coinbase output script as hex (default 51, OP_TRUE)"},
    {"version-mask", 0, true, false, "version bits miners may roll, hex (default 1fffe000)"},
    {"extranonce2-size", 0, true, false, "extranonce2 bytes, 1..16 (default 4)"},
    {"tls-cert", 0, true, false, "PEM certificate chain: serve stratum+ssl"},
    {"tls-key", 0, true, false, "PEM private key for --tls-cert"},
    {"stats-interval", 0, true, false, "seconds between share statistics in the log (default 60)"},
    {"log-level", 0, true, false, "debug, info, warning or error (default info)"},
    {"help", 'h', false, false, "show this help"},
};

constexpr std::string_view kUsage =
    "usage: hashrig pool [--listen ADDRESS:PORT] [--difficulty D] [OPTIONS]\n\n"
    "A small Stratum V1 pool: jobs from a synthetic block template, version rolling,\n"
    "every share validated. Prints 'listening on ADDRESS:PORT' when ready; runs\n"
    "until SIGINT or SIGTERM, then prints what it accepted.\n\n";

// Reads every option into `config`; an error names the bad one.
Error Configure(const Args& args, pool::LocalPoolConfig& config,
                std::chrono::seconds& stats_interval) {
  const std::string listen = args.Get("listen", "127.0.0.1:3333");
  const auto colon = listen.rfind(':');
  const auto port =
      colon == std::string::npos ? std::nullopt : ParseCount(listen.substr(colon + 1));
  if (!port || *port > 65535 || colon == 0) {
    return Invalid("--listen '" + listen + "': expected ADDRESS:PORT");
  }
  config.address = listen.substr(0, colon);
  config.port = static_cast<std::uint16_t>(*port);
  if (args.Has("difficulty")) {
    const auto d = ParseDouble(args.Get("difficulty"));
    const auto difficulty = d ? sha256::Difficulty::From(*d) : std::nullopt;
    if (!difficulty) {
      return Invalid("--difficulty '" + args.Get("difficulty") + "': expected a positive number");
    }
    config.settings.difficulty = *difficulty;
  }
  for (auto [name, field] : {std::pair{"job-interval", &config.job_interval},
                             std::pair{"block-interval", &config.block_interval}}) {
    if (!args.Has(name)) {
      continue;
    }
    const auto seconds = ParseDouble(args.Get(name));
    if (!seconds || *seconds < 0.1 || *seconds > 86400) {
      return Invalid(std::string("--") + name + " '" + args.Get(name) +
                     "': expected 0.1..86400 seconds");
    }
    *field = std::chrono::milliseconds(static_cast<long>(*seconds * 1000));
  }
  if (args.Has("payout-script")) {
    auto script = pool::DecodeHex(args.Get("payout-script"));
    if (!script || script->empty() || script->size() > 75) {
      return Invalid("--payout-script: expected 1..75 bytes of hex");
    }
    config.settings.payout_script = std::move(*script);
  }
  if (args.Has("version-mask")) {
    const auto mask = pool::ParseHex32(args.Get("version-mask"));
    if (!mask) {
      return Invalid("--version-mask '" + args.Get("version-mask") + "': expected 8 hex digits");
    }
    config.settings.version_mask = *mask;
  }
  if (args.Has("extranonce2-size")) {
    const auto size = ParseCount(args.Get("extranonce2-size"));
    if (!size || *size < pool::kMinExtranonce2Size || *size > pool::kMaxExtranonce2Size) {
      return Invalid("--extranonce2-size: expected 1..16");
    }
    config.settings.extranonce2_size = *size;
  }
  config.tls_cert_file = args.Get("tls-cert");
  config.tls_key_file = args.Get("tls-key");
  if (config.tls_cert_file.empty() != config.tls_key_file.empty()) {
    return Invalid("--tls-cert and --tls-key go together");
  }
  const auto stats = ParseCount(args.Get("stats-interval", "60"));
  if (!stats || *stats == 0) {
    return Invalid("--stats-interval: expected a whole number of seconds > 0");
  }
  stats_interval = std::chrono::seconds(*stats);
  return {};
}

LogLevel LevelOf(pool::Severity severity) {
  switch (severity) {
    case pool::Severity::kInfo:
      return LogLevel::kInfo;
    case pool::Severity::kWarning:
      return LogLevel::kWarning;
    case pool::Severity::kError:
      return LogLevel::kError;
  }
  return LogLevel::kInfo;
}

std::string Summary(const pool::PoolLedger& ledger) {
  std::uint64_t rejected = 0;
  std::string reasons;
  for (const auto& [reason, count] : ledger.rejected) {
    rejected += count;
    reasons += (reasons.empty() ? " (" : ", ") + reason + ": " + std::to_string(count);
  }
  return "accepted " + std::to_string(ledger.accepted) + " (difficulty sum " +
         std::to_string(ledger.accepted_difficulty) + "), rejected " + std::to_string(rejected) +
         (reasons.empty() ? "" : reasons + ")") + ", blocks " + std::to_string(ledger.blocks);
}

void ArmStats(asio::steady_timer& timer, std::chrono::seconds every, const pool::LocalPool& pool,
              Logger& log) {
  timer.expires_after(every);
  timer.async_wait([&timer, every, &pool, &log](const boost::system::error_code& ec) {
    if (ec) {
      return;
    }
    log.Write(LogLevel::kInfo, "pool",
              std::to_string(pool.connections()) + " miners; " + Summary(pool.ledger()));
    ArmStats(timer, every, pool, log);
  });
}

int Run(const Args& args) {
  pool::LocalPoolConfig config;
  std::chrono::seconds stats_interval{60};
  const auto level = ParseLogLevel(args.Get("log-level", "info"));
  const Error bad = level ? Configure(args, config, stats_interval)
                          : Invalid("--log-level: expected debug, info, warning or error");
  if (!bad.ok()) {
    std::cerr << "hashrig pool: " << bad.message() << "\n";
    return kExitUsage;
  }
  Logger log(std::cerr, *level);
  asio::io_context io;
  pool::LocalPool local(io, config, [&log](pool::Severity s, const std::string& text) {
    log.Write(LevelOf(s), "pool", text);
  });
  const auto port = local.Start();
  if (!port) {
    std::cerr << "hashrig pool: " << port.error().message() << "\n";
    return kExitFailure;
  }
  std::cout << "listening on " << config.address << ":" << *port << " ("
            << (config.tls_cert_file.empty() ? "stratum+tcp" : "stratum+ssl") << ", difficulty "
            << config.settings.difficulty.value() << ")" << std::endl;
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int signal) {
    log.Write(LogLevel::kInfo, "pool", "signal " + std::to_string(signal) + ", stopping");
    local.Stop();
    io.stop();
  });
  asio::steady_timer stats(io);
  ArmStats(stats, stats_interval, local, log);
  io.run();
  std::cout << Summary(local.ledger()) << std::endl;
  return kExitOk;
}

}  // namespace

const Command& PoolCommand() {
  static const Command kCommand{"pool", "run a local Stratum V1 pool that validates every share",
                                kUsage, kOptions, &Run};
  return kCommand;
}

}  // namespace hashrig::host
