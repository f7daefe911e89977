// `hashrig board-test`: known-answer work to every chip of a board — the ESP-Miner
// self-test's golden nonce, each chip's own starting nonce putting it at the front of its
// range; for Canaan MM modules, real block 542213's nonce per module — a PASS/FAIL table,
// and an exit code a test jig can use (0 only if every expected chip or module passed).
#include <cstdio>
#include <iostream>

#include "hashrig/base/hex.h"
#include "hashrig/hal/direct_chain.h"
#include "hashrig/hal/protocol/bm13xx/nonce.h"
#include "hashrig/hal/protocol/le.h"
#include "hashrig/host/cli/commands.h"
#include "hashrig/sha256/sha256.h"
#include "tools.h"

namespace hashrig::host {
namespace {

namespace p = hal::protocol;
using namespace std::chrono_literals;

// Known-answer work: the ESP-Miner self-test job (Slush/Braiins pool, May 2023; data in
// ../shared/data/stratum/esp_miner_slush_2023.json): its golden nonce 0x0a029ed1 has
// difficulty 683.5, above the chips' ticket of 256.
constexpr std::string_view kGoldenHeader =
    "040000204595850c738349a3fa5274a511b72ec265a4f23d5243050000000000000000005bdc1968499c3393"
    "873edf8e07a1c3a50a97fc3a9d1a376bbf77087dd63778ebb52570643aae0517d19e020a";
constexpr std::uint32_t kGoldenNonce = 0x0a029ed1;
// A real module finds its known answer in milliseconds; a simulated one hashes on the CPU.
constexpr std::chrono::seconds kAvalonModuleLimit{120};

std::uint32_t Le32(const std::vector<std::uint8_t>& header, std::size_t at) {
  return static_cast<std::uint32_t>(header[at]) | header[at + 1] << 8 | header[at + 2] << 16 |
         static_cast<std::uint32_t>(header[at + 3]) << 24;
}

// Sends the golden work so that `chip` (and only it) tests the golden nonce first: its
// core 0 starts at the job's starting nonce plus the chip's base (nonce.h ChipNonceBase).
bool SendGolden(p::Bm13xxDriver& driver, int chip, const std::vector<std::uint8_t>& header) {
  const std::uint32_t base = p::ChipNonceBase(driver.config().model, chip, driver.chips_found(),
                                              driver.chip(chip).address.value);
  const std::uint32_t start = p::ByteSwap32(p::ByteSwap32(kGoldenNonce) - base);
  const WorkToken token{static_cast<std::uint32_t>(chip)};
  if (driver.config().model == p::ChipModel::kBm1397) {
    p::MidstateJob m;
    m.starting_nonce = start;
    m.merkle_tail = Le32(header, 64);
    m.ntime = Le32(header, 68);
    m.nbits = Le32(header, 72);
    m.midstates[0] = sha256::Midstate(std::span<const std::uint8_t, 64>(header.data(), 64)).words;
    return driver.SendJob(m, Version{Le32(header, 0)}, token).ok();
  }
  p::HeaderJob job;
  job.starting_nonce = start;
  job.version = Le32(header, 0);
  std::copy(header.begin() + 4, header.begin() + 36, job.prev_hash.begin());
  std::copy(header.begin() + 36, header.begin() + 68, job.merkle_root.begin());
  job.ntime = Le32(header, 68);
  job.nbits = Le32(header, 72);
  return driver.SendJob(job, token).ok();
}

// One chip: its golden nonce back within 3 s.
bool TestChip(hal::DirectChain& chain, int chip, const std::vector<std::uint8_t>& header) {
  const auto t0 = std::chrono::steady_clock::now();
  p::Bm13xxDriver& driver = chain.driver();
  bool found = false;
  const bool sent = SendGolden(driver, chip, header);
  while (sent && !found && std::chrono::steady_clock::now() - t0 < 3s) {
    (void)chain.Step(2ms);
    p::NonceEvent e;
    while (driver.NextNonce(e)) {
      found |= e.token.value == static_cast<std::uint32_t>(chip) && e.nonce.value == kGoldenNonce &&
               e.chip == chip;
    }
  }
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  std::printf("%4d  0x%02x     %s    %lld\n", chip, driver.chip(chip).address.value,
              found ? "PASS" : "FAIL", static_cast<long long>(ms.count()));
  return found;
}

}  // namespace

int RunBoardTest(const Args& args) {
  const auto setup = ReadToolSetup(args);
  if (!setup) {
    return UsageError("board-test", setup.error().message());
  }
  if (setup->boards.size() != 1) {
    return UsageError("board-test", "give exactly one --board");
  }
  const BoardSpec& spec = setup->boards[0];
  auto board = OpenBoard(spec, setup->settings);
  if (!board) {
    return Failure("board-test", board.error().message());
  }
  if (board->avalon) {  // MM modules take jobs, not headers: block 542213's, per module
    return TestAvalonModules(std::move(*board), setup->settings, kAvalonModuleLimit);
  }
  p::DriverConfig config = DriverFor(spec, *setup);
  config.ticket_difficulty = 256;
  hal::DirectChain chain(std::move(board->link), config, std::move(board->peripherals));
  (void)chain.Start();
  if (const Error status = chain.RunUntilMining(60s); !status.ok()) {
    return Failure("board-test", "chain did not come up: " + status.message());
  }
  const auto header = *DecodeHex(kGoldenHeader);
  const p::Bm13xxDriver& driver = chain.driver();
  std::cout << "chip  address  result  ms\n";
  int passed = 0;
  for (int chip = 0; chip < driver.chips_found(); ++chip) {
    passed += TestChip(chain, chip, header) ? 1 : 0;
  }
  std::printf("%d of %d chips passed%s\n", passed, driver.expected_chips(),
              driver.missing_chips() > 0
                  ? (", " + std::to_string(driver.missing_chips()) + " missing").c_str()
                  : "");
  std::fflush(stdout);
  return passed == driver.expected_chips() && driver.missing_chips() == 0 ? kExitOk : kExitFailure;
}

}  // namespace hashrig::host
