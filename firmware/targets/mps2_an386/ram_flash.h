// The AN386's "flash" under QEMU: a region of SRAM with NOR semantics (erase to 0xFF,
// programming only clears bits), which QEMU keeps across a system reset. A production
// board puts its flash controller's erase/program sequence behind the same interface.
#pragma once

#include <cstdint>

#include "hashrig/firmware/flash.h"

namespace hashrig::mps2 {

inline constexpr std::uint32_t kFlashBase = 0x20200000;
inline constexpr std::size_t kFlashSectorSize = 4096;
inline constexpr std::size_t kSlotSectors = 64;  // 256 KiB slots
inline constexpr std::size_t kFlashSectors = 2 + 2 * kSlotSectors;
inline constexpr std::uint32_t kBoardId = 0x3638334D;  // "M386"
// Where the bootloader runs an app: the slot's body is copied here (its link address).
inline constexpr std::uint32_t kAppBase = 0x00100000;

class RamFlash final : public firmware::Flash {
 public:
  std::size_t size() const override { return kFlashSectors * kFlashSectorSize; }
  std::size_t sector_size() const override { return kFlashSectorSize; }
  Status Erase(std::size_t sector) override {
    if (sector >= kFlashSectors) {
      return {StatusCode::kInvalidArgument, "no such sector"};
    }
    volatile std::uint8_t* p = Bytes() + sector * kFlashSectorSize;
    for (std::size_t i = 0; i < kFlashSectorSize; ++i) {
      p[i] = 0xFF;
    }
    return {};
  }
  Status Program(std::size_t offset, std::span<const std::uint8_t> data) override {
    if (offset + data.size() > size()) {
      return {StatusCode::kInvalidArgument, "program outside the flash"};
    }
    volatile std::uint8_t* p = Bytes() + offset;
    for (std::size_t i = 0; i < data.size(); ++i) {
      p[i] = static_cast<std::uint8_t>(p[i] & data[i]);
    }
    return {};
  }
  Status Read(std::size_t offset, std::span<std::uint8_t> out) const override {
    if (offset + out.size() > size()) {
      return {StatusCode::kInvalidArgument, "read outside the flash"};
    }
    const volatile std::uint8_t* p = Bytes() + offset;
    for (std::size_t i = 0; i < out.size(); ++i) {
      out[i] = p[i];
    }
    return {};
  }

 private:
  static volatile std::uint8_t* Bytes() {
    return reinterpret_cast<volatile std::uint8_t*>(kFlashBase);
  }
};

// What the bootloader tells the app it started (a fixed word block below the flash).
struct Handoff {
  std::uint32_t magic;
  std::uint32_t slot;
  std::uint32_t trial;
  std::uint32_t version;
};
inline constexpr std::uint32_t kHandoffMagic = 0x46464F48;  // "HOFF"
inline Handoff* HandoffBlock() { return reinterpret_cast<Handoff*>(kFlashBase - 0x100); }

}  // namespace hashrig::mps2
