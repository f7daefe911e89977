#include "sim_chain.h"

#include <algorithm>

namespace hashrig::host {

namespace p = hal::protocol;

SimChain::SimChain(std::string name, hal::sim::ChainConfig chain, const p::DriverConfig& driver)
    : name_(std::move(name)),
      chain_(chain),
      driver_(driver),
      epoch_(std::chrono::steady_clock::now()) {}

p::Micros SimChain::Now() const {
  return std::chrono::duration_cast<p::Micros>(std::chrono::steady_clock::now() - epoch_);
}

void SimChain::Start() { driver_.Start(Now()); }

void SimChain::SetWork(const ChainWork& work) {
  pending_ = work;
  has_work_ = true;
}

void SimChain::Step(p::Micros now) {
  for (int i = 0; i < 64; ++i) {
    const p::Operation op = driver_.Poll(now);
    if (op.kind == p::Operation::Kind::kNone) {
      break;
    }
    if (op.kind == p::Operation::Kind::kWrite) {
      chain_.Receive(op.data(), driver_.host_baud());
    } else if (op.kind == p::Operation::Kind::kReset && op.reset_asserted) {
      chain_.HardwareReset();
    }
  }
  chain_.Advance(now - last_);
  last_ = now;
  driver_.OnBytes(chain_.TakeOutput(driver_.host_baud()), now);
}

void SimChain::Poll(std::chrono::milliseconds budget, std::vector<FoundNonce>& found) {
  const auto until = Now() + budget;
  do {
    if (has_work_ && driver_.state() == p::ChainState::kMining) {
      p::HeaderJob job;
      const auto& h = pending_.header;
      auto le32 = [&h](std::size_t at) {
        return static_cast<std::uint32_t>(h[at]) | h[at + 1] << 8 | h[at + 2] << 16 |
               static_cast<std::uint32_t>(h[at + 3]) << 24;
      };
      job.version = le32(0);
      std::copy(h.begin() + 4, h.begin() + 36, job.prev_hash.begin());
      std::copy(h.begin() + 36, h.begin() + 68, job.merkle_root.begin());
      job.ntime = le32(68);
      job.nbits = le32(72);
      if (driver_.SendJob(job, pending_.token).ok()) {
        has_work_ = false;
      }
    }
    Step(Now());
    p::NonceEvent e;
    while (driver_.NextNonce(e)) {
      found.push_back({e.token, e.chip, e.nonce, e.version, e.ticket_difficulty});
    }
  } while (Now() < until);
}

ChainStatus SimChain::status() const {
  ChainStatus s;
  s.mining = driver_.state() == p::ChainState::kMining;
  s.chips = driver_.chips_found();
  s.state = p::ToString(driver_.state());
  if (!driver_.status().ok()) {
    s.state += std::string(": ") + driver_.status().message();
  }
  return s;
}

}  // namespace hashrig::host

namespace hashrig::host {

std::string Describe(const ChainStatus& status) {
  return status.state + " (" + std::to_string(status.chips) + " chips)";
}

}  // namespace hashrig::host
