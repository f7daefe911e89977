#include "hashrig/pool/sv2/server.h"

#include <algorithm>

#include "hashrig/base/hex.h"
#include "hashrig/pool/work.h"

namespace hashrig::pool::sv2 {
namespace {

template <typename M>
Bytes Frame(const M& m) {
  auto f = EncodeFrame(Message(m));
  return f ? std::move(*f) : Bytes{};  // our own messages always fit their types
}

U256 TargetOf(sha256::Difficulty d) { return d.ToTarget().bytes(); }

}  // namespace

ServerSession::ServerSession(const LocalPoolSettings& settings, PoolLedger& ledger,
                             std::function<Bytes()> next_prefix)
    : settings_(settings), ledger_(ledger), next_prefix_(std::move(next_prefix)) {}

std::vector<Bytes> ServerSession::OnFrame(std::span<const std::uint8_t> frame, bool& block_found) {
  if (frame.size() < FrameHeader::kSize) {
    ++bad_frames_;
    return {};
  }
  const auto header = FrameHeader::Decode(frame.first<FrameHeader::kSize>());
  auto m = DecodeMessage(header, frame.subspan(FrameHeader::kSize));
  if (!m) {
    ++bad_frames_;
    last_error_ = m.error().message();
    return {};
  }
  if (const auto* setup = std::get_if<SetupConnection>(&*m)) {
    return OnSetup(*setup);
  }
  if (!set_up_) {
    ++bad_frames_;
    last_error_ = std::string(KindOf(*m).name) + " before SetupConnection";
    return {};
  }
  if (const auto* open = std::get_if<OpenStandardMiningChannel>(&*m)) {
    return OnOpen(open->request_id, open->user_identity, false, 0);
  }
  if (const auto* open = std::get_if<OpenExtendedMiningChannel>(&*m)) {
    return OnOpen(open->request_id, open->user_identity, true, open->min_extranonce_size);
  }
  if (const auto* s = std::get_if<SubmitSharesStandard>(&*m)) {
    return {OnSubmit(s->channel_id, s->sequence_number, s->job_id, s->nonce, s->ntime, s->version,
                     {}, false, block_found)};
  }
  if (const auto* s = std::get_if<SubmitSharesExtended>(&*m)) {
    return {OnSubmit(s->channel_id, s->sequence_number, s->job_id, s->nonce, s->ntime, s->version,
                     s->extranonce, true, block_found)};
  }
  if (const auto* c = std::get_if<CloseChannel>(&*m)) {
    channels_.erase(c->channel_id);
    return {};
  }
  if (const auto* u = std::get_if<UpdateChannel>(&*m)) {
    if (!channels_.contains(u->channel_id)) {
      return {Frame(UpdateChannelError{u->channel_id, "invalid-channel-id"})};
    }
    return {};  // the nominal rate is noted; the pool's difficulty stays what it is
  }
  ++bad_frames_;
  last_error_ = std::string("unexpected ") + std::string(KindOf(*m).name) + " from a miner";
  return {};
}

std::vector<Bytes> ServerSession::OnSetup(const SetupConnection& m) {
  if (m.protocol != static_cast<std::uint8_t>(SubProtocol::kMining)) {
    return {Frame(SetupConnectionError{0, "unsupported-protocol"})};
  }
  if (m.min_version > 2 || m.max_version < 2) {
    return {Frame(SetupConnectionError{0, "protocol-version-mismatch"})};
  }
  set_up_ = true;
  return {Frame(SetupConnectionSuccess{2, 0})};
}

std::vector<Bytes> ServerSession::OnOpen(std::uint32_t request_id, const std::string& user,
                                         bool extended, std::uint16_t min_extranonce_size) {
  const std::size_t rollable = settings_.extranonce2_size;
  if (user.empty()) {
    return {Frame(OpenMiningChannelError{request_id, "unknown-user"})};
  }
  if (extended && min_extranonce_size > rollable) {
    return {Frame(OpenMiningChannelError{request_id, "min-extranonce-size-too-large"})};
  }
  const std::uint32_t id = next_channel_++;
  Bytes prefix = next_prefix_();
  if (!extended) {  // the whole extranonce: the pool's 4 bytes and the channel's own
    for (std::size_t i = 0; i < rollable; ++i) {
      prefix.push_back(static_cast<std::uint8_t>(i < 4 ? id >> (8 * i) : 0));
    }
  }
  const U256 target = TargetOf(settings_.difficulty);
  auto [it, added] = channels_.try_emplace(
      id, Channel{extended, prefix, ShareValidator(prefix, extended ? rollable : 0, target),
                  std::nullopt, settings_.difficulty});
  std::vector<Bytes> out;
  if (extended) {
    out.push_back(Frame(OpenExtendedMiningChannelSuccess{
        request_id, id, target, static_cast<std::uint16_t>(rollable), prefix, 0}));
  } else {
    out.push_back(Frame(OpenStandardMiningChannelSuccess{request_id, id, target, prefix, 0}));
  }
  if (current_) {
    for (auto& f : JobFor(id, it->second, *current_)) {
      out.push_back(std::move(f));
    }
  }
  return out;
}

std::vector<Bytes> ServerSession::JobFor(std::uint32_t channel_id, Channel& c,
                                         const Notify& notify) {
  const std::uint32_t job_id = next_job_++;
  const bool new_block = c.prev_hash != notify.prevhash;
  const std::optional<std::uint32_t> min_ntime =
      new_block ? std::nullopt : std::optional(notify.ntime);
  std::vector<Bytes> out;
  if (c.extended) {
    NewExtendedMiningJob job{channel_id,     job_id,       min_ntime,
                             notify.version, true,         notify.merkle_branch,
                             notify.coinb1,  notify.coinb2};
    c.validator.AddJob(job);
    out.push_back(Frame(job));
  } else {
    NewMiningJob job{channel_id, job_id, min_ntime, notify.version, U256{}};
    Bytes coinbase = notify.coinb1;
    coinbase.insert(coinbase.end(), c.extranonce_prefix.begin(), c.extranonce_prefix.end());
    coinbase.insert(coinbase.end(), notify.coinb2.begin(), notify.coinb2.end());
    job.merkle_root = FoldMerkleBranch(sha256::DoubleHash(coinbase), notify.merkle_branch);
    c.validator.AddJob(job);
    out.push_back(Frame(job));
  }
  if (new_block) {
    const SetNewPrevHash prev{channel_id, job_id, notify.prevhash, notify.ntime, notify.nbits};
    c.validator.SetPrevHash(prev);
    c.prev_hash = notify.prevhash;
    out.push_back(Frame(prev));
  }
  return out;
}

std::vector<Bytes> ServerSession::Announce(const Notify& notify) {
  current_ = std::make_shared<const Notify>(notify);
  std::vector<Bytes> out;
  for (auto& [id, c] : channels_) {
    for (auto& f : JobFor(id, c, notify)) {
      out.push_back(std::move(f));
    }
  }
  return out;
}

std::vector<Bytes> ServerSession::SetDifficulty(sha256::Difficulty difficulty) {
  std::vector<Bytes> out;
  for (auto& [id, c] : channels_) {
    c.difficulty = difficulty;
    c.validator.SetTarget(TargetOf(difficulty));
    out.push_back(Frame(SetTarget{id, TargetOf(difficulty)}));
  }
  return out;
}

Bytes ServerSession::OnSubmit(std::uint32_t channel_id, std::uint32_t sequence,
                              std::uint32_t job_id, std::uint32_t nonce, std::uint32_t ntime,
                              std::uint32_t version, std::span<const std::uint8_t> extranonce,
                              bool extended, bool& block_found) {
  auto reject = [&](const std::string& code, const std::string& detail) {
    ++ledger_.rejected[code];
    ledger_.last_rejection = code + detail;
    return Frame(SubmitSharesError{channel_id, sequence, code});
  };
  const auto it = channels_.find(channel_id);
  if (it == channels_.end() || it->second.extended != extended) {
    return reject("invalid-channel-id", "");
  }
  if (!settings_.reject_all_reason.empty()) {
    return reject(settings_.reject_all_reason, "");
  }
  Channel& c = it->second;
  const auto r = c.validator.Check(job_id, nonce, ntime, version, extranonce);
  if (!Accepted(r.verdict)) {
    const bool hashed =
        r.verdict == ShareVerdict::kDifficultyTooLow || r.verdict == ShareVerdict::kDuplicate;
    return reject(std::string(ErrorCode(r.verdict)),
                  hashed ? " header " + EncodeHex(r.header) : std::string());
  }
  ++ledger_.accepted;
  ledger_.accepted_difficulty += c.difficulty.value();
  if (ledger_.recent.size() == PoolLedger::kRecent) {
    ledger_.recent.pop_front();
  }
  ledger_.recent.push_back({r.header, c.difficulty});
  if (r.verdict == ShareVerdict::kBlockFound) {
    ++ledger_.blocks;
    block_found = true;
  }
  // new_shares_sum: the work the share stands for, in difficulty-1 units (at least 1).
  const auto work = static_cast<std::uint64_t>(std::max(1.0, c.difficulty.value()));
  return Frame(SubmitSharesSuccess{channel_id, sequence, 1, work});
}

}  // namespace hashrig::pool::sv2
