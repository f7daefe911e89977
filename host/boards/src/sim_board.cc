// `sim[:CHIPS]`: a simulated board in this process (hal/sim/board.h) — the chain on an
// in-process link, its EMC2101, TPS546 and nRST on an in-process bitaxe-raw control port — driven
// exactly as a bitaxe board on real ttys is.
#include "chain_session.h"
#include "hashrig/hal/sim_link.h"

namespace hashrig::host {

Error ParseSim(std::string_view rest, BoardSpec& spec) {
  return ParseCountInto(rest, 4, "chips", spec);
}

BoardOpener SimOpener(const BoardSpec& spec, const BoardSettings& settings) {
  hal::sim::BoardConfig config;
  config.chain = {settings.driver.model, spec.count, settings.sim_cpu_rate, 1};
  config.ambient_c = settings.sim_ambient_c;
  config.core_from_regulator = true;  // silent until the host powers it, as a Bitaxe is
  return [config, volts = settings.core_voltage]() -> Expected<OpenedBoard> {
    auto board = std::make_shared<hal::SimBoardClock>(config);
    auto peripherals = hal::OpenBitaxeRawBoard(std::make_unique<hal::SimControlLink>(board), volts);
    if (!peripherals) {
      return peripherals.error();
    }
    return OpenedBoard{std::make_unique<hal::SimLink>(board), std::move(*peripherals), false,
                       std::nullopt};
  };
}

std::unique_ptr<HashChain> MakeSimChain(const BoardSpec& spec, const BoardSettings& settings,
                                        std::string name, Logger& log) {
  BoardSettings sim = settings;
  sim.driver = SimDriver(settings, spec.count);
  return MakeLinkChain(spec, sim, std::move(name), log);
}

}  // namespace hashrig::host
