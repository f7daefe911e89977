#include "hashrig/sha256/sha256.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "kernel_table.h"
#include "sha256_math.h"

namespace hashrig::sha256 {

Sha256::Sha256(Backend backend) : backend_(backend), state_(kInitialState) {}

Sha256::Sha256(const State& midstate, std::uint64_t blocks_done, Backend backend)
    : backend_(backend), state_(midstate), length_(blocks_done * kBlockSize) {}

void Sha256::Reset() {
  state_ = kInitialState;
  buffered_ = 0;
  length_ = 0;
}

Sha256& Sha256::Update(std::span<const std::uint8_t> data) {
  if (data.empty()) {
    return *this;  // an empty span may carry a null pointer, which memcpy must not see
  }
  const auto compress = backend_.stream_kernels().compress;
  length_ += data.size();
  if (buffered_ > 0) {
    const std::size_t take = std::min(kBlockSize - buffered_, data.size());
    std::memcpy(buffer_.data() + buffered_, data.data(), take);
    buffered_ += take;
    data = data.subspan(take);
    if (buffered_ < kBlockSize) {
      return *this;
    }
    compress(state_.words.data(), buffer_.data(), 1);
    buffered_ = 0;
  }
  const std::size_t whole = data.size() / kBlockSize;
  if (whole > 0) {
    compress(state_.words.data(), data.data(), whole);
    data = data.subspan(whole * kBlockSize);
  }
  if (!data.empty()) {
    std::memcpy(buffer_.data(), data.data(), data.size());
  }
  buffered_ = data.size();
  return *this;
}

Digest Sha256::Finalize() {
  const std::uint64_t bits = length_ * 8;
  std::array<std::uint8_t, 2 * kBlockSize> pad{};
  pad[0] = 0x80;
  // Pad to 56 mod 64, then the 64-bit big-endian bit length.
  const std::size_t pad_len = (buffered_ < 56 ? 56 - buffered_ : 120 - buffered_);
  for (int i = 0; i < 8; ++i) {
    pad[pad_len + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(bits >> (56 - 8 * i));
  }
  Update(std::span(pad.data(), pad_len + 8));
  assert(buffered_ == 0);
  Digest out;
  for (std::size_t i = 0; i < 8; ++i) {
    WriteBe32(out.data() + 4 * i, state_.words[i]);
  }
  Reset();
  return out;
}

Digest Hash(std::span<const std::uint8_t> data, Backend backend) {
  return Sha256(backend).Update(data).Finalize();
}

Digest DoubleHash(std::span<const std::uint8_t> data, Backend backend) {
  const Digest first = Hash(data, backend);
  return Hash(first, backend);
}

State Midstate(std::span<const std::uint8_t, 64> first_block, Backend backend) {
  State s = kInitialState;
  backend.stream_kernels().compress(s.words.data(), first_block.data(), 1);
  return s;
}

void DoubleHash64(std::span<const std::uint8_t> inputs, std::span<std::uint8_t> digests,
                  Backend backend) {
  const std::size_t count = std::min(inputs.size() / 64, digests.size() / 32);
  backend.kernels().double_hash64(digests.data(), inputs.data(), count);
}

std::string ToHex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const std::uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

}  // namespace hashrig::sha256
