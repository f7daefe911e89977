// ClientSession, second half: jobs, the share pipeline and request timeouts.
#include <algorithm>

#include "hashrig/base/hex.h"
#include "hashrig/pool/session.h"

namespace hashrig::pool {
namespace {

std::string ShareKey(const Share& share) {
  return EncodeHex(share.extranonce2) + '|' + FormatHex32(share.ntime) + '|' +
         FormatHex32(share.nonce) + '|' + FormatHex32(share.version);
}

bool SameWork(const Notify& a, const Notify& b) {
  return a.prevhash == b.prevhash && a.coinb1 == b.coinb1 && a.coinb2 == b.coinb2 &&
         a.merkle_branch == b.merkle_branch && a.version == b.version && a.nbits == b.nbits &&
         a.ntime == b.ntime;
}

}  // namespace

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
  }
  std::erase_if(jobs_, [&](const JobEntry& e) { return e.job->notify.job_id == notify.job_id; });
  jobs_.push_back(JobEntry{job, false, {}});
  while (jobs_.size() > kJobsKept) {
    jobs_.pop_front();
  }
  last_job_time_ = now;
  Emit(event::NewJob{std::move(job), clean});
}

ClientSession::JobEntry* ClientSession::FindJob(const std::string& job_id) {
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
    out.detail = "difficulty " + std::to_string(out.value.difficulty.value()) + " < job's " +
                 std::to_string(job.difficulty.value());
    return out;
  }
  if (!entry->submitted.insert(ShareKey(share)).second) {
    out.status = SubmitStatus::kDuplicate;
    out.detail = "already submitted";
    return out;
  }
  out.id = next_id_++;
  outgoing_.push_back(
      RequestLine(out.id, "mining.submit", SubmitParams(config_.user, share, job.version_mask)));
  pending_[out.id] = Pending{Request::kSubmit, now, share, job.difficulty, out.value};
  out.status = SubmitStatus::kSent;
  return out;
}

void ClientSession::OnDisconnect(Clock::time_point now) {
  std::erase_if(pending_, [&](const auto& entry) {
    const auto& [id, p] = entry;
    if (p.kind != Request::kSubmit) {
      return false;  // handshake requests stay, for configure_unanswered()
    }
    Emit(event::ShareResult{id, p.share, p.job_difficulty, p.value, false, true,
                            "connection lost before the pool answered", std::nullopt,
                            std::chrono::duration_cast<std::chrono::microseconds>(now - p.sent)});
    return true;
  });
}

void ClientSession::OnTime(Clock::time_point now) {
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
}

}  // namespace hashrig::pool
