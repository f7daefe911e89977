// A ByteLink that passes every call to another one: the base of the tests' faulty links,
// each of which overrides only the call its fault is in (a late read, a starved first
// read, one I2C address that never answers). Owns the inner link or borrows it.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "hashrig/hal/link.h"

namespace hashrig::testing {

class ForwardingLink : public hal::ByteLink {
 public:
  explicit ForwardingLink(std::unique_ptr<hal::ByteLink> inner)
      : owned_(std::move(inner)), inner_(*owned_) {}
  explicit ForwardingLink(hal::ByteLink& inner) : inner_(inner) {}

  Error Write(std::span<const std::uint8_t> bytes) override { return inner_.Write(bytes); }
  Error ReadFor(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout,
                std::size_t& received) override {
    return inner_.ReadFor(buffer, timeout, received);
  }
  Error SetBaud(std::uint32_t baud) override { return inner_.SetBaud(baud); }
  Error SetReset(bool asserted) override { return inner_.SetReset(asserted); }
  std::string Describe() const override { return inner_.Describe(); }

 private:
  std::unique_ptr<hal::ByteLink> owned_;
  hal::ByteLink& inner_;
};

}  // namespace hashrig::testing
