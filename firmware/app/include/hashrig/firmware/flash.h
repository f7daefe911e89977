// Flash as the bootloader sees it: sectors erased to 0xFF, programming only clears bits.
// SimFlash is the test and host_sim device: real erase/program semantics, and a power
// cut that tears exactly one operation and then refuses everything until power returns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "hashrig/base/status.h"

namespace hashrig::firmware {

class Flash {
 public:
  virtual ~Flash() = default;
  virtual std::size_t size() const = 0;
  virtual std::size_t sector_size() const = 0;
  virtual Status Erase(std::size_t sector) = 0;
  // Programs bytes at `offset`; a bit can only go from 1 to 0 (program erased flash).
  virtual Status Program(std::size_t offset, std::span<const std::uint8_t> data) = 0;
  virtual Status Read(std::size_t offset, std::span<std::uint8_t> out) const = 0;
};

class SimFlash final : public Flash {
 public:
  SimFlash(std::size_t sectors, std::size_t sector_size);

  std::size_t size() const override { return bytes_.size(); }
  std::size_t sector_size() const override { return sector_size_; }
  Status Erase(std::size_t sector) override;
  Status Program(std::size_t offset, std::span<const std::uint8_t> data) override;
  Status Read(std::size_t offset, std::span<std::uint8_t> out) const override;

  // The power fails during operation number `operation` (counting from now, from 0): it
  // is half done, and every later operation fails until PowerOn().
  void CutPowerAt(std::size_t operation) { cut_at_ = operation; }
  void PowerOn() {
    cut_at_ = static_cast<std::size_t>(-1);
    dead_ = false;
  }
  std::size_t operations() const { return operations_; }
  bool dead() const { return dead_; }

 private:
  enum class Power { kOn, kTorn, kOff };
  Power Step();  // kTorn: this operation is cut half way; kOff: power already gone

  std::vector<std::uint8_t> bytes_;
  std::size_t sector_size_;
  std::size_t operations_ = 0;
  std::size_t cut_at_ = static_cast<std::size_t>(-1);
  bool dead_ = false;
};

}  // namespace hashrig::firmware
