// The Stratum V1 client as an I/O-free state machine (STYLE R5): lines and times in,
// lines and events out. The Asio driver (client.h) owns the socket and the clock; this
// owns the protocol: the pipelined handshake, jobs with the difficulty and version mask
// in force when they arrived, the share pipeline (target from the job's own difficulty,
// duplicate filter, stale detection, a cap on submits in flight with a bounded queue
// behind it, answers that come after the deadline) and every pool-to-miner method.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <variant>
#include <vector>

#include "hashrig/base/version.h"
#include "hashrig/pool/job.h"
#include "hashrig/pool/stratum.h"
#include "hashrig/pool/work.h"
#include "hashrig/sha256/target.h"

namespace hashrig::pool {

using Clock = std::chrono::steady_clock;

using hashrig::kUserAgent;
inline constexpr std::uint32_t kDefaultVersionMask = 0x1fffe000;  // BIP320's 16 bits
// Jobs of the same block stay valid until clean_jobs; ESP-Miner keeps 16 as well.
inline constexpr std::size_t kJobsKept = 16;

// The shares of one job already sent, as 64-bit digests of extranonce2, ntime, nonce and
// version: the newest kKept of them (a resend comes soon after, if ever; a flood of
// shares never grows it without bound).
class SubmittedShares {
 public:
  static constexpr std::size_t kKept = 16384;
  bool Contains(const Share& share) const;
  void Insert(const Share& share);

 private:
  static std::uint64_t Key(const Share& share);
  std::unordered_set<std::uint64_t> keys_;
  std::deque<std::uint64_t> order_;
};

struct JobEntry {
  std::shared_ptr<const Job> job;
  bool stale = false;
  SubmittedShares submitted;  // the duplicate filter
};
// A session's jobs, newest last: carried into the next session to the same pool when it
// resumes with the same extranonce1 (its shares stay valid there).
struct SessionJobs {
  std::vector<std::uint8_t> extranonce1;
  std::deque<JobEntry> jobs;
};

struct SessionConfig {
  std::string user;
  std::string password = "x";
  std::string user_agent = std::string(kUserAgent);
  std::string host;  // the pool's host: client.reconnect may only stay in its domain
  // The version bits our hardware can roll (BIP310). 0: do not send mining.configure.
  std::uint32_t version_mask = kDefaultVersionMask;
  std::uint32_t version_min_bit_count = 2;
  std::optional<sha256::Difficulty> suggest_difficulty;
  bool extranonce_subscribe = false;
  std::string resume_session_id;  // from the previous connection to this pool
  // That connection's jobs: adopted if the pool resumes the session (same extranonce1).
  std::shared_ptr<const SessionJobs> resume_jobs;
  std::chrono::seconds request_timeout{30};
  // Submits awaiting an answer at most; more wait in a queue of at most max_queued (a
  // share flood at a tiny difficulty never grows without bound nor swamps the pool).
  std::size_t max_in_flight = 32;
  std::size_t max_queued = 1000;
  // Ids of submits that timed out are kept this long (at most late_ids_kept of them): an
  // answer that comes late still counts (our totals match the pool's).
  std::chrono::seconds late_answer_window{600};
  std::size_t late_ids_kept = 4096;
};

enum class Severity { kInfo, kWarning, kError };

namespace event {
struct Subscribed {
  std::string session_id;
  bool resumed = false;
};
struct Authorized {};
// The session cannot go on (authorization refused, subscribe failed, a handshake
// request unanswered): drop the connection and let failover decide.
struct Failed {
  std::string reason;
  bool authorization = false;
};
struct VersionRolling {
  std::uint32_t mask = 0;  // 0: mining with the job's fixed version
};
struct DifficultySet {
  sha256::Difficulty difficulty;  // applies from the next job
};
struct NewJob {
  std::shared_ptr<const Job> job;
  bool clean = false;  // drop all work of earlier jobs now
};
struct ShareResult {
  std::uint64_t id = 0;
  Share share;
  sha256::Difficulty job_difficulty;
  ShareValue value;
  bool accepted = false;
  bool timed_out = false;  // no answer: timed out, or the connection went first
  std::string reason;      // the pool's words, verbatim (or why it was never sent)
  std::optional<int> code;
  std::chrono::microseconds latency{0};
  // Never sent: it waited (in the queue, or for a pool) and its job was replaced
  // (`stale`), or it could not be sent at all (no pool; the queue was full).
  bool unsent = false;
  bool stale = false;
  // The answer to a submit already reported timed out (counted lost): count it again.
  bool late = false;

  // A share never sent, and why (the session's queue and the client's hold both report so).
  static ShareResult Unsent(Share share, sha256::Difficulty job_difficulty, ShareValue value,
                            std::string reason, bool stale, std::chrono::microseconds waited) {
    ShareResult r;
    r.share = std::move(share);
    r.job_difficulty = job_difficulty;
    r.value = value;
    r.reason = std::move(reason);
    r.latency = waited;
    r.unsent = true;
    r.stale = stale;
    return r;
  }
};
struct Reconnect {
  std::string host;        // empty: the same host
  std::uint16_t port = 0;  // 0: the same port
  std::chrono::seconds wait{0};
};
struct Notice {
  Severity severity = Severity::kInfo;
  std::string text;
};
// From the network driver (client.h), not the session.
struct Connected {
  std::string url;
};
struct Disconnected {
  std::string reason;
};
}  // namespace event

using Event =
    std::variant<event::Subscribed, event::Authorized, event::Failed, event::VersionRolling,
                 event::DifficultySet, event::NewJob, event::ShareResult, event::Reconnect,
                 event::Notice, event::Connected, event::Disconnected>;

enum class SubmitStatus {
  kSent,
  kQueued,         // max_in_flight submits await answers: sent when one comes
  kQueueFull,      // ... and max_queued wait already: dropped
  kHeld,           // no pool connection: held until one resumes (PoolClient)
  kDuplicate,      // this exact share was already submitted
  kStale,          // its job was retired by clean_jobs
  kUnknownJob,     // never seen, or too old to be kept
  kLowDifficulty,  // above the job's own target
  kInvalid,        // does not fit its job (extranonce2 size, version bits, ntime)
  kNotReady,       // not authorized yet
};
std::string_view ToString(SubmitStatus status);

struct SubmitOutcome {
  SubmitStatus status = SubmitStatus::kNotReady;
  std::uint64_t id = 0;  // request id when sent
  ShareValue value;
  std::string detail;
};

// A share a session never sent, taken back by the caller (which holds it for the next one).
struct UnsentShare {
  Share share;
  std::shared_ptr<const Job> job;  // null if its job is no longer known here
  ShareValue value;
};

// What a pool connection (connection.h) and PoolClient need of a session, whichever
// protocol it speaks: ClientSession (Stratum V1, lines) or sv2::ClientSession (Stratum V2,
// frames). Both give the same events, so the host mines either the same way.
class PoolSession {
 public:
  virtual ~PoolSession() = default;

  // A share the miner checked already (`value` is trusted): submitted when worth sending.
  virtual SubmitOutcome Submit(const Share& share, const ShareValue& value,
                               Clock::time_point now) = 0;
  virtual void OnTime(Clock::time_point now) = 0;
  // The connection is gone: every share still awaiting an answer is reported as lost.
  virtual void OnDisconnect(Clock::time_point now) = 0;
  virtual std::vector<Event> TakeEvents() = 0;
  virtual bool authorized() const = 0;
  virtual bool configure_unanswered() const = 0;
  virtual std::shared_ptr<const Job> current_job() const = 0;
  virtual std::optional<Clock::time_point> last_job_time() const = 0;
  virtual std::size_t submits_in_flight() const = 0;
  virtual bool HasLiveJob(const std::shared_ptr<const Job>& job) const = 0;
  virtual std::shared_ptr<const SessionJobs> jobs_for_resume() const = 0;
  virtual std::vector<UnsentShare> TakeQueued() = 0;

 protected:
  PoolSession() = default;
  PoolSession(const PoolSession&) = default;
  PoolSession(PoolSession&&) = default;
  PoolSession& operator=(const PoolSession&) = default;
  PoolSession& operator=(PoolSession&&) = default;
};

class ClientSession final : public PoolSession {
 public:
  // Queues the pipelined handshake: configure, subscribe, authorize, then the optional
  // suggest_difficulty and extranonce.subscribe.
  ClientSession(SessionConfig config, Clock::time_point now);

  void OnLine(std::string_view line, Clock::time_point now);
  // Checks a share against its job and submits it when it is worth sending.
  SubmitOutcome Submit(const Share& share, Clock::time_point now);
  // The same for a share whose header the caller built and hashed already (the miner
  // checked it): `value` is trusted, nothing is hashed again.
  SubmitOutcome Submit(const Share& share, const ShareValue& value, Clock::time_point now) override;
  // Times out requests the pool never answered. A share left unanswered by a pool that
  // sent nothing at all for request_timeout (a black-holed connection) fails the
  // session: the connection is dead, so the caller reconnects instead of waiting for
  // the no-work watchdog.
  void OnTime(Clock::time_point now) override;
  // The connection is gone: every share still awaiting an answer is reported as lost.
  void OnDisconnect(Clock::time_point now) override;

  std::vector<std::string> TakeOutgoing();
  std::vector<Event> TakeEvents() override;

  bool authorized() const override { return authorized_; }
  // The pool has not answered mining.configure (if it drops us now, it did not like it).
  bool configure_unanswered() const override;
  const std::string& session_id() const { return session_id_; }
  std::uint32_t version_mask() const { return version_mask_; }
  std::shared_ptr<const Job> current_job() const override;
  std::optional<Clock::time_point> last_job_time() const override { return last_job_time_; }
  std::size_t pending_requests() const { return pending_.size(); }
  std::size_t queued_submits() const { return queued_.size(); }
  std::size_t submits_in_flight() const override { return submits_in_flight_; }
  // `job` (this very job, not one with its id) is current here: not replaced, not stale.
  bool HasLiveJob(const std::shared_ptr<const Job>& job) const override;
  // The session's jobs, for the next session to this pool (SessionConfig::resume_jobs);
  // null when it had none (a connection that never got work keeps the last one's).
  std::shared_ptr<const SessionJobs> jobs_for_resume() const override;
  // Shares still waiting in the queue, never sent (taken out: the caller holds them).
  using Unsent = UnsentShare;
  std::vector<Unsent> TakeQueued() override;

 private:
  enum class Request {
    kConfigure,
    kSubscribe,
    kAuthorize,
    kSuggestDifficulty,
    kXnSubscribe,
    kSubmit
  };
  struct Pending {
    Request kind;
    Clock::time_point sent;
    Share share;  // for kSubmit
    sha256::Difficulty job_difficulty;
    ShareValue value;
  };
  struct TimedOut {
    Pending pending;
    Clock::time_point at;
  };

  std::uint64_t Send(Request kind, std::string_view method, const nlohmann::json& params,
                     Clock::time_point now);
  void Emit(Event e) { events_.push_back(std::move(e)); }
  void Note(Severity severity, std::string text);

  void OnResponse(const Message& m, Clock::time_point now);
  void OnRequest(const Message& m);
  void OnConfigure(const Message& m);
  void OnSubscribe(const Message& m, Clock::time_point now);
  void OnAuthorize(const Message& m);
  void OnSubmitResult(const Message& m, const Pending& p, Clock::time_point now, bool late);
  void SendSubmit(Pending p, Clock::time_point now);
  void SendQueued(Clock::time_point now);
  void DropStaleQueued(Clock::time_point now);
  bool Live(const Pending& p);  // its job is still known here and not replaced
  void DropReplaced(const Pending& p, Clock::time_point now);
  void ForgetTimedOut(Clock::time_point now);
  void OnNotify(const Message& m, Clock::time_point now);
  void OnSetVersionMask(const Message& m);
  void OnSetExtranonce(const Message& m);
  void OnReconnect(const Message& m);
  void ApplyVersionMask(std::uint32_t mask);
  void AddJob(const Notify& notify, Clock::time_point now);
  JobEntry* FindJob(const std::string& job_id);
  bool SameDomain(const std::string& host) const;

  SessionConfig config_;
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, Pending> pending_;
  std::size_t submits_in_flight_ = 0;
  Clock::time_point last_heard_;                 // the pool's last line (blank ones too)
  std::deque<Pending> queued_;                   // submits waiting for room in flight
  std::map<std::uint64_t, TimedOut> timed_out_;  // submits counted lost, kept for late answers
  std::vector<std::string> outgoing_;
  std::vector<Event> events_;

  bool subscribed_ = false;
  bool authorized_ = false;
  bool rolling_negotiated_ = false;
  std::string session_id_;
  std::vector<std::uint8_t> extranonce1_;
  std::size_t extranonce2_size_ = 0;
  std::optional<ExtranonceUpdate> next_extranonce_;
  sha256::Difficulty difficulty_;  // for the next job
  std::uint32_t version_mask_ = 0;
  std::optional<Notify> early_notify_;  // a notify that came before the subscribe result
  std::deque<JobEntry> jobs_;           // newest last
  std::uint64_t job_sequence_ = 0;
  std::optional<Clock::time_point> last_job_time_;
};

}  // namespace hashrig::pool
