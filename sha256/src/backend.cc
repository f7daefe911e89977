// Backend choice: CPU detection, the "auto" ranking, forcing by name, and the known-answer
// self-test every backend passes before it is handed out.
#include "hashrig/sha256/backend.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <span>

#include "cpu_features.h"
#include "hashrig/sha256/math.h"
#include "kernel_table.h"

namespace hashrig::sha256 {
namespace {

// Every table this build compiles, fastest first.
std::span<const KernelTable* const> AllTables() {
#if defined(__x86_64__) || defined(__i386__)
  static const std::array<const KernelTable*, 7> kTables = {
      &Avx512Kernels(), &ShaNi2Kernels(), &ShaNi4Kernels(), &ShaNiKernels(),
      &Avx2Kernels(),   &Sse41Kernels(),  &ScalarKernels()};
#elif defined(__aarch64__)
  static const std::array<const KernelTable*, 2> kTables = {&Armv8Kernels(), &ScalarKernels()};
#else
  static const std::array<const KernelTable*, 1> kTables = {&ScalarKernels()};
#endif
  return kTables;
}

// FIPS 180-2 example: SHA-256("abc").
constexpr std::array<std::uint8_t, 32> kAbcDigest = {
    0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
    0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};

// The genesis block header and its nonce 0x7c2bac1d; its hash is under its own target.
constexpr std::array<std::uint8_t, 80> kGenesisHeader = {
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x3b, 0xa3, 0xed, 0xfd, 0x7a, 0x7b, 0x12, 0xb2, 0x7a, 0xc7, 0x2c, 0x3e,
    0x67, 0x76, 0x8f, 0x61, 0x7f, 0xc8, 0x1b, 0xc3, 0x88, 0x8a, 0x51, 0x32, 0x3a, 0x9f, 0xb8, 0xaa,
    0x4b, 0x1e, 0x5e, 0x4a, 0x29, 0xab, 0x5f, 0x49, 0xff, 0xff, 0x00, 0x1d, 0x1d, 0xac, 0x2b, 0x7c};
constexpr std::uint32_t kGenesisNonce = 0x7c2bac1d;

bool CompressKnownAnswer(const KernelTable& t) {
  std::uint8_t block[64] = {'a', 'b', 'c', 0x80};
  block[63] = 24;
  std::uint32_t state[8];
  std::copy(kIv.begin(), kIv.end(), state);
  t.compress(state, block, 1);
  std::uint8_t digest[32];
  for (int i = 0; i < 8; ++i) {
    WriteBe32(digest + 4 * i, state[i]);
  }
  return std::memcmp(digest, kAbcDigest.data(), 32) == 0;
}

// sha256d of 64-byte inputs, against the scalar reference transform (itself checked
// above), for a count that leaves a partial last group in every lane width.
bool DoubleHash64KnownAnswer(const KernelTable& t) {
  constexpr std::size_t kCount = 19;
  std::uint8_t inputs[kCount * 64];
  for (std::size_t i = 0; i < sizeof(inputs); ++i) {
    inputs[i] = static_cast<std::uint8_t>(i * 7 + 1);
  }
  std::uint8_t got[kCount * 32];
  t.double_hash64(got, inputs, kCount);
  for (std::size_t i = 0; i < kCount; ++i) {
    std::uint32_t s[8];
    std::copy(kIv.begin(), kIv.end(), s);
    std::uint8_t padded[128] = {};
    std::memcpy(padded, inputs + i * 64, 64);
    padded[64] = 0x80;
    padded[126] = 0x02;  // 512 bits
    ScalarCompress(s, padded, 2);
    std::uint8_t second[64] = {};
    for (int k = 0; k < 8; ++k) {
      WriteBe32(second + 4 * k, s[k]);
    }
    second[32] = 0x80;
    second[62] = 0x01;  // 256 bits
    std::copy(kIv.begin(), kIv.end(), s);
    ScalarCompress(s, second, 1);
    for (int k = 0; k < 8; ++k) {
      if (ReadBe32(got + i * 32 + 4 * k) != s[k]) {
        return false;
      }
    }
  }
  return true;
}

// The genesis nonce is found, in the middle of a range, and nothing else is.
bool ScanKnownAnswer(const KernelTable& t) {
  const ScanJobData job = PrepareScanJob(kGenesisHeader.data(), 1);
  Candidate out[256];
  const std::uint32_t first = kGenesisNonce - 37;
  const std::size_t n = t.scan(&job, 1, first, 100, 0, out);
  return n == 1 && out[0].nonce == kGenesisNonce && out[0].job == 0;
}

bool SelfTest(const KernelTable& t) {
  return CompressKnownAnswer(t) && DoubleHash64KnownAnswer(t) && ScanKnownAnswer(t);
}

const CpuFeatures& Cpu() {
  static const CpuFeatures kCpu = DetectCpuFeatures();
  return kCpu;
}

const KernelTable* BestSupported(bool stream_only) {
  for (const KernelTable* t : AllTables()) {
    if (!t->supported(Cpu())) {
      continue;
    }
    // A lane backend streams with the scalar transform; prefer a real one-stream kernel.
    if (stream_only && t->compress == ScalarCompress && t != &ScalarKernels()) {
      continue;
    }
    if (SelfTest(*t)) {
      return t;
    }
  }
  return &ScalarKernels();
}

}  // namespace

Backend Backend::Scalar() { return Backend(&ScalarKernels(), &ScalarKernels()); }

Expected<Backend> Backend::Find(std::string_view name) {
  if (name == "auto") {
    return Backend(BestSupported(false), BestSupported(true));
  }
  std::string known;
  for (const KernelTable* t : AllTables()) {
    if (name != t->name) {
      known += known.empty() ? "" : ", ";
      known += t->name;
      continue;
    }
    if (!t->supported(Cpu())) {
      return Error(StatusCode::kNotFound, "SHA-256 backend '" + std::string(name) +
                                              "' needs instructions this CPU (or OS) "
                                              "does not provide; see 'hashrig bench --list'");
    }
    if (!SelfTest(*t)) {
      return Error(StatusCode::kFailedPrecondition,
                   "SHA-256 backend '" + std::string(name) + "' failed its known-answer self-test");
    }
    return Backend(t, t);
  }
  return Error(StatusCode::kInvalidArgument,
               "unknown SHA-256 backend '" + std::string(name) + "' (known: auto, " + known + ")");
}

Expected<Backend> Backend::FromEnvironment() {
  const char* forced = std::getenv(std::string(kBackendEnvVar).c_str());
  if (forced == nullptr || *forced == '\0') {
    return Find("auto");
  }
  Expected<Backend> b = Find(forced);
  if (!b) {
    return b.error().Context(kBackendEnvVar);
  }
  return b;
}

Backend Backend::Default() {
  static const Backend kChosen = [] {
    // A bad HASHRIG_SHA256_BACKEND falls back to "auto" here; programs report it first.
    if (const Expected<Backend> chosen = FromEnvironment()) {
      return *chosen;
    }
    return *Find("auto");
  }();
  return kChosen;
}

std::vector<BackendInfo> Backend::List() {
  std::vector<BackendInfo> out;
  for (const KernelTable* t : AllTables()) {
    out.push_back({t->name, t->description, t->lanes, t->supported(Cpu())});
  }
  return out;
}

std::string_view Backend::name() const { return table_->name; }
std::string_view Backend::description() const { return table_->description; }
int Backend::lanes() const { return table_->lanes; }
std::string_view Backend::stream_name() const { return stream_->name; }

}  // namespace hashrig::sha256
