#include "hashrig/host/mining/scheduler.h"

#include <algorithm>
#include <cstdio>

#include "hashrig/base/format.h"
#include "hashrig/base/hex.h"
#include "hashrig/base/unix_time.h"

namespace hashrig::host {
namespace {

constexpr std::size_t kIssuedKept = 512;
// Lines about shares in the log a second at most; the rest are counted and summarised.
constexpr int kShareLinesPerSecond = 20;

std::string Fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

}  // namespace

Scheduler::Scheduler(pool::PoolClient& client, std::vector<std::unique_ptr<HashChain>> chains,
                     Logger& log)
    : client_(client), chains_(std::move(chains)), log_(log) {
  chain_counters_.reserve(chains_.size());
  for (std::size_t i = 0; i < chains_.size(); ++i) {
    chain_counters_.emplace_back(started_);
  }
}

void Scheduler::OnPoolEvent(std::size_t pool, const pool::Event& event) {
  if (const auto* j = std::get_if<pool::event::NewJob>(&event)) {
    // Each chain gets its own slice of the extranonce2 space, and the counters go on from
    // job to job: a pool's next job may differ only in ntime, which we roll, so starting
    // the slices again would hash a header already hashed — the same share twice (the
    // soak saw two). Only a new prevhash (clean), another extranonce1 or size (a new
    // session), or an exhausted space starts them again.
    const bool same_space = job_ && j->job->extranonce1 == job_->extranonce1 &&
                            j->job->extranonce2_size == job_->extranonce2_size;
    if (!same_space || j->clean || counters_exhausted_) {
      // A chain that rolls extranonce2 (Avalon modules) writes at most 4 bytes of it: every
      // chain's slice then lies below 2^32 so theirs are real.
      const std::uint64_t space = j->job->extranonce2_size >= 4 && AnyChainRolls()
                                      ? std::uint64_t{1} << 32
                                      : ~std::uint64_t{0};
      pool::Extranonce2Counter all(j->job->extranonce2_size, 0, space);
      counters_ = all.Split(chains_.size());
      counters_exhausted_ = false;
    }
    job_ = j->job;
    job_pool_ = pool;
    job_received_ = Clock::now();
    log_.Write(LogLevel::kDebug, "miner",
               "job " + job_->notify.job_id + (j->clean ? " (clean)" : "") + " difficulty " +
                   FormatDifficulty(job_->difficulty.value()));
    Distribute(j->clean);
    return;
  }
  if (const auto* r = std::get_if<pool::event::ShareResult>(&event)) {
    last_pool_ = pool;
    OnShareResult(*r);
    return;
  }
  LogPoolEvent(pool, event);
}

void Scheduler::LogPoolEvent(std::size_t pool, const pool::Event& event) {
  const std::string where = "pool " + std::to_string(pool);
  if (const auto* n = std::get_if<pool::event::Notice>(&event)) {
    const LogLevel level = n->severity == pool::Severity::kError     ? LogLevel::kError
                           : n->severity == pool::Severity::kWarning ? LogLevel::kWarning
                                                                     : LogLevel::kInfo;
    log_.Write(level, where, n->text);
  } else if (const auto* c = std::get_if<pool::event::Connected>(&event)) {
    log_.Write(LogLevel::kInfo, where, "connected to " + c->url);
  } else if (const auto* d = std::get_if<pool::event::Disconnected>(&event)) {
    log_.Write(stopping_ ? LogLevel::kInfo : LogLevel::kWarning, where,
               "disconnected: " + d->reason);
  } else if (std::holds_alternative<pool::event::Authorized>(event)) {
    log_.Write(LogLevel::kInfo, where, "authorized");
  }
}

void Scheduler::Distribute(bool clean) {
  if (!job_) {
    return;
  }
  if (clean) {
    issued_.clear();
    issued_order_.clear();
  }
  const pool::WorkBuilder builder(*job_);
  // ntime follows the clock from the job's own, inside the pool's window.
  const auto age = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - job_received_);
  const auto roll = std::min(age, pool::kMaxNtimeRoll - std::chrono::seconds(30));
  const auto ntime =
      job_->notify.ntime + static_cast<std::uint32_t>(std::max<std::int64_t>(0, roll.count()));
  for (std::size_t i = 0; i < chains_.size(); ++i) {
    if (chains_[i]->RollsExtranonce2()) {
      HandJob(i, clean);
      continue;
    }
    auto en2 = counters_[i].Next();
    if (!en2) {
      counters_exhausted_ = true;
      log_.Write(
          LogLevel::kWarning, chains_[i]->name(),
          "extranonce2 space of job " + job_->notify.job_id + " exhausted; waiting for a new job");
      continue;
    }
    const std::uint32_t token = next_token_++;
    const pool::Header header =
        builder.BuildHeader(builder.MerkleRoot(*en2), ntime, job_->notify.version);
    ChainWork work;
    work.token = WorkToken{token};
    work.header = header;
    work.version_mask = job_->version_mask;
    work.difficulty = job_->difficulty.value();
    chains_[i]->SetWork(work);
    Remember(token, Issued{job_, std::move(*en2), ntime});
  }
}

// A chain that rolls extranonce2 itself takes each job once, with the next slice of its
// extranonce2 space (a refresh gives it nothing new: its modules roll on; a job that
// differs only in ntime gets a fresh slice, never the headers it hashed already).
void Scheduler::HandJob(std::size_t chain, bool clean) {
  if (!clean && handed_[chain] == job_) {
    return;
  }
  const auto range = counters_[chain].Take(kRolledSlice);
  if (!range) {
    counters_exhausted_ = true;
    log_.Write(
        LogLevel::kWarning, chains_[chain]->name(),
        "extranonce2 space of job " + job_->notify.job_id + " exhausted; waiting for a new job");
    return;
  }
  handed_[chain] = job_;
  const std::uint32_t token = next_token_++;
  ChainWork work;
  work.token = WorkToken{token};
  work.version_mask = job_->version_mask;
  work.difficulty = job_->difficulty.value();
  work.job = job_;
  work.extranonce2_first = range->first;
  work.extranonce2_count = range->count;
  work.pool = static_cast<std::uint16_t>(job_pool_);
  chains_[chain]->SetWork(work);
  Remember(token, Issued{job_, {}, job_->notify.ntime});
}

void Scheduler::Remember(std::uint32_t token, Issued issued) {
  issued_[token] = std::move(issued);
  issued_order_.push_back(token);
  while (issued_order_.size() > kIssuedKept) {
    issued_.erase(issued_order_.front());
    issued_order_.pop_front();
  }
}

bool Scheduler::AnyChainRolls() const {
  return std::any_of(chains_.begin(), chains_.end(),
                     [](const auto& c) { return c->RollsExtranonce2(); });
}

void Scheduler::RefreshWork() { Distribute(false); }

void Scheduler::RestartChains() {
  for (auto& chain : chains_) {
    chain->Restart();
  }
  Distribute(true);
}

void Scheduler::OnNonces(std::size_t chain, const std::vector<FoundNonce>& batch) {
  if (stopping_) {
    return;
  }
  const auto now = Clock::now();
  for (const FoundNonce& n : batch) {
    Verify(chain, n, now);
  }
}

void Scheduler::Verify(std::size_t chain, const FoundNonce& n, Clock::time_point now) {
  const auto it = issued_.find(n.token.value);
  if (it == issued_.end()) {
    return;  // work retired by a clean job
  }
  ChainCounters& counters = chain_counters_[chain];
  if (!n.meets_ticket) {
    ++stats_.hardware_errors;
    ++counters.hardware_errors;
    log_.Write(
        LogLevel::kDebug, chains_[chain]->name(),
        "chip " + std::to_string(n.chip) + " sent a nonce that fails its ticket (hardware error)");
    return;
  }
  ++stats_.nonces;
  stats_.diff1_work += n.ticket_difficulty;
  ++counters.nonces;
  counters.diff1_work += n.ticket_difficulty;
  const double hashes = n.ticket_difficulty * kHashesPerDiff1;
  counters.rate_5s.Add(hashes, now);
  for (RateWindow* w : {&rate_5s_, &rate_1m_, &rate_5m_, &rate_15m_}) {
    w->Add(hashes, now);
  }
  const sha256::Difficulty value = sha256::Difficulty::OfHash(n.hash);
  stats_.best_share = std::max(stats_.best_share, value.value());
  if (it->second.job->difficulty.IsMetBy(n.hash)) {
    Submit(chain, it->second, n);
  }
}

void Scheduler::Submit(std::size_t chain, const Issued& work, const FoundNonce& n) {
  pool::Share share{work.job->notify.job_id, work.extranonce2, work.ntime, n.nonce.value,
                    n.version.value};
  if (n.extranonce2) {  // rolled by the chain: its value, little-endian, and its ntime
    share.extranonce2.assign(work.job->extranonce2_size, 0);
    for (std::size_t i = 0; i < share.extranonce2.size() && i < 8; ++i) {
      share.extranonce2[i] = static_cast<std::uint8_t>(*n.extranonce2 >> (8 * i));
    }
    share.ntime = n.ntime;
  }
  using pool::SubmitStatus;
  const pool::SubmitOutcome outcome =
      client_.Submit(share, pool::ShareValue{n.hash, sha256::Difficulty::OfHash(n.hash)}, work.job);
  switch (outcome.status) {
    case SubmitStatus::kSent:
    case SubmitStatus::kQueued:            // sent when the pool has answered earlier ones
    case SubmitStatus::kHeld:              // sent when a pool resumes, or reported unsent
      ++chain_counters_[chain].submitted;  // submitted shares, as cgminer's per-device count
      if (outcome.status == SubmitStatus::kHeld) {
        LogShare(LogLevel::kInfo, chains_[chain]->name(), "held",
                 "share held: no pool connection (" + outcome.detail + ")");
      }
      return;
    default:
      break;
  }
  // Never sent: stale when its job is gone (retired, too old, an earlier connection's),
  // else discarded (queue full, or the pool's rules refuse it: invalid, duplicate).
  CountUnsent(outcome.status == SubmitStatus::kStale || outcome.status == SubmitStatus::kUnknownJob,
              LogLevel::kInfo, chains_[chain]->name(),
              ShareHead(n.hash, work.job->difficulty.value()),
              std::string(pool::ToString(outcome.status)) + ": " + outcome.detail);
}

// A share never sent, refused here or reported unsent by the client: stale (its job is
// gone) or discarded, logged "Stale|Discarded HEAD (not sent: WHY)".
void Scheduler::CountUnsent(bool stale, LogLevel level, const std::string& where,
                            const std::string& head, const std::string& why) {
  ++(stale ? stats_.stale : stats_.discarded);
  LogShare(level, where, stale ? "stale" : "discarded",
           std::string(stale ? "Stale " : "Discarded ") + head + " (not sent: " + why + ")");
}

// "HASH Diff D/J": the first 8 bytes of the share's hash as block explorers show it, its
// difficulty and its job's.
std::string Scheduler::ShareHead(const sha256::Digest& hash, double job_difficulty) {
  sha256::Digest display = hash;
  std::reverse(display.begin(), display.end());
  return EncodeHex(std::span(display).subspan(0, 8)) + " Diff " +
         FormatDifficulty(sha256::Difficulty::OfHash(hash).value()) + "/" +
         FormatDifficulty(job_difficulty);
}

void Scheduler::LogShare(LogLevel level, const std::string& where, const char* kind,
                         const std::string& text) {
  const auto now = Clock::now();
  if (now - share_log_window_ >= std::chrono::seconds(1)) {
    FlushShareLog();
    share_log_window_ = now;
    share_lines_ = 0;
  }
  if (share_lines_ < kShareLinesPerSecond) {
    ++share_lines_;
    log_.Write(level, where, text);
    return;
  }
  ++share_lines_held_back_[kind];
}

void Scheduler::FlushShareLog() {
  if (share_lines_held_back_.empty()) {
    return;
  }
  std::string summary;
  for (const auto& [kind, n] : share_lines_held_back_) {
    summary += (summary.empty() ? "" : ", ") + std::to_string(n) + " " + kind;
  }
  share_lines_held_back_.clear();
  log_.Write(LogLevel::kInfo, "share",
             "more than " + std::to_string(kShareLinesPerSecond) +
                 " share lines a second; not logged: " + summary);
}

void Scheduler::OnShareResult(const pool::event::ShareResult& r) {
  const std::string head = ShareHead(r.value.hash, r.job_difficulty.value());
  const std::string latency = std::to_string(r.latency.count() / 1000) + " ms";
  if (r.unsent) {  // never reached a pool
    // Work lost is a warning; a share whose job was replaced, or one left at a stop, is not.
    return CountUnsent(r.stale, r.stale || stopping_ ? LogLevel::kInfo : LogLevel::kWarning,
                       "share", head, r.reason);
  }
  if (r.late) {  // the pool answered a submit already counted lost: its verdict counts
    stats_.lost -= stats_.lost > 0 ? 1 : 0;
    return CountVerdict(r, head, "late: " + latency);
  }
  PoolCounters& pool = pool_counters_[last_pool_];
  pool.last_share_difficulty = r.job_difficulty.value();
  pool.last_share_time = UnixSeconds();
  if (r.timed_out) {
    ++stats_.lost;  // the pool never judged it: not a reject
    LogShare(LogLevel::kWarning, "share", "lost", "Lost " + head + " (" + r.reason + ")");
    return;
  }
  CountVerdict(r, head, latency);
}

// The pool's verdict, counted and logged: "Accepted HASH Diff D (NOTE)" or "Rejected HASH
// Diff D (REASON; NOTE)".
void Scheduler::CountVerdict(const pool::event::ShareResult& r, const std::string& head,
                             const std::string& note) {
  PoolCounters& pool = pool_counters_[last_pool_];
  if (r.accepted) {
    ++stats_.accepted;
    ++pool.accepted;
    pool.difficulty_accepted += r.job_difficulty.value();
    stats_.accepted_difficulty += r.job_difficulty.value();
    LogShare(LogLevel::kInfo, "share", "accepted", "Accepted " + head + " (" + note + ")");
    return;
  }
  ++stats_.rejected;
  ++pool.rejected;
  pool.difficulty_rejected += r.job_difficulty.value();
  stats_.rejected_difficulty += r.job_difficulty.value();
  ++stats_.rejected_by_reason[r.reason];
  LogShare(LogLevel::kWarning, "share", "rejected",
           "Rejected " + head + " (" + r.reason + (r.late ? "; " + note : "") + ")");
}

double Scheduler::HashrateAverage(Clock::time_point now) const {
  const double seconds = std::chrono::duration<double>(now - started_).count();
  return seconds <= 0 ? 0 : stats_.diff1_work * kHashesPerDiff1 / seconds;
}

std::string Scheduler::StatusLine() const {
  const auto now = Clock::now();
  return "(5s):" + FormatHashrate(rate_5s_.HashesPerSecond(now)) +
         " (1m):" + FormatHashrate(rate_1m_.HashesPerSecond(now)) +
         " (avg):" + FormatHashrate(HashrateAverage(now)) +
         " A:" + std::to_string(stats_.accepted) + " R:" + std::to_string(stats_.rejected) +
         " S:" + std::to_string(stats_.stale) + " HW:" + std::to_string(stats_.hardware_errors) +
         (stats_.lost > 0 ? " L:" + std::to_string(stats_.lost) : "") +
         (stats_.discarded > 0 ? " D:" + std::to_string(stats_.discarded) : "") +
         (client_.held() > 0 ? " held:" + std::to_string(client_.held()) : "") +
         (client_.mining() ? "" : " | no pool") + Chains();
}

std::string Scheduler::Chains() const {
  // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on long "a" + b + "c" chains.
  std::string out;
  for (const auto& chain : chains_) {
    const ChainStatus s = chain->status();
    out += " | ";
    out += chain->name();
    if (s.has_sensor) {
      out += ' ';
      out += s.temperature ? Fixed(s.temperature->value, 1) + "C" : std::string("--C");
    } else if (Mining(s)) {
      out += " no sensor";  // never a reading of 0.0 C (a stopped chain says why instead)
    }
    if (s.fan) {
      out += " fan ";
      out += Fixed(s.fan->value, 0);
      out += '%';
    }
    if (s.core) {
      out += ' ';
      out += Fixed(s.core->voltage.value, 3);
      out += "V ";
      out += Fixed(s.core->power.value, 1);
      out += 'W';
      if (s.core->status_word != 0) {
        out += " VR status ";
        out += std::to_string(s.core->status_word);
      }
    }
    if (!Mining(s)) {
      out += ' ';
      out += Describe(s);
    }
  }
  return out;
}

MinerSnapshot Scheduler::Snapshot() const {
  const auto now = Clock::now();
  MinerSnapshot s;
  s.elapsed_s = std::chrono::duration<double>(now - started_).count();
  s.hashrate_5s = rate_5s_.HashesPerSecond(now);
  s.hashrate_1m = rate_1m_.HashesPerSecond(now);
  s.hashrate_5m = rate_5m_.HashesPerSecond(now);
  s.hashrate_15m = rate_15m_.HashesPerSecond(now);
  s.hashrate_avg = HashrateAverage(now);
  s.nonces = stats_.nonces;
  s.accepted = stats_.accepted;
  s.rejected = stats_.rejected;
  s.stale = stats_.stale;
  s.lost = stats_.lost;
  s.discarded = stats_.discarded;
  s.hardware_errors = stats_.hardware_errors;
  s.difficulty_accepted = stats_.accepted_difficulty;
  s.difficulty_rejected = stats_.rejected_difficulty;
  s.best_share = stats_.best_share;
  s.diff1_work = stats_.diff1_work;
  s.rejected_by_reason = stats_.rejected_by_reason;
  for (std::size_t i = 0; i < client_.pool_count(); ++i) {
    if (client_.pool_removed(i)) {
      continue;
    }
    const pool::PoolEndpoint& endpoint = client_.pool(i);
    PoolSnapshot p;
    p.id = static_cast<int>(i);
    p.url = endpoint.url.ToString();
    p.user = endpoint.user;
    p.enabled = client_.pool_enabled(i);
    p.alive = client_.pool_connected(i);
    p.active = i == client_.active_pool() && client_.mining();
    if (auto it = pool_counters_.find(i); it != pool_counters_.end()) {
      p.accepted = it->second.accepted;
      p.rejected = it->second.rejected;
      p.difficulty_accepted = it->second.difficulty_accepted;
      p.difficulty_rejected = it->second.difficulty_rejected;
      p.last_share_difficulty = it->second.last_share_difficulty;
      p.last_share_time = it->second.last_share_time;
    }
    p.work_difficulty = p.active && job_ ? job_->difficulty.value() : 0;
    s.pools.push_back(p);
  }
  const double elapsed = std::max(1e-9, s.elapsed_s);
  for (std::size_t i = 0; i < chains_.size(); ++i) {
    const ChainCounters& c = chain_counters_[i];
    ChainSnapshot chain;
    chain.name = chains_[i]->name();
    chain.status = chains_[i]->status();
    chain.hashrate_5s = c.rate_5s.HashesPerSecond(now);
    chain.hashrate_avg = c.diff1_work * kHashesPerDiff1 / elapsed;
    chain.submitted = c.submitted;
    chain.hardware_errors = c.hardware_errors;
    chain.diff1_work = c.diff1_work;
    s.chains.push_back(std::move(chain));
  }
  return s;
}

}  // namespace hashrig::host
