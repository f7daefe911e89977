#include "hashrig/host/miner.h"

#include <cmath>
#include <cstdio>

#include "hashrig/pool/hex.h"
#include "hashrig/sha256/sha256.h"

namespace hashrig::host {
namespace {

constexpr std::size_t kIssuedKept = 512;
constexpr double kHashesPerDiff1 = 4294967296.0;

std::string Fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

}  // namespace

void RateWindow::Add(double hashes, std::chrono::steady_clock::time_point now) {
  if (!started_) {
    started_ = true;
    last_ = now;
  }
  const double dt = std::chrono::duration<double>(now - last_).count();
  const double decay = std::exp(-dt / window_.count());
  rate_ = rate_ * decay + hashes / window_.count();
  last_ = now;
}

double RateWindow::HashesPerSecond(std::chrono::steady_clock::time_point now) const {
  if (!started_) {
    return 0;
  }
  const double dt = std::chrono::duration<double>(now - last_).count();
  return rate_ * std::exp(-dt / window_.count());
}

std::string FormatHashrate(double h) {
  static constexpr const char* kUnits[] = {"H/s", "kH/s", "MH/s", "GH/s", "TH/s", "PH/s"};
  int unit = 0;
  while (h >= 1000 && unit < 5) {
    h /= 1000;
    ++unit;
  }
  return Fixed(h, 2) + " " + kUnits[unit];
}

Miner::Miner(pool::PoolClient& client, std::vector<std::unique_ptr<HashChain>> chains, Logger& log)
    : client_(client), chain_counters_(chains.size()), chains_(std::move(chains)), log_(log) {
  for (auto& chain : chains_) {
    chain->Start();
  }
}

void Miner::OnPoolEvent(std::size_t pool, const pool::Event& event) {
  if (const auto* j = std::get_if<pool::event::NewJob>(&event)) {
    job_ = j->job;
    job_received_ = Clock::now();
    // Each chain gets its own slice of this job's extranonce2 space.
    pool::Extranonce2Counter all(job_->extranonce2_size);
    counters_ = all.Split(chains_.size());
    log_.Write(LogLevel::kDebug, "miner",
               "job " + job_->notify.job_id + (j->clean ? " (clean)" : "") + " difficulty " +
                   Fixed(job_->difficulty.value(), 6));
    Distribute(j->clean);
  } else if (const auto* r = std::get_if<pool::event::ShareResult>(&event)) {
    last_pool_ = pool;
    OnShareResult(*r);
  } else if (const auto* n = std::get_if<pool::event::Notice>(&event)) {
    const LogLevel level = n->severity == pool::Severity::kError     ? LogLevel::kError
                           : n->severity == pool::Severity::kWarning ? LogLevel::kWarning
                                                                     : LogLevel::kInfo;
    log_.Write(level, "pool " + std::to_string(pool), n->text);
  } else if (const auto* c = std::get_if<pool::event::Connected>(&event)) {
    log_.Write(LogLevel::kInfo, "pool " + std::to_string(pool), "connected to " + c->url);
  } else if (const auto* d = std::get_if<pool::event::Disconnected>(&event)) {
    log_.Write(LogLevel::kWarning, "pool " + std::to_string(pool), "disconnected: " + d->reason);
  } else if (std::holds_alternative<pool::event::Authorized>(event)) {
    log_.Write(LogLevel::kInfo, "pool " + std::to_string(pool), "authorized");
  }
}

void Miner::Distribute(bool clean) {
  if (!job_) {
    return;
  }
  if (clean) {
    issued_.clear();
    issued_order_.clear();
  }
  const pool::WorkBuilder builder(*job_);
  for (std::size_t i = 0; i < chains_.size(); ++i) {
    auto en2 = counters_[i].Next();
    if (!en2) {
      log_.Write(
          LogLevel::kWarning, chains_[i]->name(),
          "extranonce2 space of job " + job_->notify.job_id + " exhausted; waiting for a new job");
      continue;
    }
    // ntime follows the clock from the job's own, inside the pool's window.
    const auto age = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - job_received_);
    const auto roll = std::min(age, pool::kMaxNtimeRoll - std::chrono::seconds(30));
    Issued work{
        job_,
        *en2,
        job_->notify.ntime + static_cast<std::uint32_t>(std::max<std::int64_t>(0, roll.count())),
        {}};
    work.header = builder.BuildHeader(builder.MerkleRoot(*en2), work.ntime, job_->notify.version);
    const std::uint32_t token = next_token_++;
    chains_[i]->SetWork({token, work.header, job_->version_mask, job_->difficulty.value()});
    issued_[token] = std::move(work);
    issued_order_.push_back(token);
    while (issued_order_.size() > kIssuedKept) {
      issued_.erase(issued_order_.front());
      issued_order_.pop_front();
    }
  }
}

void Miner::RefreshWork() { Distribute(false); }

void Miner::Tick(std::chrono::milliseconds budget) {
  std::vector<FoundNonce> found;
  const auto share = budget / std::max<std::size_t>(1, chains_.size());
  for (std::size_t i = 0; i < chains_.size(); ++i) {
    found.clear();
    chains_[i]->Poll(share, found);
    for (const FoundNonce& n : found) {
      Verify(i, n);
    }
  }
}

void Miner::Verify(std::size_t chain, const FoundNonce& n) {
  const auto it = issued_.find(n.token);
  if (it == issued_.end()) {
    return;  // work retired by a clean job
  }
  const Issued& work = it->second;
  const auto header = sha256::WithVersionAndNonce(work.header, n.version, n.nonce);
  const pool::ShareValue value = pool::Evaluate(header);
  const auto ticket = sha256::Difficulty::From(n.ticket_difficulty);
  const bool meets_ticket = ticket && ticket->ToTarget().IsMetBy(value.hash);
  chains_[chain]->RecordVerdict(n.chip, meets_ticket);
  if (!meets_ticket) {
    ++stats_.hardware_errors;
    ++chain_counters_[chain].hardware_errors;
    log_.Write(
        LogLevel::kDebug, chains_[chain]->name(),
        "chip " + std::to_string(n.chip) + " sent a nonce that fails its ticket (hardware error)");
    return;
  }
  ++stats_.nonces;
  stats_.diff1_work += n.ticket_difficulty;
  const auto now = Clock::now();
  ChainCounters& counters = chain_counters_[chain];
  ++counters.nonces;
  counters.diff1_work += n.ticket_difficulty;
  counters.rate_5s.Add(n.ticket_difficulty * kHashesPerDiff1, now);
  for (RateWindow* w : {&rate_5s_, &rate_1m_, &rate_5m_, &rate_15m_}) {
    w->Add(n.ticket_difficulty * kHashesPerDiff1, now);
  }
  stats_.best_share = std::max(stats_.best_share, value.difficulty.value());
  if (!work.job->difficulty.ToTarget().IsMetBy(value.hash)) {
    return;  // valid work, below the pool's difficulty
  }
  const pool::Share share{work.job->notify.job_id, work.extranonce2, work.ntime, n.nonce,
                          n.version};
  const pool::SubmitOutcome outcome = client_.Submit(share);
  if (outcome.status == pool::SubmitStatus::kSent) {
    ++chain_counters_[chain].accepted;  // submitted shares, as cgminer's per-device count
  }
  if (outcome.status == pool::SubmitStatus::kStale) {
    ++stats_.stale;
  }
  if (outcome.status != pool::SubmitStatus::kSent) {
    log_.Write(LogLevel::kInfo, chains_[chain]->name(),
               "share not submitted: " + std::string(pool::ToString(outcome.status)) + " (" +
                   outcome.detail + ")");
  }
}

void Miner::OnShareResult(const pool::event::ShareResult& r) {
  sha256::Digest display = r.value.hash;
  std::reverse(display.begin(), display.end());
  const std::string hash8 = pool::EncodeHex(std::span(display).subspan(0, 8));
  const std::string diff =
      Fixed(r.value.difficulty.value(), 4) + "/" + Fixed(r.job_difficulty.value(), 4);
  const std::string latency = std::to_string(r.latency.count() / 1000) + " ms";
  PoolCounters& pool = pool_counters_[last_pool_];
  pool.last_share_difficulty = r.job_difficulty.value();
  pool.last_share_time = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  if (r.accepted) {
    ++stats_.accepted;
    ++pool.accepted;
    pool.difficulty_accepted += r.job_difficulty.value();
    stats_.accepted_difficulty += r.job_difficulty.value();
    log_.Write(LogLevel::kInfo, "share",
               "Accepted " + hash8 + " Diff " + diff + " (" + latency + ")");
    return;
  }
  if (r.timed_out) {
    ++stats_.lost;  // the pool never judged it: not a reject
    log_.Write(LogLevel::kWarning, "share",
               "Lost " + hash8 + " Diff " + diff + " (" + r.reason + ")");
    return;
  }
  ++stats_.rejected;
  ++pool.rejected;
  pool.difficulty_rejected += r.job_difficulty.value();
  stats_.rejected_difficulty += r.job_difficulty.value();
  ++stats_.rejected_by_reason[r.reason];
  log_.Write(LogLevel::kWarning, "share",
             "Rejected " + hash8 + " Diff " + diff + " (" + r.reason + ")");
}

double Miner::HashrateAverage() const {
  const double seconds = std::chrono::duration<double>(Clock::now() - started_).count();
  return seconds <= 0 ? 0 : stats_.diff1_work * kHashesPerDiff1 / seconds;
}

std::string Miner::StatusLine() const {
  const auto now = Clock::now();
  return "(5s):" + FormatHashrate(rate_5s_.HashesPerSecond(now)) +
         " (1m):" + FormatHashrate(rate_1m_.HashesPerSecond(now)) +
         " (avg):" + FormatHashrate(HashrateAverage()) + " A:" + std::to_string(stats_.accepted) +
         " R:" + std::to_string(stats_.rejected) + " S:" + std::to_string(stats_.stale) +
         " HW:" + std::to_string(stats_.hardware_errors) + Chains();
}

std::string Miner::Chains() const {
  // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on long "a" + b + "c" chains.
  std::string out;
  for (const auto& chain : chains_) {
    const ChainStatus s = chain->status();
    out += " | ";
    out += chain->name();
    if (s.temperature_c != 0 || std::isnan(s.temperature_c)) {
      out += ' ';
      out += std::isnan(s.temperature_c) ? std::string("--") : Fixed(s.temperature_c, 1);
      out += "C fan ";
      out += Fixed(s.fan_percent, 0);
      out += '%';
    }
    if (!s.mining) {
      out += ' ';
      out += s.state;
    }
  }
  return out;
}

}  // namespace hashrig::host

namespace hashrig::host {

ApiSnapshot Miner::Snapshot() const {
  const auto now = Clock::now();
  ApiSnapshot s;
  s.elapsed_s = std::chrono::duration<double>(now - started_).count();
  s.mhs_5s = rate_5s_.HashesPerSecond(now) / 1e6;
  s.mhs_1m = rate_1m_.HashesPerSecond(now) / 1e6;
  s.mhs_5m = rate_5m_.HashesPerSecond(now) / 1e6;
  s.mhs_15m = rate_15m_.HashesPerSecond(now) / 1e6;
  s.mhs_av = HashrateAverage() / 1e6;
  s.accepted = stats_.accepted;
  s.rejected = stats_.rejected;
  s.stale = stats_.stale;
  s.lost = stats_.lost;
  s.hardware_errors = stats_.hardware_errors;
  s.difficulty_accepted = stats_.accepted_difficulty;
  s.difficulty_rejected = stats_.rejected_difficulty;
  s.best_share = stats_.best_share;
  s.diff1_work = stats_.diff1_work;
  for (std::size_t i = 0; i < client_.pool_count(); ++i) {
    if (client_.pool_removed(i)) {
      continue;
    }
    const pool::PoolEndpoint& endpoint = client_.pool(i);
    ApiPool p;
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
    const ChainStatus status = chains_[i]->status();
    const ChainCounters& c = chain_counters_[i];
    ApiChain chain;
    chain.name = chains_[i]->name();
    chain.status = status.mining                        ? "Alive"
                   : status.state.rfind("down", 0) == 0 ? "Dead"
                                                        : "Initialising";
    chain.chips = status.chips;
    chain.mhs_5s = c.rate_5s.HashesPerSecond(now) / 1e6;
    chain.mhs_av = c.diff1_work * kHashesPerDiff1 / elapsed / 1e6;
    chain.accepted = c.accepted;
    chain.hardware_errors = c.hardware_errors;
    chain.diff1_work = c.diff1_work;
    chain.temperature = status.temperature_c;
    chain.fan_percent = static_cast<int>(status.fan_percent);
    chain.frequency_mhz = status.frequency_mhz;
    for (const ChipStatus& chip : status.chip_stats) {
      chain.chip_stats.push_back({chip.address, chip.nonces, chip.hardware_errors, chip.alive});
    }
    s.chains.push_back(chain);
  }
  return s;
}

void Miner::RestartChains() {
  for (auto& chain : chains_) {
    chain->Start();
  }
  Distribute(true);
}

}  // namespace hashrig::host
