#include "hashrig/pool/server_session.h"

#include <algorithm>
#include <optional>

#include "hashrig/base/hex.h"
#include "hashrig/pool/session.h"

namespace hashrig::pool {
namespace {

using nlohmann::json;

constexpr std::size_t kJobsKeptPerMiner = 16;
constexpr std::string_view kTag = "/hashrig local pool/";

void PutLe(std::vector<std::uint8_t>& out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) {
    out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
  }
}

}  // namespace

BlockTemplate::BlockTemplate(const LocalPoolSettings& settings)
    : settings_(settings), random_(settings.seed) {
  NextBlock();
}

void BlockTemplate::NextBlock() {
  ++height_;
  for (auto& byte : prevhash_) {
    byte = static_cast<std::uint8_t>(random_());
  }
  branch_.assign(settings_.merkle_depth, Hash256{});
  for (auto& hash : branch_) {
    for (auto& byte : hash) {
      byte = static_cast<std::uint8_t>(random_());
    }
  }
  block_started_ = false;
}

std::shared_ptr<const Notify> BlockTemplate::MakeJob(std::uint32_t ntime,
                                                     std::size_t extranonce1_size) {
  auto n = std::make_shared<Notify>();
  n->job_id = FormatHex32(static_cast<std::uint32_t>(next_job_++));
  n->prevhash = prevhash_;
  n->merkle_branch = branch_;
  n->version = settings_.block_version;
  n->nbits = settings_.nbits;
  n->ntime = ntime;
  n->clean_jobs = !std::exchange(block_started_, true);

  // coinb1: tx version, one input spending nothing, scriptSig = BIP34 height push, our tag,
  // and a push of extranonce1 || extranonce2 that the miner fills in.
  const std::size_t extranonce_size = extranonce1_size + settings_.extranonce2_size;
  std::vector<std::uint8_t>& c1 = n->coinb1;
  PutLe(c1, 1, 4);
  c1.push_back(1);
  c1.insert(c1.end(), 32, 0);
  PutLe(c1, 0xffffffff, 4);
  c1.push_back(static_cast<std::uint8_t>(4 + 1 + kTag.size() + 1 + extranonce_size));
  c1.push_back(3);
  PutLe(c1, height_, 3);
  c1.push_back(static_cast<std::uint8_t>(kTag.size()));
  c1.insert(c1.end(), kTag.begin(), kTag.end());
  c1.push_back(static_cast<std::uint8_t>(extranonce_size));
  // coinb2: sequence, one output paying the configured script, lock time.
  std::vector<std::uint8_t>& c2 = n->coinb2;
  PutLe(c2, 0xffffffff, 4);
  c2.push_back(1);
  PutLe(c2, settings_.coinbase_value, 8);
  c2.push_back(static_cast<std::uint8_t>(settings_.payout_script.size()));
  c2.insert(c2.end(), settings_.payout_script.begin(), settings_.payout_script.end());
  PutLe(c2, 0, 4);
  return n;
}

ServerSession::ServerSession(const LocalPoolSettings& settings,
                             std::vector<std::uint8_t> extranonce1, PoolLedger& ledger)
    : settings_(settings),
      ledger_(ledger),
      extranonce1_(std::move(extranonce1)),
      difficulty_(settings.difficulty) {}

std::vector<std::string> ServerSession::OnLine(std::string_view line, bool& block_found) {
  auto m = ParseLine(line);
  if (!m) {
    ++bad_lines_;
    return {ReplyLine(nullptr, nullptr, json::array({20, m.error().message(), nullptr}))};
  }
  if (!m->is_request()) {
    return {};  // answers to our (nonexistent) requests
  }
  const std::string& method = m->method;
  std::vector<std::string> out;
  if (method == "mining.configure") {
    out.push_back(OnConfigure(*m));
  } else if (method == "mining.subscribe") {
    out.push_back(OnSubscribe(*m));
    out.push_back(NotificationLine("mining.set_difficulty", {difficulty_.value()}));
  } else if (method == "mining.authorize") {
    out.push_back(OnAuthorize(*m));
  } else if (method == "mining.submit") {
    out.push_back(OnSubmit(*m, block_found));
  } else if (method == "mining.suggest_difficulty" || method == "mining.extranonce.subscribe") {
    out.push_back(ReplyLine(m->id, true));
  } else {
    out.push_back(Reject(*m, 20, "Unknown method " + method));
  }
  return out;
}

std::string ServerSession::OnConfigure(const Message& m) {
  const json& p = m.params;
  const bool asks = p.is_array() && p.size() >= 2 && p[0].is_array() &&
                    std::find(p[0].begin(), p[0].end(), "version-rolling") != p[0].end();
  if (!asks) {
    return ReplyLine(m.id, json::object());
  }
  std::uint32_t theirs = 0xffffffff;
  if (p[1].is_object()) {
    if (auto it = p[1].find("version-rolling.mask"); it != p[1].end() && it->is_string()) {
      theirs = ParseHex32(it->get<std::string>()).value_or(0);
    }
  }
  version_mask_ = theirs & settings_.version_mask;
  return ReplyLine(
      m.id, {{"version-rolling", true}, {"version-rolling.mask", FormatHex32(version_mask_)}});
}

std::string ServerSession::OnSubscribe(const Message& m) {
  subscribed_ = true;
  const json subscriptions =
      json::array({json::array({"mining.set_difficulty", EncodeHex(extranonce1_)}),
                   json::array({"mining.notify", EncodeHex(extranonce1_)})});
  return ReplyLine(m.id, {subscriptions, EncodeHex(extranonce1_), settings_.extranonce2_size});
}

std::string ServerSession::OnAuthorize(const Message& m) {
  if (!m.params.is_array() || m.params.empty() || !m.params[0].is_string() ||
      m.params[0].get_ref<const std::string&>().empty()) {
    return Reject(m, 24, "Unauthorized worker: no user name");
  }
  authorized_ = true;
  return ReplyLine(m.id, true);
}

std::string ServerSession::Reject(const Message& m, int code, const std::string& reason) {
  return ReplyLine(m.id, nullptr, json::array({code, reason, nullptr}));
}

std::vector<std::string> ServerSession::Announce(const Notify& notify) {
  if (!subscribed_) {
    return {};
  }
  if (notify.clean_jobs) {
    for (auto& [id, sent] : jobs_) {
      sent.stale = true;
    }
  }
  SentJob sent;
  sent.job.notify = notify;
  sent.job.extranonce1 = extranonce1_;
  sent.job.extranonce2_size = settings_.extranonce2_size;
  sent.job.difficulty = difficulty_;
  sent.job.version_mask = version_mask_;
  jobs_[notify.job_id] = std::move(sent);
  job_order_.push_back(notify.job_id);
  if (job_order_.size() > kJobsKeptPerMiner) {
    jobs_.erase(job_order_.front());
    job_order_.erase(job_order_.begin());
  }
  const Notify& n = notify;
  json branch = json::array();
  for (const Hash256& h : n.merkle_branch) {
    branch.push_back(EncodeHex(h));
  }
  return {NotificationLine(
      "mining.notify",
      {n.job_id, FormatPrevhash(n.prevhash), EncodeHex(n.coinb1), EncodeHex(n.coinb2), branch,
       FormatHex32(n.version), FormatHex32(n.nbits), FormatHex32(n.ntime), n.clean_jobs})};
}

std::vector<std::string> ServerSession::SetDifficulty(sha256::Difficulty difficulty) {
  difficulty_ = difficulty;  // for jobs announced from now on
  return {NotificationLine("mining.set_difficulty", {difficulty.value()})};
}

std::vector<std::string> ServerSession::SetVersionMask(std::uint32_t mask) {
  if (version_mask_ == 0) {
    return {};  // never negotiated
  }
  version_mask_ = mask & settings_.version_mask;
  for (auto& [id, sent] : jobs_) {
    sent.job.version_mask = version_mask_;  // immediately, as BIP310 says
  }
  return {NotificationLine("mining.set_version_mask", {FormatHex32(version_mask_)})};
}

std::vector<std::string> ServerSession::SetExtranonce1(std::vector<std::uint8_t> extranonce1) {
  extranonce1_ = std::move(extranonce1);  // for jobs announced from now on
  return {NotificationLine("mining.set_extranonce",
                           {EncodeHex(extranonce1_), settings_.extranonce2_size})};
}

}  // namespace hashrig::pool

namespace hashrig::pool {

std::string ServerSession::OnSubmit(const Message& m, bool& block_found) {
  std::optional<Header> built;  // the share's header, once it is known
  auto reject = [&](int code, const std::string& reason) {
    ++ledger_.rejected[reason];
    ledger_.last_rejection = reason + (built ? " header " + EncodeHex(*built) : std::string());
    return Reject(m, code, reason);
  };
  if (!authorized_) {
    return reject(24, "Unauthorized worker");
  }
  if (!settings_.reject_all_reason.empty()) {
    return reject(20, settings_.reject_all_reason);
  }
  auto request = ParseSubmitParams(m.params);
  if (!request) {
    return reject(20, request.error().message());
  }
  auto it = jobs_.find(request->job_id);
  if (it == jobs_.end()) {
    return reject(21, "Job not found");
  }
  SentJob& sent = it->second;
  if (sent.stale) {
    return reject(21, "Stale share");
  }
  const Job& job = sent.job;
  std::uint32_t version = job.notify.version;
  if (request->version_bits) {
    if (job.version_mask == 0) {
      return reject(20, "Version rolling not negotiated");
    }
    if ((*request->version_bits & ~job.version_mask) != 0) {
      return reject(20, "Version bits outside mask");
    }
    version = RollVersion(job.notify.version, *request->version_bits, job.version_mask);
  }
  const Share share{request->job_id, request->extranonce2, request->ntime, request->nonce, version};
  auto header = WorkBuilder(job).HeaderFor(share);
  if (!header) {
    return reject(20, header.error().message());
  }
  built = *header;
  const ShareValue value = Evaluate(*header);
  if (!job.difficulty.ToTarget().IsMetBy(value.hash)) {
    return reject(23, "Low difficulty share");
  }
  if (!sent.shares.insert(EncodeHex(*header)).second) {
    return reject(22, "Duplicate share");
  }
  ++ledger_.accepted;
  ledger_.accepted_difficulty += job.difficulty.value();
  if (ledger_.recent.size() == PoolLedger::kRecent) {
    ledger_.recent.pop_front();
  }
  ledger_.recent.push_back({*header, job.difficulty});
  const auto network = sha256::Target::FromCompact(job.notify.nbits);
  if (network && network->IsMetBy(value.hash)) {
    ++ledger_.blocks;
    block_found = true;
  }
  return ReplyLine(m.id, true);
}

}  // namespace hashrig::pool
