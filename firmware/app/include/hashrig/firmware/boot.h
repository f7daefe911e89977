// A/B boot and update, as the controller board's bootloader and app run them, over any
// Flash. Layout: sectors 0 and 1 hold boot records (written alternately, each with a
// sequence number and CRC, so a torn write leaves the other one); then slot A, then
// slot B. An image is a header (magic, board id, version, size, SHA-256 of the body)
// followed by its body. The bootloader boots the newest valid slot, boots a new image
// once on trial and rolls back unless the app confirms it; the active slot is never
// erased, so a power cut at any point leaves a bootable board.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "hashrig/base/status.h"
#include "hashrig/firmware/flash.h"
#include "hashrig/firmware/image.h"

namespace hashrig::firmware {

inline constexpr std::uint32_t kRecordMagic = 0x52425248;  // "HRBR"

struct Layout {
  std::size_t slot_sectors = 0;  // sectors per slot
  std::size_t SlotOffset(int slot, std::size_t sector_size) const {
    return (2 + static_cast<std::size_t>(slot) * slot_sectors) * sector_size;
  }
};

struct BootRecord {
  std::uint32_t sequence = 0;
  std::uint8_t active = 0;    // 0 A, 1 B
  std::uint8_t trial = 0xFF;  // the slot on trial, 0xFF none
  std::uint8_t trial_boots = 0;
};

struct BootChoice {
  int slot = -1;
  std::uint32_t version = 0;
  bool trial = false;
};

class Boot {
 public:
  Boot(Flash& flash, Layout layout, std::uint32_t board_id)
      : flash_(flash), layout_(layout), board_id_(board_id) {}

  // The bootloader: which slot to run (writing the trial count or a rollback first).
  Result<BootChoice> Choose();
  // The app, started by a bootloader that ran Choose(): which slot runs, and whether on
  // trial (nothing is written).
  void Adopt(int slot, bool trial) {
    running_ = slot;
    trial_ = trial;
  }
  // The app running on trial declares itself good.
  Status Confirm();

  // Updates, into the slot not running now.
  Status EraseInactive();
  Status WriteInactive(std::size_t offset, std::span<const std::uint8_t> data);
  bool VerifyInactive() const;
  Status CommitInactive();  // boot it next, on trial

  bool SlotValid(int slot) const;
  std::optional<ImageHeader> SlotHeader(int slot) const;
  std::optional<BootRecord> NewestRecord() const;
  Status WriteRecord(const BootRecord& record);
  int running() const { return running_; }
  std::uint32_t board_id() const { return board_id_; }
  std::size_t slot_bytes() const { return layout_.slot_sectors * flash_.sector_size(); }
  bool on_trial() const { return trial_; }  // running a new image not yet confirmed

 private:
  Flash& flash_;
  Layout layout_;
  std::uint32_t board_id_;
  int running_ = -1;
  bool trial_ = false;
};

}  // namespace hashrig::firmware
