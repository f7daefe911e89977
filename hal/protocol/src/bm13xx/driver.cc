#include "hashrig/hal/protocol/bm13xx/driver.h"

#include <algorithm>
#include <utility>

#include "hashrig/hal/protocol/bm13xx/nonce.h"
#include "hashrig/hal/protocol/bm13xx/registers.h"
#include "hashrig/hal/protocol/bm13xx/work.h"
#include "hashrig/hal/protocol/le.h"

namespace hashrig::hal::protocol {
namespace {

struct RegWrite {
  std::uint8_t reg;
  std::uint32_t value;
};

// Per-model init writes, after ESP-Miner (reference §3.7-3.9).
constexpr RegWrite kPre1366[] = {{reg::kSoftReset, 0x00070000}, {reg::kMiscControl, 0xFF0FC100}};
constexpr RegWrite kPre1368[] = {{reg::kSoftReset, 0x00070000}, {reg::kMiscControl, 0xFF0FC100}};
constexpr RegWrite kPre1370[] = {{reg::kVersionRolling, 0x9000FFFF},
                                 {reg::kSoftReset, 0x00070000},
                                 {reg::kMiscControl, 0xF000C100}};
constexpr RegWrite kPost1366[] = {{reg::kCoreRegisterControl, 0x80008540},
                                  {reg::kCoreRegisterControl, 0x80008020},
                                  {reg::kAnalogMux, 0x00000003},
                                  {reg::kIoDriverStrength, 0x02111111}};
constexpr RegWrite kPost1368[] = {{reg::kCoreRegisterControl, 0x80008B00},
                                  {reg::kCoreRegisterControl, 0x80008018},
                                  {reg::kAnalogMux, 0x00000003},
                                  {reg::kIoDriverStrength, 0x02111111}};
constexpr RegWrite kPost1370[] = {
    {reg::kCoreRegisterControl, 0x80008B00}, {reg::kCoreRegisterControl, 0x8000800C},
    {reg::kIoDriverStrength, 0x00011111},    {reg::kAdcControl, 0x00004480},
    {reg::kAnalogMux, 0x00000002},           {reg::kCoreRegisterControl, 0x80008DEE}};
constexpr RegWrite kPost1397[] = {{0x80, 0},
                                  {0x84, 0},
                                  {reg::kOrderedClockEnable, 0x00000001},
                                  {reg::kCoreRegisterControl, 0x80008074},
                                  {reg::kPll3, 0xC0700111},
                                  {reg::kFastUart, 0x0600000F},
                                  {reg::kMiscControl, 0x00007A31}};
constexpr RegWrite kPerChip1366[] = {{reg::kSoftReset, 0x000701F0},
                                     {reg::kMiscControl, 0xF000C100},
                                     {reg::kCoreRegisterControl, 0x80008540},
                                     {reg::kCoreRegisterControl, 0x80008020},
                                     {reg::kCoreRegisterControl, 0x800082AA}};
constexpr RegWrite kPerChip1368[] = {{reg::kSoftReset, 0x000701F0},
                                     {reg::kMiscControl, 0xF000C100},
                                     {reg::kCoreRegisterControl, 0x80008B00},
                                     {reg::kCoreRegisterControl, 0x80008018},
                                     {reg::kCoreRegisterControl, 0x800082AA}};
constexpr RegWrite kPerChip1370[] = {{reg::kSoftReset, 0x000701F0},
                                     {reg::kMiscControl, 0xF000C100},
                                     {reg::kCoreRegisterControl, 0x80008B00},
                                     {reg::kCoreRegisterControl, 0x8000800C},
                                     {reg::kCoreRegisterControl, 0x800082AA}};

// Each model's init, in the order of kChips (chip.h).
struct ModelInit {
  std::size_t format_switches;  // 0xA4 writes before discovery (BM1368 takes four)
  std::span<const RegWrite> pre_address;
  std::span<const RegWrite> post_address;
  std::span<const RegWrite> per_chip;
};

constexpr ModelInit kInit[] = {
    {0, {}, kPost1397, {}},
    {3, kPre1366, kPost1366, kPerChip1366},
    {4, kPre1368, kPost1368, kPerChip1368},
    {3, kPre1370, kPost1370, kPerChip1370},
};

constexpr const ModelInit& InitOf(ChipModel m) { return kInit[static_cast<int>(m)]; }

constexpr double kPowerUpMhz = 50.0;
constexpr Micros kPollAnswerWindow{1'000'000};
constexpr Micros kRetrySilence{250'000};       // replies come within milliseconds
constexpr Micros kUnansweredRetry{1'000'000};  // ... unless the host is starved
constexpr int kRateProbes = 2;
constexpr int kRateCheckRounds = 3;  // reads at both rates, all silent, before failing

Operation HostRate(std::uint32_t baud) {
  Operation op;
  op.kind = Operation::Kind::kSetBaud;
  op.baud = baud;
  return op;
}

}  // namespace

Bm13xxDriver::Bm13xxDriver(const DriverConfig& config) : config_(config) {
  config_.expected_chips = std::clamp(config_.expected_chips, 1, kMaxChips);
}

void Bm13xxDriver::Start(Micros now) {
  state_ = ChainState::kResetting;
  status_ = Status::Ok();
  other_model_.reset();
  step_ = 0;
  next_at_ = now;
  found_ = 0;
  best_found_ = 0;
  recounted_ = false;
  attempts_ = 0;
  damage_ = 0;
  recovery_step_ = 0;
  rate_probes_ = 0;
  rate_recovered_ = false;
  verify_step_ = 0;
  answers_ = 0;
  rate_switch_misses_ = 0;
  silent_rounds_ = 0;
  rate_fallback_ = false;
  chips_ = {};
  slots_ = {};
  events_size_ = 0;
  poll_chip_ = -1;
  pending_job_ = Operation{};
  pending_mask_ = Operation{};
  pending_ticket_ = Operation{};
  pending_sub_one_ = Operation{};
  NewDecoder(9);
}

void Bm13xxDriver::NewDecoder(std::size_t frame_size) {
  bad_frames_ += decoder_.bad_crc();
  skipped_bytes_ += decoder_.skipped_bytes();
  decoder_ = ResponseDecoder(frame_size);
}

void Bm13xxDriver::Idle() {
  state_ = ChainState::kIdle;
  pending_job_ = Operation{};
  slots_ = {};
  events_size_ = 0;
  poll_chip_ = -1;
}

double Bm13xxDriver::ticket_difficulty() const {
  if (config_.ticket_difficulty < 1 && config_.sub_one_ticket != nullptr) {
    CommandFrame unused;
    return config_.sub_one_ticket->configure(config_.ticket_difficulty, unused);
  }
  return TicketDifficulty(
      TicketMaskRegister(config_.ticket_difficulty < 1 ? 1 : config_.ticket_difficulty));
}

ChainSettings Bm13xxDriver::settings() const {
  return {config_.frequency, config_.ticket_difficulty, config_.version_mask};
}

void Bm13xxDriver::Apply(const ChainSettings& settings) {
  config_.frequency = settings.frequency;
  config_.ticket_difficulty = settings.ticket_difficulty;
  config_.version_mask = settings.version_mask;
}

Operation Bm13xxDriver::Write(const CommandFrame& frame) const {
  Operation op;
  op.kind = Operation::Kind::kWrite;
  std::copy(frame.bytes.begin(), frame.bytes.begin() + frame.size, op.bytes.begin());
  op.size = frame.size;
  return op;
}

void Bm13xxDriver::Fail(Status status) {
  state_ = ChainState::kFailed;
  status_ = status;
}

int Bm13xxDriver::Interval() const { return 256 / std::max(1, found_); }

Operation Bm13xxDriver::Poll(Micros now) {
  if (now < next_at_) {
    return {};
  }
  Operation op;
  switch (state_) {
    case ChainState::kResetting:
      return ResetStep(now);
    case ChainState::kEnumerating:
      return EnumerateStep(now);
    case ChainState::kConfiguring: {
      if (verify_step_ > 0) {
        return VerifyRateStep(now);
      }
      Micros delay{0};
      if (!ConfigOp(step_, op, delay)) {
        if (config_.fast_baud) {
          verify_step_ = 1;
          return VerifyRateStep(now);
        }
        EnterMining(now);
        return {};
      }
      ++step_;
      next_at_ = now + delay;
      return op.kind == Operation::Kind::kSetBaud ? ChangeRate(op.baud) : op;
    }
    case ChainState::kMining:
      if (pending_mask_.kind != Operation::Kind::kNone) {
        return std::exchange(pending_mask_, Operation{});
      }
      if (pending_ticket_.kind != Operation::Kind::kNone) {
        return std::exchange(pending_ticket_, Operation{});
      }
      if (pending_sub_one_.kind != Operation::Kind::kNone) {
        return std::exchange(pending_sub_one_, Operation{});
      }
      if (pending_job_.kind != Operation::Kind::kNone) {
        return std::exchange(pending_job_, Operation{});
      }
      return CheckDeadChips(now);
    case ChainState::kIdle:
    case ChainState::kFailed:
    case ChainState::kDown:
      return {};
  }
  return {};
}

void Bm13xxDriver::EnterMining(Micros now) {
  state_ = ChainState::kMining;
  verify_step_ = 0;
  for (int i = 0; i < found_; ++i) {
    chips_[static_cast<std::size_t>(i)].last_nonce = now;
  }
}

// After the switch to the fast rate the chips must answer a CHIP_ID read at it. Chips
// silent there that answer at the reset rate missed the request (a frame lost, or heard
// at the old rate: a simulator that reads the PTY late): asked again, kRateSwitchTries in
// all, then the chain mines at the reset rate (rate_fallback()). Silent at both rates is
// read again, each round waiting longer (a starved simulator answers late: the conformance
// suite beside a build), kRateCheckRounds in all; only then has the chain failed.
// Steps: 1 read at the fast rate, 2 wait (silent: back to the reset rate); 4 read there,
// 5 wait; 6 the request again; 7 the fast rate, then 1.
Operation Bm13xxDriver::VerifyRateStep(Micros now) {
  switch (verify_step_) {
    case 1:
    case 4:
      ++verify_step_;
      answers_ = 0;
      last_response_ = now;
      return Write(BroadcastReadFrame(reg::kChipId));
    case 2:
    case 5: {
      // Every chip answered, or a silence after the last answer (none: the longer one,
      // longer each round).
      const Micros silence =
          answers_ == 0
              ? std::max(config_.enumeration_silence, kUnansweredRetry) * (1 + silent_rounds_)
              : kRetrySilence;
      if (answers_ < found_ && now - last_response_ < silence) {
        next_at_ = last_response_ + silence;
        return {};
      }
      if (verify_step_ == 2 && answers_ > 0) {
        EnterMining(now);
        return {};
      }
      if (verify_step_ == 2) {
        verify_step_ = 4;
        return SetBaudOp(kResetBaud, now);
      }
      return AfterResetRateRead(now);
    }
    case 6:
      verify_step_ = 7;
      next_at_ = now + config_.baud_drain;  // the frame leaves at the old rate first
      return Write(FastRateRequest(config_.model));
    default:
      verify_step_ = 1;
      return SetBaudOp(InfoOf(config_.model).fast_baud, now);
  }
}

// The rate check's read at the reset rate is over (step 5).
Operation Bm13xxDriver::AfterResetRateRead(Micros now) {
  if (answers_ == 0) {  // silent at both rates this round
    if (++silent_rounds_ < kRateCheckRounds) {
      verify_step_ = 7;
      return {};
    }
    Fail(Status(StatusCode::kNotFound,
                "no chip answered after the switch to the fast UART rate, at that rate or "
                "at the reset rate (115,200 baud)"));
    return {};
  }
  if (++rate_switch_misses_ < kRateSwitchTries) {
    verify_step_ = 6;
    return {};
  }
  rate_fallback_ = true;  // they hear the reset rate: mine there
  EnterMining(now);
  return {};
}

// A rate change within the check. Its next read waits twice the drain: answers to the
// read before, sent late by a starved simulator (or received before the change and read
// after it), must not count for the read at the new rate — at the reset rate they made
// chips at the fast rate look as if they had missed the request, and after a second such
// round the host mined at 115,200 to chips at 1 Mbaud (DriverPtyFaultTest.SessionAfter…
// under load).
Operation Bm13xxDriver::SetBaudOp(std::uint32_t baud, Micros now) {
  next_at_ = now + 2 * config_.baud_drain;
  return ChangeRate(baud);
}

// The host's UART to `baud`: bytes half-read at the old rate are dropped with the decoder
// (a new one, for frames of `frame_size`).
Operation Bm13xxDriver::ChangeRate(std::uint32_t baud, std::size_t frame_size) {
  baud_ = baud;
  NewDecoder(frame_size);
  return HostRate(baud);
}
Operation Bm13xxDriver::ChangeRate(std::uint32_t baud) {
  return ChangeRate(baud, decoder_.frame_size());
}

Operation Bm13xxDriver::ResetStep(Micros now) {
  Operation op;
  switch (step_++) {
    case 0:
      return ChangeRate(kResetBaud);
    case 1:
      op.kind = Operation::Kind::kReset;
      op.reset_asserted = true;
      next_at_ = now + config_.reset_hold;
      return op;
    default:
      op.kind = Operation::Kind::kReset;
      op.reset_asserted = false;
      next_at_ = now + config_.reset_hold;
      state_ = ChainState::kEnumerating;
      step_ = 0;
      return op;
  }
}

Operation Bm13xxDriver::EnumerateStep(Micros now) {
  if (recovery_step_ > 0) {
    return RecoverRateStep(now);
  }
  const std::size_t switches = InitOf(config_.model).format_switches;
  if (step_ < switches) {
    ++step_;
    return Write(BroadcastWriteFrame(reg::kVersionRolling, 0x9000FFFF));
  }
  if (step_ == switches) {
    ++step_;
    ++attempts_;
    found_ = 0;
    NewDecoder(InfoOf(config_.model).response_size);
    last_response_ = now;
    return Write(BroadcastReadFrame(reg::kChipId));
  }
  // A read again (chips answered before) that nothing answered yet waits longer: its
  // answers come late on a starved host, they are not absent.
  const Micros silence = attempts_ == 1 ? config_.enumeration_silence
                         : found_ == 0  ? std::max(config_.enumeration_silence, kUnansweredRetry)
                                        : kRetrySilence;
  if (now - last_response_ < silence) {
    next_at_ = last_response_ + silence;
    return {};
  }
  return EndAttempt(now);
}

// One CHIP_ID read is over: read again while damage may have hidden chips, recover a
// chain left at the fast rate, or go on to configure what answered.
Operation Bm13xxDriver::EndAttempt(Micros now) {
  const std::uint32_t damage = decoder_.bad_crc() + decoder_.skipped_bytes();
  damage_ += damage;
  const std::size_t read_again = InitOf(config_.model).format_switches;  // the next poll
  // More answers than chips expected: on a starved host, the late answers of an earlier
  // read (taken for silence) counted with this one's (6 of 3 chips, in the suite under
  // load). Read once more, alone; a chain that really has more chips answers as many again.
  if (found_ > config_.expected_chips && !recounted_ && attempts_ < kEnumerationAttempts) {
    recounted_ = true;
    best_found_ = 0;
    step_ = read_again;
    return {};
  }
  // Nothing answered the first read within a short silence (a test's or a simulated
  // board's): read again at this rate, waiting kUnansweredRetry, before taking the
  // silence for chips left at another rate (a starved simulator answers late, and the
  // rate recovery then reported chips "recovered" that were at the reset rate all along).
  if (found_ == 0 && best_found_ == 0 && attempts_ == 1 &&
      config_.enumeration_silence < kUnansweredRetry) {
    step_ = read_again;
    return {};
  }
  best_found_ = std::max(best_found_, found_);
  // Some chips answered, so the rate is right: damage may have hidden the others, and on
  // a line that damaged bytes a read answered by no one (even after kUnansweredRetry) is
  // a read whose answers were lost, not a count. A short count is always read a second
  // time, with a longer silence (a starved host sees late answers as none). (None
  // answered at all but bytes came: more likely the wrong rate, handled below.) A clean
  // line that keeps answering short has a missing chip: two reads.
  const bool suspect = damage > 0 || (damage_ > 0 && found_ == 0) || attempts_ < 2;
  if (best_found_ > 0 && best_found_ < config_.expected_chips && suspect &&
      attempts_ < kEnumerationAttempts) {
    step_ = read_again;
    return {};
  }
  found_ = best_found_;
  // Whatever this session will use, an earlier one may have left the fast rate. Asked
  // twice: a request lost on the way is not the end of the chain.
  if (found_ == 0 && rate_probes_ < kRateProbes) {
    ++rate_probes_;
    recovery_step_ = 1;
    return RecoverRateStep(now);
  }
  if (found_ == 0) {
    // Chips of another model answering is the operator's mistake to name, not silence.
    Fail(status_.code() == StatusCode::kMismatch
             ? status_
             : Status(StatusCode::kNotFound, "no chip answered the CHIP_ID read"));
    return {};
  }
  rate_recovered_ = rate_probes_ > 0;  // they answered once asked back to the reset rate
  if (found_ != config_.expected_chips) {
    status_ = Status(StatusCode::kMismatch, found_ < config_.expected_chips
                                                ? "fewer chips answered than expected"
                                                : "more chips answered than expected");
  }
  state_ = ChainState::kConfiguring;
  step_ = 0;
  for (int i = 0; i < found_; ++i) {
    chips_[static_cast<std::size_t>(i)].counters.address =
        ChipAddress{static_cast<std::uint8_t>(i * Interval())};
  }
  return {};
}

// Nothing answered at the reset rate: at the model's fast rate, ask every chip for the
// reset rate, then enumerate again from the response-format switch.
Operation Bm13xxDriver::RecoverRateStep(Micros now) {
  switch (recovery_step_++) {
    case 1:
      return ChangeRate(InfoOf(config_.model).fast_baud, InfoOf(config_.model).response_size);
    case 2:
      next_at_ = now + config_.baud_drain;  // the frame leaves at the fast rate, the chips switch
      return Write(SlowRateRequest(config_.model));
    default:
      recovery_step_ = 0;
      step_ = 0;
      attempts_ = 0;
      best_found_ = 0;
      return ChangeRate(kResetBaud);
  }
}

bool Bm13xxDriver::ConfigOp(std::size_t step, Operation& op, Micros& delay) const {
  const ChipModel model = config_.model;
  const auto n = static_cast<std::size_t>(found_);
  std::size_t at = step;
  auto segment = [&at](std::size_t count) {
    if (at < count) {
      return true;
    }
    at -= count;
    return false;
  };
  auto broadcast = [&](std::uint8_t r, std::uint32_t v) { op = Write(BroadcastWriteFrame(r, v)); };
  if (const auto pre = InitOf(model).pre_address; segment(pre.size())) {
    broadcast(pre[at].reg, pre[at].value);
    return true;
  }
  if (segment(1)) {
    op = Write(ChainInactiveFrame());
    delay = Micros(20'000);
    return true;
  }
  if (segment(n)) {
    op = Write(SetAddressFrame(chips_[at].counters.address.value));
    return true;
  }
  if (const auto post = InitOf(model).post_address; segment(post.size())) {
    broadcast(post[at].reg, post[at].value);
    return true;
  }
  if (const auto per = InitOf(model).per_chip; !per.empty() && segment(per.size() * n)) {
    const RegWrite& w = per[at % per.size()];
    op = Write(WriteRegisterFrame(chips_[at / per.size()].counters.address.value, w.reg, w.value));
    return true;
  }
  // Chips split the nonce space by CHIP_NONCE_OFFSET (as stock S21 Pro firmware does).
  if (segment(n > 1 ? n : 0)) {
    const std::uint32_t offset = ChipNonceOffset(static_cast<int>(at), found_);
    op = Write(WriteRegisterFrame(chips_[at].counters.address.value, reg::kChipNonceOffset,
                                  0x80000000u | offset));
    return true;
  }
  if (segment(1)) {
    const double ticket = config_.ticket_difficulty < 1 ? 1 : config_.ticket_difficulty;
    broadcast(reg::kTicketMask, TicketMaskRegister(ticket));
    return true;
  }
  if (config_.ticket_difficulty < 1 && config_.sub_one_ticket != nullptr && segment(1)) {
    CommandFrame frame;
    (void)config_.sub_one_ticket->configure(config_.ticket_difficulty, frame);
    op = Write(frame);
    return true;
  }
  const double span_mhz = config_.frequency.value - kPowerUpMhz;
  const auto ramp_steps = static_cast<std::size_t>(
      span_mhz <= 0 ? 1 : (span_mhz + config_.ramp_step.value - 1e-9) / config_.ramp_step.value);
  if (segment(ramp_steps)) {
    const double mhz =
        std::min(config_.frequency.value,
                 kPowerUpMhz + config_.ramp_step.value * static_cast<double>(at + 1));
    const auto pll = SolvePll(model, {mhz});
    broadcast(reg::kPll0, PllRegister(model, pll.ok() ? *pll : Pll{}));
    delay = config_.ramp_step_delay;
    return true;
  }
  if (model != ChipModel::kBm1397 && segment(1)) {
    broadcast(reg::kHashCountingNumber, HashCountingNumber(model, found_, config_.frequency));
    return true;
  }
  if (model != ChipModel::kBm1397 && segment(1)) {  // mask 0: nothing rolls (0x90000000)
    broadcast(reg::kVersionRolling, VersionRollingRegister(config_.version_mask));
    return true;
  }
  if (config_.fast_baud && segment(1)) {
    op = Write(FastRateRequest(model));
    delay = config_.baud_drain;  // the frame leaves at the old rate first
    return true;
  }
  if (config_.fast_baud && segment(1)) {
    op = HostRate(InfoOf(model).fast_baud);
    return true;
  }
  return false;
}

void Bm13xxDriver::OnBytes(std::span<const std::uint8_t> bytes, Micros now) {
  for (std::uint8_t b : bytes) {
    decoder_.Push(b);
    while (auto r = decoder_.Next()) {
      OnResponse(*r, now);
    }
  }
}

void Bm13xxDriver::OnResponse(const Response& r, Micros now) {
  if (r.nonce) {
    if (state_ == ChainState::kMining) {
      OnNonce(r, now);
    }
    return;
  }
  last_response_ = now;  // not by nonces: chips left mining must not hold enumeration open
  if (state_ == ChainState::kEnumerating && r.byte7 == reg::kChipId) {
    if (const auto id = static_cast<std::uint16_t>(r.register_value() >> 16);
        id != InfoOf(config_.model).chip_id) {
      other_model_ = ModelById(id);
      status_ = Status(StatusCode::kMismatch, "a chip of another model answered the CHIP_ID read");
      return;
    }
    found_ = std::min(found_ + 1, kMaxChips);
    return;
  }
  if ((verify_step_ == 2 || verify_step_ == 5) && r.byte7 == reg::kChipId) {
    if (++answers_ >= found_) {  // every chip hears the rate being checked: on at once
      next_at_ = now;
    }
    return;
  }
  if (poll_chip_ >= 0 && r.byte7 == reg::kChipId &&
      r.byte6 == chips_[static_cast<std::size_t>(poll_chip_)].counters.address.value) {
    chips_[static_cast<std::size_t>(poll_chip_)].last_nonce = now;  // alive, just unlucky
    poll_chip_ = -1;
  }
}

void Bm13xxDriver::OnNonce(const Response& r, Micros now) {
  const NonceReport report = DecodeNonce(config_.model, r);
  const JobSlot& slot = slots_[report.job_id & (kJobSlots - 1)];
  if (!slot.valid) {
    return;  // a job we never sent, or one retired
  }
  NonceEvent e;
  e.chip = ChipForNonce(report.nonce, slot.starting_nonce);
  e.token = slot.token;
  e.job_id = report.job_id;
  e.small_core = report.small_core;
  e.core = report.core;
  e.nonce = Nonce{report.nonce};
  // The chips apply a new ticket mask at once, also to the jobs they had: the lower of
  // the two is what the nonce surely met.
  e.ticket_difficulty = std::min(slot.ticket, ticket_difficulty());
  std::uint32_t version = slot.version;
  if (config_.model == ChipModel::kBm1397) {
    for (int k = 0; k < report.small_core; ++k) {
      version = IncrementVersion(version, slot.version_mask);
    }
  } else {
    version |= report.version_bits;
  }
  e.version = Version{version};
  Chip& chip = chips_[static_cast<std::size_t>(e.chip)];
  ++chip.counters.nonces;
  chip.last_nonce = now;
  chip.counters.alive = true;
  if (events_size_ == events_.size()) {  // full: the oldest goes
    events_head_ = (events_head_ + 1) % events_.size();
    --events_size_;
  }
  events_[(events_head_ + events_size_) % events_.size()] = e;
  ++events_size_;
}

int Bm13xxDriver::ChipForNonce(std::uint32_t nonce, std::uint32_t starting_nonce) const {
  if (found_ <= 1) {
    return 0;
  }
  // The inverse of the layout (nonce.h StampsAddress): the stamped address, or the
  // counter that starts at chip i's CHIP_NONCE_OFFSET (i * 65536 / n) << 9.
  const std::uint32_t d = ByteSwap32(nonce) - ByteSwap32(starting_nonce);
  if (StampsAddress(config_.model)) {
    return std::min(static_cast<int>((d >> 17) & 0xFF) / Interval(), found_ - 1);
  }
  const std::uint64_t high = (d & 0x1FFFFFFu) >> 9;
  const auto n = static_cast<std::uint64_t>(found_);
  std::uint64_t i = high * n / 65536;
  while (i + 1 < n && (i + 1) * 65536 / n <= high) {
    ++i;
  }
  while (i > 0 && i * 65536 / n > high) {
    --i;
  }
  return static_cast<int>(i);
}

Operation Bm13xxDriver::CheckDeadChips(Micros now) {
  if (poll_chip_ >= 0) {
    if (now - poll_sent_ < kPollAnswerWindow) {
      return {};
    }
    chips_[static_cast<std::size_t>(poll_chip_)].counters.alive = false;  // it did not answer
    poll_chip_ = -1;
    if (++reinits_ > config_.max_reinit) {
      Fail(Status(StatusCode::kUnavailable, "a chip stopped answering and re-init did not help"));
      return {};
    }
    const int reinits = reinits_;
    Start(now);  // re-initialise the chain; enumeration will report the missing chip
    reinits_ = reinits;
    return {};
  }
  for (int i = 0; i < found_; ++i) {
    const Chip& chip = chips_[static_cast<std::size_t>(i)];
    if (now - chip.last_nonce >= config_.dead_after) {
      poll_chip_ = i;
      poll_sent_ = now;
      return Write(ReadRegisterFrame(chip.counters.address.value, reg::kChipId));
    }
  }
  return {};
}

Result<std::uint8_t> Bm13xxDriver::SendJob(const HeaderJob& job, WorkToken token) {
  if (state_ != ChainState::kMining || config_.model == ChipModel::kBm1397) {
    return Status(StatusCode::kFailedPrecondition, state_ != ChainState::kMining
                                                       ? "chain is not mining"
                                                       : "BM1397 takes midstate jobs");
  }
  next_job_id_ = NextJobId(config_.model, next_job_id_);
  slots_[next_job_id_ & (kJobSlots - 1)] = JobSlot{
      true, token, job.version, job.starting_nonce, config_.version_mask, ticket_difficulty()};
  HeaderJob sent = job;
  sent.job_id = next_job_id_;
  QueueJob(EncodeHeaderJob(sent));
  return next_job_id_;
}

Result<std::uint8_t> Bm13xxDriver::SendJob(const MidstateJob& job, Version version,
                                           WorkToken token) {
  if (state_ != ChainState::kMining || config_.model != ChipModel::kBm1397) {
    return Status(StatusCode::kFailedPrecondition, state_ != ChainState::kMining
                                                       ? "chain is not mining"
                                                       : "only BM1397 takes midstates");
  }
  next_job_id_ = NextJobId(config_.model, next_job_id_);
  slots_[next_job_id_ & (kJobSlots - 1)] = JobSlot{
      true, token, version.value, job.starting_nonce, config_.version_mask, ticket_difficulty()};
  MidstateJob sent = job;
  sent.job_id = next_job_id_;
  QueueJob(EncodeMidstateJob(sent));
  return next_job_id_;
}

void Bm13xxDriver::SetTicket(double difficulty) {
  if (difficulty == config_.ticket_difficulty || difficulty <= 0) {
    return;
  }
  config_.ticket_difficulty = difficulty;
  if (state_ != ChainState::kMining) {
    return;  // the next configuration writes it
  }
  pending_ticket_ = Write(
      BroadcastWriteFrame(reg::kTicketMask, TicketMaskRegister(difficulty < 1 ? 1 : difficulty)));
  pending_sub_one_ = Operation{};
  if (config_.sub_one_ticket != nullptr) {
    // Below 1 the simulator's register carries it; at 1 or more it is cleared (0).
    CommandFrame frame;
    (void)config_.sub_one_ticket->configure(difficulty, frame);
    pending_sub_one_ = Write(frame);
  }
}

void Bm13xxDriver::QueueJob(std::span<const std::uint8_t> frame) {
  pending_job_ = Operation{};
  pending_job_.kind = Operation::Kind::kWrite;
  std::copy(frame.begin(), frame.end(), pending_job_.bytes.begin());
  pending_job_.size = frame.size();
}

Status Bm13xxDriver::SendWork(const ChainWork& work) {
  if (state_ != ChainState::kMining) {
    return Status(StatusCode::kFailedPrecondition, "chain is not mining");
  }
  if (work.version_mask != kKeepVersionMask && work.version_mask != config_.version_mask) {
    config_.version_mask = work.version_mask;  // the pool's mask changed: chips first
    if (!InfoOf(config_.model).midstate_jobs) {
      pending_mask_ = Write(
          BroadcastWriteFrame(reg::kVersionRolling, VersionRollingRegister(work.version_mask)));
    }
  }
  if (!InfoOf(config_.model).midstate_jobs) {
    return SendJob(HeaderJobFrom(work.header), work.token).status();
  }
  return SendJob(MidstateJobFrom(work.header, config_.version_mask, 4),
                 Version{LoadLe32(&work.header[0])}, work.token)
      .status();
}

std::array<std::uint8_t, 80> Bm13xxDriver::HeaderFor(const ChainWork& work,
                                                     const NonceEvent& nonce) const {
  return ReconstructHeader(HeaderJobFrom(work.header), nonce.version.value, nonce.nonce.value);
}

bool Bm13xxDriver::NextNonce(NonceEvent& out) {
  if (events_size_ == 0) {
    return false;
  }
  out = events_[events_head_];
  events_head_ = (events_head_ + 1) % events_.size();
  --events_size_;
  return true;
}

void Bm13xxDriver::RecordVerdict(int chip, bool meets_ticket) {
  if (chip < 0 || chip >= found_ || meets_ticket) {
    return;
  }
  ++chips_[static_cast<std::size_t>(chip)].counters.hardware_errors;
}

}  // namespace hashrig::hal::protocol
