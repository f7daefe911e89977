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
    bytes_[size_++] = byte;
  }
  void Drop(std::size_t count, bool skipped = true) {
    if (skipped) {
      skipped_ += static_cast<std::uint32_t>(count);
    }
    size_ -= count;
    // One memmove: garbage is dropped a byte at a time, and a loop of N byte copies per
    // byte was a third of fuzz_board_link's time (N = 325) under ASan.
    std::copy(bytes_.begin() + count, bytes_.begin() + count + size_, bytes_.begin());
  }
  std::size_t size() const { return size_; }
  std::uint8_t operator[](std::size_t i) const { return bytes_[i]; }
  std::span<const std::uint8_t> span(std::size_t from, std::size_t count) const {
    return {bytes_.data() + from, count};
  }
  std::uint32_t skipped() const { return skipped_; }

 private:
  std::array<std::uint8_t, N> bytes_{};
  std::size_t size_ = 0;
  std::uint32_t skipped_ = 0;
};

}  // namespace hashrig::hal::protocol
