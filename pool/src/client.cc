#include "hashrig/pool/client.h"

#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include "connection.h"

namespace hashrig::pool {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

constexpr auto kProbeCheck = std::chrono::seconds(1);

// What a pool's next connection must remember from its last one.
struct PoolMemory {
  std::string resume_session_id;
  bool configure_refused = false;  // it dropped us over mining.configure
  bool removed = false;
  bool connected = false;
  std::string host_override;  // client.reconnect
  std::uint16_t port_override = 0;
  std::shared_ptr<const SessionJobs> jobs;  // of the last session, for a resumed one
};

// A share no session could take yet.
struct Held {
  Share share;
  std::shared_ptr<const Job> job;  // the job it was found on
  ShareValue value;
  Clock::time_point since;
};

// Authorized with a job (they can come in either order): the pool is usable.
bool HasWork(Connection& c, const Event& e) {
  const bool step =
      std::holds_alternative<event::NewJob>(e) || std::holds_alternative<event::Authorized>(e);
  return step && c.session().authorized() && c.session().current_job() != nullptr;
}

}  // namespace

struct PoolClient::State : std::enable_shared_from_this<PoolClient::State> {
  State(asio::io_context& io_context, ClientConfig cfg, EventHandler handler)
      : io(io_context),
        config(std::move(cfg)),
        on_event(std::move(handler)),
        tls(asio::ssl::context::tls_client),
        failover(config.pools.size(), config.failover, config.seed),
        memory(config.pools.size()),
        reconnect_timer(io),
        probe_timer(io) {}

  void Start();
  void Stop();
  void Connect(std::size_t pool, bool as_probe);
  void OnActiveEvent(Connection& c, const Event& e);
  void OnActiveClosed(Connection& c);
  void OnProbeEvent(Connection& c, const Event& e);
  void ScheduleConnect(std::size_t pool, std::chrono::milliseconds delay);
  void CheckProbe();
  SessionConfig SessionFor(std::size_t pool) const;
  void Hold(Held share);
  void DropHeld(Held h, const std::string& reason, bool stale);
  void SendHeld(Connection& c);

  asio::io_context& io;
  ClientConfig config;
  EventHandler on_event;
  asio::ssl::context tls;
  Failover failover;
  std::vector<PoolMemory> memory;
  asio::steady_timer reconnect_timer;
  asio::steady_timer probe_timer;
  std::shared_ptr<Connection> active;
  std::shared_ptr<Connection> probe;
  std::optional<event::Reconnect> reconnect_requested;
  bool probe_authorized = false;
  bool mining = false;
  bool stopped = false;
  bool switching = false;  // the operator asked for another pool: not a failure
  std::deque<Held> held;   // oldest first
};

void PoolClient::State::DropHeld(Held h, const std::string& reason, bool stale) {
  on_event(
      failover.active(),
      event::ShareResult::Unsent(
          std::move(h.share), h.job ? h.job->difficulty : sha256::Difficulty{}, h.value, reason,
          stale, std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - h.since)));
}

void PoolClient::State::Hold(Held share) {
  held.push_back(std::move(share));
  while (held.size() > config.held_limit) {
    Held oldest = std::move(held.front());
    held.pop_front();
    DropHeld(std::move(oldest),
             "no pool for it: " + std::to_string(config.held_limit) + " shares held already",
             false);
  }
}

// A session is authorized: the held shares go to it if it resumed their jobs (the same
// session and extranonce1, the job not replaced since); the others are dropped, stale.
void PoolClient::State::SendHeld(Connection& c) {
  std::size_t sent = 0;
  std::size_t dropped = 0;
  while (!held.empty()) {
    Held h = std::move(held.front());
    held.pop_front();
    if (!c.session().HasLiveJob(h.job)) {
      ++dropped;
      DropHeld(std::move(h), "held while no pool was connected; its job is gone", true);
      continue;
    }
    const SubmitOutcome out = c.session().Submit(h.share, h.value, Clock::now());
    if (out.status == SubmitStatus::kSent || out.status == SubmitStatus::kQueued) {
      ++sent;
      continue;
    }
    ++dropped;
    DropHeld(std::move(h),
             "held while no pool was connected; then " + std::string(ToString(out.status)) + " (" +
                 out.detail + ")",
             out.status != SubmitStatus::kQueueFull);
  }
  c.Flush();
  if (sent + dropped > 0) {
    on_event(c.pool(), event::Notice{Severity::kInfo,
                                     "sent " + std::to_string(sent) +
                                         " shares held while no pool was connected; dropped " +
                                         std::to_string(dropped) + " (their job is gone)"});
  }
}

void PoolClient::State::Start() {
  if (config.tls.insecure && !config.tls.pinned) {
    tls.set_verify_mode(asio::ssl::verify_none);
  } else if (config.tls.pinned) {
    tls.set_verify_mode(asio::ssl::verify_peer);  // the callback compares the fingerprint
  } else {
    tls.set_verify_mode(asio::ssl::verify_peer);
    error_code ec;
    if (config.tls.ca_file.empty()) {
      tls.set_default_verify_paths(ec);
    } else {
      tls.load_verify_file(config.tls.ca_file, ec);
    }
    if (ec) {
      on_event(0, event::Notice{Severity::kError,
                                "TLS certificates (" +
                                    (config.tls.ca_file.empty() ? std::string("system store")
                                                                : config.tls.ca_file) +
                                    "): " + ec.message()});
    }
  }
  Connect(failover.active(), false);
  CheckProbe();
}

void PoolClient::State::Stop() {
  stopped = true;
  reconnect_timer.cancel();
  probe_timer.cancel();
  if (probe) {
    probe->Close("stopping");
  }
  if (active) {
    active->Close("stopping");
  }
  while (!held.empty()) {  // no session will take them now
    Held h = std::move(held.front());
    held.pop_front();
    DropHeld(std::move(h), "stopping with no pool to send it to", false);
  }
}

SessionConfig PoolClient::State::SessionFor(std::size_t pool) const {
  const PoolEndpoint& endpoint = config.pools[pool];
  SessionConfig s;
  s.user = endpoint.user;
  s.password = endpoint.password;
  s.user_agent = config.user_agent;
  s.host = endpoint.url.host;
  s.version_mask = memory[pool].configure_refused ? 0 : config.version_mask;
  s.suggest_difficulty = config.suggest_difficulty;
  s.extranonce_subscribe = endpoint.url.extranonce_subscribe;
  s.resume_session_id = memory[pool].resume_session_id;
  s.resume_jobs = memory[pool].jobs;
  s.max_in_flight = config.max_in_flight;
  s.max_queued = config.max_queued;
  s.request_timeout = config.request_timeout;
  return s;
}

void PoolClient::State::Connect(std::size_t pool, bool as_probe) {
  PoolEndpoint endpoint = config.pools[pool];
  if (!as_probe && !memory[pool].host_override.empty()) {
    endpoint.url.host = memory[pool].host_override;
  }
  if (!as_probe && memory[pool].port_override != 0) {
    endpoint.url.port = memory[pool].port_override;
  }
  std::weak_ptr<State> weak = shared_from_this();
  auto sink = [weak, as_probe](Connection& c, const Event& e) {
    if (auto self = weak.lock()) {
      as_probe ? self->OnProbeEvent(c, e) : self->OnActiveEvent(c, e);
    }
  };
  auto connection = std::make_shared<Connection>(io, tls, pool, std::move(endpoint),
                                                 SessionFor(pool), config, std::move(sink));
  (as_probe ? probe : active) = connection;
  if (as_probe) {
    probe_authorized = false;
  } else {
    mining = false;
  }
  connection->Start();
}

void PoolClient::State::OnActiveEvent(Connection& c, const Event& e) {
  const std::size_t pool = c.pool();
  if (active.get() != &c) {  // a connection we already left (returned to a better pool)
    if (std::holds_alternative<event::Disconnected>(e)) {
      on_event(pool, e);
    }
    return;
  }
  if (std::holds_alternative<event::Connected>(e)) {
    memory[pool].connected = true;
  }
  if (const auto* s = std::get_if<event::Subscribed>(&e)) {
    memory[pool].resume_session_id = s->session_id;
  } else if (HasWork(c, e)) {
    mining = true;
    failover.OnHealthy(pool);
  } else if (const auto* r = std::get_if<event::Reconnect>(&e)) {
    reconnect_requested = *r;
  }
  on_event(pool, e);
  if (std::holds_alternative<event::Authorized>(e) && !held.empty()) {
    SendHeld(c);
  }
  if (const auto* f = std::get_if<event::Failed>(&e)) {
    c.Close(f->reason, f->authorization ? Failure::kAuthorization : Failure::kDisconnected);
  } else if (const auto* r = std::get_if<event::Reconnect>(&e)) {
    c.Close("pool asked us to reconnect" + (r->host.empty() ? std::string() : " to " + r->host));
  } else if (std::holds_alternative<event::Disconnected>(e)) {
    OnActiveClosed(c);
  }
}

void PoolClient::State::OnActiveClosed(Connection& c) {
  mining = false;
  const std::size_t pool = c.pool();
  const bool was_connected = std::exchange(memory[pool].connected, false);
  if (auto jobs = c.session().jobs_for_resume()) {  // not a connection that never got work
    memory[pool].jobs = std::move(jobs);
  }
  for (auto& q : c.session().TakeQueued()) {  // never sent: held for the next session
    Hold({std::move(q.share), q.job, q.value, Clock::now()});
  }
  if (stopped) {
    return;
  }
  if (std::exchange(switching, false)) {
    return ScheduleConnect(failover.active(), std::chrono::milliseconds(0));
  }
  if (reconnect_requested) {
    const event::Reconnect r = *std::exchange(reconnect_requested, std::nullopt);
    // A field the pool left out keeps the endpoint we are on now (after A sent us to B
    // and B to C, C's "[]" means C again, not A's host or port).
    if (!r.host.empty()) {
      memory[pool].host_override = r.host;
    }
    if (r.port != 0) {
      memory[pool].port_override = r.port;
    }
    return ScheduleConnect(pool, r.wait);
  }
  if (was_connected && c.session().configure_unanswered() && !c.session().authorized()) {
    // BIP310: a pool that does not know mining.configure may just hang up (a refused
    // TCP connection is no such answer: rolling stayed off after an outage).
    memory[pool].configure_refused = true;
  }
  if (c.failure() != Failure::kDisconnected) {
    memory[pool].resume_session_id.clear();
  }
  const Attempt next = failover.OnFailure(c.failure());
  if (next.pool != pool) {
    on_event(pool,
             event::Notice{Severity::kWarning, "failing over from pool " + std::to_string(pool) +
                                                   " to pool " + std::to_string(next.pool)});
  }
  ScheduleConnect(next.pool, next.delay);
}

void PoolClient::State::ScheduleConnect(std::size_t pool, std::chrono::milliseconds delay) {
  std::weak_ptr<State> weak = shared_from_this();
  reconnect_timer.expires_after(delay);
  reconnect_timer.async_wait([weak, pool](const error_code& ec) {
    auto self = weak.lock();
    if (!ec && self && !self->stopped) {
      self->Connect(pool, false);
    }
  });
}

void PoolClient::State::CheckProbe() {
  if (stopped) {
    return;
  }
  if (!probe || probe->closed()) {
    if (auto due = failover.ProbeDue(Clock::now())) {
      Connect(*due, true);
    }
  }
  std::weak_ptr<State> weak = shared_from_this();
  probe_timer.expires_after(kProbeCheck);
  probe_timer.async_wait([weak](const error_code& ec) {
    if (auto self = weak.lock(); !ec && self) {
      self->CheckProbe();
    }
  });
}

void PoolClient::State::OnProbeEvent(Connection& c, const Event& e) {
  const std::size_t pool = c.pool();
  if (std::holds_alternative<event::Connected>(e) ||
      std::holds_alternative<event::Disconnected>(e)) {
    on_event(pool, e);
  }
  if (std::holds_alternative<event::Failed>(e)) {
    return c.Close("probe failed: " + std::get<event::Failed>(e).reason);
  }
  if (!HasWork(c, e) || stopped) {
    return;
  }
  // The higher-priority pool works again: go back to it.
  on_event(pool, event::Notice{Severity::kInfo,
                               "pool " + std::to_string(pool) + " is back; returning to it"});
  c.Close("probe succeeded");
  failover.OnProbeSucceeded(pool);
  reconnect_requested.reset();
  if (active) {
    auto old = std::exchange(active, nullptr);
    old->Close("returning to pool " + std::to_string(pool));
  }
  Connect(failover.active(), false);
}

PoolClient::PoolClient(asio::io_context& io, ClientConfig config, EventHandler on_event)
    : state_(std::make_shared<State>(io, std::move(config), std::move(on_event))) {}

PoolClient::~PoolClient() {  // NOLINT(bugprone-exception-escape): see client.h
  state_->on_event = [](std::size_t, const Event&) {};  // no callbacks from a destructor
  state_->Stop();
}

void PoolClient::Start() { state_->Start(); }
void PoolClient::Stop() { state_->Stop(); }

SubmitOutcome PoolClient::Submit(const Share& share, const ShareValue& value,
                                 std::shared_ptr<const Job> job) {
  auto& active = state_->active;
  if (!active || active->closed() || !active->session().authorized()) {
    SubmitOutcome out;
    if (state_->stopped || !job) {
      out.detail = state_->stopped ? "stopping" : "no pool connection";
      return out;
    }
    state_->Hold({share, std::move(job), value, Clock::now()});
    out.status = SubmitStatus::kHeld;
    out.value = value;
    out.detail = std::to_string(state_->held.size()) + " held";
    return out;
  }
  if (job && !active->session().HasLiveJob(job)) {
    // Work of an earlier connection (another extranonce1) whose job id this one reuses,
    // or a job replaced since: the pool would build another header from it. Never sent.
    SubmitOutcome out;
    out.status = SubmitStatus::kStale;
    out.value = value;
    out.detail = "its job " + share.job_id + " is not one of this connection's live jobs";
    return out;
  }
  SubmitOutcome out = active->session().Submit(share, value, Clock::now());
  active->Flush();
  return out;
}

std::size_t PoolClient::held() const { return state_->held.size(); }

std::size_t PoolClient::awaiting_answers() const {
  const auto& active = state_->active;
  return active && !active->closed() ? active->session().submits_in_flight() : 0;
}

void PoolClient::DiscardQueued(const std::string& why) {
  auto& active = state_->active;
  if (!active) {
    return;
  }
  for (auto& q : active->session().TakeQueued()) {
    state_->DropHeld({std::move(q.share), q.job, q.value, Clock::now()}, why, false);
  }
}

std::size_t PoolClient::active_pool() const { return state_->failover.active(); }

void PoolClient::SwitchTo(std::size_t pool) {
  State& s = *state_;
  if (pool >= s.config.pools.size() || s.memory[pool].removed) {
    return;
  }
  s.failover.SwitchTo(pool);
  if (s.active && !s.active->closed()) {
    s.switching = true;
    s.active->Close("operator switched to pool " + std::to_string(pool));
  } else {
    s.reconnect_timer.cancel();
    s.Connect(pool, false);
  }
}

void PoolClient::AddPool(const PoolEndpoint& endpoint) {
  State& s = *state_;
  s.config.pools.push_back(endpoint);
  s.memory.emplace_back();
  s.failover.Resize(s.config.pools.size());
}

void PoolClient::SetPoolEnabled(std::size_t pool, bool enabled) {
  State& s = *state_;
  if (pool >= s.config.pools.size() || s.memory[pool].removed) {
    return;
  }
  s.failover.SetEnabled(pool, enabled);
  if (!enabled && pool == s.failover.active() && s.active && !s.active->closed()) {
    s.active->Close("pool " + std::to_string(pool) + " disabled by the operator", Failure::kNoWork);
  }
}

bool PoolClient::RemovePool(std::size_t pool) {
  State& s = *state_;
  if (pool >= s.config.pools.size() || pool == s.failover.active()) {
    return false;
  }
  s.memory[pool].removed = true;
  s.failover.SetEnabled(pool, false);
  return true;
}

std::size_t PoolClient::pool_count() const { return state_->config.pools.size(); }
const PoolEndpoint& PoolClient::pool(std::size_t index) const {
  return state_->config.pools.at(index);
}
bool PoolClient::pool_enabled(std::size_t index) const { return state_->failover.enabled(index); }
bool PoolClient::pool_removed(std::size_t index) const { return state_->memory.at(index).removed; }
bool PoolClient::pool_connected(std::size_t index) const {
  return state_->memory.at(index).connected;
}
bool PoolClient::mining() const { return state_->mining; }

}  // namespace hashrig::pool
