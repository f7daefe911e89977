// `hashrig scan`: what is attached — USB bridges, serial devices — and for each --board
// its chain's chips (position, address, model, clock); a board running hashrig firmware
// is asked instead (identity, firmware version and slot, chain state, its chips from the
// per-chip pages); Canaan MM modules list their AUC, modules, miners, chips and firmware. Exit 1
// when a board is missing chips or does not answer.
#include <glob.h>

#include <cstdio>
#include <iostream>
#include <iterator>
#include <thread>

#include "hashrig/hal/board_client.h"
#include "hashrig/hal/direct_chain.h"
#include "hashrig/hal/usb.h"
#include "hashrig/host/cli/commands.h"
#include "tools.h"

namespace hashrig::host {
namespace {

namespace p = hal::protocol;
using namespace std::chrono_literals;

void PrintFirmwareChain(const hal::BoardClient& board) {
  const auto& t = *board.telemetry();
  char temperature[32] = "no temperature reading";
  if (t.temperature_decidegrees != hal::link::kNoTemperature) {
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
  auto status = board.Request(hal::link::ChainReset{}, 2s);
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (status && std::chrono::steady_clock::now() < deadline) {
    status = board.Request(hal::link::TelemetryRequest{}, 2s);
    const auto state = board.telemetry() ? board.telemetry()->chain_state : 0;
    if (state == static_cast<std::uint8_t>(p::ChainState::kMining) ||
        state == static_cast<std::uint8_t>(p::ChainState::kFailed)) {
      break;
    }
    std::this_thread::sleep_for(200ms);
  }
  for (std::size_t first = 0; status;) {
    status = board.Request(hal::link::ChipStatsRequest{static_cast<std::uint8_t>(first)}, 2s);
    first += hal::link::kChipsPerPage;
    if (first >= board.chips().size()) {
      break;
    }
  }
  if (!status || !board.telemetry()) {
    std::cout << "  " << (status ? "no telemetry" : status.error().message()) << "\n";
    return false;
  }
  PrintFirmwareChain(board);
  (void)board.Request(hal::link::TelemetryRequest{}, 1s);
  return board.telemetry()->chips_alive >= hello.chips;
}

// A chain the host drives: enumerated and addressed only (no ramp to speak of).
bool ScanChain(const BoardSpec& spec, OpenedBoard board, p::DriverConfig config) {
  config.frequency = {56.25};
  config.fast_baud = false;
  hal::DirectChain chain(std::move(board.link), config, std::move(board.peripherals));
  (void)chain.Start();
  const Error status = chain.RunUntilMining(30s);
  const p::Bm13xxDriver& d = chain.driver();
  std::cout << "\n"
            << spec.text << ": " << d.chips_found() << " x " << p::InfoOf(config.model).name << " ("
            << (status.ok() ? d.status().message() : status.message().c_str())
            << ")\n  chip  address  model   MHz    temperature\n";
  const auto celsius =
      chain.board() != nullptr
          ? chain.board()->With([](hal::BoardPeripherals& b) { return b.Temperature(); })
          : std::nullopt;
  const std::string temperature = chain.board() == nullptr ? "no sensor"
                                  : celsius ? std::to_string(celsius->value).substr(0, 5) + " C"
                                            : "no reading";
  for (int i = 0; i < d.chips_found(); ++i) {
    std::printf("  %4d  0x%02x     %-6s  %5.1f  %s\n", i, d.chip(i).address.value,
                std::string(p::InfoOf(config.model).name).c_str(), config.frequency.value,
                temperature.c_str());
  }
  std::fflush(stdout);
  return status.ok() && d.missing_chips() == 0;
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
  std::cout << (found.gl_pathc == 0 ? " none" : "") << "\n";
  for (std::size_t i = 0; i < found.gl_pathc; ++i) {
    std::cout << "  " << found.gl_pathv[i] << "\n";
  }
  ::globfree(&found);
}

bool ScanBoard(const BoardSpec& spec, const ToolSetup& setup) {
  auto board = OpenBoard(spec, setup.settings);
  if (!board) {
    std::cout << "\n" << board.error().message() << "\n";
    return false;
  }
  if (board->may_run_firmware) {  // a board running hashrig firmware answers Hello
    auto client = std::make_unique<hal::BoardClient>(std::move(board->link));
    if (const auto hello = client->Hello(kFirmwareProbe)) {
      return ScanFirmwareBoard(spec.text, *client, *hello);
    }
    board->link = client->Release();
  }
  if (board->avalon) {
    return ScanAvalon(spec, std::move(*board), setup.settings);
  }
  return ScanChain(spec, std::move(*board), DriverFor(spec, setup));
}

}  // namespace

int RunScan(const Args& args) {
  const auto setup = ReadToolSetup(args);
  if (!setup) {
    return UsageError("scan", setup.error().message());
  }
  ListAttached();
  int failures = 0;
  for (const BoardSpec& spec : setup->boards) {
    failures += ScanBoard(spec, *setup) ? 0 : 1;
  }
  return failures == 0 ? kExitOk : kExitFailure;
}

}  // namespace hashrig::host
