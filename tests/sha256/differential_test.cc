// Every backend against the scalar reference and OpenSSL: streaming SHA-256 at every
// length 0..4096, sha256d of 64-byte inputs at every batch size and lane alignment,
// and midstates.
#include <gtest/gtest.h>

#include <random>

#include "backend_fixture.h"
#include "hashrig/sha256/sha256.h"

namespace hashrig::testing {
namespace {

using DifferentialTest = BackendTest;

std::vector<std::uint8_t> RandomBytes(std::mt19937& rng, std::size_t n) {
  std::vector<std::uint8_t> out(n);
  for (auto& b : out) {
    b = static_cast<std::uint8_t>(rng());
  }
  return out;
}

std::vector<std::uint8_t> AsVector(const sha256::Digest& d) { return {d.begin(), d.end()}; }

TEST_P(DifferentialTest, EveryLengthUpTo4096) {
  std::mt19937 rng(4096);
  const std::vector<std::uint8_t> data = RandomBytes(rng, 4096);
  for (std::size_t len = 0; len <= data.size(); ++len) {
    const std::vector<std::uint8_t> msg(data.begin(), data.begin() + static_cast<long>(len));
    const auto got = AsVector(sha256::Hash(msg, backend()));
    ASSERT_EQ(got, AsVector(sha256::Hash(msg, sha256::Backend::Scalar()))) << "len " << len;
    ASSERT_EQ(got, OpenSslSha256(msg)) << "len " << len;
  }
}

TEST_P(DifferentialTest, StreamingSplitsAnywhere) {
  std::mt19937 rng(7);
  for (int round = 0; round < 300; ++round) {
    const std::vector<std::uint8_t> msg = RandomBytes(rng, rng() % 1500);
    sha256::Sha256 h(backend());
    std::size_t at = 0;
    while (at < msg.size()) {
      const std::size_t n = std::min<std::size_t>(rng() % 200, msg.size() - at);
      h.Update(std::span(msg).subspan(at, n));
      at += n;
    }
    ASSERT_EQ(AsVector(h.Finalize()), OpenSslSha256(msg)) << "len " << msg.size();
  }
}

TEST_P(DifferentialTest, DoubleHashMatchesOpenSsl) {
  std::mt19937 rng(2);
  for (std::size_t len : {0, 1, 32, 55, 56, 63, 64, 80, 119, 120, 1000}) {
    const std::vector<std::uint8_t> msg = RandomBytes(rng, len);
    EXPECT_EQ(AsVector(sha256::DoubleHash(msg, backend())), OpenSslSha256d(msg)) << len;
  }
}

// Batch sizes 0..3*16+1 cover every remainder of every lane width; offsets 0..3 move
// the inputs off any alignment.
TEST_P(DifferentialTest, DoubleHash64EveryBatchSizeAndAlignment) {
  std::mt19937 rng(64);
  for (std::size_t offset = 0; offset < 4; ++offset) {
    for (std::size_t count = 0; count <= 49; ++count) {
      const std::vector<std::uint8_t> buffer = RandomBytes(rng, offset + count * 64);
      std::vector<std::uint8_t> digests(offset + count * 32 + 8, 0xee);
      sha256::DoubleHash64(std::span(buffer).subspan(offset),
                           std::span(digests).subspan(offset, count * 32), backend());
      for (std::size_t i = 0; i < count; ++i) {
        const std::vector<std::uint8_t> in(
            buffer.begin() + static_cast<long>(offset + i * 64),
            buffer.begin() + static_cast<long>(offset + i * 64 + 64));
        const std::vector<std::uint8_t> got(
            digests.begin() + static_cast<long>(offset + i * 32),
            digests.begin() + static_cast<long>(offset + i * 32 + 32));
        ASSERT_EQ(got, OpenSslSha256d(in)) << "count " << count << " item " << i;
      }
      // Nothing written past the last digest.
      for (std::size_t i = offset + count * 32; i < digests.size(); ++i) {
        ASSERT_EQ(digests[i], 0xee) << "count " << count;
      }
    }
  }
}

TEST_P(DifferentialTest, MidstateResumesToTheSameHash) {
  std::mt19937 rng(80);
  for (int i = 0; i < 50; ++i) {
    const std::vector<std::uint8_t> header = RandomBytes(rng, 80);
    const sha256::State mid = sha256::Midstate(std::span(header).first<64>(), backend());
    EXPECT_EQ(mid, sha256::Midstate(std::span(header).first<64>(), sha256::Backend::Scalar()));
    const sha256::Digest first =
        sha256::Sha256(mid, 1, backend()).Update(std::span(header).subspan(64)).Finalize();
    EXPECT_EQ(AsVector(sha256::Hash(first, backend())), OpenSslSha256d(header));
  }
}

HASHRIG_INSTANTIATE_FOR_BACKENDS(DifferentialTest);

}  // namespace
}  // namespace hashrig::testing
