#include "hashrig/firmware/app.h"

#include <cmath>

#include "hashrig/hal/protocol/nonce.h"
#include "hashrig/hal/protocol/work.h"
#include "hashrig/sha256/stream.h"

namespace hashrig::firmware {
namespace {

namespace p = hal::protocol;

constexpr std::uint8_t kAutomaticFan = 255;

void ScalarMidstate(const std::uint8_t* block, std::array<std::uint32_t, 8>& state) {
  state = sha256::kInitialState.words;
  sha256::ScalarCompress(state.data(), block, 1);
}

std::uint16_t QuarterMhz(p::Megahertz f) {
  return static_cast<std::uint16_t>(std::lround(f.value * 4));
}

}  // namespace

double DifficultyOf(const std::array<std::uint8_t, 32>& hash) {
  // The hash as a little-endian 256-bit number, to double precision.
  double value = 0;
  for (int i = 31; i >= 0; --i) {
    value = value * 256 + hash[static_cast<std::size_t>(i)];
  }
  constexpr double kDiff1 = 65535.0 * 0x1p208;  // 0xffff << 208
  return value == 0 ? HUGE_VAL : kDiff1 / value;
}

App::App(Bsp& bsp, const AppConfig& config, Boot* boot)
    : bsp_(bsp),
      config_(config),
      boot_(boot),
      driver_(config.driver),
      thermal_(config.thermal, config.driver.frequency) {
  ApplyFan();
}

void App::Step() {
  const Micros now = bsp_.Now();
  bool busy = PumpHost(now);
  busy = PumpChain(now) || busy;
  WatchHost(now);
  RunThermal(now);
  MaybeConfirm(now);
  // The hardware watchdog is fed only here, and only while the loop is healthy: the pass
  // finished within its deadline and the thermal loop ran on schedule. A loop that hangs
  // or crawls anywhere (a stuck bus, a flash that never finishes) stops feeding it and
  // the MCU resets into the bootloader, which boots with the chain held in reset.
  const Micros end = bsp_.Now();
  if (end - now < config_.step_deadline && end - last_thermal_ < 2 * config_.thermal_period) {
    bsp_.FeedWatchdog();
    ++counters_.watchdog_feeds;
  }
  if (!busy) {
    bsp_.WaitForEvent(config_.idle_wait);
  }
}

link::Telemetry App::Telemetry() const {
  link::Telemetry t;
  t.temperature_decidegrees = std::isnan(last_temperature_)
                                  ? std::int16_t{-32768}
                                  : static_cast<std::int16_t>(std::lround(
                                        std::fmax(-3000, std::fmin(3000, last_temperature_ * 10))));
  t.fan_percent = static_cast<std::uint8_t>(fan_percent_ < 0 ? 0 : std::lround(fan_percent_));
  t.fan_rpm = bsp_.FanRpm();
  const PowerReading power = bsp_.ReadPower();
  t.millivolts = power.millivolts;
  t.milliamps = power.milliamps;
  t.thermal_state = static_cast<std::uint8_t>(thermal_state_);
  int alive = 0;
  for (int i = 0; i < driver_.chips_found() && i < p::kMaxChips; ++i) {
    alive += driver_.chip(i).alive ? 1 : 0;
  }
  t.chips_alive = static_cast<std::uint8_t>(alive > 255 ? 255 : alive);
  t.nonces = counters_.nonces;
  t.hardware_errors = counters_.hardware_errors;
  t.chain_state = static_cast<std::uint8_t>(driver_.state());
  t.flags =
      static_cast<std::uint8_t>((idled_for_silence_ ? link::kFlagHostSilence : 0) |
                                (boot_ != nullptr && boot_->on_trial() ? link::kFlagTrial : 0));
  t.frequency_quarter_mhz = QuarterMhz(driver_.config().frequency);
  return t;
}

bool App::PumpHost(Micros now) {
  std::array<std::uint8_t, 256> buffer{};
  bool any = false;
  for (int round = 0; round < 8; ++round) {
    const std::size_t n = bsp_.HostRead(buffer);
    for (std::size_t i = 0; i < n; ++i) {
      decoder_.Push(buffer[i]);
      while (auto frame = decoder_.Next()) {
        Handle(*frame, now);
      }
    }
    if (n == 0) {
      break;
    }
    any = true;
    last_rx_ = now;
  }
  if (decoder_.pending() > 0 && now - last_rx_ > config_.frame_timeout) {
    while (decoder_.pending() > 0) {  // a frame cut short: resynchronise on what is left
      decoder_.Expire();
      while (auto frame = decoder_.Next()) {
        Handle(*frame, now);
      }
    }
  }
  counters_.bad_frames = decoder_.bad_frames();
  return any;
}

void App::Send(const link::Encoded& encoded) {
  if (!bsp_.HostWrite(encoded.span())) {
    ++counters_.dropped_tx;
  }
}

void App::Refuse(const link::Frame& frame, link::ErrorCode code) {
  ++counters_.refused;
  Send(link::EncodeError(frame.sequence, frame.type, code));
}

void App::Handle(const link::Frame& frame, Micros now) {
  ++counters_.frames;
  last_host_ = now;
  heard_host_ = true;
  host_silent_ = false;  // the chain stays idle until the host resets it
  const auto body = frame.body();
  switch (frame.type) {
    case link::Type::kHello: {
      if (body.size() != 1) {
        return Refuse(frame, link::ErrorCode::kBadPayload);
      }
      link::HelloReply reply;
      reply.chip_model = static_cast<std::uint8_t>(config_.driver.model);
      reply.chips = static_cast<std::uint8_t>(config_.driver.expected_chips);
      reply.firmware_version = config_.firmware_version;
      reply.board_model = config_.board_model;
      reply.serial = config_.serial;
      if (boot_ != nullptr && boot_->running() >= 0) {
        reply.board_id = boot_->board_id();
        reply.running_slot = static_cast<std::uint8_t>(boot_->running());
        reply.slot_bytes = static_cast<std::uint32_t>(boot_->slot_bytes());
      }
      return Send(link::EncodeHelloReply(frame.sequence, reply));
    }
    case link::Type::kChainReset:
      if (!body.empty()) {
        return Refuse(frame, link::ErrorCode::kBadPayload);
      }
      if (thermal_state_ == p::ThermalState::kStopped) {
        return Refuse(frame, link::ErrorCode::kBusy);  // cooling down after an overheat
      }
      chain_wanted_ = true;
      idled_for_silence_ = false;
      mining_since_ = Micros{-1};
      driver_.Start(now);
      return Ack(frame);
    case link::Type::kConfigure: {
      const auto m = link::DecodeConfigure(body);
      if (!m || m->frequency_quarter_mhz < 4 * 50 || m->frequency_quarter_mhz > 4 * 1500 ||
          !(m->ticket_difficulty > 0) || m->ticket_difficulty > 1e12F) {
        return Refuse(frame, link::ErrorCode::kBadPayload);
      }
      if (m->core_millivolts != 0 && !bsp_.SetCoreMillivolts(m->core_millivolts)) {
        return Refuse(frame, link::ErrorCode::kBadPayload);
      }
      p::DriverConfig c = config_.driver;
      thermal_.set_frequency(p::Megahertz{m->frequency_quarter_mhz / 4.0});
      c.frequency = thermal_.frequency();  // less what overheats took off
      c.ticket_difficulty = m->ticket_difficulty;
      c.version_mask = m->version_mask;
      config_.driver = c;
      driver_.Reconfigure(c);  // applies at the next ChainReset
      return Ack(frame);
    }
    case link::Type::kWork: {
      const auto m = link::DecodeWork(body);
      if (!m) {
        return Refuse(frame, link::ErrorCode::kBadPayload);
      }
      pending_ = *m;
      has_work_ = true;
      received_work_ = true;
      return Ack(frame);
    }
    case link::Type::kTelemetryRequest:
      if (!body.empty()) {
        return Refuse(frame, link::ErrorCode::kBadPayload);
      }
      return Send(link::EncodeTelemetry(frame.sequence, Telemetry()));
    case link::Type::kChipStatsRequest: {
      if (body.size() != 1) {
        return Refuse(frame, link::ErrorCode::kBadPayload);
      }
      link::ChipStats page;
      page.first = body[0];
      page.total = static_cast<std::uint8_t>(driver_.chips_found());
      for (int i = body[0]; i < driver_.chips_found() && page.count < link::kChipsPerPage; ++i) {
        const p::ChipStats& c = driver_.chip(i);
        page.chips[page.count++] = {c.address, static_cast<std::uint8_t>(c.alive ? 1 : 0), c.nonces,
                                    c.hardware_errors};
      }
      return Send(link::EncodeChipStats(frame.sequence, page));
    }
    case link::Type::kSetFan:
      if (body.size() != 1 || (body[0] > 100 && body[0] != kAutomaticFan)) {
        return Refuse(frame, link::ErrorCode::kBadPayload);
      }
      manual_fan_ = body[0] == kAutomaticFan ? -1 : body[0];
      ApplyFan();
      return Ack(frame);
    case link::Type::kSetVoltage: {
      if (body.size() != 2) {
        return Refuse(frame, link::ErrorCode::kBadPayload);
      }
      const auto mv = static_cast<std::uint16_t>(body[0] | body[1] << 8);
      if (!bsp_.SetCoreMillivolts(mv)) {
        return Refuse(frame, link::ErrorCode::kBadPayload);
      }
      return Ack(frame);
    }
    case link::Type::kFlashErase:
    case link::Type::kFlashWrite:
    case link::Type::kFlashVerify:
    case link::Type::kFlashCommit:
    case link::Type::kConfirm:
      return HandleFlash(frame);
    case link::Type::kReboot:
      if (!body.empty()) {
        return Refuse(frame, link::ErrorCode::kBadPayload);
      }
      Ack(frame);
      driver_.Idle();
      bsp_.ChainReset(true);  // the chips stop hashing while the MCU restarts
      bsp_.Reboot();
      return;
    default:
      return Refuse(frame, link::ErrorCode::kUnknownType);
  }
}

void App::HandleFlash(const link::Frame& frame) {
  if (boot_ == nullptr || boot_->running() < 0) {
    return Refuse(frame, link::ErrorCode::kFlash);
  }
  const auto body = frame.body();
  Status status;
  switch (frame.type) {
    case link::Type::kFlashErase:
      if (body.size() != 1 || body[0] != 1 - boot_->running()) {
        return Refuse(frame, link::ErrorCode::kBadPayload);  // only the slot not running
      }
      status = boot_->EraseInactive();
      break;
    case link::Type::kFlashWrite: {
      const auto m = link::DecodeFlashWrite(body);
      if (!m) {
        return Refuse(frame, link::ErrorCode::kBadPayload);
      }
      status = boot_->WriteInactive(m->offset, std::span(m->data).first(m->size));
      break;
    }
    case link::Type::kFlashVerify: {
      if (body.size() != 32) {
        return Refuse(frame, link::ErrorCode::kBadPayload);
      }
      const auto header = boot_->SlotHeader(1 - boot_->running());
      bool same = header.has_value();
      for (std::size_t i = 0; same && i < 32; ++i) {
        same = header->sha256[i] == body[i];
      }
      if (!same || !boot_->VerifyInactive()) {
        return Refuse(frame, link::ErrorCode::kVerifyFailed);
      }
      return Ack(frame);
    }
    case link::Type::kFlashCommit:
      if (!body.empty()) {
        return Refuse(frame, link::ErrorCode::kBadPayload);
      }
      status = boot_->CommitInactive();
      break;
    default:  // kConfirm
      if (!boot_->on_trial()) {
        return Ack(frame);  // already confirmed: nothing to do
      }
      status = boot_->Confirm();
      break;
  }
  if (!status.ok()) {
    return Refuse(frame, link::ErrorCode::kFlash);
  }
  Ack(frame);
}

bool App::PumpChain(Micros now) {
  bool any = false;
  for (int i = 0; i < 64; ++i) {
    const p::Operation op = driver_.Poll(now);
    if (op.kind == p::Operation::Kind::kNone) {
      break;
    }
    any = true;
    switch (op.kind) {
      case p::Operation::Kind::kWrite:
        bsp_.ChainWrite(op.data());
        break;
      case p::Operation::Kind::kSetBaud:
        bsp_.ChainSetBaud(op.baud);
        break;
      case p::Operation::Kind::kReset:
        bsp_.ChainReset(op.reset_asserted);
        break;
      case p::Operation::Kind::kNone:
        break;
    }
  }
  std::array<std::uint8_t, 256> buffer{};
  for (int round = 0; round < 8; ++round) {
    const std::size_t n = bsp_.ChainRead(buffer);
    if (n == 0) {
      break;
    }
    any = true;
    driver_.OnBytes(std::span(buffer).first(n), now);
  }
  p::NonceEvent event;
  while (driver_.NextNonce(event)) {
    ForwardNonce(event);
  }
  if (driver_.state() == p::ChainState::kMining) {
    if (mining_since_ < Micros{0}) {
      mining_since_ = now;
    }
    if (has_work_) {
      const auto job = p::SendWork(driver_, pending_.header, pending_.token, ScalarMidstate);
      if (job.ok()) {
        has_work_ = false;
        recent_[recent_next_] = {pending_.token, pending_.header, true};
        recent_next_ = (recent_next_ + 1) % recent_.size();
        any = true;
      }
    }
  } else {
    mining_since_ = Micros{-1};
  }
  return any;
}

void App::ForwardNonce(const p::NonceEvent& e) {
  // Check it against its work (the host checks again against the share target): a nonce
  // that misses the ticket is a hardware error of that chip.
  for (const WorkSlot& slot : recent_) {
    if (slot.valid && slot.token == e.token) {
      p::HeaderJob job = p::HeaderJobFrom(slot.header);
      const auto header = p::ReconstructHeader(job, e.version, e.nonce);
      const bool ok = DifficultyOf(sha256::ScalarDoubleHash(header)) >= e.ticket_difficulty * 0.999;
      driver_.RecordVerdict(e.chip, ok);
      counters_.hardware_errors += ok ? 0 : 1;
      break;
    }
  }
  ++counters_.nonces;
  Send(link::EncodeNonce({e.token, static_cast<std::uint8_t>(e.chip), e.core, e.nonce, e.version}));
}

void App::RunThermal(Micros now) {
  if (now < next_thermal_) {
    return;
  }
  next_thermal_ = now + config_.thermal_period;
  last_thermal_ = now;
  last_temperature_ = bsp_.TemperatureC();
  const p::ThermalDecision d = thermal_.Update(last_temperature_, now);
  const p::ThermalState before = thermal_state_;
  thermal_state_ = d.state;
  thermal_fan_ = d.fan_percent;
  if (d.stop_chain && driver_.state() != p::ChainState::kIdle) {
    driver_.Idle();  // the chips stop on their own once work stops; reset holds them
    bsp_.ChainReset(true);
    ++counters_.thermal_stops;
  }
  if (d.restart_chain) {
    p::DriverConfig c = driver_.config();
    c.frequency = d.frequency;
    driver_.Reconfigure(c);
    if (chain_wanted_ && !host_silent_) {
      driver_.Start(now);
      has_work_ = received_work_;  // the last work again
    }
  }
  ApplyFan();
  if (before != thermal_state_) {
    Send(link::EncodeTelemetry(0, Telemetry()));  // unsolicited: the host learns at once
  }
}

void App::WatchHost(Micros now) {
  if (!heard_host_ || host_silent_ || now - last_host_ < config_.host_silence) {
    return;
  }
  host_silent_ = true;
  idled_for_silence_ = true;
  ++counters_.host_silences;
  chain_wanted_ = false;
  has_work_ = false;
  if (driver_.state() != p::ChainState::kIdle) {
    driver_.Idle();
    bsp_.ChainReset(true);
  }
  manual_fan_ = -1;
  ApplyFan();
}

void App::ApplyFan() {
  const bool manual = manual_fan_ >= 0 && thermal_state_ == p::ThermalState::kNormal;
  const double fan = manual ? manual_fan_ : thermal_fan_;
  if (fan != fan_percent_) {
    fan_percent_ = fan;
    bsp_.SetFanPercent(fan);
  }
}

void App::MaybeConfirm(Micros now) {
  if (boot_ == nullptr || !boot_->on_trial() || mining_since_ < Micros{0} || host_silent_ ||
      now - mining_since_ < config_.confirm_after) {
    return;
  }
  (void)boot_->Confirm();  // a failed write is retried on the next pass
}

}  // namespace hashrig::firmware
