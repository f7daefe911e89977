// NIST CAVP SHA-256 byte-oriented vectors (ShortMsg, LongMsg, Monte Carlo) on every
// backend, from ../shared/data/nist (unmodified .rsp files).
#include <gtest/gtest.h>

#include <sstream>

#include "backend_fixture.h"
#include "hashrig/sha256/sha256.h"

namespace hashrig::testing {
namespace {

struct Vector {
  std::vector<std::uint8_t> msg;
  std::string md;
};

// Reads "Len = n / Msg = hex / MD = hex" triples; Msg "00" with Len 0 is empty.
std::vector<Vector> ReadRsp(std::string_view file) {
  std::istringstream in(ReadFile(SharedData(file)));
  std::vector<Vector> out;
  std::string line;
  long len = -1;
  std::vector<std::uint8_t> msg;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    if (line.rfind("Len = ", 0) == 0) {
      len = std::stol(line.substr(6));
    }
    if (line.rfind("Msg = ", 0) == 0) {
      msg = len == 0 ? std::vector<std::uint8_t>{} : FromHex(line.substr(6));
    }
    if (line.rfind("MD = ", 0) == 0) {
      EXPECT_EQ(static_cast<long>(msg.size()) * 8, len);
      out.push_back({msg, line.substr(5)});
    }
  }
  return out;
}

using NistTest = BackendTest;

TEST_P(NistTest, ShortMessages) {
  const std::vector<Vector> vectors = ReadRsp("nist/SHA256ShortMsg.rsp");
  ASSERT_EQ(vectors.size(), 65u);
  for (const Vector& v : vectors) {
    EXPECT_EQ(sha256::ToHex(sha256::Hash(v.msg, backend())), v.md) << "len " << v.msg.size();
  }
}

TEST_P(NistTest, LongMessages) {
  const std::vector<Vector> vectors = ReadRsp("nist/SHA256LongMsg.rsp");
  ASSERT_EQ(vectors.size(), 64u);
  for (const Vector& v : vectors) {
    EXPECT_EQ(sha256::ToHex(sha256::Hash(v.msg, backend())), v.md) << "len " << v.msg.size();
    // The same message fed in uneven pieces through the streaming API.
    sha256::Sha256 h(backend());
    for (std::size_t at = 0, step = 1; at < v.msg.size(); at += step, step = step * 3 % 97 + 1) {
      h.Update(std::span(v.msg).subspan(at, std::min(step, v.msg.size() - at)));
    }
    EXPECT_EQ(sha256::ToHex(h.Finalize()), v.md) << "streamed, len " << v.msg.size();
  }
}

// SHAVS Monte Carlo: MD_i = SHA(MD_{i-3} || MD_{i-2} || MD_{i-1}), 1000 per checkpoint.
TEST_P(NistTest, MonteCarlo) {
  std::istringstream in(ReadFile(SharedData("nist/SHA256Monte.rsp")));
  std::string line;
  std::vector<std::uint8_t> seed;
  int checkpoints = 0;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    if (line.rfind("Seed = ", 0) == 0) {
      seed = FromHex(line.substr(7));
    }
    if (line.rfind("MD = ", 0) != 0) {
      continue;
    }
    std::vector<std::uint8_t> md[3] = {seed, seed, seed};
    for (int i = 3; i < 1003; ++i) {
      std::vector<std::uint8_t> m = md[0];
      m.insert(m.end(), md[1].begin(), md[1].end());
      m.insert(m.end(), md[2].begin(), md[2].end());
      const sha256::Digest d = sha256::Hash(m, backend());
      md[0] = md[1];
      md[1] = md[2];
      md[2].assign(d.begin(), d.end());
    }
    seed = md[2];
    ASSERT_EQ(ToHex(seed), line.substr(5)) << "checkpoint " << checkpoints;
    ++checkpoints;
  }
  EXPECT_EQ(checkpoints, 100);
}

HASHRIG_INSTANTIATE_FOR_BACKENDS(NistTest);

}  // namespace
}  // namespace hashrig::testing
