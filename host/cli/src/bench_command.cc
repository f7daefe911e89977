// `hashrig bench`: sha256d scan throughput of every backend this CPU runs, side by side
// in one run (the clock wanders, so numbers from different runs do not compare), against
// the scalar reference and a sha256d loop on OpenSSL's EVP interface over the same header
// (contexts reused, the first 64 bytes hashed once: what `openssl speed -evp` measures,
// not a miner). Cycles per nonce come from the clock measured around each single-core
// run (clock_probe.h) over the thread's CPU time, and are printed only when both clock
// methods agree.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <thread>

#include "backend_choice.h"
#include "hashrig/host/cli/args.h"
#include "hashrig/host/cli/clock_probe.h"
#include "hashrig/host/cli/commands.h"
#include "hashrig/sha256/openssl_baseline.h"
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
  double seconds = 0;      // wall time: hashes/s as the world sees them
  double cpu_seconds = 0;  // the thread's CPU time: with the clock, cycles per hash
  double rate() const { return seconds > 0 ? static_cast<double>(hashes) / seconds : 0; }
  // Cycles per hash at `clock_ghz`, or nothing without an agreed clock.
  std::optional<double> Cycles(std::optional<double> clock_ghz) const {
    if (!clock_ghz || hashes == 0) {
      return std::nullopt;
    }
    return *clock_ghz * 1e9 * cpu_seconds / static_cast<double>(hashes);
  }
};

// Scans consecutive nonce windows starting at `start` until `seconds` have passed.
Timed ScanFor(const sha256::HeaderScanner& scanner, std::uint64_t start, double seconds,
              const std::atomic<bool>* stop = nullptr) {
  constexpr std::uint64_t kWindow = 1 << 18;
  std::vector<sha256::Hit> hits;
  Timed t;
  const auto begin = Clock::now();
  const double cpu_begin = ThreadCpuSeconds();
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
  t.cpu_seconds = ThreadCpuSeconds() - cpu_begin;
  return t;
}

Timed ScanOneCore(Backend backend, std::size_t versions, double seconds) {
  if (versions <= 1) {
    return ScanFor(sha256::HeaderScanner(kHeader, backend), 0, seconds);
  }
  std::vector<std::uint32_t> rolled;
  for (std::size_t i = 0; i < versions; ++i) {
    rolled.push_back(0x20000000u | (static_cast<std::uint32_t>(i) << 13));
  }
  return ScanFor(sha256::HeaderScanner(kHeader, rolled, backend), 0, seconds);
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

// sha256d per nonce through OpenSSL (sha256/openssl_baseline.h): a baseline for the hash
// core, not a miner.
Timed OpenSslEvpScan(double seconds) {
  sha256::OpenSslNonceHasher hasher(kHeader);
  unsigned sink = 0;
  Timed t;
  const auto begin = Clock::now();
  const double cpu_begin = ThreadCpuSeconds();
  for (std::uint32_t nonce = 0; t.seconds < seconds;) {
    for (int i = 0; i < 4096; ++i, ++nonce) {
      sink += hasher.Hash(nonce)[31] == 0 ? 1 : 0;
    }
    t.hashes += 4096;
    t.seconds = std::chrono::duration<double>(Clock::now() - begin).count();
  }
  t.cpu_seconds = ThreadCpuSeconds() - cpu_begin;
  if (sink == 0xffffffff) {
    std::puts("");  // keeps the loop's result alive
  }
  return t;
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
  Timed one;
  ClockReading one_clock;
  double all;
  Timed rolled;
  ClockReading rolled_clock;
};

// The clock around a run: each method's mean of a reading before and one after.
ClockReading Around(const ClockReading& before, const ClockReading& after) {
  return {(before.add_ghz + after.add_ghz) / 2, (before.multiply_ghz + after.multiply_ghz) / 2};
}

// "123.4", or "n/a" when the clock methods disagreed.
std::string CyclesText(const Timed& t, const ClockReading& clock) {
  const auto cycles = t.Cycles(clock.Agreed());
  char text[32] = "n/a";
  if (cycles) {
    std::snprintf(text, sizeof(text), "%.1f", *cycles);
  }
  return text;
}

void PrintTable(const std::vector<Row>& rows, double scalar, const Timed& openssl,
                const ClockReading& openssl_clock, unsigned threads, std::size_t versions) {
  std::printf("\n%-8s %5s %12s %10s %13s %9s %10s %14s %10s\n", "backend", "lanes", "MH/s 1 core",
              "cyc/nonce", "MH/s all", "x scalar", "x EVP", "rolled MH/s", "cyc/nonce");
  std::vector<const ClockReading*> clocks{&openssl_clock};
  for (const Row& r : rows) {
    // Without a scalar measurement in this run there is nothing to divide by.
    char speedup[16] = "-";
    if (scalar > 0) {
      std::snprintf(speedup, sizeof(speedup), "%.2f", r.one.rate() / scalar);
    }
    std::printf("%-8s %5d %12.2f %10s %13.2f %9s %10.2f %14.2f %10s\n", r.name.c_str(), r.lanes,
                r.one.rate() / 1e6, CyclesText(r.one, r.one_clock).c_str(), r.all / 1e6, speedup,
                r.one.rate() / openssl.rate(), r.rolled.rate() / 1e6,
                CyclesText(r.rolled, r.rolled_clock).c_str());
    clocks.push_back(&r.one_clock);
    clocks.push_back(&r.rolled_clock);
  }
  std::printf("%-8s %5d %12.2f %10s\n", "evp", 1, openssl.rate() / 1e6,
              CyclesText(openssl, openssl_clock).c_str());
  std::printf(
      "\n'MH/s all' uses %u thread(s); 'rolled' scans %zu versions per call sharing the\n"
      "second block's message schedule. 'evp' (and 'x EVP') is a sha256d loop on OpenSSL's\n"
      "EVP interface, contexts reused and the first 64 bytes hashed once, as `openssl speed\n"
      "-evp sha256` drives it: a baseline for the hash core, not a miner. Cycles per nonce\n"
      "use the thread's CPU time and the clock measured around each single-core run.\n",
      threads, versions);
  const auto worst = std::find_if(clocks.begin(), clocks.end(),
                                  [](const ClockReading* c) { return !c->Agreed(); });
  const ClockReading& shown = worst != clocks.end() ? **worst : *clocks.front();
  if (shown.multiply_ghz <= 0) {
    std::printf("clock: %.2f GHz by dependent adds; no second method on this CPU, so no cycles\n",
                shown.add_ghz);
  } else {
    std::printf("clock: %.2f GHz by dependent adds, %.2f by dependent multiplies%s\n",
                shown.add_ghz, shown.multiply_ghz,
                shown.Agreed() ? "" : ": they disagree, so that run's cycles are n/a");
  }
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
  Row r{std::string(b.name()), b.lanes(), {}, {}, 0, {}, {}};
  const ClockReading before = MeasureClock(0.05);
  r.one = ScanOneCore(b, 1, seconds);
  r.one_clock = Around(before, MeasureClock(0.05));
  r.all = ScanRateAllCores(b, threads, seconds);
  const ClockReading before_rolled = MeasureClock(0.05);
  r.rolled = ScanOneCore(b, versions, seconds);
  r.rolled_clock = Around(before_rolled, MeasureClock(0.05));
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
      scalar = rows.back().one.rate();
    }
  }
  const ClockReading before = MeasureClock(0.05);
  const Timed openssl = OpenSslEvpScan(*seconds);
  PrintTable(rows, scalar, openssl, Around(before, MeasureClock(0.05)),
             static_cast<unsigned>(*threads), *versions);
  return kExitOk;
}

}  // namespace hashrig::host
