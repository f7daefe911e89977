#include "hashrig/pool/sv2/client.h"

#include <algorithm>
#include <charconv>

#include "hashrig/base/version.h"

namespace hashrig::pool::sv2 {
namespace {

constexpr std::size_t kLiveJobsKept = 16;
constexpr std::size_t kMaxPending = 4096;

std::uint64_t Digest(const Share& s) {
  // FNV-1a over what makes a share distinct (job, extranonce2, ntime, nonce, version).
  std::uint64_t h = 1469598103934665603ULL;
  auto mix = [&h](std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) {
      h = (h ^ ((v >> (8 * i)) & 0xff)) * 1099511628211ULL;
    }
  };
  for (const char c : s.job_id) {
    mix(static_cast<unsigned char>(c), 1);
  }
  for (const auto b : s.extranonce2) {
    mix(b, 1);
  }
  mix(s.ntime, 4);
  mix(s.nonce, 4);
  mix(s.version, 4);
  return h;
}

std::optional<std::uint32_t> JobId(const std::string& text) {
  std::uint32_t id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return id;
}

// The difficulty whose target this is: a target reads as a hash does (little-endian).
sha256::Difficulty DifficultyOf(const U256& target) { return sha256::Difficulty::OfHash(target); }

}  // namespace

ClientSession::ClientSession(SessionConfig config, Clock::time_point /*now*/)
    : config_(std::move(config)) {
  SetupConnection setup;
  setup.protocol = static_cast<std::uint8_t>(SubProtocol::kMining);
  setup.min_version = 2;
  setup.max_version = 2;
  setup.flags = config_.version_mask != 0 ? kRequiresVersionRolling : 0;
  setup.endpoint_host = config_.host.substr(0, 255);
  setup.vendor = "hashrig";
  setup.firmware = std::string(kNameAndVersion).substr(0, 255);
  Send(setup);
}

template <typename M>
void ClientSession::Send(const M& m) {
  if (auto frame = EncodeFrame(Message(m))) {
    outgoing_.push_back(std::move(*frame));
  } else {
    Note(Severity::kError,
         "cannot encode " + std::string(M::kKind.name) + ": " + frame.error().message());
  }
}

void ClientSession::Note(Severity severity, std::string text) {
  Emit(event::Notice{severity, std::move(text)});
}

std::vector<Bytes> ClientSession::TakeOutgoing() { return std::exchange(outgoing_, {}); }
std::vector<Event> ClientSession::TakeEvents() { return std::exchange(events_, {}); }

std::optional<std::uint32_t> ClientSession::channel_id() const {
  return channel_ ? std::optional(channel_->id) : std::nullopt;
}

void ClientSession::OnFrame(std::span<const std::uint8_t> frame, Clock::time_point now) {
  if (frame.size() < FrameHeader::kSize) {
    return Note(Severity::kWarning, "short Stratum V2 frame ignored");
  }
  const auto header = FrameHeader::Decode(frame.first<FrameHeader::kSize>());
  auto m = DecodeMessage(header, frame.subspan(FrameHeader::kSize));
  if (!m) {
    return Note(Severity::kWarning, "Stratum V2 frame ignored: " + m.error().message());
  }
  OnMessage(*m, now);
}

void ClientSession::OnMessage(const Message& m, Clock::time_point now) {
  if (const auto* ok = std::get_if<SetupConnectionSuccess>(&m)) {
    if ((ok->flags & kRequiresFixedVersion) != 0) {
      fixed_version_ = true;
      Note(Severity::kInfo, "pool requires the fixed version: no version rolling");
    }
    OpenExtendedMiningChannel open;
    open.request_id = 1;
    open.user_identity = config_.user.substr(0, 255);
    open.max_target.fill(0xff);
    open.min_extranonce_size = kMinExtranonceSize;
    return Send(open);
  }
  if (const auto* e = std::get_if<SetupConnectionError>(&m)) {
    return Emit(event::Failed{"pool refused the connection: " + e->error_code});
  }
  if (const auto* ok = std::get_if<OpenExtendedMiningChannelSuccess>(&m)) {
    return OnOpened(*ok);
  }
  if (const auto* e = std::get_if<OpenMiningChannelError>(&m)) {
    return Emit(
        event::Failed{"pool refused the channel for " + config_.user + ": " + e->error_code, true});
  }
  if (const auto* r = std::get_if<Reconnect>(&m)) {
    return Emit(event::Reconnect{r->new_host, r->new_port, {}});
  }
  if (!channel_) {
    return Note(Severity::kWarning,
                std::string(KindOf(m).name) + " before our channel was open: ignored");
  }
  // Everything below is for a channel: ours, or it is not for us.
  std::optional<std::uint32_t> for_channel;
  std::visit(
      [&](const auto& msg) {
        if constexpr (requires { msg.channel_id; }) {
          for_channel = msg.channel_id;
        }
      },
      m);
  if (for_channel && *for_channel != channel_->id) {
    return Note(Severity::kWarning, std::string(KindOf(m).name) + " for channel " +
                                        std::to_string(*for_channel) + ", not ours: ignored");
  }
  if (const auto* job = std::get_if<NewExtendedMiningJob>(&m)) {
    return OnJob(*job, now);
  }
  if (const auto* prev = std::get_if<SetNewPrevHash>(&m)) {
    return OnPrevHash(*prev, now);
  }
  if (const auto* t = std::get_if<SetTarget>(&m)) {
    return OnTarget(t->maximum_target, now);
  }
  if (const auto* s = std::get_if<SubmitSharesSuccess>(&m)) {
    return OnSuccess(*s, now);
  }
  if (const auto* e = std::get_if<SubmitSharesError>(&m)) {
    return OnError(*e, now);
  }
  if (const auto* p = std::get_if<SetExtranoncePrefix>(&m)) {
    channel_->extranonce_prefix = p->extranonce_prefix;
    return Note(Severity::kInfo, "extranonce prefix changed; it applies from the next job");
  }
  if (const auto* c = std::get_if<CloseChannel>(&m)) {
    return Emit(event::Failed{"pool closed our channel: " + c->reason_code});
  }
  Note(Severity::kWarning, "unexpected " + std::string(KindOf(m).name) + " from the pool: ignored");
}

void ClientSession::OnOpened(const OpenExtendedMiningChannelSuccess& m) {
  if (m.extranonce_size < 1 || m.extranonce_size > kMaxExtranonce2Size ||
      m.extranonce_prefix.size() + m.extranonce_size > 32) {
    events_.emplace_back(
        event::Failed{"pool gave an extranonce of " + std::to_string(m.extranonce_size) +
                      " bytes to roll; we roll 1.." + std::to_string(kMaxExtranonce2Size)});
    return;
  }
  channel_ = Channel{m.channel_id, m.extranonce_prefix, m.extranonce_size};
  difficulty_ = DifficultyOf(m.target);
  events_.emplace_back(event::Subscribed{"channel " + std::to_string(m.channel_id), false});
  events_.emplace_back(event::Authorized{});
  events_.emplace_back(event::VersionRolling{RollingMask()});
  events_.emplace_back(event::DifficultySet{difficulty_});
}

void ClientSession::OnJob(const NewExtendedMiningJob& m, Clock::time_point now) {
  jobs_[m.job_id] = m;
  while (jobs_.size() > 2 * kLiveJobsKept) {
    jobs_.erase(jobs_.begin());
  }
  if (m.min_ntime) {
    if (!prev_) {
      return Note(Severity::kWarning, "an active job before any SetNewPrevHash: ignored");
    }
    Issue(m, false, now);
  }
}

void ClientSession::OnPrevHash(const SetNewPrevHash& m, Clock::time_point now) {
  const auto it = jobs_.find(m.job_id);
  if (it == jobs_.end()) {
    return Note(Severity::kError,
                "SetNewPrevHash for job " + std::to_string(m.job_id) + ", which we never got");
  }
  prev_ = m;
  NewExtendedMiningJob job = it->second;
  job.min_ntime = m.min_ntime;
  std::erase_if(jobs_, [&](const auto& entry) { return entry.second.min_ntime.has_value(); });
  jobs_[m.job_id] = job;
  for (const auto& retired : live_) {
    if (const auto retired_id = JobId(retired->notify.job_id)) {
      retired_.insert(*retired_id);
    }
  }
  while (retired_.size() > 4 * kLiveJobsKept) {
    retired_.erase(retired_.begin());
  }
  live_.clear();
  submitted_.clear();
  Issue(job, true, now);
}

void ClientSession::OnTarget(const U256& target, Clock::time_point now) {
  difficulty_ = DifficultyOf(target);
  events_.emplace_back(event::DifficultySet{difficulty_});
  if (const auto it = jobs_.find(current_id_); it != jobs_.end() && current_) {
    Issue(it->second, false, now);  // shares from now on are judged by the new target
  }
}

void ClientSession::Issue(const NewExtendedMiningJob& m, bool clean, Clock::time_point now) {
  auto job = std::make_shared<Job>();
  Notify& n = job->notify;
  n.job_id = std::to_string(m.job_id);
  n.prevhash = prev_->prev_hash;
  n.coinb1 = m.coinbase_tx_prefix;
  n.coinb2 = m.coinbase_tx_suffix;
  n.merkle_branch = m.merkle_path;
  n.version = m.version;
  n.nbits = prev_->nbits;
  n.ntime = m.min_ntime.value_or(prev_->min_ntime);
  n.clean_jobs = clean;
  job->extranonce1 = channel_->extranonce_prefix;
  job->extranonce2_size = channel_->extranonce_size;
  job->difficulty = difficulty_;
  job->version_mask = m.version_rolling_allowed ? RollingMask() : 0;
  job->sequence = ++job_sequence_;
  current_ = job;
  current_id_ = m.job_id;
  live_.push_back(job);
  while (live_.size() > kLiveJobsKept) {
    live_.pop_front();
  }
  last_job_time_ = now;
  events_.emplace_back(event::NewJob{job, clean});
}

bool ClientSession::HasLiveJob(const std::shared_ptr<const Job>& job) const {
  return std::find(live_.begin(), live_.end(), job) != live_.end();
}

SubmitOutcome ClientSession::Submit(const Share& share, const ShareValue& value,
                                    Clock::time_point now) {
  SubmitOutcome out;
  out.value = value;
  if (!channel_) {
    return out;  // kNotReady
  }
  const auto id = JobId(share.job_id);
  const auto job = std::find_if(live_.begin(), live_.end(),
                                [&](const auto& j) { return j->notify.job_id == share.job_id; });
  if (!id || job == live_.end()) {
    out.status = id && retired_.contains(*id) ? SubmitStatus::kStale : SubmitStatus::kUnknownJob;
    out.detail = "job " + share.job_id +
                 (out.status == SubmitStatus::kStale ? " was replaced" : " is not known");
    return out;
  }
  if (share.extranonce2.size() != channel_->extranonce_size) {
    out.status = SubmitStatus::kInvalid;
    out.detail = "extranonce of " + std::to_string(share.extranonce2.size()) + " bytes, not " +
                 std::to_string(channel_->extranonce_size);
    return out;
  }
  if (!(*job)->difficulty.IsMetBy(value.hash)) {
    out.status = SubmitStatus::kLowDifficulty;
    return out;
  }
  if (!submitted_.insert(Digest(share)).second) {
    out.status = SubmitStatus::kDuplicate;
    return out;
  }
  if (pending_.size() >= kMaxPending) {
    out.status = SubmitStatus::kQueueFull;
    out.detail = std::to_string(kMaxPending) + " shares await the pool's answer";
    return out;
  }
  const std::uint32_t sequence = next_sequence_++;
  Send(SubmitSharesExtended{channel_->id, sequence, *id, share.nonce, share.ntime, share.version,
                            share.extranonce2});
  pending_[sequence] = Pending{share, (*job)->difficulty, value, now};
  out.status = SubmitStatus::kSent;
  out.id = sequence;
  return out;
}

void ClientSession::Answer(std::uint32_t sequence, bool accepted, std::string reason,
                           Clock::time_point now) {
  const auto it = pending_.find(sequence);
  if (it == pending_.end()) {
    return;
  }
  event::ShareResult r;
  r.id = sequence;
  r.share = it->second.share;
  r.job_difficulty = it->second.job_difficulty;
  r.value = it->second.value;
  r.accepted = accepted;
  r.reason = std::move(reason);
  r.latency = std::chrono::duration_cast<std::chrono::microseconds>(now - it->second.sent);
  pending_.erase(it);
  events_.emplace_back(std::move(r));
}

void ClientSession::OnSuccess(const SubmitSharesSuccess& m, Clock::time_point now) {
  // Every share still pending up to last_sequence_number: the rejected ones were answered
  // (and removed) by their own SubmitShares.Error.
  std::vector<std::uint32_t> accepted;
  for (const auto& [sequence, p] : pending_) {
    if (sequence > m.last_sequence_number) {
      break;
    }
    accepted.push_back(sequence);
  }
  if (accepted.size() != m.new_submits_accepted_count) {
    Note(Severity::kWarning, "pool accepted " + std::to_string(m.new_submits_accepted_count) +
                                 " shares up to " + std::to_string(m.last_sequence_number) +
                                 "; we had " + std::to_string(accepted.size()) + " pending");
  }
  for (const auto sequence : accepted) {
    Answer(sequence, true, "", now);
  }
}

void ClientSession::OnError(const SubmitSharesError& m, Clock::time_point now) {
  if (!pending_.contains(m.sequence_number)) {
    return Note(Severity::kWarning, "pool rejected share " + std::to_string(m.sequence_number) +
                                        " (" + m.error_code + "), which we do not know");
  }
  Answer(m.sequence_number, false, m.error_code, now);
}

void ClientSession::OnTime(Clock::time_point now) {
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (now - it->second.sent < config_.request_timeout) {
      ++it;
      continue;
    }
    event::ShareResult r;
    r.id = it->first;
    r.share = it->second.share;
    r.job_difficulty = it->second.job_difficulty;
    r.value = it->second.value;
    r.timed_out = true;
    r.reason = "no answer within " + std::to_string(config_.request_timeout.count()) + " s";
    r.latency = std::chrono::duration_cast<std::chrono::microseconds>(now - it->second.sent);
    events_.emplace_back(std::move(r));
    it = pending_.erase(it);
  }
}

void ClientSession::OnDisconnect(Clock::time_point now) {
  for (auto& [sequence, p] : pending_) {
    event::ShareResult r;
    r.id = sequence;
    r.share = p.share;
    r.job_difficulty = p.job_difficulty;
    r.value = p.value;
    r.timed_out = true;
    r.reason = "connection lost before the pool answered";
    r.latency = std::chrono::duration_cast<std::chrono::microseconds>(now - p.sent);
    events_.emplace_back(std::move(r));
  }
  pending_.clear();
}

}  // namespace hashrig::pool::sv2
