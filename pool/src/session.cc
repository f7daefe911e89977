#include "hashrig/pool/session.h"

#include "hashrig/base/names.h"

#include <algorithm>
#include <bit>

#include "hashrig/base/hex.h"

namespace hashrig::pool {
namespace {

using nlohmann::json;

std::optional<std::uint64_t> NumericId(const json& id) {
  if (id.is_number_unsigned()) {
    return id.get<std::uint64_t>();
  }
  if (id.is_number_integer() && id.get<std::int64_t>() >= 0) {
    return static_cast<std::uint64_t>(id.get<std::int64_t>());
  }
  if (id.is_string()) {  // some pools echo our ids back as strings
    const auto& text = id.get_ref<const std::string&>();
    if (!text.empty() && text.size() < 20 && std::all_of(text.begin(), text.end(), ::isdigit)) {
      return std::stoull(text);
    }
  }
  return std::nullopt;
}

// The registrable part of a host name: its last two labels ("eu.pool.com" -> "pool.com").
std::string_view DomainOf(std::string_view host) {
  const auto last = host.rfind('.');
  if (last == std::string_view::npos || last == 0) {
    return host;
  }
  const auto before = host.rfind('.', last - 1);
  return before == std::string_view::npos ? host : host.substr(before + 1);
}

std::string_view RequestName(int kind) {
  constexpr std::string_view kNames[] = {"mining.configure",
                                         "mining.subscribe",
                                         "mining.authorize",
                                         "mining.suggest_difficulty",
                                         "mining.extranonce.subscribe",
                                         "mining.submit"};
  return kNames[kind];
}

constexpr EnumName<SubmitStatus> kSubmitStatusNames[] = {
    {SubmitStatus::kSent, "sent"},
    {SubmitStatus::kQueued, "queued"},
    {SubmitStatus::kQueueFull, "dropped: the submit queue is full"},
    {SubmitStatus::kHeld, "held: no pool connection"},
    {SubmitStatus::kDuplicate, "duplicate"},
    {SubmitStatus::kStale, "stale"},
    {SubmitStatus::kUnknownJob, "unknown job"},
    {SubmitStatus::kLowDifficulty, "below the job's difficulty"},
    {SubmitStatus::kInvalid, "invalid"},
    {SubmitStatus::kNotReady, "not authorized"},
};

}  // namespace

std::string_view ToString(SubmitStatus status) { return NameOf(kSubmitStatusNames, status); }

ClientSession::ClientSession(SessionConfig config, Clock::time_point now)
    : config_(std::move(config)), last_heard_(now) {
  if (config_.version_mask != 0) {
    json params = {json::array({"version-rolling"}),
                   {{"version-rolling.mask", FormatHex32(config_.version_mask)},
                    {"version-rolling.min-bit-count", config_.version_min_bit_count}}};
    Send(Request::kConfigure, "mining.configure", params, now);
  }
  json subscribe = {config_.user_agent};
  if (!config_.resume_session_id.empty()) {
    subscribe.push_back(config_.resume_session_id);
  }
  Send(Request::kSubscribe, "mining.subscribe", subscribe, now);
  Send(Request::kAuthorize, "mining.authorize", {config_.user, config_.password}, now);
  if (config_.suggest_difficulty) {
    Send(Request::kSuggestDifficulty, "mining.suggest_difficulty",
         {config_.suggest_difficulty->value()}, now);
  }
  if (config_.extranonce_subscribe) {
    Send(Request::kXnSubscribe, "mining.extranonce.subscribe", json::array(), now);
  }
}

std::uint64_t ClientSession::Send(Request kind, std::string_view method, const json& params,
                                  Clock::time_point now) {
  const std::uint64_t id = next_id_++;
  outgoing_.push_back(RequestLine(id, method, params));
  pending_[id] = Pending{kind, now, {}, {}, {}};
  return id;
}

void ClientSession::Note(Severity severity, std::string text) {
  Emit(event::Notice{severity, std::move(text)});
}

std::vector<std::string> ClientSession::TakeOutgoing() { return std::exchange(outgoing_, {}); }
std::vector<Event> ClientSession::TakeEvents() { return std::exchange(events_, {}); }

bool ClientSession::configure_unanswered() const {
  return std::any_of(pending_.begin(), pending_.end(),
                     [](const auto& p) { return p.second.kind == Request::kConfigure; });
}

std::shared_ptr<const Job> ClientSession::current_job() const {
  return jobs_.empty() || jobs_.back().stale ? nullptr : jobs_.back().job;
}

void ClientSession::OnLine(std::string_view line, Clock::time_point now) {
  last_heard_ = now;
  if (!line.empty() && line.back() == '\r') {
    line.remove_suffix(1);
  }
  if (line.find_first_not_of(" \t") == std::string_view::npos) {
    return;  // keepalive blank lines
  }
  auto message = ParseLine(line);
  if (!message) {
    Note(Severity::kError, "bad line from pool: " + message.error().message());
    return;
  }
  if (message->is_request()) {
    if (message->method == "mining.notify") {
      OnNotify(*message, now);
    } else {
      OnRequest(*message);
    }
    return;
  }
  OnResponse(*message, now);
}

void ClientSession::OnResponse(const Message& m, Clock::time_point now) {
  const auto id = NumericId(m.id);
  const auto it = id ? pending_.find(*id) : pending_.end();
  if (it == pending_.end()) {
    if (const auto late = id ? timed_out_.find(*id) : timed_out_.end(); late != timed_out_.end()) {
      const Pending p = late->second.pending;
      timed_out_.erase(late);
      return OnSubmitResult(m, p, now, true);
    }
    Note(Severity::kWarning, "response to no request of ours (id " + JsonText(m.id) + ")");
    return;
  }
  const Pending pending = it->second;
  pending_.erase(it);
  switch (pending.kind) {
    case Request::kConfigure:
      return OnConfigure(m);
    case Request::kSubscribe:
      return OnSubscribe(m, now);
    case Request::kAuthorize:
      return OnAuthorize(m);
    case Request::kSubmit:
      --submits_in_flight_;
      OnSubmitResult(m, pending, now, false);
      return SendQueued(now);
    case Request::kSuggestDifficulty:
    case Request::kXnSubscribe:
      if (auto error = ErrorText(m); error || m.result == false) {
        Note(Severity::kInfo, std::string(RequestName(static_cast<int>(pending.kind))) +
                                  " refused: " + error.value_or("false"));
      }
      return;
  }
}

void ClientSession::OnConfigure(const Message& m) {
  auto result = ErrorText(m)
                    ? Expected<ConfigureResult>(Error(StatusCode::kInvalidArgument, *ErrorText(m)))
                    : ParseConfigureResult(m.result);
  if (!result || !result->version_rolling) {
    Note(Severity::kWarning, "pool refused version rolling (" +
                                 (result ? result->refusal : result.error().message()) +
                                 "); mining with the job's version");
    rolling_negotiated_ = false;
    ApplyVersionMask(0);
    return;
  }
  rolling_negotiated_ = true;
  // Some pools answer more bits than we asked for (AntPool): always intersect.
  ApplyVersionMask(result->mask & config_.version_mask);
}

void ClientSession::OnSubscribe(const Message& m, Clock::time_point now) {
  auto error = ErrorText(m);
  auto result = error ? Expected<SubscribeResult>(Error(StatusCode::kInvalidArgument, *error))
                      : ParseSubscribeResult(m.result);
  if (!result) {
    if (!config_.resume_session_id.empty()) {
      Note(Severity::kInfo, "pool would not resume session " + config_.resume_session_id + " (" +
                                result.error().message() + "); subscribing afresh");
      config_.resume_session_id.clear();
      Send(Request::kSubscribe, "mining.subscribe", {config_.user_agent}, now);
      return;
    }
    Emit(event::Failed{"mining.subscribe failed: " + result.error().message()});
    return;
  }
  subscribed_ = true;
  extranonce1_ = result->extranonce1;
  extranonce2_size_ = result->extranonce2_size;
  const bool resumed =
      !config_.resume_session_id.empty() && result->session_id == config_.resume_session_id;
  session_id_ = result->session_id;
  if (resumed && config_.resume_jobs && config_.resume_jobs->extranonce1 == extranonce1_) {
    jobs_ = config_.resume_jobs->jobs;  // the same work: its shares are still good here
  }
  Emit(event::Subscribed{session_id_, resumed});
  if (early_notify_) {
    AddJob(*std::exchange(early_notify_, std::nullopt), now);
  }
}

void ClientSession::OnAuthorize(const Message& m) {
  if (m.result == true && !ErrorText(m)) {
    authorized_ = true;
    Emit(event::Authorized{});
    return;
  }
  Emit(event::Failed{"worker '" + config_.user + "' not authorized: " +
                         ErrorText(m).value_or("pool answered " + JsonText(m.result)),
                     true});
}

void ClientSession::OnSubmitResult(const Message& m, const Pending& p, Clock::time_point now,
                                   bool late) {
  event::ShareResult r;
  r.late = late;
  r.id = NumericId(m.id).value_or(0);
  r.share = p.share;
  r.job_difficulty = p.job_difficulty;
  r.value = p.value;
  const auto error = ErrorText(m);
  r.accepted = m.result == true && !error;
  if (!r.accepted) {
    r.reason = error.value_or(m.result.is_null() ? "rejected" : "rejected: " + JsonText(m.result));
    r.code = ErrorCode(m);
  }
  r.latency = std::chrono::duration_cast<std::chrono::microseconds>(now - p.sent);
  Emit(std::move(r));
}

void ClientSession::OnRequest(const Message& m) {
  const std::string& method = m.method;
  if (method == "mining.set_difficulty") {
    auto d = ParseSetDifficulty(m.params);
    if (!d) {
      return Note(Severity::kError, "bad mining.set_difficulty: " + d.error().message());
    }
    difficulty_ = *d;
    return Emit(event::DifficultySet{*d});
  }
  if (method == "mining.set_version_mask") {
    return OnSetVersionMask(m);
  }
  if (method == "mining.set_extranonce") {
    return OnSetExtranonce(m);
  }
  if (method == "client.reconnect") {
    return OnReconnect(m);
  }
  if (method == "client.show_message") {
    const bool text = !m.params.empty() && m.params[0].is_string();
    return Note(Severity::kInfo,
                "pool says: " + (text ? m.params[0].get<std::string>() : JsonText(m.params)));
  }
  if (method == "client.get_version") {
    outgoing_.push_back(ReplyLine(m.id, config_.user_agent));
    return;
  }
  if (method == "mining.ping") {
    outgoing_.push_back(ReplyLine(m.id, "pong"));
    return;
  }
  Note(Severity::kInfo, "ignored pool method " + method);
  if (!m.id.is_null()) {
    outgoing_.push_back(ReplyLine(m.id, nullptr, json::array({20, "Unknown method", nullptr})));
  }
}

void ClientSession::OnSetVersionMask(const Message& m) {
  auto mask = ParseSetVersionMask(m.params);
  if (!mask) {
    return Note(Severity::kError, "bad mining.set_version_mask: " + mask.error().message());
  }
  if (!rolling_negotiated_) {
    return Note(Severity::kWarning, "mining.set_version_mask without negotiated version rolling");
  }
  ApplyVersionMask(*mask & config_.version_mask);  // takes effect now, on current jobs too
}

void ClientSession::ApplyVersionMask(std::uint32_t mask) {
  if (mask == version_mask_) {
    return;
  }
  version_mask_ = mask;
  Emit(event::VersionRolling{mask});
  if (mask != 0 && std::popcount(mask) < static_cast<int>(config_.version_min_bit_count)) {
    Note(Severity::kWarning, "version mask " + FormatHex32(mask) + " has fewer bits than " +
                                 std::to_string(config_.version_min_bit_count));
  }
  for (JobEntry& entry : jobs_) {
    auto job = std::make_shared<Job>(*entry.job);
    job->version_mask = mask;
    entry.job = std::move(job);
  }
  if (auto job = current_job()) {
    Emit(event::NewJob{job, false});  // rolling must follow the new mask at once
  }
}

void ClientSession::OnSetExtranonce(const Message& m) {
  auto update = ParseSetExtranonce(m.params);
  if (!update) {
    return Note(Severity::kError, "bad mining.set_extranonce: " + update.error().message());
  }
  next_extranonce_ = std::move(*update);  // staged for the next job
  Note(Severity::kInfo,
       "extranonce1 " + EncodeHex(next_extranonce_->extranonce1) + " from the next job on");
}

void ClientSession::OnReconnect(const Message& m) {
  auto request = ParseReconnect(m.params);
  if (!request) {
    return Note(Severity::kError, "bad client.reconnect: " + request.error().message());
  }
  if (!request->host.empty() && !SameDomain(request->host)) {
    return Note(Severity::kWarning, "refused client.reconnect to " + request->host +
                                        ": outside the pool's domain " + config_.host);
  }
  Emit(event::Reconnect{request->host, request->port.value_or(0), request->wait});
}

bool ClientSession::SameDomain(const std::string& host) const {
  if (host == config_.host) {
    return true;
  }
  const bool ip = config_.host.find_first_not_of("0123456789.:") == std::string::npos;
  return !ip && DomainOf(host) == DomainOf(config_.host);
}

}  // namespace hashrig::pool
