// The nonce scan against a brute-force reference (OpenSSL sha256d of every header) on
// random headers with easy targets: every hit found, no false hit, exact hashes; ranges
// ending at 2^32, empty and reversed ranges, every tail length, rolled versions.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "backend_fixture.h"
#include "hashrig/sha256/scan.h"

namespace hashrig::testing {
namespace {

using sha256::Hit;
using sha256::NonceRange;
using sha256::Target;

using ScanTest = BackendTest;

std::array<std::uint8_t, 80> RandomHeader(std::mt19937& rng) {
  std::array<std::uint8_t, 80> h;
  for (auto& b : h) {
    b = static_cast<std::uint8_t>(rng());
  }
  return h;
}

// A target whose top 32 bits are `top` and the rest all ones.
Target TopTarget(std::uint32_t top) {
  std::array<std::uint8_t, 32> t;
  t.fill(0xff);
  for (int i = 0; i < 4; ++i) {
    t[28 + i] = static_cast<std::uint8_t>(top >> (8 * i));
  }
  return Target::FromLittleEndian(t);
}

bool Meets(const std::vector<std::uint8_t>& hash, const Target& target) {
  sha256::Digest d;
  std::copy(hash.begin(), hash.end(), d.begin());
  return target.IsMetBy(d);
}

// Every hit by hashing every nonce with OpenSSL.
std::vector<Hit> BruteForce(const std::array<std::uint8_t, 80>& header,
                            const std::vector<std::uint32_t>& versions, NonceRange range,
                            const Target& target) {
  std::vector<Hit> hits;
  for (std::uint64_t n = range.begin; n < range.end; ++n) {
    for (const std::uint32_t v : versions) {
      const auto h = sha256::WithVersionAndNonce(header, v, static_cast<std::uint32_t>(n));
      const std::vector<std::uint8_t> d = OpenSslSha256d({h.begin(), h.end()});
      if (!Meets(d, target)) {
        continue;
      }
      Hit hit{static_cast<std::uint32_t>(n), v, {}};
      std::copy(d.begin(), d.end(), hit.hash.begin());
      hits.push_back(hit);
    }
  }
  return hits;
}

void Sort(std::vector<Hit>& hits) {
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
    return std::tie(a.nonce, a.version) < std::tie(b.nonce, b.version);
  });
}

void ExpectSameHits(std::vector<Hit> got, std::vector<Hit> want, const std::string& what) {
  Sort(got);
  Sort(want);
  ASSERT_EQ(got.size(), want.size()) << what;
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].nonce, want[i].nonce) << what;
    EXPECT_EQ(got[i].version, want[i].version) << what;
    EXPECT_EQ(got[i].hash, want[i].hash) << what;
  }
}

std::uint32_t VersionOf(const std::array<std::uint8_t, 80>& h) {
  return std::uint32_t{h[0]} | std::uint32_t{h[1]} << 8 | std::uint32_t{h[2]} << 16 |
         std::uint32_t{h[3]} << 24;
}

TEST_P(ScanTest, RandomHeadersEasyTargets) {
  std::mt19937 rng(1234);
  int total_hits = 0;
  for (int round = 0; round < 12; ++round) {
    const auto header = RandomHeader(rng);
    // About one nonce in 64 meets these; some rounds use a target with a zero top byte.
    const Target target = TopTarget(round % 3 == 0 ? 0x00ffffffu << 2 : 0x03ffffffu);
    const std::uint64_t begin = rng();
    const NonceRange range{begin,
                           std::min<std::uint64_t>(begin + 1000 + rng() % 37, sha256::kNonceSpace)};
    std::vector<Hit> hits;
    const std::uint64_t hashed = sha256::HeaderScanner(header, backend()).Scan(range, target, hits);
    EXPECT_EQ(hashed, range.size());
    const auto want = BruteForce(header, {VersionOf(header)}, range, target);
    total_hits += static_cast<int>(want.size());
    ExpectSameHits(hits, want, "round " + std::to_string(round));
  }
  EXPECT_GT(total_hits, 50);  // the test really compared hits
}

TEST_P(ScanTest, EveryTailLengthAndOffset) {
  std::mt19937 rng(99);
  const auto header = RandomHeader(rng);
  const Target target = TopTarget(0x3fffffff);  // a quarter of all nonces
  const sha256::HeaderScanner scanner(header, backend());
  for (std::uint64_t begin = 0; begin < 17; ++begin) {
    for (std::uint64_t size = 0; size <= 35; ++size) {
      const NonceRange range{begin * 1000 + 3, begin * 1000 + 3 + size};
      std::vector<Hit> hits;
      EXPECT_EQ(scanner.Scan(range, target, hits), size);
      ExpectSameHits(hits, BruteForce(header, {VersionOf(header)}, range, target),
                     "begin " + std::to_string(range.begin) + " size " + std::to_string(size));
    }
  }
}

TEST_P(ScanTest, RangeEndingAt2Pow32) {
  std::mt19937 rng(32);
  const auto header = RandomHeader(rng);
  const Target target = TopTarget(0x0fffffff);
  const sha256::HeaderScanner scanner(header, backend());
  for (std::uint64_t size : {1, 5, 16, 77, 300}) {
    const NonceRange range{sha256::kNonceSpace - size, sha256::kNonceSpace};
    std::vector<Hit> hits;
    EXPECT_EQ(scanner.Scan(range, target, hits), size);
    ExpectSameHits(hits, BruteForce(header, {VersionOf(header)}, range, target),
                   "last " + std::to_string(size));
    for (const Hit& h : hits) {
      EXPECT_GE(h.nonce, sha256::kNonceSpace - size);
    }
  }
}

TEST_P(ScanTest, EmptyAndReversedRangesHashNothing) {
  std::mt19937 rng(0);
  const auto header = RandomHeader(rng);
  const sha256::HeaderScanner scanner(header, backend());
  std::vector<Hit> hits;
  EXPECT_EQ(scanner.Scan({5, 5}, Target::Max(), hits), 0u);
  EXPECT_EQ(scanner.Scan({10, 5}, Target::Max(), hits), 0u);
  EXPECT_EQ(scanner.Scan({sha256::kNonceSpace, sha256::kNonceSpace}, Target::Max(), hits), 0u);
  EXPECT_TRUE(hits.empty());
}

TEST_P(ScanTest, MaxTargetReportsEveryNonce) {
  std::mt19937 rng(5);
  const auto header = RandomHeader(rng);
  std::vector<Hit> hits;
  sha256::HeaderScanner(header, backend()).Scan({100, 141}, Target::Max(), hits);
  ExpectSameHits(hits, BruteForce(header, {VersionOf(header)}, {100, 141}, Target::Max()), "max");
  EXPECT_EQ(hits.size(), 41u);
}

TEST_P(ScanTest, RolledVersionsMatchBruteForce) {
  std::mt19937 rng(310);
  for (std::size_t count : {1, 2, 3, 5, 8}) {
    const auto header = RandomHeader(rng);
    std::vector<std::uint32_t> versions;
    for (std::size_t i = 0; i < count; ++i) {
      versions.push_back(0x20000000u | ((static_cast<std::uint32_t>(rng()) & 0xffffu) << 13));
    }
    const Target target = TopTarget(0x07ffffff);
    const NonceRange range{1000, 1000 + 400 + count};
    std::vector<Hit> hits;
    const std::uint64_t hashed =
        sha256::HeaderScanner(header, versions, backend()).Scan(range, target, hits);
    EXPECT_EQ(hashed, range.size() * count);
    ExpectSameHits(hits, BruteForce(header, versions, range, target),
                   std::to_string(count) + " versions");
  }
}

TEST_P(ScanTest, MidstateScannerMatchesHeaderScanner) {
  std::mt19937 rng(12);
  const auto header = RandomHeader(rng);
  const sha256::State mid = sha256::Midstate(std::span(header).first<64>(), backend());
  const Target target = TopTarget(0x0fffffff);
  std::vector<Hit> from_mid;
  sha256::HeaderScanner(mid, std::span(header).subspan<64, 12>(), backend())
      .Scan({0, 600}, target, from_mid);
  std::vector<Hit> want = BruteForce(header, {VersionOf(header)}, {0, 600}, target);
  for (Hit& h : want) {
    h.version = 0;  // a midstate does not carry the version
  }
  ExpectSameHits(from_mid, want, "midstate");
}

HASHRIG_INSTANTIATE_FOR_BACKENDS(ScanTest);

}  // namespace
}  // namespace hashrig::testing
