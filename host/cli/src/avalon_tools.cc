// `hashrig scan` and `hashrig board-test` on Canaan MM modules (avalon:, auc: boards): the
// Avalon driver in the chain controller (hal::AvalonChain, as `hashrig run` drives them),
// run until its first detection scan is over.
#include <algorithm>
#include <cstdio>
#include <iostream>

#include "hashrig/base/hex.h"
#include "hashrig/hal/direct_chain.h"
#include "hashrig/host/cli/commands.h"
#include "tools.h"

namespace hashrig::host {
namespace {

namespace p = hal::protocol;
namespace av = hal::protocol::avalon;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Steps `chain` until `done` or `limit`; false on a link error or the limit.
template <class Done>
bool StepUntil(hal::AvalonChain& chain, Done done, std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() > deadline || !chain.Step(2ms).ok()) {
      return false;
    }
  }
  return true;
}

// The top PLL point a module reports, or, before it has, the one it was set to.
double TopMhz(const av::AvalonDriver& d, const av::ModuleInfo& m) {
  const std::uint32_t reported = m.top_mhz();
  return reported != 0 ? reported : d.settings().frequency.value;
}

// The first scan is over, and every module found is configured and has reported a STATUS
// (its temperature).
bool Settled(const av::AvalonDriver& d) {
  if (!d.scan_done()) {
    return false;
  }
  int present = 0;
  for (int slot = 0; slot < av::kMaxModules; ++slot) {
    const av::ModuleInfo& m = d.module(slot);
    if (m.present && (!m.configured || !m.temperature)) {
      return false;
    }
    present += m.present ? 1 : 0;
  }
  return present > 0;
}

// Up to 30 s for the first module, then up to 30 s more for the first scan to end (modules
// that kept an id from an earlier host are rebooted first: driver_poll.cc EndScan) and for
// every module's first STATUS (a few polls after SET_FIN). A module that never
// reports is listed as it is.
Error BringUp(hal::AvalonChain& chain) {
  (void)chain.Start();
  if (Error e = chain.RunUntilMining(30s); !e.ok()) {
    return e;
  }
  (void)StepUntil(
      chain, [&] { return Settled(chain.driver()); }, 30s);
  return {};
}

// How many detection scans finding no module the tools make before "no module answered"
// (the daemon's driver: 3, then the chain is tried again): scans are 1 s apart, so ~9 s
// after the first. A control board's serial path stalls for 1-2 s when the machine is
// loaded (docs/RELIABILITY.md); board-test's first scan after a scan finds no module by
// design (they kept their ids and are rebooted), which left two real attempts.
constexpr int kToolEmptyScans = 8;

hal::AvalonChain MakeChain(OpenedBoard board, const BoardSettings& settings) {
  av::DriverConfig config = settings.avalon;
  config.transport = *board.avalon;
  config.empty_scans_to_fail = std::max(config.empty_scans_to_fail, kToolEmptyScans);
  return hal::AvalonChain(std::move(board.link), config, nullptr, settings.thermal);
}

std::string CelsiusText(const std::optional<Celsius>& c) {
  if (!c) {
    return "-";
  }
  char text[16];
  std::snprintf(text, sizeof text, "%.1f C", c->value);
  return text;
}

std::string DnaHex(const av::ModuleInfo& m) { return EncodeHex(m.dna); }

void PrintModules(const av::AvalonDriver& d) {
  const int miners = d.generation() ? av::InfoOf(*d.generation()).miners : 0;
  std::cout << "  module  id  DNA               firmware              miners  chips  MHz   temp\n";
  for (int slot = 0; slot < av::kMaxModules; ++slot) {
    const av::ModuleInfo& m = d.module(slot);
    if (!m.present) {
      continue;
    }
    std::printf("  %6d  %2d  %s  %-20s  %6d  %5u  %4.0f  %s\n", slot, m.id, DnaHex(m).c_str(),
                std::string(m.version_string()).c_str(), miners, m.asic_count, TopMhz(d, m),
                CelsiusText(m.temperature).c_str());
  }
  std::fflush(stdout);
}

// Real block 542213's job (../shared/data/blocks/jobs/job_542213.json, the worked session
// of avalon-protocol.md §6): with extranonce2 acba0500 (nonce2 0x0005baac) at ntime offset
// 0, its nonce is 0x01e39613.
constexpr std::string_view kJobId = "blk542213";
constexpr std::string_view kPrevhash =  // the notify's, each 4-byte word byte-reversed
    "b1eb8089ccba3612d547c466c51b96adccf9c04600085a380000000000000000";
constexpr std::string_view kCoinb1 =
    "01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff500305"
    "4608174d696e656420627920416e74506f6f6c393b205ba350dffabe6d6d3a3e92d9efff857664de632e89fa"
    "3182f1e793d00be2e71a117b273145945a810400000000000000";
constexpr std::string_view kExtranonce1 = "db250000";
constexpr std::string_view kCoinb2 =
    "ffffffff028a8f814a000000001976a914edf10a7fac6b32e24daa5305c723f3de58db1bc888ac0000000000"
    "000000266a24aa21a9ed4a657fcaa2149342376247e2e283a55a6b92dcc35d4d89e4ac7b74488cb63be20000"
    "0000";
constexpr std::string_view kBranch[] = {
    "d7dadae1f07cb379e7812391eecaba37fdb41a23484482e9a19de94bebacbe66",
    "f3582962cbaaf6a1fd519a17eb98b5e0cc15a973d2c72886365b37f2fe5bb149"};
constexpr std::uint32_t kVersion = 0x20000000;
constexpr std::uint32_t kNbits = 0x172819a1;
constexpr std::uint32_t kNtime = 0x5ba350df;
constexpr std::uint32_t kGoldenNonce2 = 0x0005baac;
constexpr std::uint32_t kAvalonGoldenNonce = 0x01e39613;

// The job's bytes, owned here while the chain holds spans of them.
struct GoldenJob {
  std::vector<std::uint8_t> coinb1 = *DecodeHex(kCoinb1);
  std::vector<std::uint8_t> extranonce1 = *DecodeHex(kExtranonce1);
  std::vector<std::uint8_t> coinb2 = *DecodeHex(kCoinb2);
  std::vector<p::Hash32> branch;
  p::StratumJob job;

  GoldenJob() {
    for (std::string_view hex : kBranch) {
      const auto bytes = *DecodeHex(hex);
      std::copy(bytes.begin(), bytes.end(), branch.emplace_back().begin());
    }
    const auto prevhash = *DecodeHex(kPrevhash);
    for (std::size_t i = 0; i < 32; ++i) {
      job.prevhash[i] = prevhash[i / 4 * 4 + 3 - i % 4];
    }
    job.job_id = kJobId;
    job.coinb1 = coinb1;
    job.extranonce1 = extranonce1;
    job.extranonce2_size = 4;
    job.coinb2 = coinb2;
    job.merkle_branch = branch;
    job.version = kVersion;
    job.nbits = kNbits;
    job.ntime = kNtime;
    job.clean_jobs = true;
    job.difficulty = *sha256::Difficulty::From(1024);  // only the block's nonce comes back
  }
  GoldenJob(const GoldenJob&) = delete;
  GoldenJob& operator=(const GoldenJob&) = delete;
};

struct ModuleResult {
  bool golden = false;
  int good = 0;  // other nonces the host's hash confirmed
  int bad = 0;   // nonces whose hash missed the target: hardware errors
  std::chrono::milliseconds took{};
};

// The module in `slot` takes the golden job with the block's nonce2 as its own start (the
// others' starts follow it: §8b.2, a module starts at start + id - 1), and must send the
// block's nonce back within `limit`, before any nonce the host's hash refutes.
ModuleResult TestModule(hal::AvalonChain& chain, int slot, const GoldenJob& golden,
                        std::chrono::milliseconds limit) {
  const av::ModuleInfo& m = chain.driver().module(slot);
  p::ChainWork work;
  work.token = WorkToken{static_cast<std::uint32_t>(slot + 1)};
  work.job = &golden.job;
  work.nonce2_start = kGoldenNonce2 - (m.id - 1u);
  work.nonce2_range = 1u << 16;
  chain.chain().SetWork(work);
  ModuleResult r;
  const auto t0 = Clock::now();
  (void)StepUntil(
      chain,
      [&] {
        p::CheckedNonce n;
        while (chain.chain().NextNonce(n)) {
          if (n.event.chip / av::kMinersPerSlot != slot ||
              n.event.token.value != work.token.value) {
            continue;
          }
          const bool is_golden = n.event.nonce.value == kAvalonGoldenNonce &&
                                 n.event.nonce2 == kGoldenNonce2 && n.event.ntime == kNtime;
          r.golden |= is_golden && n.meets_ticket;
          (n.meets_ticket ? r.good : r.bad) += is_golden ? 0 : 1;
        }
        return r.golden || r.bad > 0;  // a nonce the host's hash refutes fails it at once
      },
      limit);
  r.took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
  return r;
}

}  // namespace

bool ScanAvalon(const BoardSpec& spec, OpenedBoard board, const BoardSettings& settings) {
  hal::AvalonChain chain = MakeChain(std::move(board), settings);
  const Error status = BringUp(chain);
  const av::AvalonDriver& d = chain.driver();
  std::cout << "\n" << spec.text << ": ";
  if (!d.auc_version().empty()) {
    std::cout << "AUC " << d.auc_version()
              << (d.auc_temperature() ? " at " + CelsiusText(d.auc_temperature()) : "") << ", ";
  }
  std::cout << d.modules_present() << " x "
            << (d.generation() ? av::InfoOf(*d.generation()).name : "Avalon") << " module"
            << (d.modules_present() == 1 ? "" : "s") << " ("
            << (status.ok() ? d.status().message() : status.message()) << ")\n";
  if (d.modules_present() > 0) {
    PrintModules(d);
  }
  return status.ok() && d.modules_present() > 0;
}

int TestAvalonModules(OpenedBoard board, const BoardSettings& settings,
                      std::chrono::milliseconds per_module) {
  hal::AvalonChain chain = MakeChain(std::move(board), settings);
  if (const Error status = BringUp(chain); !status.ok()) {
    return Failure("board-test", "no Avalon module came up: " + status.message());
  }
  const av::AvalonDriver& d = chain.driver();
  const GoldenJob golden;
  std::cout << "known answer: block 542213, nonce2 0x0005baac, nonce 0x01e39613\n"
               "module  id  DNA               result  other nonces  bad  ms\n";
  int passed = 0;
  int tested = 0;
  for (int slot = 0; slot < av::kMaxModules; ++slot) {
    if (!d.module(slot).present) {
      continue;
    }
    ++tested;
    const ModuleResult r = TestModule(chain, slot, golden, per_module);
    const bool pass = r.golden && r.bad == 0;
    passed += pass ? 1 : 0;
    std::printf("%6d  %2d  %s  %s    %12d  %3d  %lld\n", slot, d.module(slot).id,
                DnaHex(d.module(slot)).c_str(), pass ? "PASS" : "FAIL", r.good, r.bad,
                static_cast<long long>(r.took.count()));
    std::fflush(stdout);
  }
  std::printf("%d of %d modules passed\n", passed, tested);
  return passed == tested ? kExitOk : kExitFailure;
}

}  // namespace hashrig::host
