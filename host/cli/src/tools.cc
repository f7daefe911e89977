#include "tools.h"

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
  return setup;
}

p::DriverConfig DriverFor(const BoardSpec& spec, const ToolSetup& setup) {
  if (spec.kind == FindBoardKind("sim")) {
    p::DriverConfig driver = SimDriver(setup.settings, spec.count);
    driver.ticket_difficulty = setup.settings.driver.ticket_difficulty;
    return driver;
  }
  return setup.settings.driver;
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
