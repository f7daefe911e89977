// `hashrig bench`: sha256d scan throughput of every backend this CPU runs, side by side
// in one run (the clock wanders, so numbers from different runs do not compare), against
// the scalar reference and an OpenSSL-based sha256d loop over the same header.
#define OPENSSL_API_COMPAT 0x10100000L  // the low-level SHA256_* calls, for speed
#include <openssl/sha.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <thread>

#include "backend_choice.h"
#include "clock_probe.h"
#include "hashrig/host/cli/args.h"
#include "hashrig/host/cli/commands.h"
#include "hashrig/sha256/scan.h"

namespace hashrig::host {
namespace {

using Clock = std::chrono::steady_clock;
using sha256::Backend;

// Block 881423's header (mainnet, January 2025): a real nonce-independent prefix.
constexpr std::uint8_t kHeader[80] = {
    0x00, 0x00, 0x00, 0x20, 0x43, 0x3c, 0xba, 0xc5, 0x5b, 0x46, 0x8c, 0x69, 0x65, 0x3a, 0x4f, 0x58,
    0x20, 0x2f, 0x54, 0x51, 0xc7, 0xb0, 0x8d, 0x31, 0x62, 0x25, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x4d, 0x7c, 0x04, 0x27, 0xd8, 0x9f, 0x38, 0x69, 0xb6, 0x4d, 0x0a, 0x48,
    0xd5, 0x7b, 0xcd, 0x34, 0xd5, 0x41, 0x72, 0x6e, 0x9a, 0x84, 0x3a, 0x87, 0x61, 0x5b, 0x0f, 0x5e,
    0xcf, 0x41, 0xbe, 0xd8, 0x98, 0x8f, 0x9b, 0x67, 0xd8, 0x6c, 0x02, 0x17, 0x00, 0x00, 0x00, 0x00};

// A target no random hash meets in practice: the kernels' early reject path.
sha256::Target HardTarget() { return sha256::Target::FromLittleEndian({}); }

struct Timed {
  std::uint64_t hashes = 0;
  double seconds = 0;
  double rate() const { return seconds > 0 ? static_cast<double>(hashes) / seconds : 0; }
};

// Scans consecutive nonce windows starting at `start` until `seconds` have passed.
Timed ScanFor(const sha256::HeaderScanner& scanner, std::uint64_t start, double seconds,
              const std::atomic<bool>* stop = nullptr) {
  constexpr std::uint64_t kWindow = 1 << 18;
  std::vector<sha256::Hit> hits;
  Timed t;
  const auto begin = Clock::now();
  std::uint64_t nonce = start;
  while (true) {
    const std::uint64_t end = std::min(nonce + kWindow, sha256::kNonceSpace);
    t.hashes += scanner.Scan({nonce, end}, HardTarget(), hits);
    nonce = end >= sha256::kNonceSpace ? 0 : end;
    t.seconds = std::chrono::duration<double>(Clock::now() - begin).count();
    if (stop != nullptr ? stop->load(std::memory_order_relaxed) : t.seconds >= seconds) {
      break;
    }
  }
  return t;
}

double ScanRateOneCore(Backend backend, std::size_t versions, double seconds) {
  if (versions <= 1) {
    return ScanFor(sha256::HeaderScanner(kHeader, backend), 0, seconds).rate();
  }
  std::vector<std::uint32_t> rolled;
  for (std::size_t i = 0; i < versions; ++i) {
    rolled.push_back(0x20000000u | (static_cast<std::uint32_t>(i) << 13));
  }
  return ScanFor(sha256::HeaderScanner(kHeader, rolled, backend), 0, seconds).rate();
}

double ScanRateAllCores(Backend backend, unsigned threads, double seconds) {
  std::atomic<bool> stop{false};
  std::vector<Timed> results(threads);
  std::vector<std::thread> workers;
  const sha256::HeaderScanner scanner(kHeader, backend);
  for (unsigned i = 0; i < threads; ++i) {
    workers.emplace_back(
        [&, i] { results[i] = ScanFor(scanner, std::uint64_t{i} << 28, seconds, &stop); });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (std::thread& w : workers) {
    w.join();
  }
  double rate = 0;
  for (const Timed& t : results) {
    rate += t.rate();
  }
  return rate;
}

// What a miner built on OpenSSL would do: reuse the context after the first 64 bytes.
double OpenSslRate(double seconds) {
  SHA256_CTX mid;
  SHA256_Init(&mid);
  SHA256_Update(&mid, kHeader, 64);
  std::uint8_t tail[16];
  std::memcpy(tail, kHeader + 64, 16);
  std::uint8_t first[32];
  std::uint8_t second[32];
  std::uint64_t hashes = 0;
  unsigned sink = 0;
  const auto begin = Clock::now();
  double elapsed = 0;
  for (std::uint32_t nonce = 0; elapsed < seconds;) {
    for (int i = 0; i < 4096; ++i, ++nonce) {
      std::memcpy(tail + 12, &nonce, 4);
      SHA256_CTX ctx = mid;
      SHA256_Update(&ctx, tail, 16);
      SHA256_Final(first, &ctx);
      SHA256(first, 32, second);
      sink += second[31] == 0 ? 1 : 0;
    }
    hashes += 4096;
    elapsed = std::chrono::duration<double>(Clock::now() - begin).count();
  }
  if (sink == 0xffffffff) {
    std::puts("");  // keeps the loop's result alive
  }
  return static_cast<double>(hashes) / elapsed;
}

int ListBackends() {
  const Expected<Backend> chosen = Backend::FromEnvironment();
  std::printf("%-8s %-5s %-9s %s\n", "backend", "lanes", "this CPU", "description");
  for (const sha256::BackendInfo& b : Backend::List()) {
    std::printf("%-8.*s %-5d %-9s %.*s\n", static_cast<int>(b.name.size()), b.name.data(), b.lanes,
                b.supported ? "yes" : "no", static_cast<int>(b.description.size()),
                b.description.data());
  }
  if (chosen) {
    std::printf("\nchosen: scan with %.*s, streaming SHA-256 with %.*s\n",
                static_cast<int>(chosen->name().size()), chosen->name().data(),
                static_cast<int>(chosen->stream_name().size()), chosen->stream_name().data());
  } else {
    std::printf("\n%s\n", chosen.error().message().c_str());
  }
  return kExitOk;
}

struct Row {
  std::string name;
  int lanes;
  double one;
  double ghz;
  double all;
  double rolled;
  double rolled_ghz;
};

void PrintTable(const std::vector<Row>& rows, double scalar, double openssl, double openssl_ghz,
                unsigned threads, std::size_t versions) {
  std::printf("\n%-8s %5s %12s %10s %13s %9s %10s %14s %10s\n", "backend", "lanes", "MH/s 1 core",
              "cyc/nonce", "MH/s all", "x scalar", "x OpenSSL", "rolled MH/s", "cyc/nonce");
  for (const Row& r : rows) {
    // Without a scalar measurement in this run there is nothing to divide by.
    char speedup[16] = "-";
    if (scalar > 0) {
      std::snprintf(speedup, sizeof(speedup), "%.2f", r.one / scalar);
    }
    std::printf("%-8s %5d %12.2f %10.1f %13.2f %9s %10.2f %14.2f %10.1f\n", r.name.c_str(), r.lanes,
                r.one / 1e6, r.ghz * 1e9 / r.one, r.all / 1e6, speedup, r.one / openssl,
                r.rolled / 1e6, r.rolled_ghz * 1e9 / r.rolled);
  }
  std::printf("%-8s %5d %12.2f %10.1f\n", "openssl", 1, openssl / 1e6, openssl_ghz * 1e9 / openssl);
  std::printf(
      "\n'MH/s all' uses %u threads; 'rolled' scans %zu versions per call sharing the\n"
      "second block's message schedule; cycles are estimated from the clock measured\n"
      "around each single-core run.\n",
      threads, versions);
}

// The backends --backend names, or every one this CPU runs.
Expected<std::vector<Backend>> ChosenBackends(const Args& args) {
  std::vector<Backend> backends;
  for (const std::string& name : args.GetAll("backend")) {
    Expected<Backend> b = Backend::Find(name);
    if (!b) {
      return b.error();
    }
    backends.push_back(*b);
  }
  for (const sha256::BackendInfo& info : Backend::List()) {
    if (args.GetAll("backend").empty() && info.supported) {
      backends.push_back(*Backend::Find(info.name));
    }
  }
  return backends;
}

// One backend's row: one core, all cores, rolled versions, and the clock around each.
Row Measure(const Backend& b, unsigned threads, std::size_t versions, double seconds) {
  Row r{std::string(b.name()), b.lanes(), 0, 0, 0, 0, 0};
  const double before = MeasureClockGhz(0.05);
  r.one = ScanRateOneCore(b, 1, seconds);
  r.ghz = (before + MeasureClockGhz(0.05)) / 2;
  r.all = ScanRateAllCores(b, threads, seconds);
  const double before_rolled = MeasureClockGhz(0.05);
  r.rolled = ScanRateOneCore(b, versions, seconds);
  r.rolled_ghz = (before_rolled + MeasureClockGhz(0.05)) / 2;
  return r;
}

}  // namespace

int RunBench(const Args& args) {
  if (args.Has("list")) {
    return ListBackends();
  }
  const auto seconds = args.Number("seconds", 1, 0.001, 600, "seconds");
  const auto threads =
      args.Whole("threads", std::max(1u, std::thread::hardware_concurrency()), 1, 1024);
  const auto versions = args.Whole("versions", 4, 1, 64);
  const auto backends = ChosenBackends(args);
  if (const Error e =
          FirstError({seconds.status(), threads.status(), versions.status(), backends.status()});
      !e.ok()) {
    return UsageError("bench", e.message());
  }
  std::printf("hashrig bench: sha256d nonce scan of an 80-byte header, %.2f s per measurement\n",
              *seconds);
  std::fflush(stdout);
  std::vector<Row> rows;
  double scalar = 0;
  for (const Backend& b : *backends) {
    rows.push_back(Measure(b, static_cast<unsigned>(*threads), *versions, *seconds));
    if (b == Backend::Scalar()) {
      scalar = rows.back().one;
    }
  }
  const double before = MeasureClockGhz(0.05);
  const double openssl = OpenSslRate(*seconds);
  const double openssl_ghz = (before + MeasureClockGhz(0.05)) / 2;
  PrintTable(rows, scalar, openssl, openssl_ghz, static_cast<unsigned>(*threads), *versions);
  return kExitOk;
}

}  // namespace hashrig::host
