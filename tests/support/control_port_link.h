// A bitaxe-raw control port in memory: hal/sim's ControlPortTwin (simulated TPS546 and
// EMC2101 on its I2C) behind a ByteLink, as the host's drivers see a real one.
#pragma once

#include <algorithm>
#include <deque>
#include <vector>

#include "hashrig/hal/link.h"
#include "hashrig/hal/sim/control_port.h"

namespace hashrig::testing {

class ControlPortLink final : public hal::ByteLink {
 public:
  explicit ControlPortLink(hal::sim::ControlPortTwin& twin) : twin_(twin) {}
  Error Write(std::span<const std::uint8_t> bytes) override {
    requests.emplace_back(bytes.begin(), bytes.end());
    for (const std::uint8_t b : twin_.Receive(bytes)) {
      replies_.push_back(b);
    }
    return {};
  }
  Error ReadFor(std::span<std::uint8_t> buffer, std::chrono::milliseconds,
                std::size_t& received) override {
    received = std::min(buffer.size(), replies_.size());
    std::copy_n(replies_.begin(), received, buffer.begin());
    replies_.erase(replies_.begin(), replies_.begin() + static_cast<std::ptrdiff_t>(received));
    return {};
  }
  Error SetBaud(std::uint32_t) override { return {}; }
  Error SetReset(bool) override { return {}; }
  std::string Describe() const override { return "simulated bitaxe-raw control port"; }

  std::vector<std::vector<std::uint8_t>> requests;

 private:
  hal::sim::ControlPortTwin& twin_;
  std::deque<std::uint8_t> replies_;
};

}  // namespace hashrig::testing
