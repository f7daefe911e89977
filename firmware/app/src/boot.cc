#include "hashrig/firmware/boot.h"

#include "hashrig/hal/protocol/crc.h"
#include "hashrig/hal/protocol/le.h"
#include "hashrig/sha256/stream.h"

namespace hashrig::firmware {
namespace {

using hal::protocol::LoadLe32;
using hal::protocol::StoreLe32;

constexpr std::size_t kRecordSize = 16;  // magic, sequence, active, trial, boots, pad, CRC-16

}  // namespace

std::optional<ImageHeader> Boot::SlotHeader(int slot) const {
  std::array<std::uint8_t, kImageHeaderSize> bytes{};
  if (!flash_.Read(layout_.SlotOffset(slot, flash_.sector_size()), bytes).ok()) {
    return std::nullopt;
  }
  return DecodeImageHeader(bytes);
}

bool Boot::SlotValid(int slot) const {
  const auto header = SlotHeader(slot);
  const std::size_t capacity = layout_.slot_sectors * flash_.sector_size();
  if (!header || header->board_id != board_id_ || header->size + kImageHeaderSize > capacity) {
    return false;
  }
  sha256::StreamHasher hasher(sha256::ScalarCompress);
  std::array<std::uint8_t, 256> chunk{};
  const std::size_t body = layout_.SlotOffset(slot, flash_.sector_size()) + kImageHeaderSize;
  for (std::size_t done = 0; done < header->size;) {
    const std::size_t n = std::min<std::size_t>(chunk.size(), header->size - done);
    if (!flash_.Read(body + done, std::span(chunk).first(n)).ok()) {
      return false;
    }
    hasher.Update(std::span(chunk).first(n));
    done += n;
  }
  return hasher.Finalize() == header->sha256;
}

std::optional<BootRecord> Boot::NewestRecord() const {
  std::optional<BootRecord> newest;
  for (std::size_t sector = 0; sector < 2; ++sector) {
    std::array<std::uint8_t, kRecordSize> b{};
    const bool read = flash_.Read(sector * flash_.sector_size(), b).ok();
    const auto crc = static_cast<std::uint16_t>(b[12] | b[13] << 8);
    if (!read || LoadLe32(&b[0]) != kRecordMagic ||
        crc != hal::protocol::Crc16False(std::span(b).first(12))) {
      continue;  // empty, or torn by a power cut
    }
    const BootRecord r{LoadLe32(&b[4]), b[8], b[9], b[10]};
    if (!newest || r.sequence > newest->sequence) {
      newest = r;
    }
  }
  return newest;
}

Status Boot::WriteRecord(const BootRecord& r) {
  // Records alternate between sectors 0 and 1: the other one keeps the previous record.
  const std::size_t sector = r.sequence % 2;
  std::array<std::uint8_t, kRecordSize> b{};
  b.fill(0xFF);
  StoreLe32(&b[0], kRecordMagic);
  StoreLe32(&b[4], r.sequence);
  b[8] = r.active;
  b[9] = r.trial;
  b[10] = r.trial_boots;
  b[11] = 0;
  const std::uint16_t crc = hal::protocol::Crc16False(std::span(b).first(12));
  b[12] = static_cast<std::uint8_t>(crc);
  b[13] = static_cast<std::uint8_t>(crc >> 8);
  if (Status s = flash_.Erase(sector); !s.ok()) {
    return s;
  }
  return flash_.Program(sector * flash_.sector_size(), b);
}

Result<BootChoice> Boot::Choose() {
  BootRecord record = NewestRecord().value_or(
      BootRecord{0, SlotValid(0) ? std::uint8_t{0} : std::uint8_t{1}, 0xFF, 0});
  if (record.trial <= 1) {
    if (record.trial_boots == 0 && SlotValid(record.trial)) {
      // First boot of a new image: count it before running it.
      BootRecord next{record.sequence + 1, record.active, record.trial, 1};
      if (Status s = WriteRecord(next); !s.ok()) {
        return s;
      }
      running_ = record.trial;
      trial_ = true;
      return BootChoice{running_, SlotHeader(running_)->version, true};
    }
    // It ran once and never confirmed itself (or it is not valid): roll back.
    record = BootRecord{record.sequence + 1, record.active, 0xFF, 0};
    if (Status s = WriteRecord(record); !s.ok()) {
      return s;
    }
  }
  int slot = record.active <= 1 ? record.active : 0;
  if (!SlotValid(slot)) {
    slot = 1 - slot;  // the recorded slot is gone: the other one, if it is good
    if (!SlotValid(slot)) {
      return Status(StatusCode::kNotFound, "no valid image in either slot");
    }
  }
  running_ = slot;
  return BootChoice{slot, SlotHeader(slot)->version, false};
}

Status Boot::Confirm() {
  const auto record = NewestRecord();
  if (!record || record->trial != running_) {
    return Status(StatusCode::kFailedPrecondition, "not running on trial");
  }
  Status s = WriteRecord({record->sequence + 1, static_cast<std::uint8_t>(running_), 0xFF, 0});
  trial_ = trial_ && !s.ok();
  return s;
}

Status Boot::EraseInactive() {
  if (running_ < 0) {
    return Status(StatusCode::kFailedPrecondition, "boot first");
  }
  const std::size_t first =
      layout_.SlotOffset(1 - running_, flash_.sector_size()) / flash_.sector_size();
  for (std::size_t i = 0; i < layout_.slot_sectors; ++i) {
    if (Status s = flash_.Erase(first + i); !s.ok()) {
      return s;
    }
  }
  return {};
}

Status Boot::WriteInactive(std::size_t offset, std::span<const std::uint8_t> data) {
  if (running_ < 0 || offset + data.size() > layout_.slot_sectors * flash_.sector_size()) {
    return Status(StatusCode::kInvalidArgument, "write outside the slot");
  }
  return flash_.Program(layout_.SlotOffset(1 - running_, flash_.sector_size()) + offset, data);
}

bool Boot::VerifyInactive() const { return running_ >= 0 && SlotValid(1 - running_); }

Status Boot::CommitInactive() {
  if (!VerifyInactive()) {
    return Status(StatusCode::kFailedPrecondition, "the new image does not verify");
  }
  const auto record = NewestRecord();
  const std::uint32_t sequence = record ? record->sequence + 1 : 1;
  return WriteRecord(
      {sequence, static_cast<std::uint8_t>(running_), static_cast<std::uint8_t>(1 - running_), 0});
}

}  // namespace hashrig::firmware
