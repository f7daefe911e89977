#include "hashrig/hal/direct_chain.h"

#include <array>

namespace hashrig::hal {

DirectChain::DirectChain(std::unique_ptr<ByteLink> link, const protocol::DriverConfig& config)
    : link_(std::move(link)), driver_(config), epoch_(std::chrono::steady_clock::now()) {}

protocol::Micros DirectChain::Now() const {
  return std::chrono::duration_cast<protocol::Micros>(std::chrono::steady_clock::now() - epoch_);
}

void DirectChain::Start() { driver_.Start(Now()); }

Error DirectChain::Hold() {
  driver_.Idle();
  return link_->SetReset(true);
}

void DirectChain::Restart(const protocol::DriverConfig& config) {
  driver_.Reconfigure(config);
  driver_.Start(Now());
}

Error DirectChain::Step(std::chrono::milliseconds wait) {
  for (int i = 0; i < 64; ++i) {
    const protocol::Operation op = driver_.Poll(Now());
    Error status;
    switch (op.kind) {
      case protocol::Operation::Kind::kNone:
        i = 64;
        break;
      case protocol::Operation::Kind::kWrite:
        status = link_->Write(op.data());
        break;
      case protocol::Operation::Kind::kSetBaud:
        status = link_->SetBaud(op.baud);
        break;
      case protocol::Operation::Kind::kReset:
        status = link_->SetReset(op.reset_asserted);
        break;
    }
    if (!status.ok()) {
      return status;
    }
  }
  std::array<std::uint8_t, 4096> buffer{};
  std::size_t received = 0;
  Error status = link_->ReadFor(buffer, wait, received);
  if (received > 0) {
    driver_.OnBytes(std::span(buffer.data(), received), Now());
  }
  return status;
}

Error DirectChain::RunUntilMining(std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (Error status = Step(std::chrono::milliseconds(1)); !status.ok()) {
      return status;
    }
    if (driver_.state() == protocol::ChainState::kMining) {
      return {};
    }
    if (driver_.state() == protocol::ChainState::kFailed) {
      return driver_.status();
    }
  }
  return {StatusCode::kTimeout, "chain not mining within the time limit"};
}

}  // namespace hashrig::hal
