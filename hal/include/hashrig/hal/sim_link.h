// A byte link to a simulated chain in the same process: what a serial link would carry,
// in real time, without a PTY. Tools (`hashrig scan`, `hashrig board-test`) use it for
// `sim` boards so that every board kind goes through the same driver code.
#pragma once

#include <chrono>
#include <deque>

#include "hashrig/hal/link.h"
#include "hashrig/hal/sim/chain.h"

namespace hashrig::hal {

class SimLink final : public ByteLink {
 public:
  explicit SimLink(const sim::ChainConfig& config) : chain_(config) {}

  Error Write(std::span<const std::uint8_t> bytes) override {
    chain_.Receive(bytes, baud_);
    return {};
  }
  Error ReadFor(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout,
                std::size_t& received) override;
  Error SetBaud(std::uint32_t baud) override {
    baud_ = baud;
    return {};
  }
  Error SetReset(bool asserted) override {
    if (asserted) {
      chain_.HardwareReset();
    }
    return {};
  }
  std::string Describe() const override { return "sim"; }
  sim::Chain& chain() { return chain_; }

 private:
  sim::Chain chain_;
  std::uint32_t baud_ = 115'200;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
  std::deque<std::uint8_t> pending_;
};

}  // namespace hashrig::hal
