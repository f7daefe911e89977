// `hashrig run`'s daemon: owns the I/O context and everything on it — the pool client
// (and, with no pool given, the built-in local pool), the scheduler, the cgminer API and
// /metrics servers, the status line, signals and the stop timer. Chains run on their
// own threads and hand their nonces over through a bounded inbox; the I/O thread never
// waits for a chain (issue 10), so the API, the status line, shares and SIGTERM stay on
// time however loaded the machine is.
//
//   Daemon daemon(config, std::move(chains), log);
//   return daemon.Run();   // until SIGINT/SIGTERM, --duration or the API's quit
//
// A stop drains: no share is submitted after it, and the pool's answers to those already
// sent are awaited (up to `drain`; a second signal ends the wait). SIGHUP re-reads the
// config (pools, log level) without a pause in mining.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hashrig/host/mining/hash_chain.h"
#include "hashrig/host/report/api.h"
#include "hashrig/host/report/log.h"
#include "hashrig/pool/client.h"
#include "hashrig/pool/local_pool.h"

namespace hashrig::host {

// What SIGHUP re-reads from the config file (issue 12, point 3).
struct ReloadedSettings {
  std::vector<pool::PoolEndpoint> pools;  // empty: keep the pools (or the built-in one)
  LogLevel level = LogLevel::kInfo;
};

struct DaemonConfig {
  std::vector<pool::PoolEndpoint> pools;       // in priority order
  pool::TlsOptions tls;                        // how TLS pools' certificates are checked
  std::optional<pool::LocalPoolConfig> local;  // the built-in pool, mined when set
  std::string local_note;                      // said in the log when it starts
  std::chrono::seconds probe_interval{60};
  std::string api_listen;      // "[ADDRESS:]PORT"; empty: off
  std::string metrics_listen;  // "[ADDRESS:]PORT"; empty: off
  // The dashboard, its REST API and /metrics (issue 15): "[ADDRESS:]PORT"; empty: off.
  std::string http_listen;
  std::string http_password_hash;  // password.h's stored form; empty: the page is read-only
  std::vector<AllowRule> api_allow;
  std::chrono::seconds duration{0};  // 0: until a signal
  std::chrono::seconds status_interval{5};
  std::chrono::seconds refresh_interval{10};  // fresh extranonce2 for every chain
  bool screen = false;                        // the live terminal screen on stdout
  // Nonces waiting for the I/O thread beyond this are dropped and counted (a host too
  // loaded to keep up loses work, never memory).
  std::size_t inbox_limit = 100'000;
  // Stopping waits this long at most for the pool's answers to the shares already sent.
  std::chrono::milliseconds drain{2000};
  // SIGHUP: re-reads the settings (the config file); empty: nothing to re-read.
  std::function<Expected<ReloadedSettings>()> reload;
};

// SIGINT, SIGTERM and SIGHUP held pending in the calling thread, and in the threads it
// starts after, until Daemon::Run's handlers take them (Run unblocks them in its thread):
// called first thing by `hashrig run`, so a signal sent while the miner reads its
// configuration and opens its boards is acted on instead of ending the process.
void HoldDaemonSignals();

class Daemon {
 public:
  Daemon(DaemonConfig config, std::vector<std::unique_ptr<HashChain>> chains, Logger& log);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Runs until stopped; the exit code (0, or 1 when a listener could not start).
  int Run();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace hashrig::host
