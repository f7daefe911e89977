// SHA-256 and double SHA-256 (sha256d) over a chosen backend.
//
// Every function takes the backend to use; the default is Backend::Default(), chosen
// once per process from the CPU (or HASHRIG_SHA256_BACKEND) and self-tested first.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "hashrig/sha256/backend.h"
#include "hashrig/sha256/stream.h"

namespace hashrig::sha256 {

// Streaming SHA-256 for messages of any length.
class Sha256 {
 public:
  explicit Sha256(Backend backend = Backend::Default());
  // Resumes a message whose first `blocks_done` 64-byte blocks are summarised by
  // `midstate` (as BM1397-class chips and Icarus-style work carry it).
  Sha256(const State& midstate, std::uint64_t blocks_done, Backend backend = Backend::Default());

  Sha256& Update(std::span<const std::uint8_t> data);
  // Returns the digest and resets the hasher for a new message.
  Digest Finalize();
  void Reset();

 private:
  StreamHasher stream_;
};

Digest Hash(std::span<const std::uint8_t> data, Backend backend = Backend::Default());
// sha256(sha256(data)): Bitcoin's block, transaction and merkle hash.
Digest DoubleHash(std::span<const std::uint8_t> data, Backend backend = Backend::Default());

// The compression state after the first 64 bytes of a block header: what BM1397-class
// chips and Stratum tooling call the midstate.
State Midstate(std::span<const std::uint8_t, 64> first_block, Backend backend = Backend::Default());

// sha256d of `count` independent 64-byte inputs (one merkle level: pairs of hashes),
// `inputs` holding count*64 bytes and `digests` count*32. Runs the backend's lanes.
void DoubleHash64(std::span<const std::uint8_t> inputs, std::span<std::uint8_t> digests,
                  Backend backend = Backend::Default());

// Lower-case hex of bytes as they are (no reversal).
std::string ToHex(std::span<const std::uint8_t> bytes);

}  // namespace hashrig::sha256
