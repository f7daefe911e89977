// Streaming SHA-256 over any compression function, freestanding (no heap, no
// exceptions, no CPU detection): the firmware runs it with the scalar reference on the
// MCU; Sha256 (sha256.h) runs it with the fastest single-stream backend.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace hashrig::sha256 {

inline constexpr std::size_t kDigestSize = 32;
inline constexpr std::size_t kBlockSize = 64;
using Digest = std::array<std::uint8_t, kDigestSize>;

// The eight 32-bit working words of SHA-256 (a midstate when taken mid-message).
struct State {
  std::array<std::uint32_t, 8> words;
  friend bool operator==(const State&, const State&) = default;
};

inline constexpr State kInitialState = {{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f,
                                         0x9b05688c, 0x1f83d9ab, 0x5be0cd19}};

// Compresses `count` 64-byte blocks into `state`.
using CompressFn = void (*)(std::uint32_t state[8], const std::uint8_t* blocks, std::size_t count);

class StreamHasher {
 public:
  explicit StreamHasher(CompressFn compress) : compress_(compress) {}
  // Resumes a message whose first `blocks_done` blocks are summarised by `midstate`.
  StreamHasher(CompressFn compress, const State& midstate, std::uint64_t blocks_done)
      : compress_(compress), state_(midstate), length_(blocks_done * kBlockSize) {}

  StreamHasher& Update(std::span<const std::uint8_t> data);
  // Returns the digest and resets the hasher for a new message.
  Digest Finalize();
  void Reset();

 private:
  CompressFn compress_;
  State state_ = kInitialState;
  std::array<std::uint8_t, kBlockSize> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t length_ = 0;
};

// The reference compression function (FIPS 180-4, plain C++), available on every target.
void ScalarCompress(std::uint32_t state[8], const std::uint8_t* blocks, std::size_t count);

// sha256(sha256(data)) on the reference function: for code that must not depend on the
// backend machinery (the firmware), and for checking it.
Digest ScalarDoubleHash(std::span<const std::uint8_t> data);

}  // namespace hashrig::sha256
