#include "tools.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iterator>

#include "hashrig/sha256/scan.h"

namespace hashrig::host {
namespace p = hal::protocol;

Expected<ToolSetup> ReadToolSetup(const Args& args) {
  ToolSetup setup;
  for (const std::string& text : args.GetAll("board")) {
    auto spec = ParseBoardSpec(text);
    if (!spec) {
      return spec.error();
    }
    setup.boards.push_back(*spec);
  }
  const auto model = p::ModelByName(args.Get("chip", "BM1370"));
  const auto chips = ParseCount(args.Get("chips", "1"));
  if (!model || !chips || *chips < 1 || *chips > 256) {
    return Error(StatusCode::kInvalidArgument,
                 "--chip or --chips: expected a BM13xx model and 1..256 chips");
  }
  p::DriverConfig& driver = setup.settings.driver;
  driver.model = *model;
  driver.expected_chips = static_cast<int>(*chips);
  driver.frequency = p::InfoOf(*model).default_frequency;
  driver.enumeration_silence = p::Micros(300'000);
  setup.settings.core_voltage = p::InfoOf(*model).default_core_voltage;
  setup.settings.sim_cpu_rate = 4e6;
  if (Error e = ReadAvalonSettings(args, setup.settings.avalon); !e.ok()) {
    return e;
  }
  return setup;
}

Error ReadAvalonSettings(const Args& args, p::avalon::DriverConfig& config) {
  namespace av = p::avalon;
  if (args.Has("avalon-frequency")) {
    const auto mhz = ParseDouble(args.Get("avalon-frequency"));
    const bool known = mhz && std::any_of(std::begin(av::kGenerations), std::end(av::kGenerations),
                                          [&](const av::GenerationInfo& g) {
                                            return av::PllWordFor(g.generation, {*mhz}).has_value();
                                          });
    if (!known) {
      return Error(StatusCode::kInvalidArgument,
                   "--avalon-frequency '" + args.Get("avalon-frequency") +
                       "': no Avalon generation has a PLL word for it (Avalon 8/LC3: 500, 525, "
                       "650, 800, 850, 1200 MHz; Avalon 10: 525, 575; Avalon 7: 600)");
    }
    config.frequency = {*mhz};
  }
  if (args.Has("avalon-voltage-level")) {
    int lowest = 0;
    int highest = 0;
    for (const av::GenerationInfo& g : av::kGenerations) {
      lowest = std::min(lowest, g.volt_level_min);
      highest = std::max(highest, g.volt_level_max);
    }
    const auto level = ParseDouble(args.Get("avalon-voltage-level"));
    if (!level || *level != std::floor(*level) || *level < lowest || *level > highest) {
      return Error(StatusCode::kInvalidArgument,
                   "--avalon-voltage-level '" + args.Get("avalon-voltage-level") +
                       "': expected a whole level " + std::to_string(lowest) + ".." +
                       std::to_string(highest) +
                       " (Avalon 8 -15..15, LC3 0..31, Avalon 10 0..75, Avalon 7 0..15)");
    }
    config.voltage_level = static_cast<int>(*level);
  }
  return {};
}

p::DriverConfig DriverFor(const BoardSpec& spec, const ToolSetup& setup) {
  if (spec.kind == FindBoardKind("sim")) {
    p::DriverConfig driver = SimDriver(setup.settings, spec.count);
    driver.ticket_difficulty = setup.settings.driver.ticket_difficulty;
    return driver;
  }
  return setup.settings.driver;
}

namespace {

double MeasuredScanRate() {
  static const double kRate = [] {
    const std::array<std::uint8_t, sha256::kHeaderSize> header{};
    const sha256::HeaderScanner scanner(header);
    const sha256::Target none;  // no hash meets a zero target: pure hashing
    std::vector<sha256::Hit> hits;
    constexpr std::uint64_t kChunk = 1 << 16;
    std::uint64_t done = 0;
    const auto t0 = std::chrono::steady_clock::now();
    auto elapsed = std::chrono::steady_clock::duration::zero();
    while (elapsed < std::chrono::milliseconds(50)) {
      done += scanner.Scan({done, done + kChunk}, none, hits);
      elapsed = std::chrono::steady_clock::now() - t0;
    }
    return static_cast<double>(done) / std::chrono::duration<double>(elapsed).count();
  }();
  return kRate;
}

}  // namespace

double UsableCpuRate(double requested, std::string_view command) {
  const double usable = 0.9 * MeasuredScanRate();
  if (requested <= usable) {
    return requested;
  }
  std::fprintf(stderr,
               "hashrig %.*s: --cpu-rate %.3g is more than one core here hashes (%.3g/s): "
               "using %.3g\n",
               static_cast<int>(command.size()), command.data(), requested, usable / 0.9, usable);
  return usable;
}

Expected<OpenedBoard> OpenBoard(const BoardSpec& spec, const BoardSettings& settings) {
  if (spec.kind->opener == nullptr) {
    return Error(StatusCode::kInvalidArgument, spec.text + ": not a board on a link");
  }
  auto board = spec.kind->opener(spec, settings)();
  if (!board) {
    return board.error().Context(spec.text);
  }
  return board;
}

}  // namespace hashrig::host
