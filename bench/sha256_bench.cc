// SHA-256 core benchmarks, one registration per backend this CPU runs, with OpenSSL in
// the same binary for comparison:
//   BM_Scan/<backend>            sha256d nonce scan of an 80-byte header (items = hashes)
//   BM_ScanRolled/<backend>/N    the same over N rolled versions sharing the schedule
//   BM_Sha256/<backend>/<bytes>  streaming SHA-256 of 64 B, 1 KiB and 1 MiB messages
//   BM_DoubleHash64/<backend>    sha256d of 64-byte inputs (a merkle level)
//   BM_ShaNiRnds2/<chains>       sha256rnds2 alone: 1 dependent chain (its latency) or 2,
//                                4, 6 independent ones (its throughput), items = instructions;
//                                what bounds the SHA-NI scan (docs/PERFORMANCE.md, issue 17)
//   BM_OpenSslEvp*               the same work through OpenSSL's EVP interface with a
//                                context allocated once and reused, as `openssl speed
//                                -evp sha256` drives it (issue 17, point 2: the one-shot
//                                SHA256() call is 2x slower at 64 B in OpenSSL 3 and
//                                flattered us): a baseline for the hash core, not a miner
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "hashrig/sha256/openssl_baseline.h"
#include "hashrig/sha256/scan.h"
#include "hashrig/sha256/sha256.h"

namespace {

using hashrig::sha256::Backend;

// A fixed synthetic header (the scan cost does not depend on its contents).
const std::array<std::uint8_t, 80> kHeader = [] {
  std::array<std::uint8_t, 80> h{};
  for (std::size_t i = 0; i < h.size(); ++i) {
    h[i] = static_cast<std::uint8_t>(i * 37 + 11);
  }
  return h;
}();

void BM_Scan(benchmark::State& state, Backend backend, std::size_t versions) {
  std::vector<std::uint32_t> rolled;
  for (std::size_t i = 0; i < versions; ++i) {
    rolled.push_back(0x20000000u | (static_cast<std::uint32_t>(i) << 13));
  }
  const hashrig::sha256::HeaderScanner scanner =
      versions > 1 ? hashrig::sha256::HeaderScanner(kHeader, rolled, backend)
                   : hashrig::sha256::HeaderScanner(kHeader, backend);
  const hashrig::sha256::Target target;  // zero: the early-reject path, as in mining
  std::vector<hashrig::sha256::Hit> hits;
  std::uint64_t nonce = 0;
  std::uint64_t hashes = 0;
  constexpr std::uint64_t kWindow = 1 << 16;
  for (auto _ : state) {
    hashes += scanner.Scan({nonce, nonce + kWindow}, target, hits);
    nonce = (nonce + kWindow) % hashrig::sha256::kNonceSpace;
  }
  benchmark::DoNotOptimize(hits.data());
  state.SetItemsProcessed(static_cast<std::int64_t>(hashes));
  state.SetLabel(std::string(backend.name()));
}

void BM_Sha256(benchmark::State& state, Backend backend) {
  const std::vector<std::uint8_t> data(static_cast<std::size_t>(state.range(0)), 0x5a);
  for (auto _ : state) {
    benchmark::DoNotOptimize(hashrig::sha256::Hash(data, backend));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
  state.SetLabel(std::string(backend.stream_name()));
}

void BM_DoubleHash64(benchmark::State& state, Backend backend) {
  constexpr std::size_t kCount = 1024;
  const std::vector<std::uint8_t> in(kCount * 64, 0x33);
  std::vector<std::uint8_t> out(kCount * 32);
  for (auto _ : state) {
    hashrig::sha256::DoubleHash64(in, out, backend);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kCount));
  state.SetLabel(std::string(backend.name()));
}

void BM_OpenSslEvpSha256(benchmark::State& state) {
  const std::vector<std::uint8_t> data(static_cast<std::size_t>(state.range(0)), 0x5a);
  std::uint8_t out[32];
  unsigned size = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const EVP_MD* md = EVP_sha256();
  for (auto _ : state) {
    EVP_DigestInit_ex(ctx, md, nullptr);
    EVP_DigestUpdate(ctx, data.data(), data.size());
    EVP_DigestFinal_ex(ctx, out, &size);
    benchmark::DoNotOptimize(out);
  }
  EVP_MD_CTX_free(ctx);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
  state.SetLabel("openssl evp, context reused");
}

// A sha256d nonce loop on EVP (sha256/openssl_baseline.h: the header's first 64 bytes
// hashed once, that midstate context copied per nonce, contexts reused).
void BM_OpenSslEvpScan(benchmark::State& state) {
  hashrig::sha256::OpenSslNonceHasher hasher(kHeader);
  std::uint32_t nonce = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(hasher.Hash(nonce++));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetLabel("openssl evp sha256d, not a miner");
}

#if defined(__x86_64__)
template <int kChains>
__attribute__((target("sha,sse4.1"))) void BM_ShaNiRnds2(benchmark::State& state) {
  __m128i a[kChains];
  __m128i b[kChains];
  const __m128i k = _mm_set_epi32(0x428a2f98, 0x71374491, 0x3956c25b, 0x59f111f1);
  for (int c = 0; c < kChains; ++c) {
    a[c] = _mm_set1_epi32(c + 1);
    b[c] = _mm_set1_epi32(c + 17);
  }
  for (auto _ : state) {
    for (int i = 0; i < 64; ++i) {
      for (int c = 0; c < kChains; ++c) {  // as the rounds go: each feeds the next
        b[c] = _mm_sha256rnds2_epu32(b[c], a[c], k);
        std::swap(a[c], b[c]);
      }
    }
  }
  for (int c = 0; c < kChains; ++c) {
    benchmark::DoNotOptimize(a[c]);
    benchmark::DoNotOptimize(b[c]);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 64 * kChains);
  state.SetLabel("sha256rnds2, " + std::to_string(kChains) + " chain(s)");
}
#endif

void RegisterAll() {
  for (const hashrig::sha256::BackendInfo& info : Backend::List()) {
    const hashrig::Expected<Backend> b = Backend::Find(info.name);
    if (!b) {
      continue;  // not on this CPU
    }
    const std::string name(info.name);
    benchmark::RegisterBenchmark(("BM_Scan/" + name).c_str(), BM_Scan, *b, 1);
    benchmark::RegisterBenchmark(("BM_ScanRolled/" + name + "/4").c_str(), BM_Scan, *b, 4);
    benchmark::RegisterBenchmark(("BM_DoubleHash64/" + name).c_str(), BM_DoubleHash64, *b);
    benchmark::RegisterBenchmark(("BM_Sha256/" + name).c_str(), BM_Sha256, *b)
        ->Arg(64)
        ->Arg(1024)
        ->Arg(1 << 20);
  }
#if defined(__x86_64__)
  if (Backend::Find("shani")) {
    benchmark::RegisterBenchmark("BM_ShaNiRnds2/1", BM_ShaNiRnds2<1>);
    benchmark::RegisterBenchmark("BM_ShaNiRnds2/2", BM_ShaNiRnds2<2>);
    benchmark::RegisterBenchmark("BM_ShaNiRnds2/4", BM_ShaNiRnds2<4>);
    benchmark::RegisterBenchmark("BM_ShaNiRnds2/6", BM_ShaNiRnds2<6>);
  }
#endif
  benchmark::RegisterBenchmark("BM_OpenSslEvpScan", BM_OpenSslEvpScan);
  benchmark::RegisterBenchmark("BM_OpenSslEvpSha256", BM_OpenSslEvpSha256)
      ->Arg(64)
      ->Arg(1024)
      ->Arg(1 << 20);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
    return 1;
  }
  RegisterAll();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
