// What the Avalon driver reads from a module's answers (driver.h): ACKDETECT (a module
// found, or found again), NONCE (mapped to its job, §4.4) and telemetry (§3.7, §5.2).
#include "hashrig/hal/protocol/avalon/driver.h"

namespace hashrig::hal::protocol::avalon {

void AvalonDriver::OnAckDetect(const Packet& packet, Micros now) {
  auto ack = DecodeAckDetect(Gen(), packet);
  if (!ack.ok()) {
    ++bad_packets_;
    EndScan(now);
    return;
  }
  const auto named = GenerationOfVersion(ack->version_string());
  if (!generation_) {  // the first module names the generation (its version's model)
    if (!named) {
      status_ = Status(StatusCode::kNotFound,
                       "an Avalon module of a model this driver does not "
                       "know answered (version string not 7x1/8x1/LC3/1041)");
      EndScan(now);
      return;
    }
    generation_ = named;
    ack = DecodeAckDetect(*generation_, packet);
    if (Status s = CheckSettings(); !s.ok() || !ack.ok()) {
      status_ = s.ok() ? ack.status() : s;
      state_ = ChainState::kFailed;
      return;
    }
  } else if (named && *named != *generation_) {
    status_ = Status(StatusCode::kMismatch,
                     "an Avalon module of another generation answered on this chain (one "
                     "generation per AUC)");
    EndScan(now);
    return;
  }
  Adopt(*ack, now);
}

// A module that answered DETECT takes the proposed id; one whose DNA is known keeps its
// slot (its counters): a module lost and found again.
void AvalonDriver::Adopt(const AckDetect& ack, Micros now) {
  int slot = -1;
  for (std::size_t i = 0; i < modules_.size() && slot < 0; ++i) {
    if (!modules_[i].present && modules_[i].dna == ack.dna && modules_[i].id != 0) {
      slot = static_cast<int>(i);
    }
  }
  for (std::size_t i = 0; i < modules_.size() && slot < 0; ++i) {
    if (!modules_[i].present && modules_[i].id == 0) {
      slot = static_cast<int>(i);
    }
  }
  for (std::size_t i = 0; i < modules_.size() && slot < 0; ++i) {
    if (!modules_[i].present) {
      slot = static_cast<int>(i);
      modules_[i] = ModuleInfo{};
    }
  }
  if (slot < 0) {
    EndScan(now);
    return;
  }
  ModuleInfo& m = modules_[static_cast<std::size_t>(slot)];
  m.present = true;
  m.configured = false;
  m.id = detect_id_;
  m.dna = ack.dna;
  m.version.fill('\0');
  const std::string_view version = ack.version_string();
  for (std::size_t i = 0; i < version.size() && i + 1 < m.version.size(); ++i) {
    m.version[i] = version[i];
  }
  m.asic_count = ack.asic_count;
  m.failed_polls = 0;
  config_step_[static_cast<std::size_t>(slot)] = 0;
  pending_slot_ = slot;
  next_detect_ = now;  // the scan goes on with the next id once this one is set up
  UpdateState();
}

void AvalonDriver::OnNonce(const Packet& packet, int slot) {
  const Generation g = Gen();
  const auto reports = DecodeNonce(g, packet);
  if (!reports.ok()) {
    ++bad_packets_;
    return;
  }
  for (const NonceReport& r : reports->span()) {
    if (r.miner >= InfoOf(g).miners) {
      ++bad_packets_;
      continue;
    }
    const int position = slot * kMinersPerSlot + r.miner;
    ChipCounters& counters = counters_[static_cast<std::size_t>(position)];
    const JobSlot* job = FindJob(r.job_tag, r.pool);
    if (job == nullptr) {  // §4.4 step 3: no such job among the last four
      ++unknown_job_;
      ++counters.hardware_errors;
      continue;
    }
    const auto submit = SubmitFor(g, job->job, r);
    if (!submit.ok()) {
      ++counters.hardware_errors;
      continue;
    }
    NonceEvent e;
    e.chip = position;
    e.token = job->token;
    e.nonce = submit->nonce;
    e.version = Version{submit->version};
    e.ticket_difficulty = job->difficulty;
    e.nonce2 = r.nonce2;
    e.ntime = submit->ntime;
    e.core = static_cast<std::uint8_t>(r.chip);
    Queue(e);
    ++modules_[static_cast<std::size_t>(slot)].nonces;
  }
}

// The newest nonces are kept when the host falls behind (at most the ring's size).
void AvalonDriver::Queue(const NonceEvent& e) {
  if (nonce_count_ == nonces_.size()) {
    nonce_head_ = (nonce_head_ + 1) % nonces_.size();
    --nonce_count_;
    ++dropped_nonces_;
  }
  nonces_[(nonce_head_ + nonce_count_) % nonces_.size()] = e;
  ++nonce_count_;
}

void AvalonDriver::OnTelemetry(const Packet& packet, Kind kind, ModuleInfo& m) {
  const Generation g = Gen();
  bool ok = true;
  if (kind == Kind::kStatus) {
    const auto s = DecodeStatus(g, packet);
    ok = s.ok() && s->miner < kMaxMiners;
    if (ok) {
      m.temperature = Celsius{static_cast<double>(s->temperature)};
      m.fan_rpm = s->fan_rpm;
      if (InfoOf(g).poll == PollLayout::kRebootWord) {
        m.fan_duty = s->fan_duty;  // A10's MM runs its fan; the others' duty is the host's
      }
      m.local_works[s->miner] = s->local_works;
      m.hw_errors[s->miner] = s->hw_errors;
      m.miner_error[s->miner] = s->miner_error;
      m.module_error = s->module_error;
      m.crc_errors = s->crc_errors;
    }
  } else if (kind == Kind::kStatusVolt) {
    const auto v = DecodeStatusVolt(g, packet);
    ok = v.ok();
    if (ok && v->count > 0) {
      m.voltage_raw = v->raw[0];
    }
  } else if (kind == Kind::kStatusPower) {
    const auto p = DecodeStatusPower(g, packet);
    ok = p.ok() || p.status().code() == StatusCode::kNotFound;  // no reading: not an error
    if (p.ok()) {
      m.power = *p;
    }
  } else if (kind == Kind::kStatusPll) {
    const auto p = DecodeStatusPll(g, packet);
    ok = p.ok();
    if (ok && p->frequencies_mhz[3] != 0) {
      m.frequencies_mhz = p->frequencies_mhz;
    }
  }
  if (!ok) {
    ++bad_packets_;
  }
}

}  // namespace hashrig::hal::protocol::avalon
