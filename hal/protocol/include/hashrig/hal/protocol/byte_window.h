// The bytes a frame decoder holds while it looks for a frame, shared by every wire codec
// here (BM13xx, the board link, bitaxe-raw): fixed size, no heap.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace hashrig::hal::protocol {

// The bytes a decoder holds while it looks for a frame: appended at the back, dropped
// from the front (counted as skipped), the oldest lost if the caller never takes frames.
template <std::size_t N>
class ByteWindow {
 public:
  void Push(std::uint8_t byte) {
    if (size_ == N) {
      Drop(1);
    }
    if (head_ + size_ == N) {
      // Out of room at the back: move the held bytes to the front, once per N - size
      // pushes, not once per dropped byte.
      std::copy(bytes_.begin() + head_, bytes_.begin() + head_ + size_, bytes_.begin());
      head_ = 0;
    }
    bytes_[head_ + size_++] = byte;
  }
  // O(1): a decoder drops garbage a byte at a time, and moving the window for each was a
  // third of the board link's and BM13xx's fuzz targets' time under ASan.
  void Drop(std::size_t count, bool skipped = true) {
    if (skipped) {
      skipped_ += static_cast<std::uint32_t>(count);
    }
    size_ -= count;
    head_ = size_ == 0 ? 0 : head_ + count;
  }
  std::size_t size() const { return size_; }
  std::uint8_t operator[](std::size_t i) const { return bytes_[head_ + i]; }
  std::span<const std::uint8_t> span(std::size_t from, std::size_t count) const {
    return {bytes_.data() + head_ + from, count};
  }
  std::uint32_t skipped() const { return skipped_; }

 private:
  std::array<std::uint8_t, N> bytes_{};
  std::size_t head_ = 0;  // index of the oldest byte held
  std::size_t size_ = 0;
  std::uint32_t skipped_ = 0;
};

}  // namespace hashrig::hal::protocol
