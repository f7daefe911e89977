// `hashrig pool`: the local Stratum V1 pool (pool/local_pool.h) as a process, for the
// embedded default of `hashrig run`, for tests, and for anyone who wants a pool that
// never goes away on their bench.
#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange without it

#include <fcntl.h>
#include <unistd.h>
#include <boost/asio.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "hashrig/base/format.h"
#include "hashrig/base/hex.h"
#include "hashrig/host/cli/args.h"
#include "hashrig/host/cli/commands.h"
#include "hashrig/host/report/log.h"
#include "hashrig/pool/local_pool.h"
#include "hashrig/pool/url.h"

namespace hashrig::host {
namespace {

namespace asio = boost::asio;

// The --name option as seconds (0.1 s .. one day), into a millisecond duration.
Error ReadSeconds(const Args& args, std::string_view name, std::chrono::milliseconds& out) {
  const auto seconds =
      args.Number(name, static_cast<double>(out.count()) / 1000, 0.1, 86400, "seconds");
  if (!seconds) {
    return seconds.error();
  }
  out = std::chrono::milliseconds(static_cast<long>(*seconds * 1000));
  return {};
}

// The block template's settings: share difficulty, payout script, version mask.
Error ReadTemplate(const Args& args, pool::LocalPoolConfig& config) {
  if (args.Has("difficulty")) {
    const auto d = ParseDouble(args.Get("difficulty"));
    const auto difficulty = d ? sha256::Difficulty::From(*d) : std::nullopt;
    if (!difficulty) {
      return Invalid("--difficulty '" + args.Get("difficulty") + "': expected a positive number");
    }
    config.settings.difficulty = *difficulty;
  }
  if (args.Has("payout-script")) {
    auto script = DecodeHex(args.Get("payout-script"));
    if (!script || script->empty() || script->size() > 75) {
      return Invalid("--payout-script: expected 1..75 bytes of hex");
    }
    config.settings.payout_script = std::move(*script);
  }
  if (args.Has("version-mask")) {
    const auto mask = ParseHex32(args.Get("version-mask"));
    if (!mask) {
      return Invalid("--version-mask '" + args.Get("version-mask") + "': expected 8 hex digits");
    }
    config.settings.version_mask = *mask;
  }
  return {};
}

// The Stratum V2 authority secret key from FILE (64 hex digits, whitespace around them
// allowed). A FILE that does not exist is created with a new key (mode 0600), so the key
// miners put in their URLs stays the same across restarts.
Expected<pool::sv2::Key32> ReadAuthorityKey(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    if (std::filesystem::exists(path)) {
      return Error(StatusCode::kPermission, path + ": cannot read it");
    }
    const auto key = pool::sv2::KeyPair::Generate().secret;
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
      return Error(StatusCode::kPermission, path + ": cannot create it: " + std::strerror(errno));
    }
    const std::string text = EncodeHex(key) + "\n";
    const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    if (!written) {
      return Error(StatusCode::kUnavailable, path + ": cannot write the new key");
    }
    return key;
  }
  if (std::filesystem::is_directory(path)) {
    return Error(StatusCode::kInvalidArgument, path + ": is a directory, not a key file");
  }
  std::string text;
  in >> text;
  auto key = DecodeHexArray<32>(text);
  if (!key) {
    return Error(StatusCode::kInvalidArgument,
                 path + ": expected a secp256k1 secret key as 64 hex digits");
  }
  if (auto valid = pool::sv2::XOnlyPublicKey(*key); !valid) {
    return valid.error().Context(path);
  }
  return *key;
}

// Reads every option into `config`; an error names the bad one.
Error Configure(const Args& args, pool::LocalPoolConfig& config,
                std::chrono::seconds& stats_interval) {
  const auto listen = ParseHostPort(args.Get("listen", "127.0.0.1:3333"));
  if (!listen) {
    return listen.error().Context("--listen");
  }
  config.address = listen->host;
  config.port = listen->port;
  config.tls_cert_file = args.Get("tls-cert");
  config.tls_key_file = args.Get("tls-key");
  if (config.tls_cert_file.empty() != config.tls_key_file.empty()) {
    return Invalid("--tls-cert and --tls-key go together");
  }
  if (args.Has("sv2-listen")) {
    const auto sv2 = ParseHostPort(args.Get("sv2-listen"));
    if (!sv2) {
      return sv2.error().Context("--sv2-listen");
    }
    config.sv2_address = sv2->host;
    config.sv2_port = sv2->port;
  }
  if (args.Has("sv2-authority-key")) {
    if (!config.sv2_port) {
      return Invalid("--sv2-authority-key goes with --sv2-listen");
    }
    auto key = ReadAuthorityKey(args.Get("sv2-authority-key"));
    if (!key) {
      return key.error().Context("--sv2-authority-key");
    }
    config.sv2_authority_secret = *key;
  }
  return FirstError(
      {ReadTemplate(args, config), ReadSeconds(args, "job-interval", config.job_interval),
       ReadSeconds(args, "block-interval", config.block_interval),
       Store(args.Whole("extranonce2-size", config.settings.extranonce2_size,
                        pool::kMinExtranonce2Size, pool::kMaxExtranonce2Size, "bytes"),
             config.settings.extranonce2_size),
       Store(args.Whole("stats-interval", 60, 1, 86400, "seconds"), stats_interval)});
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
  std::string reasons;
  for (const auto& [reason, count] : ledger.rejected) {
    reasons += (reasons.empty() ? " (" : ", ") + reason + ": " + std::to_string(count);
  }
  return "accepted " + std::to_string(ledger.accepted) + " (difficulty sum " +
         FormatDifficulty(ledger.accepted_difficulty) + "), rejected " +
         std::to_string(ledger.RejectedCount()) + (reasons.empty() ? "" : reasons + ")") +
         ", blocks " + std::to_string(ledger.blocks);
}

void ArmStats(asio::steady_timer& timer, std::chrono::seconds every, const pool::LocalPool& pool,
              Logger& log) {
  timer.expires_after(every);
  timer.async_wait([&timer, every, &pool, &log](const boost::system::error_code& ec) {
    if (ec) {
      return;
    }
    const std::string failed = pool.Sv2FailedSetups();
    log.Write(LogLevel::kInfo, "pool",
              std::to_string(pool.connections()) + " miners; " + Summary(pool.ledger()) +
                  (failed.empty() ? "" : "; " + failed));
    ArmStats(timer, every, pool, log);
  });
}

}  // namespace

int RunPool(const Args& args) {
  pool::LocalPoolConfig config;
  std::chrono::seconds stats_interval{60};
  const auto level = ParseLogLevel(args.Get("log-level", "info"));
  const Error bad = level ? Configure(args, config, stats_interval)
                          : Invalid("--log-level: expected debug, info, warning or error");
  if (!bad.ok()) {
    return UsageError("pool", bad.message());
  }
  Logger log(std::cerr, *level);
  asio::io_context io;
  pool::LocalPool local(io, config, [&log](pool::Severity s, const std::string& text) {
    log.Write(LevelOf(s), "pool", text);
  });
  // Before "listening on" is printed: a supervisor that stops us as soon as we are ready
  // must get a clean stop, not the default action (exit 143).
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int signal) {
    log.Write(LogLevel::kInfo, "pool", "signal " + std::to_string(signal) + ", stopping");
    local.Stop();
    io.stop();
  });
  const auto port = local.Start();
  if (!port) {
    return Failure("pool", port.error().message());
  }
  std::cout << "listening on " << config.address << ":" << *port << " ("
            << (config.tls_cert_file.empty() ? "stratum+tcp" : "stratum+ssl") << ", difficulty "
            << config.settings.difficulty.value() << ")" << std::endl;
  if (const auto sv2 = local.Sv2Port()) {
    pool::PoolUrl url;  // as a miner writes it: an IPv6 address in brackets
    url.host = config.sv2_address;
    url.port = *sv2;
    url.sv2 = true;
    url.authority_key = local.Sv2AuthorityKey();
    std::cout << "Stratum V2 on " << url.ToString() << std::endl;
  }
  asio::steady_timer stats(io);
  ArmStats(stats, stats_interval, local, log);
  io.run();
  std::cout << Summary(local.ledger()) << std::endl;
  return kExitOk;
}

}  // namespace hashrig::host
