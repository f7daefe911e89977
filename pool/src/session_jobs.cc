// ClientSession, second half: jobs, the share pipeline and request timeouts.
#include <algorithm>

#include "hashrig/base/format.h"
#include "hashrig/pool/session.h"

namespace hashrig::pool {
namespace {

bool SameWork(const Notify& a, const Notify& b) {
  return a.prevhash == b.prevhash && a.coinb1 == b.coinb1 && a.coinb2 == b.coinb2 &&
         a.merkle_branch == b.merkle_branch && a.version == b.version && a.nbits == b.nbits &&
         a.ntime == b.ntime;
}

}  // namespace

std::uint64_t SubmittedShares::Key(const Share& share) {
  std::string bytes(share.extranonce2.begin(), share.extranonce2.end());
  for (const std::uint32_t word : {share.ntime, share.nonce, share.version}) {
    for (int shift = 0; shift < 32; shift += 8) {
      bytes.push_back(static_cast<char>(word >> shift));
    }
  }
  return std::hash<std::string>{}(bytes);
}

bool SubmittedShares::Contains(const Share& share) const { return keys_.contains(Key(share)); }

void SubmittedShares::Insert(const Share& share) {
  const std::uint64_t key = Key(share);
  if (!keys_.insert(key).second) {
    return;
  }
  order_.push_back(key);
  if (order_.size() > kKept) {
    keys_.erase(order_.front());
    order_.pop_front();
  }
}

void ClientSession::OnNotify(const Message& m, Clock::time_point now) {
  auto notify = ParseNotify(m.params);
  if (!notify) {
    Note(Severity::kError,
         "bad mining.notify (keeping the previous job): " + notify.error().message());
    return;
  }
  if (!subscribed_) {
    early_notify_ = std::move(*notify);  // built as soon as extranonce1 is known
    return;
  }
  AddJob(*notify, now);
}

void ClientSession::AddJob(const Notify& notify, Clock::time_point now) {
  if (JobEntry* same = FindJob(notify.job_id);
      same != nullptr && !notify.clean_jobs && SameWork(same->job->notify, notify)) {
    Note(Severity::kInfo, "ignored a resent job " + notify.job_id);
    return;
  }
  if (next_extranonce_) {
    extranonce1_ = next_extranonce_->extranonce1;
    extranonce2_size_ = next_extranonce_->extranonce2_size.value_or(extranonce2_size_);
    next_extranonce_.reset();
  }
  auto job = std::make_shared<Job>();
  job->notify = notify;
  job->extranonce1 = extranonce1_;
  job->extranonce2_size = extranonce2_size_;
  job->difficulty = difficulty_;
  job->version_mask = version_mask_;
  job->sequence = ++job_sequence_;

  // A new prevhash is a new block even when the pool forgets clean_jobs (cgminer too).
  const bool clean =
      notify.clean_jobs || (!jobs_.empty() && jobs_.back().job->notify.prevhash != notify.prevhash);
  if (clean) {
    for (JobEntry& entry : jobs_) {
      entry.stale = true;
    }
    DropStaleQueued(now);  // shares of replaced jobs are never sent
  }
  std::erase_if(jobs_, [&](const JobEntry& e) { return e.job->notify.job_id == notify.job_id; });
  jobs_.push_back(JobEntry{job, false, {}});
  while (jobs_.size() > kJobsKept) {
    jobs_.pop_front();
  }
  last_job_time_ = now;
  Emit(event::NewJob{std::move(job), clean});
}

JobEntry* ClientSession::FindJob(const std::string& job_id) {
  auto it = std::find_if(jobs_.begin(), jobs_.end(),
                         [&](const JobEntry& e) { return e.job->notify.job_id == job_id; });
  return it == jobs_.end() ? nullptr : &*it;
}

SubmitOutcome ClientSession::Submit(const Share& share, Clock::time_point now) {
  JobEntry* entry = FindJob(share.job_id);
  if (entry != nullptr) {
    if (auto header = WorkBuilder(*entry->job).HeaderFor(share)) {
      return Submit(share, Evaluate(*header), now);
    }
  }
  return Submit(share, ShareValue{}, now);  // judged without a value: refused below
}

SubmitOutcome ClientSession::Submit(const Share& share, const ShareValue& value,
                                    Clock::time_point now) {
  SubmitOutcome out;
  if (!authorized_) {
    out.detail = "the pool has not authorized us yet";
    return out;
  }
  JobEntry* entry = FindJob(share.job_id);
  if (entry == nullptr) {
    out.status = SubmitStatus::kUnknownJob;
    out.detail = "job " + share.job_id + " is not one of the last " + std::to_string(kJobsKept);
    return out;
  }
  const Job& job = *entry->job;
  if (Error fits = WorkBuilder(job).Check(share); !fits.ok()) {
    out.status = SubmitStatus::kInvalid;
    out.detail = fits.message();
    return out;
  }
  out.value = value;
  if (entry->stale) {
    out.status = SubmitStatus::kStale;
    out.detail = "job " + share.job_id + " was retired by clean_jobs";
    return out;
  }
  // Judged by the difficulty in force when the job came, never a later one.
  if (!job.difficulty.ToTarget().IsMetBy(out.value.hash)) {
    out.status = SubmitStatus::kLowDifficulty;
    out.detail = "difficulty " + FormatDifficulty(out.value.difficulty.value()) + " < job's " +
                 FormatDifficulty(job.difficulty.value());
    return out;
  }
  if (entry->submitted.Contains(share)) {
    out.status = SubmitStatus::kDuplicate;
    out.detail = "already submitted";
    return out;
  }
  Pending p{Request::kSubmit, now, share, job.difficulty, out.value};
  if (submits_in_flight_ < config_.max_in_flight) {
    entry->submitted.Insert(share);
    out.id = next_id_;
    SendSubmit(std::move(p), now);
    out.status = SubmitStatus::kSent;
    return out;
  }
  if (queued_.size() >= config_.max_queued) {
    out.status = SubmitStatus::kQueueFull;
    out.detail = std::to_string(submits_in_flight_) + " submits await answers and " +
                 std::to_string(queued_.size()) + " more wait to be sent";
    return out;
  }
  entry->submitted.Insert(share);
  queued_.push_back(std::move(p));
  out.status = SubmitStatus::kQueued;
  return out;
}

void ClientSession::SendSubmit(Pending p, Clock::time_point now) {
  const JobEntry* entry = FindJob(p.share.job_id);
  const std::uint64_t id = next_id_++;
  outgoing_.push_back(RequestLine(id, "mining.submit",
                                  SubmitParams(config_.user, p.share, entry->job->version_mask)));
  p.sent = now;
  pending_[id] = std::move(p);
  ++submits_in_flight_;
}

// Room in flight again: the oldest queued shares go, unless their job was replaced.
void ClientSession::SendQueued(Clock::time_point now) {
  while (submits_in_flight_ < config_.max_in_flight && !queued_.empty()) {
    Pending p = std::move(queued_.front());
    queued_.pop_front();
    if (!Live(p)) {
      DropReplaced(p, now);
      continue;
    }
    SendSubmit(std::move(p), now);
  }
}

void ClientSession::DropStaleQueued(Clock::time_point now) {
  std::erase_if(queued_, [&](const Pending& p) {
    if (Live(p)) {
      return false;
    }
    DropReplaced(p, now);
    return true;
  });
}

bool ClientSession::Live(const Pending& p) {
  const JobEntry* entry = FindJob(p.share.job_id);
  return entry != nullptr && !entry->stale;
}

void ClientSession::DropReplaced(const Pending& p, Clock::time_point now) {
  Emit(event::ShareResult::Unsent(
      p.share, p.job_difficulty, p.value, "its job was replaced while it waited to be sent", true,
      std::chrono::duration_cast<std::chrono::microseconds>(now - p.sent)));
}

std::vector<ClientSession::Unsent> ClientSession::TakeQueued() {
  std::vector<Unsent> out;
  for (const Pending& p : queued_) {
    const JobEntry* entry = FindJob(p.share.job_id);
    out.push_back({p.share, entry != nullptr ? entry->job : nullptr, p.value});
  }
  queued_.clear();
  return out;
}

bool ClientSession::HasLiveJob(const std::shared_ptr<const Job>& job) const {
  return std::any_of(jobs_.begin(), jobs_.end(),
                     [&](const JobEntry& e) { return e.job == job && !e.stale; });
}

std::shared_ptr<const SessionJobs> ClientSession::jobs_for_resume() const {
  if (jobs_.empty()) {
    return nullptr;
  }
  return std::make_shared<const SessionJobs>(SessionJobs{extranonce1_, jobs_});
}

void ClientSession::OnDisconnect(Clock::time_point now) {
  std::erase_if(pending_, [&](const auto& entry) {
    const auto& [id, p] = entry;
    if (p.kind != Request::kSubmit) {
      return false;  // handshake requests stay, for configure_unanswered()
    }
    event::ShareResult r{id,
                         p.share,
                         p.job_difficulty,
                         p.value,
                         false,
                         true,
                         "connection lost before the pool answered",
                         std::nullopt,
                         std::chrono::duration_cast<std::chrono::microseconds>(now - p.sent)};
    Emit(std::move(r));
    return true;
  });
  submits_in_flight_ = 0;
}

void ClientSession::OnTime(Clock::time_point now) {
  ForgetTimedOut(now);
  bool share_unanswered = false;
  for (auto it = pending_.begin(); it != pending_.end();) {
    const Pending& p = it->second;
    if (now - p.sent < config_.request_timeout) {
      ++it;
      continue;
    }
    const std::string waited = std::to_string(config_.request_timeout.count()) + " s";
    switch (p.kind) {
      case Request::kSubmit: {
        event::ShareResult r{it->first,
                             p.share,
                             p.job_difficulty,
                             p.value,
                             false,
                             true,
                             "no answer within " + waited,
                             std::nullopt,
                             std::chrono::duration_cast<std::chrono::microseconds>(now - p.sent)};
        Emit(std::move(r));
        timed_out_[it->first] = TimedOut{p, now};  // an answer may still come
        --submits_in_flight_;
        share_unanswered = true;
        break;
      }
      case Request::kConfigure:
        // Some old pools never answer methods they do not know.
        Note(Severity::kWarning, "no answer to mining.configure; mining with the job's version");
        ApplyVersionMask(0);
        break;
      case Request::kSubscribe:
      case Request::kAuthorize:
        Emit(event::Failed{"pool did not answer the handshake within " + waited});
        break;
      case Request::kSuggestDifficulty:
      case Request::kXnSubscribe:
        break;
    }
    it = pending_.erase(it);
  }
  if (share_unanswered && now - last_heard_ >= config_.request_timeout) {
    const auto silent = std::chrono::duration_cast<std::chrono::seconds>(now - last_heard_);
    Emit(event::Failed{"pool silent for " + std::to_string(silent.count()) +
                       " s with a share unanswered: connection presumed dead"});
    return;
  }
  SendQueued(now);
}

void ClientSession::ForgetTimedOut(Clock::time_point now) {
  std::erase_if(timed_out_, [&](const auto& entry) {
    return now - entry.second.at > config_.late_answer_window;
  });
  while (timed_out_.size() > config_.late_ids_kept) {
    timed_out_.erase(timed_out_.begin());  // the oldest id
  }
}

}  // namespace hashrig::pool
