#include "hashrig/host/mining/daemon.h"

#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>

#include <atomic>
#include <csignal>
#include <iostream>
#include <mutex>

#include "hashrig/base/unix_time.h"
#include "hashrig/host/mining/scheduler.h"
#include "hashrig/host/report/api_server.h"
#include "hashrig/host/report/http_server.h"
#include "hashrig/host/report/screen.h"
#include "hashrig/host/report/web.h"

namespace hashrig::host {
namespace {

namespace asio = boost::asio;
using error_code = boost::system::error_code;

// Chain threads → the I/O thread: batches of checked nonces, bounded.
class NonceInbox {
 public:
  explicit NonceInbox(std::size_t limit) : limit_(limit) {}
  // True when the caller must post a drain (none is pending).
  bool Push(std::size_t chain, std::vector<FoundNonce>&& batch) {
    const std::lock_guard lock(mutex_);
    if (held_ + batch.size() > limit_) {
      dropped_ += batch.size();
      return false;
    }
    held_ += batch.size();
    batches_.emplace_back(chain, std::move(batch));
    return !std::exchange(drain_posted_, true);
  }
  std::vector<std::pair<std::size_t, std::vector<FoundNonce>>> Take() {
    const std::lock_guard lock(mutex_);
    drain_posted_ = false;
    held_ = 0;
    return std::exchange(batches_, {});
  }
  std::uint64_t dropped() const {
    const std::lock_guard lock(mutex_);
    return dropped_;
  }

 private:
  std::size_t limit_;
  mutable std::mutex mutex_;
  std::vector<std::pair<std::size_t, std::vector<FoundNonce>>> batches_;
  std::size_t held_ = 0;
  std::uint64_t dropped_ = 0;
  bool drain_posted_ = false;
};

template <typename F>
void Every(asio::steady_timer& timer, std::chrono::milliseconds period, F f) {
  timer.expires_after(period);
  timer.async_wait([&timer, period, f](const error_code& ec) {
    if (!ec) {
      f();
      Every(timer, period, f);
    }
  });
}

}  // namespace

struct Daemon::State {
  State(DaemonConfig c, std::vector<std::unique_ptr<HashChain>> chains, Logger& l)
      : config(std::move(c)),
        log(l),
        inbox(config.inbox_limit),
        pending_chains(std::move(chains)) {}

  int Run();
  bool StartServers();
  bool StartLocalPool();
  template <typename Server>
  bool Listen(Server& server, const std::string& where, const char* what);
  void StartChains();
  void Drain();
  void Apply(const ApiAction& action);
  void Status();
  void Stop(const std::string& why);
  void AwaitAnswers(std::chrono::steady_clock::time_point until);
  void Finish();
  void WaitForSignal(asio::signal_set& signals);
  void Reload();
  void ApplyPools(const std::vector<pool::PoolEndpoint>& pools);

  DaemonConfig config;
  Logger& log;
  asio::io_context io;
  NonceInbox inbox;
  std::vector<std::unique_ptr<HashChain>> pending_chains;
  std::unique_ptr<pool::LocalPool> local;
  std::unique_ptr<pool::PoolClient> client;
  std::unique_ptr<Scheduler> scheduler;
  std::unique_ptr<ApiServer> api;
  std::unique_ptr<WebApp> web;
  std::unique_ptr<WebApp> metrics_web;
  std::unique_ptr<HttpServer> http;
  std::unique_ptr<HttpServer> metrics;
  asio::steady_timer drain_timer{io};
  bool stopping = false;
  bool finished = false;
};

Daemon::Daemon(DaemonConfig config, std::vector<std::unique_ptr<HashChain>> chains, Logger& log)
    : state_(std::make_unique<State>(std::move(config), std::move(chains), log)) {}

Daemon::~Daemon() = default;

int Daemon::Run() { return state_->Run(); }

bool Daemon::State::StartLocalPool() {
  if (!config.local) {
    return true;
  }
  local = std::make_unique<pool::LocalPool>(io, *config.local,
                                            [this](pool::Severity, const std::string& text) {
                                              log.Write(LogLevel::kDebug, "local pool", text);
                                            });
  const auto port = local->Start();
  if (!port) {
    log.Write(LogLevel::kError, "run", "local pool: " + port.error().message());
    return false;
  }
  log.Write(LogLevel::kInfo, "run",
            "built-in local pool on 127.0.0.1:" + std::to_string(*port) + config.local_note);
  config.pools.insert(
      config.pools.begin(),
      {*pool::ParsePoolUrl("127.0.0.1:" + std::to_string(*port)), "hashrig.sim", "x"});
  return true;
}

template <typename Server>
bool Daemon::State::Listen(Server& server, const std::string& where, const char* what) {
  if (where.empty()) {
    return true;
  }
  const auto port = server.Listen(where);
  if (!port) {
    log.Write(LogLevel::kError, "run", std::string(what) + ": " + port.error().message());
    return false;
  }
  log.Write(LogLevel::kInfo, "run", std::string(what) + " on port " + std::to_string(*port));
  return true;
}

void Daemon::State::StartChains() {
  auto& chains = scheduler->chains();
  for (std::size_t i = 0; i < chains.size(); ++i) {
    chains[i]->Start([this, i](std::vector<FoundNonce>&& batch) {
      if (inbox.Push(i, std::move(batch))) {
        asio::post(io, [this] { Drain(); });
      }
    });
  }
}

void Daemon::State::Drain() {
  for (const auto& [chain, batch] : inbox.Take()) {
    scheduler->OnNonces(chain, batch);
  }
}

void Daemon::State::Apply(const ApiAction& action) {
  using Kind = ApiAction::Kind;
  const auto index = static_cast<std::size_t>(action.pool);
  switch (action.kind) {
    case Kind::kAddPool: {
      auto url = pool::ParsePoolUrl(action.url);
      if (!url) {
        log.Write(LogLevel::kWarning, "api", "addpool: " + url.error().message());
        return;
      }
      client->AddPool({*url, action.user, action.password});
      log.Write(LogLevel::kInfo, "api", "added pool " + url->ToString());
      return;
    }
    case Kind::kSwitchPool:
      log.Write(LogLevel::kInfo, "api", "switching to pool " + std::to_string(index));
      return client->SwitchTo(index);
    case Kind::kEnablePool:
    case Kind::kDisablePool:
      log.Write(LogLevel::kInfo, "api",
                std::string(action.kind == Kind::kEnablePool ? "enabling" : "disabling") +
                    " pool " + std::to_string(index));
      return client->SetPoolEnabled(index, action.kind == Kind::kEnablePool);
    case Kind::kRemovePool:
      log.Write(LogLevel::kInfo, "api", "removing pool " + std::to_string(index));
      (void)client->RemovePool(index);
      return;
    case Kind::kRestart:
      log.Write(LogLevel::kInfo, "api", "restarting the chains");
      return scheduler->RestartChains();
    case Kind::kQuit:
      return Stop("quit requested through the API");
    case Kind::kTune: {
      auto& chains = scheduler->chains();
      if (action.chain < 0 || static_cast<std::size_t>(action.chain) >= chains.size()) {
        return;
      }
      HashChain& chain = *chains[static_cast<std::size_t>(action.chain)];
      log.Write(LogLevel::kInfo, "api", chain.name() + ": setting " + Describe(action.tuning));
      return chain.Tune(action.tuning);
    }
    case Kind::kNone:
      return;
  }
}

void Daemon::State::Status() {
  scheduler->FlushShareLog();
  std::string line = scheduler->StatusLine();
  if (const std::uint64_t dropped = inbox.dropped(); dropped > 0) {
    line += " | nonces dropped (host overloaded): " + std::to_string(dropped);
  }
  log.Write(LogLevel::kInfo, "status", line);
  const MinerSnapshot snapshot = scheduler->Snapshot();
  web->Record(snapshot, UnixSeconds());
  if (config.screen) {
    std::cout << RenderScreen(snapshot, log.Tail()) << std::flush;
  }
}

// A stop drains (issue 12, point 4): nothing is submitted after it, and the answers to
// the shares already sent are awaited, up to config.drain; then everything closes.
void Daemon::State::Stop(const std::string& why) {
  if (stopping) {
    return;
  }
  stopping = true;
  scheduler->BeginStop();
  client->DiscardQueued("the miner stopped before it was sent");
  log.CaptureTail(0);  // the screen is done: the last words go to the log again
  log.Write(LogLevel::kInfo, "run", why + "; " + scheduler->StatusLine());
  if (const std::size_t waiting = client->awaiting_answers(); waiting > 0) {
    log.Write(LogLevel::kInfo, "run",
              "waiting up to " + std::to_string(config.drain.count()) +
                  " ms for the pool's answers to " + std::to_string(waiting) + " shares");
  }
  AwaitAnswers(std::chrono::steady_clock::now() + config.drain);
}

void Daemon::State::AwaitAnswers(std::chrono::steady_clock::time_point until) {
  if (client->awaiting_answers() == 0 || std::chrono::steady_clock::now() >= until) {
    return Finish();
  }
  drain_timer.expires_after(std::chrono::milliseconds(20));
  drain_timer.async_wait([this, until](const error_code& ec) {
    if (!ec) {
      AwaitAnswers(until);
    }
  });
}

void Daemon::State::Finish() {
  if (std::exchange(finished, true)) {
    return;
  }
  drain_timer.cancel();
  api->Stop();
  http->Stop();
  metrics->Stop();
  client->Stop();  // what is still unanswered is reported lost
  scheduler->FlushShareLog();
  if (local) {
    local->Stop();
  }
  io.stop();
}

// SIGINT/SIGTERM stop (a second one ends the drain at once); SIGHUP re-reads the config.
void Daemon::State::WaitForSignal(asio::signal_set& signals) {
  signals.async_wait([this, &signals](const error_code& ec, int signal) {
    if (ec) {
      return;
    }
    if (signal == SIGHUP) {
      Reload();
    } else if (stopping) {
      log.Write(LogLevel::kInfo, "run", "signal " + std::to_string(signal) + " again: not waiting");
      return Finish();
    } else {
      Stop("signal " + std::to_string(signal));
    }
    WaitForSignal(signals);
  });
}

void Daemon::State::Reload() {
  if (!config.reload) {
    log.Write(LogLevel::kInfo, "run",
              "SIGHUP: started without --config, nothing to re-read; mining on");
    return;
  }
  auto settings = config.reload();
  if (!settings) {
    log.Write(LogLevel::kError, "run",
              "SIGHUP: config not reloaded (" + settings.error().message() +
                  "); mining on with the settings in force");
    return;
  }
  ApplyPools(settings->pools);
  log.Write(LogLevel::kInfo, "run",
            "SIGHUP: config re-read: log level " + std::string(ToString(settings->level)) + ", " +
                std::to_string(settings->pools.size()) +
                " pools (boards, chips and thermal settings apply at the next start)");
  log.set_min_level(settings->level);  // last: what changed is said at the old level
}

// The pools of the re-read config: new ones added, missing ones removed (the one being
// mined last, once another is there to switch to; its unanswered shares are lost).
void Daemon::State::ApplyPools(const std::vector<pool::PoolEndpoint>& pools) {
  if (pools.empty() || local) {
    return;  // none configured (or the built-in pool is mined): nothing to change
  }
  const auto same = [](const pool::PoolEndpoint& a, const pool::PoolEndpoint& b) {
    return a.url.ToString() == b.url.ToString() && a.user == b.user && a.password == b.password;
  };
  // Pool i of the client is one of `pools` (and not removed already).
  const auto wanted = [&](std::size_t i) {
    return !client->pool_removed(i) && std::any_of(pools.begin(), pools.end(), [&](const auto& p) {
      return same(client->pool(i), p);
    });
  };
  for (const auto& p : pools) {
    bool known = false;
    for (std::size_t i = 0; i < client->pool_count() && !known; ++i) {
      known = !client->pool_removed(i) && same(client->pool(i), p);
    }
    if (!known) {
      client->AddPool(p);
      log.Write(LogLevel::kInfo, "run", "SIGHUP: added pool " + p.url.ToString());
    }
  }
  for (std::size_t i = 0; i < client->pool_count(); ++i) {
    if (client->pool_removed(i) || wanted(i)) {
      continue;
    }
    if (i == client->active_pool()) {  // off the one going away first
      for (std::size_t j = 0; j < client->pool_count(); ++j) {
        if (wanted(j)) {
          client->SwitchTo(j);
          break;
        }
      }
    }
    if (client->RemovePool(i)) {
      log.Write(LogLevel::kInfo, "run", "SIGHUP: removed pool " + client->pool(i).url.ToString());
    }
  }
}

// The cgminer API, the Prometheus endpoint and the dashboard (each only when asked for);
// false if one cannot listen.
bool Daemon::State::StartServers() {
  api = std::make_unique<ApiServer>(
      io,
      [this](std::string_view request, std::uint32_t peer) {
        return AnswerApi(request, AccessFor(peer, config.api_allow), scheduler->Snapshot(),
                         UnixSeconds());
      },
      [this](const ApiAction& action) { Apply(action); }, ApiRequestComplete);
  web = std::make_unique<WebApp>(WebConfig{config.http_password_hash, config.api_allow});
  WebConfig metrics_only;
  metrics_only.metrics_only = true;
  metrics_web = std::make_unique<WebApp>(metrics_only);
  const auto serve = [this](WebApp& app) {
    return [this, &app](const WebRequest& request) {
      return app.Handle(request, scheduler->Snapshot(), log.Recent(),
                        std::chrono::steady_clock::now());
    };
  };
  http = std::make_unique<HttpServer>(io, serve(*web),
                                      [this](const ApiAction& action) { Apply(action); });
  metrics = std::make_unique<HttpServer>(io, serve(*metrics_web), [](const ApiAction&) {});
  if (!config.http_listen.empty()) {
    log.KeepRecent(200);
  }
  return Listen(*api, config.api_listen, "cgminer API") &&
         Listen(*metrics, config.metrics_listen, "Prometheus metrics") &&
         Listen(*http, config.http_listen, "dashboard (HTTP)");
}

namespace {

void MaskDaemonSignals(int how) {
  sigset_t handled;
  sigemptyset(&handled);
  for (const int number : {SIGINT, SIGTERM, SIGHUP}) {
    sigaddset(&handled, number);
  }
  pthread_sigmask(how, &handled, nullptr);
}

}  // namespace

void HoldDaemonSignals() { MaskDaemonSignals(SIG_BLOCK); }

int Daemon::State::Run() {
  // Registered first: a signal that comes while the servers, pools and chains start is
  // queued for WaitForSignal below, never the default action (SIGHUP's would end us).
  // Then unblocked here: `hashrig run` blocks them from its first line (so one sent while
  // it reads its configuration waits, pending), and a supervisor may start us with them
  // blocked; the chain threads keep them blocked, so this thread is the one that hears them.
  asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  MaskDaemonSignals(SIG_UNBLOCK);
  if (!StartServers() || !StartLocalPool()) {
    return 1;
  }
  pool::ClientConfig client_config;
  client_config.pools = config.pools;
  client_config.tls = config.tls;
  if (config.tls.insecure && !config.tls.pinned) {
    log.Write(LogLevel::kWarning, "run",
              "--tls-insecure: TLS pools' certificates are NOT checked; anyone on the path "
              "to the pool can read and take the shares (use --tls-ca or --tls-fingerprint "
              "outside a lab)");
  }
  client_config.failover.probe_interval = config.probe_interval;
  client = std::make_unique<pool::PoolClient>(io, client_config,
                                              [this](std::size_t pool, const pool::Event& e) {
                                                if (scheduler) {
                                                  scheduler->OnPoolEvent(pool, e);
                                                }
                                              });
  scheduler = std::make_unique<Scheduler>(*client, std::move(pending_chains), log);
  StartChains();
  client->Start();

  asio::steady_timer status_timer(io), refresh_timer(io), stop_timer(io);
  if (config.screen) {
    log.CaptureTail(12);
  }
  Every(status_timer, config.status_interval, [this] { Status(); });
  Every(refresh_timer, config.refresh_interval, [this] { scheduler->RefreshWork(); });
  WaitForSignal(signals);
  if (config.duration.count() > 0) {
    stop_timer.expires_after(config.duration);
    stop_timer.async_wait([this](const error_code& ec) {
      if (!ec) {
        Stop("ran for " + std::to_string(config.duration.count()) + " s");
      }
    });
  }
  io.run();
  for (auto& chain : scheduler->chains()) {
    chain->Stop();  // their chips idle; nothing posts to the I/O context after this
  }
  const MinerStats& stats = scheduler->stats();
  std::cout << "accepted " << stats.accepted << ", rejected " << stats.rejected << ", stale "
            << stats.stale << ", lost " << stats.lost << ", discarded " << stats.discarded
            << ", hardware errors " << stats.hardware_errors << std::endl;
  return 0;
}

}  // namespace hashrig::host
