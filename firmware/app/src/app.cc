#include "hashrig/firmware/app.h"

#include <cmath>

namespace hashrig::firmware {
namespace {

namespace p = hal::protocol;

std::uint16_t QuarterMhz(Megahertz f) {
  return static_cast<std::uint16_t>(std::lround(f.value * 4));
}

p::ControllerConfig ControllerConfigOf(const AppConfig& c) {
  p::ControllerConfig controller;
  controller.thermal = c.thermal;
  controller.thermal_period = c.thermal_period;
  return controller;
}

}  // namespace

App::App(Bsp& bsp, const AppConfig& config, Boot* boot)
    : bsp_(bsp),
      config_(config),
      boot_(boot),
      driver_(config.driver),
      chain_(driver_, ControllerConfigOf(config)) {}

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
  const auto celsius = chain_.temperature();
  t.temperature_decidegrees = celsius ? static_cast<std::int16_t>(std::lround(
                                            std::fmax(-3000, std::fmin(3000, celsius->value * 10))))
                                      : link::kNoTemperature;
  t.fan_percent = static_cast<std::uint8_t>(std::lround(std::fmax(0, chain_.fan().value)));
  t.fan_rpm = static_cast<std::uint16_t>(std::lround(std::fmin(65535, bsp_.FanSpeed().value)));
  const PowerReading power = bsp_.ReadPower();
  t.millivolts = static_cast<std::uint16_t>(std::lround(power.voltage.value * 1000));
  t.milliamps = static_cast<std::uint16_t>(std::lround(power.current.value * 1000));
  t.thermal_state = static_cast<std::uint8_t>(chain_.thermal_state());
  int alive = 0;
  for (int i = 0; i < driver_.chips_found(); ++i) {
    alive += driver_.chip(i).alive ? 1 : 0;
  }
  t.chips_alive = static_cast<std::uint8_t>(alive > 255 ? 255 : alive);
  t.nonces = counters_.nonces;
  t.hardware_errors = counters_.hardware_errors;
  t.chain_state = static_cast<std::uint8_t>(chain_.state());
  t.flags =
      static_cast<std::uint8_t>((idled_for_silence_ ? link::kFlagHostSilence : 0) |
                                (boot_ != nullptr && boot_->on_trial() ? link::kFlagTrial : 0));
  t.frequency_quarter_mhz = QuarterMhz(chain_.frequency());
  t.stop_reason = static_cast<std::uint8_t>(chain_.stop_reason());
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
  Reply(frame,
        link::Refusal{static_cast<std::uint8_t>(frame.type), static_cast<std::uint8_t>(code)});
}

void App::OnConfigure(const link::Frame& frame, const link::Configure& m) {
  if (m.frequency_quarter_mhz < 4 * 50 || m.frequency_quarter_mhz > 4 * 1500 ||
      !(m.ticket_difficulty > 0) || m.ticket_difficulty > 1e12F) {
    return Refuse(frame, link::ErrorCode::kBadPayload);
  }
  if (m.core_millivolts != 0 && !bsp_.SetCoreVoltage(Volts{m.core_millivolts / 1000.0})) {
    return Refuse(frame, link::ErrorCode::kBadPayload);
  }
  // Applies at the next ChainReset, less what overheats took off the clock.
  version_mask_ = p::kKeepVersionMask;
  chain_.Configure({Megahertz{m.frequency_quarter_mhz / 4.0}, m.ticket_difficulty, m.version_mask});
  Ack(frame);
}

link::ChipStats App::ChipPage(std::uint8_t first) const {
  link::ChipStats page;
  page.first = first;
  page.total = static_cast<std::uint8_t>(driver_.chips_found());
  for (int i = first; i < driver_.chips_found() && page.count < link::kChipsPerPage; ++i) {
    const p::ChipCounters c = driver_.chip(i);
    page.chips[page.count++] = {c.address.value, static_cast<std::uint8_t>(c.alive ? 1 : 0),
                                c.nonces, c.hardware_errors};
  }
  return page;
}

void App::Handle(const link::Frame& frame, Micros now) {
  ++counters_.frames;
  last_host_ = now;
  heard_host_ = true;
  host_silent_ = false;  // the chain stays idle until the host resets it
  const auto body = frame.body();
  switch (frame.type) {
    case link::Type::kHello: {
      if (!link::DecodeMessage<link::Hello>(body)) {
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
      return Reply(frame, reply);
    }
    case link::Type::kChainReset:
      if (!link::DecodeMessage<link::ChainReset>(body)) {
        return Refuse(frame, link::ErrorCode::kBadPayload);
      }
      if (!chain_.Start(now).ok()) {
        return Refuse(frame, link::ErrorCode::kBusy);  // cooling down after an overheat
      }
      idled_for_silence_ = false;
      mining_since_ = Micros{-1};
      return Ack(frame);
    case link::Type::kConfigure:
      if (const auto m = link::DecodeMessage<link::Configure>(body)) {
        return OnConfigure(frame, *m);
      }
      return Refuse(frame, link::ErrorCode::kBadPayload);
    case link::Type::kWork:
      if (const auto m = link::DecodeMessage<link::Work>(body)) {
        chain_.SetWork({WorkToken{m->token}, m->header, version_mask_});
        return Ack(frame);
      }
      return Refuse(frame, link::ErrorCode::kBadPayload);
    case link::Type::kSetVersionMask:
      if (const auto m = link::DecodeMessage<link::SetVersionMask>(body)) {
        version_mask_ = m->version_mask;
        return Ack(frame);
      }
      return Refuse(frame, link::ErrorCode::kBadPayload);
    case link::Type::kTelemetryRequest:
      if (!link::DecodeMessage<link::TelemetryRequest>(body)) {
        return Refuse(frame, link::ErrorCode::kBadPayload);
      }
      return Reply(frame, Telemetry());
    case link::Type::kChipStatsRequest:
      if (const auto m = link::DecodeMessage<link::ChipStatsRequest>(body)) {
        return Reply(frame, ChipPage(m->first));
      }
      return Refuse(frame, link::ErrorCode::kBadPayload);
    case link::Type::kSetFan: {
      const auto m = link::DecodeMessage<link::SetFan>(body);
      if (!m || (m->percent > 100 && m->percent != link::kAutomaticFan)) {
        return Refuse(frame, link::ErrorCode::kBadPayload);
      }
      chain_.SetManualFan(m->percent == link::kAutomaticFan
                              ? std::nullopt
                              : std::optional<Percent>(Percent{static_cast<double>(m->percent)}));
      return Ack(frame);
    }
    case link::Type::kSetVoltage: {
      const auto m = link::DecodeMessage<link::SetVoltage>(body);
      if (!m || !bsp_.SetCoreVoltage(Volts{m->millivolts / 1000.0})) {
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
      if (!link::DecodeMessage<link::Reboot>(body)) {
        return Refuse(frame, link::ErrorCode::kBadPayload);
      }
      Ack(frame);
      chain_.Stop();
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
    case link::Type::kFlashErase: {
      const auto m = link::DecodeMessage<link::FlashErase>(body);
      if (!m || m->slot != 1 - boot_->running()) {
        return Refuse(frame, link::ErrorCode::kBadPayload);  // only the slot not running
      }
      status = boot_->EraseInactive();
      break;
    }
    case link::Type::kFlashWrite: {
      const auto m = link::DecodeMessage<link::FlashWrite>(body);
      if (!m) {
        return Refuse(frame, link::ErrorCode::kBadPayload);
      }
      status = boot_->WriteInactive(m->offset, std::span(m->data).first(m->size));
      break;
    }
    case link::Type::kFlashVerify: {
      const auto m = link::DecodeMessage<link::FlashVerify>(body);
      if (!m) {
        return Refuse(frame, link::ErrorCode::kBadPayload);
      }
      const auto header = boot_->SlotHeader(1 - boot_->running());
      if (!header || header->sha256 != m->sha256 || !boot_->VerifyInactive()) {
        return Refuse(frame, link::ErrorCode::kVerifyFailed);
      }
      return Ack(frame);
    }
    case link::Type::kFlashCommit:
      if (!link::DecodeMessage<link::FlashCommit>(body)) {
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

void App::Perform(const p::Operation& op) {
  switch (op.kind) {
    case p::Operation::Kind::kWrite:
      return bsp_.ChainWrite(op.data());
    case p::Operation::Kind::kSetBaud:
      return bsp_.ChainSetBaud(op.baud);
    case p::Operation::Kind::kReset:
      return bsp_.ChainReset(op.reset_asserted);
    case p::Operation::Kind::kSetFan:
      return bsp_.SetFan(op.fan);
    case p::Operation::Kind::kNone:
      return;
  }
}

bool App::PerformDue(Micros now) {
  bool any = false;
  for (int i = 0; i < 64; ++i) {
    const p::Operation op = chain_.Poll(now);
    if (op.kind == p::Operation::Kind::kNone) {
      break;
    }
    any = true;
    Perform(op);
  }
  return any;
}

bool App::PumpChain(Micros now) {
  bool any = PerformDue(now);
  std::array<std::uint8_t, 256> buffer{};
  for (int round = 0; round < 8; ++round) {
    const std::size_t n = bsp_.ChainRead(buffer);
    if (n == 0) {
      break;
    }
    any = true;
    chain_.OnBytes(std::span(buffer).first(n), now);
  }
  // Every nonce is checked against its work (the host checks again against the share
  // target): one that misses the ticket is a hardware error of that chip.
  p::CheckedNonce n;
  while (chain_.NextNonce(n)) {
    counters_.hardware_errors += n.meets_ticket ? 0 : 1;
    ++counters_.nonces;
    const p::NonceEvent& e = n.event;
    Send(link::EncodeMessage(0, link::Nonce{e.token.value, static_cast<std::uint8_t>(e.chip),
                                            e.core, e.nonce.value, e.version.value}));
  }
  if (chain_.mining()) {
    if (mining_since_ < Micros{0}) {
      mining_since_ = now;
    }
  } else {
    mining_since_ = Micros{-1};
  }
  return any;
}

void App::RunThermal(Micros now) {
  if (!chain_.ThermalDue(now)) {
    return;
  }
  last_thermal_ = now;
  chain_.OnTemperature(bsp_.Temperature(), now);
  (void)PerformDue(now);  // a stop holds the chips in reset at once, the fan follows
  const p::ThermalState state = chain_.thermal_state();
  if (state != last_thermal_state_) {
    if (state == p::ThermalState::kStopped) {
      ++counters_.thermal_stops;
    }
    last_thermal_state_ = state;
    Send(link::EncodeMessage(0, Telemetry()));  // unsolicited: the host learns at once
  }
}

void App::WatchHost(Micros now) {
  if (!heard_host_ || host_silent_ || now - last_host_ < config_.host_silence) {
    return;
  }
  host_silent_ = true;
  idled_for_silence_ = true;
  ++counters_.host_silences;
  chain_.Stop();
  chain_.SetManualFan(std::nullopt);  // the fans go back to the thermal loop
  (void)PerformDue(now);
}

void App::MaybeConfirm(Micros now) {
  if (boot_ == nullptr || !boot_->on_trial() || mining_since_ < Micros{0} || host_silent_ ||
      now - mining_since_ < config_.confirm_after) {
    return;
  }
  (void)boot_->Confirm();  // a failed write is retried on the next pass
}

}  // namespace hashrig::firmware
