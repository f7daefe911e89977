#include "hashrig/firmware/flash.h"

namespace hashrig::firmware {

SimFlash::SimFlash(std::size_t sectors, std::size_t sector_size)
    : bytes_(sectors * sector_size, 0xFF), sector_size_(sector_size) {}

SimFlash::Power SimFlash::Step() {
  if (dead_) {
    return Power::kOff;
  }
  if (operations_++ == cut_at_) {
    dead_ = true;
    return Power::kTorn;
  }
  return Power::kOn;
}

Status SimFlash::Erase(std::size_t sector) {
  if ((sector + 1) * sector_size_ > bytes_.size()) {
    return Status(StatusCode::kInvalidArgument, "erase past the end of flash");
  }
  const Power power = Step();
  if (power == Power::kOff) {
    return Status(StatusCode::kUnavailable, "power is off");
  }
  // A torn erase leaves the first half erased and the rest as it was.
  const std::size_t begin = sector * sector_size_;
  const std::size_t end = begin + (power == Power::kOn ? sector_size_ : sector_size_ / 2);
  for (std::size_t i = begin; i < end; ++i) {
    bytes_[i] = 0xFF;
  }
  return power == Power::kOn ? Status()
                             : Status(StatusCode::kUnavailable, "power cut during erase");
}

Status SimFlash::Program(std::size_t offset, std::span<const std::uint8_t> data) {
  if (offset + data.size() > bytes_.size()) {
    return Status(StatusCode::kInvalidArgument, "program past the end of flash");
  }
  const Power power = Step();
  if (power == Power::kOff) {
    return Status(StatusCode::kUnavailable, "power is off");
  }
  // A torn program writes only the first half of the bytes.
  const std::size_t count = power == Power::kOn ? data.size() : data.size() / 2;
  for (std::size_t i = 0; i < count; ++i) {
    bytes_[offset + i] &= data[i];  // flash can only clear bits
  }
  return power == Power::kOn ? Status()
                             : Status(StatusCode::kUnavailable, "power cut during program");
}

Status SimFlash::Read(std::size_t offset, std::span<std::uint8_t> out) const {
  if (offset + out.size() > bytes_.size()) {
    return Status(StatusCode::kInvalidArgument, "read past the end of flash");
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = bytes_[offset + i];
  }
  return {};
}

}  // namespace hashrig::firmware
