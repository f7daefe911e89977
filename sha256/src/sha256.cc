#include "hashrig/sha256/sha256.h"

#include <algorithm>

#include "hashrig/sha256/math.h"
#include "kernel_table.h"

namespace hashrig::sha256 {

Sha256::Sha256(Backend backend) : stream_(backend.stream_kernels().compress) {}

Sha256::Sha256(const State& midstate, std::uint64_t blocks_done, Backend backend)
    : stream_(backend.stream_kernels().compress, midstate, blocks_done) {}

void Sha256::Reset() { stream_.Reset(); }

Sha256& Sha256::Update(std::span<const std::uint8_t> data) {
  stream_.Update(data);
  return *this;
}

Digest Sha256::Finalize() { return stream_.Finalize(); }

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
