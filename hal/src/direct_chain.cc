#include "hashrig/hal/direct_chain.h"

#include <array>

namespace hashrig::hal {
namespace {

protocol::ControllerConfig ControllerFor(bool has_sensor, const protocol::ThermalConfig& thermal) {
  protocol::ControllerConfig c;
  c.thermal = thermal;
  c.has_sensor = has_sensor;
  return c;
}

}  // namespace

DirectChain::DirectChain(std::unique_ptr<ByteLink> link, const protocol::DriverConfig& config,
                         std::unique_ptr<BoardPeripherals> board,
                         const protocol::ThermalConfig& thermal)
    : link_(std::move(link)),
      board_(std::move(board)),
      driver_(config),
      chain_(driver_, ControllerFor(board_ != nullptr, thermal)),
      epoch_(std::chrono::steady_clock::now()) {}

protocol::Micros DirectChain::Now() const {
  return std::chrono::duration_cast<protocol::Micros>(std::chrono::steady_clock::now() - epoch_);
}

Error DirectChain::Perform(const protocol::Operation& op) {
  switch (op.kind) {
    case protocol::Operation::Kind::kWrite:
      return link_->Write(op.data());
    case protocol::Operation::Kind::kSetBaud:
      return link_->SetBaud(op.baud);
    case protocol::Operation::Kind::kReset:
      // Where the board routes nRST (bitaxe-raw's GPIO), the link's DTR does nothing.
      return board_ != nullptr ? board_->SetReset(op.reset_asserted)
                               : link_->SetReset(op.reset_asserted);
    case protocol::Operation::Kind::kSetFan:
      return board_ != nullptr ? board_->SetFan(op.fan) : Error();
    case protocol::Operation::Kind::kNone:
      return {};
  }
  return {};
}

namespace {
constexpr protocol::Micros kCoreReadEvery{1'000'000};
}  // namespace

Error DirectChain::Step(std::chrono::milliseconds wait) {
  const protocol::Micros now = Now();
  if (board_ != nullptr && chain_.ThermalDue(now)) {
    chain_.OnTemperature(board_->Temperature(), now);
  }
  if (board_ != nullptr && now - core_read_at_ >= kCoreReadEvery) {
    core_read_at_ = now;
    core_ = board_->ReadCore();
  }
  for (int i = 0; i < 64; ++i) {
    const protocol::Operation op = chain_.Poll(Now());
    if (op.kind == protocol::Operation::Kind::kNone) {
      break;
    }
    if (Error status = Perform(op); !status.ok()) {
      return status;
    }
  }
  std::array<std::uint8_t, 4096> buffer;  // NOLINT(cppcoreguidelines-pro-type-member-init)
  std::size_t received = 0;
  Error status = link_->ReadFor(buffer, wait, received);
  // A full buffer means more is waiting (a host may read a mining chain only every few
  // tens of milliseconds): read on, up to 64 KiB a step.
  for (int i = 0; received > 0; ++i) {
    chain_.OnBytes(std::span(buffer.data(), received), Now());
    if (!status.ok() || received < buffer.size() || i == 15) {
      break;
    }
    status = link_->ReadFor(buffer, std::chrono::milliseconds(0), received);
  }
  return status;
}

Error DirectChain::RunUntilMining(std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (Error status = Step(std::chrono::milliseconds(1)); !status.ok()) {
      return status;
    }
    if (chain_.state() == protocol::ChainState::kMining) {
      return {};
    }
    if (chain_.state() == protocol::ChainState::kFailed) {
      return driver_.status();
    }
  }
  return {StatusCode::kTimeout, "chain not mining within the time limit"};
}

}  // namespace hashrig::hal
