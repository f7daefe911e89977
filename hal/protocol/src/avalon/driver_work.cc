// The Avalon driver's work and answers (driver.h): jobs handed to the modules, the bytes
// read back (AUC replies or raw MM packets), nonces mapped to their jobs, telemetry.
#include "hashrig/hal/protocol/avalon/driver.h"
#include "hashrig/hal/protocol/le.h"

namespace hashrig::hal::protocol::avalon {
namespace {

bool SameJob(const StratumJob& a, const StratumJob& b) {
  return a.job_id == b.job_id && a.pool == b.pool && a.ntime == b.ntime &&
         a.difficulty.value() == b.difficulty.value() && a.version_mask == b.version_mask &&
         a.extranonce1.size() == b.extranonce1.size() && a.extranonce2_size == b.extranonce2_size;
}

}  // namespace

Status AvalonDriver::SendWork(const ChainWork& work) {
  if (work.job == nullptr) {
    return Status(
        StatusCode::kInvalidArgument,
        "Avalon modules take Stratum jobs (they roll extranonce2 themselves), not headers");
  }
  if (!generation_) {
    return Status(StatusCode::kFailedPrecondition, "no Avalon module detected yet");
  }
  JobSlot& newest = jobs_[Newest()];
  if (newest.valid && SameJob(newest.job, *work.job) && newest.nonce2_start == work.nonce2_start &&
      newest.nonce2_range == work.nonce2_range) {
    newest.token = work.token;  // the same job again: the modules keep rolling it
    return Status::Ok();
  }
  JobSlot slot;
  slot.valid = true;
  slot.token = work.token;
  slot.job = *work.job;
  slot.tag = JobTag(work.job->job_id);
  slot.nonce2_start = work.nonce2_start;
  slot.nonce2_range = work.nonce2_range;
  const double pool = work.job->difficulty.value();
  slot.difficulty = pool < ticket_difficulty() ? pool : ticket_difficulty();
  const bool same_tag = newest.valid && newest.tag == slot.tag && newest.job.pool == slot.job.pool;
  if (Status s = Prepare(slot, !same_tag); !s.ok()) {
    return s;
  }
  jobs_[job_next_] = slot;
  job_next_ = (job_next_ + 1) % jobs_.size();
  job_target_ = kBroadcast;
  resend_due_.fill(false);
  return Status::Ok();
}

// The packets of `slot`'s job (TARGET at its difficulty), ready to go out from the first.
Status AvalonDriver::Prepare(const JobSlot& slot, bool send_job_id) {
  StratumJob job = slot.job;
  if (const auto d = sha256::Difficulty::From(slot.difficulty)) {
    job.difficulty = *d;
  }
  SplitOptions split;
  split.nonce2_start = slot.nonce2_start;
  split.nonce2_range = slot.nonce2_range;
  split.send_job_id = send_job_id;
  auto packets = JobPackets::Make(*generation_, job, split);
  if (!packets.ok()) {
    return packets.status();
  }
  packets_ = *packets;
  packet_index_ = 0;
  job_due_ = true;
  info_due_ = true;
  return Status::Ok();
}

// A module configured after the current job went out gets that job, to it alone (the
// others would start its nonce2 range again: duplicate shares).
void AvalonDriver::ResendJob(int slot) {
  if (job_due_) {
    resend_due_[static_cast<std::size_t>(slot)] = true;
    return;
  }
  if (Prepare(jobs_[Newest()], true).ok()) {
    job_target_ = modules_[static_cast<std::size_t>(slot)].id;
  }
}

void AvalonDriver::ResendWaiting() {
  for (std::size_t slot = 0; slot < resend_due_.size() && !job_due_; ++slot) {
    if (resend_due_[slot]) {
      resend_due_[slot] = false;
      if (modules_[slot].present && modules_[slot].configured) {
        ResendJob(static_cast<int>(slot));
      }
    }
  }
}

std::size_t AvalonDriver::Newest() const { return (job_next_ + jobs_.size() - 1) % jobs_.size(); }

const AvalonDriver::JobSlot* AvalonDriver::FindJob(std::uint16_t tag, std::uint16_t pool) const {
  for (std::size_t i = 0; i < jobs_.size(); ++i) {
    const JobSlot& j = jobs_[(job_next_ + jobs_.size() - 1 - i) % jobs_.size()];
    if (j.valid && j.tag == tag && j.job.pool == pool) {
      return &j;
    }
  }
  return nullptr;
}

bool AvalonDriver::NextNonce(NonceEvent& out) {
  if (nonce_count_ == 0) {
    return false;
  }
  out = nonces_[nonce_head_];
  nonce_head_ = (nonce_head_ + 1) % nonces_.size();
  --nonce_count_;
  return true;
}

void AvalonDriver::RecordVerdict(int chip, bool meets_ticket) {
  if (chip < 0 || chip >= static_cast<int>(counters_.size())) {
    return;
  }
  ChipCounters& c = counters_[static_cast<std::size_t>(chip)];
  ++(meets_ticket ? c.nonces : c.hardware_errors);
}

std::array<std::uint8_t, 80> AvalonDriver::HeaderFor(const ChainWork& work,
                                                     const NonceEvent& nonce) const {
  if (work.job == nullptr) {
    return work.header;
  }
  Submit s;
  s.extranonce2_size = work.job->extranonce2_size;
  StoreLe32(s.extranonce2.data(), nonce.nonce2);
  s.ntime = nonce.ntime;
  s.nonce = nonce.nonce;
  s.version = nonce.version.value;
  return avalon::HeaderFor(*work.job, s);
}

void AvalonDriver::OnBytes(std::span<const std::uint8_t> bytes, Micros now) {
  if (config_.transport == Transport::kAuc) {
    OnAucBytes(bytes, now);
    return;
  }
  decoder_.Feed(bytes, [&](const Packet& packet) {
    if (await_ == Await::kDetect || await_ == Await::kPoll || await_ == Await::kSync) {
      const Await await = await_;
      await_ = Await::kNone;
      OnAnswer(packet, await, await_slot_, now);
    } else {
      OnAnswer(packet, Await::kNone, SlotOfOpt(packet.opt), now);
    }
  });
}

// AUC replies are framed by their first byte (the whole reply's length, §2.2).
void AvalonDriver::OnAucBytes(std::span<const std::uint8_t> bytes, Micros now) {
  for (const std::uint8_t b : bytes) {
    if (auc_in_size_ == 0 && (b < kAucHeaderSize || b > kAucPacketSize)) {
      ++skipped_bytes_;  // not a reply's length byte: garbage before a reply
      continue;
    }
    auc_in_[auc_in_size_++] = b;
    if (auc_in_size_ < auc_in_[0]) {
      continue;
    }
    const auto reply = DecodeAucReply(std::span(auc_in_.data(), auc_in_size_));
    auc_in_size_ = 0;
    if (!reply.ok()) {
      ++bad_packets_;
      continue;
    }
    OnAucReply(*reply, now);
  }
}

void AvalonDriver::OnAucReply(const AucReply& reply, Micros now) {
  const Await await = await_;
  if (await == Await::kNone) {
    return;  // late: its request already timed out
  }
  await_ = Await::kNone;
  if (reply.result != AucResult::kOk) {
    OnFailedAnswer(await, now);
    return;
  }
  auc_failures_ = 0;
  if (phase_ != Phase::kDetect && phase_ != Phase::kRun) {
    AdvanceAucInit(reply);
    return;
  }
  if (await == Await::kAuc) {  // INFO's body, or an XFER that read nothing
    if (const auto info = DecodeAucInfo(reply.body_span()); info.ok() && reply.body_size == 7) {
      const auto t = AucTemperature(info->temperature_adc);
      auc_temperature_ = t.ok() ? std::optional<Celsius>(*t) : std::nullopt;
    }
    return;
  }
  const auto packet = reply.body_size >= kPacketSize
                          ? Decode(reply.body_span().first(kPacketSize))
                          : Result<Packet>(Status(StatusCode::kInvalidArgument, "short"));
  if (!packet.ok()) {
    ++bad_packets_;
    OnFailedAnswer(await, now);
    return;
  }
  OnAnswer(*packet, await, await_slot_, now);
}

void AvalonDriver::AdvanceAucInit(const AucReply& reply) {
  if (phase_ == Phase::kAucReset) {
    phase_ = Phase::kAucDeinit;
    return;
  }
  if (phase_ == Phase::kAucDeinit) {
    phase_ = Phase::kAucInit;
    return;
  }
  auc_version_.fill('\0');
  for (std::size_t i = 0; i < reply.body_size && i + 1 < auc_version_.size(); ++i) {
    auc_version_[i] = static_cast<char>(reply.body[i]);
  }
  phase_ = Phase::kDetect;
  state_ = ChainState::kEnumerating;
}

void AvalonDriver::OnFailedAnswer(Await await, Micros now) {
  if (await == Await::kDetect) {
    EndScan(now);
  } else if (await == Await::kPoll) {
    PollFailed(await_slot_, now);
  } else if (await == Await::kAuc) {
    OnAucFailure(now);
  }
}

// A module's packet: the answer to `await` (kNone: unasked, from the module in `slot`).
void AvalonDriver::OnAnswer(const Packet& packet, Await await, int slot, Micros now) {
  const auto kind = KindOf(Gen(), packet.type);
  if (await == Await::kDetect) {
    if (kind == Kind::kAckDetect) {
      OnAckDetect(packet, now);
    } else {
      EndScan(now);
    }
    return;
  }
  if (await == Await::kSync || slot < 0 || !kind) {
    return;
  }
  ModuleInfo& m = modules_[static_cast<std::size_t>(slot)];
  if (await == Await::kPoll) {
    m.failed_polls = 0;
    ++m.polls;
    if (packet.opt != m.dna[7]) {
      ++opt_mismatches_;  // §7.3: two modules on one address answer with another DNA
      if (++mismatches_in_a_row_ >= kMismatchesToStartOver) {
        StartOver(now);
        return;
      }
    } else {
      mismatches_in_a_row_ = 0;
    }
  }
  if (*kind == Kind::kNonce) {
    OnNonce(packet, slot);
  } else {
    OnTelemetry(packet, *kind, m);
  }
}

int AvalonDriver::SlotOfOpt(std::uint8_t opt) const {
  for (std::size_t i = 0; i < modules_.size(); ++i) {
    if (modules_[i].present && modules_[i].dna[7] == opt) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

}  // namespace hashrig::hal::protocol::avalon
