// Streaming SHA-256 over a compression function, and the reference double hash. Kept
// freestanding: the firmware compiles this file for the MCU.
#include "hashrig/sha256/stream.h"

#include <algorithm>

#include "hashrig/sha256/math.h"

namespace hashrig::sha256 {

void StreamHasher::Reset() {
  state_ = kInitialState;
  buffered_ = 0;
  length_ = 0;
}

StreamHasher& StreamHasher::Update(std::span<const std::uint8_t> data) {
  length_ += data.size();
  if (buffered_ > 0) {
    const std::size_t take = std::min(kBlockSize - buffered_, data.size());
    std::copy_n(data.begin(), take, buffer_.begin() + static_cast<std::ptrdiff_t>(buffered_));
    buffered_ += take;
    data = data.subspan(take);
    if (buffered_ < kBlockSize) {
      return *this;
    }
    compress_(state_.words.data(), buffer_.data(), 1);
    buffered_ = 0;
  }
  const std::size_t whole = data.size() / kBlockSize;
  if (whole > 0) {
    compress_(state_.words.data(), data.data(), whole);
    data = data.subspan(whole * kBlockSize);
  }
  std::copy(data.begin(), data.end(), buffer_.begin());
  buffered_ = data.size();
  return *this;
}

Digest StreamHasher::Finalize() {
  const std::uint64_t bits = length_ * 8;
  std::array<std::uint8_t, 2 * kBlockSize> pad{};
  pad[0] = 0x80;
  // Pad to 56 mod 64, then the 64-bit big-endian bit length.
  const std::size_t pad_len = (buffered_ < 56 ? 56 - buffered_ : 120 - buffered_);
  for (int i = 0; i < 8; ++i) {
    pad[pad_len + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(bits >> (56 - 8 * i));
  }
  Update(std::span(pad.data(), pad_len + 8));
  Digest out;
  for (std::size_t i = 0; i < 8; ++i) {
    WriteBe32(out.data() + 4 * i, state_.words[i]);
  }
  Reset();
  return out;
}

Digest ScalarDoubleHash(std::span<const std::uint8_t> data) {
  StreamHasher hasher(ScalarCompress);
  const Digest first = hasher.Update(data).Finalize();
  return hasher.Update(first).Finalize();
}

}  // namespace hashrig::sha256
