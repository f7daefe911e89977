// The Avalon driver's exchange with the modules (driver.h): one request in flight at a
// time, what is due chosen in order — the AUC's init, a job hand-off, a module's
// configuration, polls, detection — and the replies read back.
#include <cmath>

#include "hashrig/hal/protocol/avalon/driver.h"
#include "hashrig/hal/protocol/le.h"

namespace hashrig::hal::protocol::avalon {
namespace {

constexpr Micros kRescanWhenEmpty{1'000'000};
constexpr Micros kRebootSettle{2'000'000};

Operation WriteOf(std::span<const std::uint8_t> bytes) {
  Operation op;
  op.kind = Operation::Kind::kWrite;
  for (std::size_t i = 0; i < bytes.size() && i < op.bytes.size(); ++i) {
    op.bytes[i] = bytes[i];
  }
  op.size = bytes.size() < op.bytes.size() ? bytes.size() : op.bytes.size();
  return op;
}

}  // namespace

Operation AvalonDriver::Poll(Micros now) {
  if (state_ == ChainState::kIdle || state_ == ChainState::kFailed) {
    return {};
  }
  if (await_ != Await::kNone) {
    if (now < await_deadline_) {
      return {};
    }
    OnTimeout(now);
    if (state_ == ChainState::kFailed) {
      return {};
    }
  }
  if (phase_ != Phase::kDetect && phase_ != Phase::kRun) {
    return NextAucStep(now);
  }
  if (auto op = NextJobPacket(now)) {
    return *op;
  }
  if (auto op = NextConfig(now)) {
    return *op;
  }
  if (auto op = NextReboot(now)) {
    return *op;
  }
  if (auto op = NextPoll(now)) {
    return *op;
  }
  if (now >= next_detect_ && FreeId() != 0) {
    return NextDetect(now);
  }
  return {};
}

// One MM packet to `module_id` (0: every module). Through the AUC every request is
// answered (an XFER reads `reply ? 40 : 0` bytes back); on a raw stream only DETECT,
// SYNC and POLLING are.
Operation AvalonDriver::Issue(const Request& request, Await await, Micros now) {
  Packet packet = request.packet;
  if (config_.transport == Transport::kAuc) {
    packet.opt = 0;
    const Wire wire = Encode(packet);
    const auto xfer = AucXfer(request.module_id, wire,
                              request.reply ? static_cast<std::uint8_t>(kPacketSize) : 0);
    await_ = request.reply ? await : Await::kAuc;
    await_deadline_ = now + config_.reply_timeout;
    return WriteOf(xfer->span());
  }
  packet.opt = request.module_id;  // §8b.1: the module a raw-stream packet is for
  await_ = request.reply ? await : Await::kNone;
  await_deadline_ = now + config_.reply_timeout;
  const Wire wire = Encode(packet);
  return WriteOf(wire);
}

Operation AvalonDriver::IssueAuc(const AucTransfer& transfer, Micros now) {
  await_ = Await::kAuc;
  await_deadline_ = now + config_.reply_timeout;
  return WriteOf(transfer.span());
}

// §2.2: RESET, DEINIT, INIT(speed, xdelay); each answered before the next.
Operation AvalonDriver::NextAucStep(Micros now) {
  switch (phase_) {
    case Phase::kAucReset:
      return IssueAuc(AucSimple(AucRequest::kReset), now);
    case Phase::kAucDeinit:
      return IssueAuc(AucSimple(AucRequest::kDeinit), now);
    case Phase::kAucInit:
      return IssueAuc(AucInit(config_.auc_speed, config_.auc_xdelay), now);
    default:
      return {};
  }
}

Operation AvalonDriver::NextDetect(Micros now) {
  state_ = modules_present() == 0 ? ChainState::kEnumerating : state_;
  detect_id_ = static_cast<std::uint8_t>(FreeId());
  // DETECT is alike in every generation; before the first ACKDETECT, Avalon 8's is sent.
  return Issue({*Encode(Gen(), Detect{detect_id_}), kBroadcast, true}, Await::kDetect, now);
}

// The job hand-off (§4.1): JobPackets in order, INFO to the AUC before JOB_FIN; to every
// module, or to the one just configured when it is a re-send of the current job.
std::optional<Operation> AvalonDriver::NextJobPacket(Micros now) {
  // Not while the first scan still finds modules: a fresh module hears broadcasts before it
  // has an id, and would mine the job twice once it is given it again (duplicate shares).
  if (!job_due_ || (first_scan_ && FreeId() != 0)) {
    return std::nullopt;
  }
  const std::size_t total = packets_.size();
  if (info_due_ && packet_index_ + 1 == total && config_.transport == Transport::kAuc) {
    info_due_ = false;
    return IssueAuc(AucSimple(AucRequest::kInfo), now);
  }
  const Packet packet = packets_.at(packet_index_++);
  const Operation op = Issue({packet, job_target_, false}, Await::kNone, now);
  if (packet_index_ == total) {
    job_due_ = false;
    ResendWaiting();
  }
  return op;
}

std::optional<Operation> AvalonDriver::NextConfig(Micros now) {
  if (pending_slot_ >= 0) {  // SYNC the module that answered DETECT (§5.1)
    const int slot = pending_slot_;
    pending_slot_ = -1;
    const ModuleInfo& m = modules_[static_cast<std::size_t>(slot)];
    return Issue({*Encode(*generation_, Sync{m.dna}), m.id, true}, Await::kSync, now);
  }
  for (std::size_t slot = 0; slot < modules_.size(); ++slot) {
    ModuleInfo& m = modules_[slot];
    if (!m.present || m.configured) {
      continue;
    }
    Packet packet;
    const int step = config_step_[slot]++;
    if (!ConfigPacket(static_cast<int>(slot), step, packet)) {
      continue;
    }
    const Operation op = Issue({packet, m.id, false}, Await::kNone, now);
    if (Packet after; !ConfigPacket(static_cast<int>(slot), step + 1, after)) {
      m.configured = true;                   // SET_FIN is on its way: it mines once it has a job
      m.frequencies_mhz = SetFrequencies();  // until a STATUS_PLL (A8/LC3) says what runs
      next_poll_[slot] = now;
      UpdateState();
      if (jobs_[Newest()].valid) {
        ResendJob(static_cast<int>(slot));
      }
    }
    return op;
  }
  return std::nullopt;
}

// A module's configuration, step by step (§5.1): SET, (A10) SET_HASH_OD, SET_VOLT,
// (A8/LC3) SET_ASIC_OTP, SET_PLL per miner, SET_SS, SET_FIN. False past the last.
bool AvalonDriver::ConfigPacket(int slot, int step, Packet& out) const {
  (void)slot;
  const Generation g = *generation_;
  const GenerationInfo& info = InfoOf(g);
  const ModelDefaults& d = DefaultsFor(g);
  const int miners = info.miners;
  const bool hash_od = TypeOf(g, Kind::kSetHashOd).has_value();
  const bool otp = TypeOf(g, Kind::kSetAsicOtp).has_value();
  int at = 0;
  if (step == at++) {
    Set set = d.set;
    if (info.set == SetLayout::kMuxTargetTemp) {
      set.target_temperature = config_.target_temperature;
    }
    out = *Encode(g, set);
    return true;
  }
  if (hash_od && step == at++) {
    out = *Encode(g, PerMiner{Kind::kSetHashOd, {}});
    return true;
  }
  if (step == at++) {
    SetVolt volt;
    volt.levels.fill(config_.voltage_level.value_or(d.voltage_level));
    volt.adjust_switch = info.volt_adjust_switch ? 1 : 0;
    out = *Encode(g, volt);
    return true;
  }
  if (otp && step == at++) {
    out = *Encode(g, PerMiner{Kind::kSetAsicOtp, {}});
    return true;
  }
  if (step >= at && step < at + miners) {
    const auto words = PllWords();
    const auto pll = PllSettingFor(g, std::span(*words).first(info.pll_points), TopFrequency(),
                                   static_cast<std::uint8_t>(step - at));
    out = *Encode(g, *pll);
    return true;
  }
  at += miners;
  if (step == at++) {
    out = *Encode(g, d.smart_speed);
    return true;
  }
  if (step == at) {
    out = *Empty(g, Kind::kSetFin);
    return true;
  }
  return false;
}

// A POLLING with the reboot flag every generation reads (the generation is not known yet:
// no module has answered): A7/A8/LC3 at data[8], A10 as the BE32 word 1 (§3.5) — which
// A7/A8/LC3 read as their fan word, ignored without its 0x80000000 flag. POLLING is 0x30
// in all of them. (Built in A8's layout alone, it never reached A10 modules: kept from an
// earlier host, they stayed deaf to DETECT until power-cycled.)
Packet AvalonDriver::RebootPacket() const {
  Polling polling;
  polling.reboot = true;
  Packet packet = *Encode(generation_.value_or(Generation::kAvalon8), polling);
  if (!generation_) {
    static_assert(TypeOf(Generation::kAvalon8, Kind::kPolling) ==
                  TypeOf(Generation::kAvalon10, Kind::kPolling));
    packet.data[7] = 1;  // A10's word 1 = 1; no fan flag for the others
  }
  return packet;
}

// A module that cannot be reached is rebooted by its id (POLLING's reboot flag): after a
// host restart the modules keep their ids and ignore DETECT (§3.5), so a scan that finds
// nothing asks every id to start over.
std::optional<Operation> AvalonDriver::NextReboot(Micros now) {
  while (reboot_next_ != 0 && reboot_next_ <= config_.max_modules) {
    const std::uint8_t id = static_cast<std::uint8_t>(reboot_next_++);
    if (SlotOfId(id) >= 0) {
      continue;
    }
    return Issue({RebootPacket(), id, false}, Await::kNone, now);
  }
  reboot_next_ = 0;
  return std::nullopt;
}

// Each configured module every poll_period, round robin; the fan word rides along
// (A7/A8/LC3) when the thermal policy changed it and fan_period has passed.
std::optional<Operation> AvalonDriver::NextPoll(Micros now) {
  if (state_ != ChainState::kMining) {
    return std::nullopt;
  }
  for (std::size_t i = 0; i < modules_.size(); ++i) {
    const std::size_t slot = (poll_cursor_ + i) % modules_.size();
    const ModuleInfo& m = modules_[slot];
    if (!m.present || !m.configured || now < next_poll_[slot]) {
      continue;
    }
    poll_cursor_ = slot + 1;
    next_poll_[slot] = now + PollPeriod();
    Polling polling;
    if (reset_tx_[slot]) {  // §3.5: RSTMMTX after a failed poll
      reset_tx_[slot] = false;
      return Issue({*Empty(Gen(), Kind::kRstMmTx), m.id, false}, Await::kNone, now);
    }
    if (InfoOf(Gen()).poll == PollLayout::kFanPwm && fan_ && fan_due_[slot] &&
        now >= next_fan_[slot]) {
      fan_due_[slot] = false;
      next_fan_[slot] = now + config_.fan_period;
      polling.fan_pwm = FanPwm(*fan_);
      modules_[slot].fan_duty = static_cast<std::uint32_t>(std::lround(fan_->value));  // FanR
    }
    await_slot_ = static_cast<int>(slot);
    return Issue({*Encode(Gen(), polling), m.id, true}, Await::kPoll, now);
  }
  return std::nullopt;
}

Micros AvalonDriver::PollPeriod() const {
  // §4.3: A10 polls every 10 ms (two nonces a reply), the others every 20 ms.
  const Micros period = config_.poll_period;
  return Gen() == Generation::kAvalon10 && period > Micros{10'000} ? Micros{10'000} : period;
}

void AvalonDriver::OnTimeout(Micros now) {
  const Await await = await_;
  await_ = Await::kNone;
  auc_in_size_ = 0;
  switch (await) {
    case Await::kDetect:
      EndScan(now);
      return;
    case Await::kPoll:
      PollFailed(await_slot_, now);
      return;
    case Await::kSync:
      return;  // read and thrown away (§3.5): a missing answer changes nothing
    case Await::kAuc:
      OnAucFailure(now);
      return;
    case Await::kNone:
      return;
  }
}

// §2.2: an AUC that stops answering is initialised again; after 100 failures in a row
// the chain fails (the host retries it later).
void AvalonDriver::OnAucFailure(Micros now) {
  (void)now;
  if (++auc_failures_ >= 100) {
    status_ = Status(StatusCode::kTimeout,
                     "the AUC stopped answering (100 requests in a row; a raw CN stream, such as "
                     "`hashrig sim --avalon` without --auc, is avalon:, not auc:)");
    state_ = ChainState::kFailed;
    return;
  }
  if (phase_ != Phase::kRun && phase_ != Phase::kDetect) {
    phase_ = Phase::kAucReset;
  }
}

void AvalonDriver::PollFailed(int slot, Micros now) {
  if (slot < 0) {
    return;
  }
  ModuleInfo& m = modules_[static_cast<std::size_t>(slot)];
  ++failed_polls_total_;
  reset_tx_[static_cast<std::size_t>(slot)] = true;
  if (++m.failed_polls < static_cast<std::uint32_t>(config_.lost_after)) {
    return;
  }
  // §5.1: lost after lost_after failed polls in a row; looked for again soon.
  m.present = false;
  m.configured = false;
  m.failed_polls = 0;
  ++m.lost;
  reset_tx_[static_cast<std::size_t>(slot)] = false;
  status_ = Status(StatusCode::kUnavailable, "an Avalon module stopped answering its polls");
  next_detect_ = now + kRescanWhenEmpty;
  UpdateState();
}

// Two modules answer on one address (§7.3's symptom, polls answered with another DNA's
// OPT): one kept its id from an earlier host (stopped mid-scan) and a fresh one was given
// the same id. Every id is rebooted and the bus scanned afresh, jobs held until that scan
// is over; known DNAs keep their slots and counters.
void AvalonDriver::StartOver(Micros now) {
  for (ModuleInfo& m : modules_) {
    m.present = false;
    m.configured = false;
  }
  mismatches_in_a_row_ = 0;
  status_ = Status(StatusCode::kMismatch,
                   "two Avalon modules answered on one address (one kept its id from an earlier "
                   "host): rebooting them all and scanning again");
  reboot_next_ = 1;
  next_detect_ = now + kRebootSettle;
  first_scan_ = true;
  await_ = Await::kNone;
  UpdateState();
}

// A DETECT nothing answered ends the scan: the next one in detect_period, or soon while
// no module is known; scans that keep finding nothing fail the chain.
void AvalonDriver::EndScan(Micros now) {
  const bool none = modules_present() == 0;
  // An empty first scan is followed by a reboot sweep and a scan again: that one is the
  // first scan (jobs, scan and board-test wait for it; ending it here let board-test see one
  // module of two once the first came back).
  first_scan_ = first_scan_ && none && empty_scans_ == 0;
  next_detect_ = now + (none ? kRescanWhenEmpty : config_.detect_period);
  if (!none) {
    empty_scans_ = 0;
    return;
  }
  if (++empty_scans_ == 1) {
    reboot_next_ = 1;  // modules that kept an id from an earlier host start over
    next_detect_ = now + kRebootSettle;
    return;
  }
  if (empty_scans_ >= config_.empty_scans_to_fail) {
    // A module that answered but was refused (a model or generation this driver does not
    // take) keeps that reason: "no module answered" would be false.
    const bool refused = !status_.ok() && (status_.code() == StatusCode::kNotFound ||
                                           status_.code() == StatusCode::kMismatch);
    state_ = ChainState::kFailed;
    if (refused) {
      return;
    }
    status_ = Status(StatusCode::kNotFound,
                     config_.transport == Transport::kAuc
                         ? "no Avalon module answered DETECT behind the AUC (ids 1..6)"
                         : "no Avalon module answered DETECT on this link (ids 1..6; behind an "
                           "AUC, such as `hashrig sim --avalon --auc`, use auc:)");
  }
}

void AvalonDriver::UpdateState() {
  if (state_ == ChainState::kIdle || state_ == ChainState::kFailed) {
    return;
  }
  bool any_present = false;
  bool any_mining = false;
  bool any_lost = false;  // found once, gone now
  for (const ModuleInfo& m : modules_) {
    any_present = any_present || m.present;
    any_mining = any_mining || (m.present && m.configured);
    any_lost = any_lost || (m.id != 0 && !m.present);
  }
  state_ = any_mining    ? ChainState::kMining
           : any_present ? ChainState::kConfiguring
                         : ChainState::kEnumerating;
  // The problem is over once modules mine again (kNotFound) and, for a lost module or two
  // on one address, once every module found is back (kUnavailable stayed after it
  // returned).
  if (any_mining &&
      (status_.code() == StatusCode::kNotFound ||
       ((status_.code() == StatusCode::kUnavailable || status_.code() == StatusCode::kMismatch) &&
        !any_lost))) {
    status_ = Status::Ok();
  }
}

int AvalonDriver::SlotOfId(std::uint8_t id) const {
  for (std::size_t i = 0; i < modules_.size(); ++i) {
    if (modules_[i].present && modules_[i].id == id) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

// The lowest id no present module has; 0 when all max_modules are taken.
int AvalonDriver::FreeId() const {
  for (int id = 1; id <= config_.max_modules; ++id) {
    if (SlotOfId(static_cast<std::uint8_t>(id)) < 0) {
      return id;
    }
  }
  return 0;
}

}  // namespace hashrig::hal::protocol::avalon
