// The Stratum client's network side: a thin Boost.Asio driver around ClientSession
// (session.h) that owns the sockets (TCP, or TLS through OpenSSL), the deadlines and the
// pool list with failover (failover.h). One io_context thread runs everything; call
// Submit and Stop on that thread (asio::post to it from elsewhere).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hashrig/pool/failover.h"
#include "hashrig/pool/session.h"
#include "hashrig/pool/url.h"
#include "hashrig/sha256/target.h"

namespace boost::asio {
class io_context;
}

namespace hashrig::pool {

struct PoolEndpoint {
  PoolUrl url;
  std::string user;
  std::string password = "x";
};

// How a TLS pool's certificate is checked: by the CA store (the system's, or ca_file) and
// the URL's host name; or, pinned, by its SHA-256 fingerprint alone (any issuer, any name:
// a pool with a self-signed certificate); or, insecure, not at all (a lab only: anyone on
// the path can then take the shares).
struct TlsOptions {
  std::string ca_file;  // empty: the system's certificate store
  std::optional<CertificateFingerprint> pinned;
  bool insecure = false;  // accept any certificate
};

struct ClientConfig {
  std::vector<PoolEndpoint> pools;  // in priority order
  TlsOptions tls;
  std::string user_agent = std::string(kUserAgent);
  std::uint32_t version_mask = kDefaultVersionMask;  // 0: no version rolling
  std::optional<sha256::Difficulty> suggest_difficulty;
  std::chrono::seconds connect_timeout{10};   // resolve + connect + TLS or Noise handshake
  std::chrono::seconds request_timeout{30};   // any request the pool leaves unanswered
  std::chrono::seconds no_work_timeout{180};  // no new job for this long: fail over
  std::chrono::seconds write_timeout{10};
  FailoverConfig failover;
  std::uint64_t seed = 0;  // backoff jitter
  // Shares found while no session can take them are held (at most this many) and sent
  // when a session to the same pool resumes with their jobs; the rest are reported
  // unsent (ShareResult::unsent) — never silently gone.
  std::size_t held_limit = 1000;
  std::size_t max_in_flight = 32;  // per session, see SessionConfig
  std::size_t max_queued = 1000;
};

class PoolClient {
 public:
  // Events of the pool being mined, with its index in config.pools. Probes of
  // higher-priority pools report only Connected/Disconnected/Notice.
  using EventHandler = std::function<void(std::size_t pool, const Event& event)>;

  PoolClient(boost::asio::io_context& io, ClientConfig config, EventHandler on_event);
  ~PoolClient();  // NOLINT(bugprone-exception-escape): only bad_alloc, then terminate
  PoolClient(const PoolClient&) = delete;
  PoolClient& operator=(const PoolClient&) = delete;

  void Start();
  // Closes every connection and cancels every timer; the io_context then runs out.
  void Stop();
  // `value`: the share's hash and difficulty, computed by the miner from the header it
  // holds (the session checks the share fits its job but does not hash it again).
  // With no session authorized the share is held (kHeld, see held_limit) if `job`, the
  // job it was found on, is given: it is sent later only to a session where that very
  // job is still live (a resumed session), else reported unsent and stale. With a session,
  // a share whose `job` is not one of its live jobs (work of an earlier connection with
  // the same job id but another extranonce1) is kStale, never sent.
  SubmitOutcome Submit(const Share& share, const ShareValue& value,
                       std::shared_ptr<const Job> job = nullptr);
  std::size_t held() const;  // shares waiting for a pool
  // Shares sent on the active session that the pool has not answered yet.
  std::size_t awaiting_answers() const;
  // Stopping: shares still queued (never sent) are reported unsent, discarded.
  void DiscardQueued(const std::string& why);

  std::size_t active_pool() const;
  bool mining() const;  // authorized on the active pool, with a job

  // Operator controls (cgminer API). Pool indexes stay stable: a removed pool keeps its
  // slot, disabled, and is no longer listed.
  void SwitchTo(std::size_t pool);
  void AddPool(const PoolEndpoint& endpoint);
  void SetPoolEnabled(std::size_t pool, bool enabled);
  bool RemovePool(std::size_t pool);  // false for the active pool
  std::size_t pool_count() const;
  const PoolEndpoint& pool(std::size_t index) const;
  bool pool_enabled(std::size_t index) const;
  bool pool_removed(std::size_t index) const;
  bool pool_connected(std::size_t index) const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace hashrig::pool
