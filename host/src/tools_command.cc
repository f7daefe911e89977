// Tools for hardware engineers: `hashrig scan` (what is attached: USB bridges, serial
// devices, and for each --board the chain's chips) and `hashrig board-test` (known-answer
// work to every chip; a pass/fail table and an exit code a test jig can use).
#include <glob.h>

#include <cstdio>
#include <iostream>
#include <iterator>
#include <thread>

#include "boards.h"
#include "firmware_chain.h"
#include "hashrig/hal/board_client.h"
#include "hashrig/hal/direct_chain.h"
#include "hashrig/hal/protocol/nonce.h"
#include "hashrig/hal/sim_link.h"
#include "hashrig/hal/usb.h"
#include "hashrig/host/args.h"
#include "hashrig/host/commands.h"
#include "hashrig/pool/hex.h"
#include "hashrig/sha256/sha256.h"

namespace hashrig::host {
namespace {

namespace p = hal::protocol;
using namespace std::chrono_literals;

const std::vector<OptionSpec> kOptions = {
    {"board", 'b', true, true,
     "serial:PATH[@BAUD], tcp:HOST:PORT, usb:VID:PID[#SERIAL] or sim[:CHIPS]"},
    {"chip", 0, true, false, "chip model: BM1397, BM1366, BM1368, BM1370 (default BM1370)"},
    {"chips", 0, true, false, "chips expected per chain (default 1)"},
    {"help", 'h', false, false, "show this help"},
};

// Known-answer work: the ESP-Miner self-test job (Slush/Braiins pool, May 2023; data in
// ../shared/data/stratum/esp_miner_slush_2023.json): its golden nonce 0x0a029ed1 has
// difficulty 683.5, above the chips' ticket of 256.
constexpr std::string_view kGoldenHeader =
    "040000204595850c738349a3fa5274a511b72ec265a4f23d5243050000000000000000005bdc1968499c3393"
    "873edf8e07a1c3a50a97fc3a9d1a376bbf77087dd63778ebb52570643aae0517d19e020a";
constexpr std::uint32_t kGoldenNonce = 0x0a029ed1;

struct Setup {
  std::vector<std::string> boards;
  p::DriverConfig driver;
};

std::optional<Setup> ReadSetup(const std::vector<std::string>& argv, const char* command,
                               int& exit_code) {
  std::string error;
  const auto args = Args::Parse(argv, kOptions, &error);
  exit_code = kExitUsage;
  if (!args) {
    std::cerr << "hashrig " << command << ": " << error << "\n";
    return std::nullopt;
  }
  if (args->Has("help")) {
    std::cout << "usage: hashrig " << command << " [--board SPEC]... [--chip MODEL] [--chips N]\n\n"
              << FormatOptions(kOptions);
    exit_code = kExitOk;
    return std::nullopt;
  }
  Setup setup;
  setup.boards = args->GetAll("board");
  const auto model = p::ModelByName(args->Get("chip", "BM1370"));
  const auto chips = ParseCount(args->Get("chips", "1"));
  if (!model || !chips || *chips < 1 || *chips > 256) {
    std::cerr << "hashrig " << command
              << ": --chip or --chips: expected a BM13xx model and 1..256 chips\n";
    return std::nullopt;
  }
  setup.driver.model = *model;
  setup.driver.expected_chips = static_cast<int>(*chips);
  setup.driver.frequency = p::InfoOf(*model).default_frequency;
  setup.driver.enumeration_silence = p::Micros(300'000);
  return setup;
}

std::unique_ptr<hal::ByteLink> Open(const std::string& spec, const p::DriverConfig& driver,
                                    std::string& error) {
  if (spec.rfind("sim", 0) == 0) {
    const auto chips = spec.size() > 4 ? ParseCount(spec.substr(4))
                                       : std::optional<unsigned long long>(driver.expected_chips);
    return std::make_unique<hal::SimLink>(
        hal::sim::ChainConfig{driver.model, static_cast<int>(chips.value_or(1)), 4e6, 1});
  }
  const auto parsed = ParseBoardSpec(spec, error);
  const LinkOpener opener = parsed ? MakeLinkOpener(*parsed, error) : nullptr;
  if (!opener) {
    error = spec + ": " + error;
    return nullptr;
  }
  auto link = opener();
  if (!link) {
    error = spec + ": " + link.error().message();
    return nullptr;
  }
  return std::move(*link);
}

// A board running hashrig firmware: what it says about itself, and its chain after a
// reset (the board enumerates it; its per-chip pages list the chips).
bool ScanFirmwareBoard(const std::string& spec, hal::BoardClient& board,
                       const hal::link::HelloReply& hello) {
  const auto model = hello.chip_model < std::size(p::kChips) ? p::kChips[hello.chip_model].name
                                                             : std::string_view("unknown chip");
  std::cout << "\n"
            << spec << ": hashrig board " << hal::FieldText(hello.board_model) << " serial "
            << hal::FieldText(hello.serial) << ", firmware " << hello.firmware_version << ", slot "
            << (hello.running_slot == 0   ? "A"
                : hello.running_slot == 1 ? "B"
                                          : "-")
            << ", " << int(hello.chips) << " x " << model << "\n";
  Error status = board.Request(hal::link::Type::kChainReset, 2s);
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (status.ok() && std::chrono::steady_clock::now() < deadline) {
    status = board.Request(hal::link::Type::kTelemetryRequest, 2s);
    const auto state = board.telemetry() ? board.telemetry()->chain_state : 0;
    if (state == static_cast<std::uint8_t>(p::ChainState::kMining) ||
        state == static_cast<std::uint8_t>(p::ChainState::kFailed)) {
      break;
    }
    std::this_thread::sleep_for(200ms);
  }
  for (std::size_t first = 0; status.ok();) {
    const std::uint8_t page[] = {static_cast<std::uint8_t>(first)};
    status = board.Request(hal::link::Type::kChipStatsRequest, page, 2s);
    first += hal::link::kChipsPerPage;
    if (first >= board.chips().size()) {
      break;
    }
  }
  if (!status.ok() || !board.telemetry()) {
    std::cout << "  " << (status.ok() ? "no telemetry" : status.message()) << "\n";
    return false;
  }
  const auto& t = *board.telemetry();
  char temperature[32] = "sensor failed";
  if (t.temperature_decidegrees != -32768) {
    std::snprintf(temperature, sizeof temperature, "%.1f C", t.temperature_decidegrees / 10.0);
  }
  std::cout << "  chain " << p::ToString(static_cast<p::ChainState>(t.chain_state)) << ", "
            << board.chips().size() << " chips found, " << int(t.chips_alive) << " alive, "
            << t.frequency_quarter_mhz / 4.0 << " MHz, " << temperature
            << "\n  chip  address  alive\n";
  for (std::size_t i = 0; i < board.chips().size(); ++i) {
    std::printf("  %4zu  0x%02x     %s\n", i, board.chips()[i].address,
                board.chips()[i].alive != 0 ? "yes" : "no");
  }
  std::fflush(stdout);
  (void)board.Request(hal::link::Type::kTelemetryRequest, 1s);
  return t.chips_alive >= hello.chips;
}

void ListAttached() {
  const auto usb = hal::ListUsbBridges();
  const std::vector<std::string> bridges = usb ? *usb : std::vector<std::string>{};
  std::cout << "USB bridges:" << (bridges.empty() ? " none" : "") << "\n";
  for (const auto& b : bridges) {
    std::cout << "  " << b << "\n";
  }
  std::cout << "serial devices:";
  glob_t found{};
  int n = 0;
  for (const char* pattern : {"/dev/ttyUSB*", "/dev/ttyACM*", "/dev/serial/by-id/*"}) {
    if (::glob(pattern, n == 0 ? 0 : GLOB_APPEND, nullptr, &found) == 0) {
      n = 1;
    }
  }
  if (found.gl_pathc == 0) {
    std::cout << " none";
  }
  std::cout << "\n";
  for (std::size_t i = 0; i < found.gl_pathc; ++i) {
    std::cout << "  " << found.gl_pathv[i] << "\n";
  }
  ::globfree(&found);
}

}  // namespace

int RunScanCommand(const std::vector<std::string>& argv) {
  int exit_code = kExitOk;
  auto setup = ReadSetup(argv, "scan", exit_code);
  if (!setup) {
    return exit_code;
  }
  ListAttached();
  int failures = 0;
  for (const std::string& spec : setup->boards) {
    p::DriverConfig config = setup->driver;
    config.frequency = {56.25};  // enumerate and address only: no ramp to speak of
    config.fast_baud = false;
    std::string error;
    auto link = Open(spec, config, error);
    if (!link) {
      std::cout << "\n" << error << "\n";
      ++failures;
      continue;
    }
    if (spec.rfind("sim", 0) != 0) {  // a board running hashrig firmware answers Hello
      hal::BoardClient board(std::move(link));
      hal::link::HelloReply hello;
      if (board.Hello(kBoardProbe, hello).ok()) {
        failures += ScanFirmwareBoard(spec, board, hello) ? 0 : 1;
        continue;
      }
      link = board.Release();
    }
    hal::DirectChain chain(std::move(link), config);
    chain.Start();
    const Error status = chain.RunUntilMining(30s);
    const p::ChainDriver& d = chain.driver();
    std::cout << "\n"
              << spec << ": " << d.chips_found() << " x " << p::InfoOf(config.model).name << " ("
              << (status.ok() ? d.status().message() : status.message().c_str())
              << ")\n  chip  address  model   MHz    temperature\n";
    for (int i = 0; i < d.chips_found(); ++i) {
      std::printf("  %4d  0x%02x     %-6s  %5.1f  -\n", i, d.chip(i).address,
                  std::string(p::InfoOf(config.model).name).c_str(), config.frequency.value);
    }
    std::fflush(stdout);
    failures += status.ok() && d.missing_chips() == 0 ? 0 : 1;
  }
  return failures == 0 ? kExitOk : kExitFailure;
}

}  // namespace hashrig::host

namespace hashrig::host {
namespace {

// Sends the golden work so that `chip` (and only it) reaches the golden nonce at once:
// chips start at the job's starting nonce plus their CHIP_NONCE_OFFSET (i * 65536 / n).
bool SendGolden(p::ChainDriver& driver, int chip, const std::vector<std::uint8_t>& header) {
  const auto n = static_cast<std::uint32_t>(driver.chips_found());
  const std::uint32_t offset = n > 1 ? (static_cast<std::uint32_t>(chip) * 65536u / n) << 16 : 0;
  const std::uint32_t start = kGoldenNonce - offset - 32;
  auto le32 = [&header](std::size_t at) {
    return static_cast<std::uint32_t>(header[at]) | header[at + 1] << 8 | header[at + 2] << 16 |
           static_cast<std::uint32_t>(header[at + 3]) << 24;
  };
  if (driver.config().model == p::ChipModel::kBm1397) {
    p::MidstateJob m;
    m.starting_nonce = start;
    m.merkle_tail = le32(64);
    m.ntime = le32(68);
    m.nbits = le32(72);
    m.midstates[0] = sha256::Midstate(std::span<const std::uint8_t, 64>(header.data(), 64)).words;
    return driver.SendJob(m, le32(0), static_cast<std::uint32_t>(chip)).ok();
  }
  p::HeaderJob job;
  job.starting_nonce = start;
  job.version = le32(0);
  std::copy(header.begin() + 4, header.begin() + 36, job.prev_hash.begin());
  std::copy(header.begin() + 36, header.begin() + 68, job.merkle_root.begin());
  job.ntime = le32(68);
  job.nbits = le32(72);
  return driver.SendJob(job, static_cast<std::uint32_t>(chip)).ok();
}

}  // namespace

int RunBoardTestCommand(const std::vector<std::string>& argv) {
  int exit_code = kExitOk;
  auto setup = ReadSetup(argv, "board-test", exit_code);
  if (!setup) {
    return exit_code;
  }
  if (setup->boards.size() != 1) {
    std::cerr << "hashrig board-test: give exactly one --board\n";
    return kExitUsage;
  }
  std::string error;
  auto link = Open(setup->boards[0], setup->driver, error);
  if (!link) {
    std::cerr << "hashrig board-test: " << error << "\n";
    return kExitFailure;
  }
  p::DriverConfig config = setup->driver;
  config.ticket_difficulty = 256;
  hal::DirectChain chain(std::move(link), config);
  chain.Start();
  if (const Error status = chain.RunUntilMining(60s); !status.ok()) {
    std::cerr << "hashrig board-test: chain did not come up: " << status.message() << "\n";
    return kExitFailure;
  }
  const auto header = *pool::DecodeHex(kGoldenHeader);
  p::ChainDriver& driver = chain.driver();
  std::cout << "chip  address  result  ms\n";
  int failed = driver.missing_chips();
  for (int chip = 0; chip < driver.chips_found(); ++chip) {
    const auto t0 = std::chrono::steady_clock::now();
    bool pass = SendGolden(driver, chip, header);
    bool found = false;
    while (pass && !found && std::chrono::steady_clock::now() - t0 < 3s) {
      (void)chain.Step(2ms);
      p::NonceEvent e;
      while (driver.NextNonce(e)) {
        found |= e.token == static_cast<std::uint32_t>(chip) && e.nonce == kGoldenNonce &&
                 e.chip == chip;
      }
    }
    pass = pass && found;
    failed += pass ? 0 : 1;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - t0);
    std::printf("%4d  0x%02x     %s    %lld\n", chip, driver.chip(chip).address,
                pass ? "PASS" : "FAIL", static_cast<long long>(ms.count()));
  }
  std::printf("%d of %d chips passed%s\n", driver.chips_found() - (failed - driver.missing_chips()),
              driver.expected_chips(),
              driver.missing_chips() > 0
                  ? (", " + std::to_string(driver.missing_chips()) + " missing").c_str()
                  : "");
  std::fflush(stdout);
  return failed == 0 ? kExitOk : kExitFailure;
}

}  // namespace hashrig::host
