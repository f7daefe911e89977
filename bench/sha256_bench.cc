// SHA-256 core benchmarks, one registration per backend this CPU runs, with OpenSSL in
// the same binary for comparison:
//   BM_Scan/<backend>            sha256d nonce scan of an 80-byte header (items = hashes)
//   BM_ScanRolled/<backend>/N    the same over N rolled versions sharing the schedule
//   BM_Sha256/<backend>/<bytes>  streaming SHA-256 of 64 B, 1 KiB and 1 MiB messages
//   BM_DoubleHash64/<backend>    sha256d of 64-byte inputs (a merkle level)
//   BM_OpenSsl*                  the same work through OpenSSL
#define OPENSSL_API_COMPAT 0x10100000L
#include <benchmark/benchmark.h>
#include <openssl/sha.h>

#include <cstring>
#include <string>
#include <vector>

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

void BM_OpenSslSha256(benchmark::State& state) {
  const std::vector<std::uint8_t> data(static_cast<std::size_t>(state.range(0)), 0x5a);
  std::uint8_t out[32];
  for (auto _ : state) {
    SHA256(data.data(), data.size(), out);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
  state.SetLabel("openssl");
}

// An OpenSSL sha256d nonce loop reusing the context after the first 64 bytes.
void BM_OpenSslScan(benchmark::State& state) {
  SHA256_CTX mid;
  SHA256_Init(&mid);
  SHA256_Update(&mid, kHeader.data(), 64);
  std::uint8_t tail[16];
  std::memcpy(tail, kHeader.data() + 64, 16);
  std::uint8_t first[32];
  std::uint8_t second[32];
  std::uint32_t nonce = 0;
  for (auto _ : state) {
    std::memcpy(tail + 12, &nonce, 4);
    ++nonce;
    SHA256_CTX ctx = mid;
    SHA256_Update(&ctx, tail, 16);
    SHA256_Final(first, &ctx);
    SHA256(first, 32, second);
    benchmark::DoNotOptimize(second);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetLabel("openssl");
}

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
  benchmark::RegisterBenchmark("BM_OpenSslScan", BM_OpenSslScan);
  benchmark::RegisterBenchmark("BM_OpenSslSha256", BM_OpenSslSha256)
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
