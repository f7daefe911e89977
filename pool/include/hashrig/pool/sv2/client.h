// The miner's Stratum V2 session, I/O-free: plain frames in and out (the Noise transport
// is connection.cc's), the same Events as the V1 ClientSession, so PoolClient and the
// host mine a V2 pool exactly as a V1 one.
//
// It sends SetupConnection (Mining Protocol, version 2, version rolling), then opens one
// extended channel for the whole host: the host's chains split the channel's rollable
// extranonce between them, as they split a V1 extranonce2 (Extranonce2Counter::Split).
// Each job becomes a V1-shaped Job: coinb1 = coinbase_tx_prefix, extranonce1 = the
// channel's extranonce_prefix, extranonce2 = what we roll (extranonce_size bytes),
// coinb2 = coinbase_tx_suffix; ntime = the job's min_ntime (or its SetNewPrevHash's);
// version_mask = our mask ∩ 0x1fffffe0 when the job allows rolling (and the pool did not
// answer SetupConnection with REQUIRES_FIXED_VERSION), else 0.
//
//   - A future job (no min_ntime) is mined only once SetNewPrevHash names it, and then
//     as a clean job: every other job's shares are stale from then on.
//   - SetTarget applies to shares found after it: the current job is issued again with
//     the new difficulty.
//   - Submits carry increasing sequence numbers. SubmitShares.Success accepts every share
//     still pending up to last_sequence_number (the pool may batch); .Error rejects the one
//     it names, with the pool's error_code as the reason.
//   - Reconnect becomes event::Reconnect (empty host / port 0: the current one's).
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "hashrig/pool/session.h"
#include "hashrig/pool/sv2/messages.h"

namespace hashrig::pool::sv2 {

class ClientSession final : public PoolSession {
 public:
  // The extranonce bytes we ask to roll (the pool may give more).
  static constexpr std::uint16_t kMinExtranonceSize = 4;

  ClientSession(SessionConfig config, Clock::time_point now);

  // One decrypted frame from the pool (header ‖ payload).
  void OnFrame(std::span<const std::uint8_t> frame, Clock::time_point now);
  std::vector<Bytes> TakeOutgoing();

  SubmitOutcome Submit(const Share& share, const ShareValue& value, Clock::time_point now) override;
  void OnTime(Clock::time_point now) override;
  void OnDisconnect(Clock::time_point now) override;
  std::vector<Event> TakeEvents() override;
  bool authorized() const override { return channel_.has_value(); }
  bool configure_unanswered() const override { return false; }
  std::shared_ptr<const Job> current_job() const override { return current_; }
  std::optional<Clock::time_point> last_job_time() const override { return last_job_time_; }
  std::size_t submits_in_flight() const override { return pending_.size(); }
  bool HasLiveJob(const std::shared_ptr<const Job>& job) const override;
  std::shared_ptr<const SessionJobs> jobs_for_resume() const override { return nullptr; }
  std::vector<UnsentShare> TakeQueued() override { return {}; }

  std::optional<std::uint32_t> channel_id() const;

 private:
  struct Channel {
    std::uint32_t id = 0;
    Bytes extranonce_prefix;
    std::uint16_t extranonce_size = 0;
  };
  struct Pending {
    Share share;
    sha256::Difficulty job_difficulty;
    ShareValue value;
    Clock::time_point sent;
  };

  template <typename M>
  void Send(const M& m);
  void Note(Severity severity, std::string text);
  void Emit(Event e) { events_.push_back(std::move(e)); }
  std::uint32_t RollingMask() const {
    return fixed_version_ ? 0 : config_.version_mask & kVersionRollingMask;
  }
  void OnMessage(const Message& m, Clock::time_point now);
  void OnOpened(const OpenExtendedMiningChannelSuccess& m);
  void OnJob(const NewExtendedMiningJob& m, Clock::time_point now);
  void OnPrevHash(const SetNewPrevHash& m, Clock::time_point now);
  void OnTarget(const U256& target, Clock::time_point now);
  void OnSuccess(const SubmitSharesSuccess& m, Clock::time_point now);
  void OnError(const SubmitSharesError& m, Clock::time_point now);
  void Issue(const NewExtendedMiningJob& job, bool clean, Clock::time_point now);
  void Answer(std::uint32_t sequence, bool accepted, std::string reason, Clock::time_point now);

  SessionConfig config_;
  std::vector<Bytes> outgoing_;
  std::vector<Event> events_;
  std::optional<Channel> channel_;
  bool fixed_version_ = false;  // SetupConnection.Success said REQUIRES_FIXED_VERSION
  sha256::Difficulty difficulty_;
  std::map<std::uint32_t, NewExtendedMiningJob> jobs_;  // future and active, by id
  std::optional<SetNewPrevHash> prev_;
  std::shared_ptr<const Job> current_;
  std::uint32_t current_id_ = 0;
  std::deque<std::shared_ptr<const Job>> live_;  // jobs since the last prev hash, newest last
  std::set<std::uint32_t> retired_;              // ids a prev hash made stale (the newest)
  std::set<std::uint64_t> submitted_;            // digests of shares sent on live jobs
  std::map<std::uint32_t, Pending> pending_;     // by sequence number
  std::uint32_t next_sequence_ = 1;
  std::uint64_t job_sequence_ = 0;
  std::optional<Clock::time_point> last_job_time_;
};

}  // namespace hashrig::pool::sv2
