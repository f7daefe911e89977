// `hashrig rigs`: the rig table (hal/sim/rigs.h) with how far hashrig models each rig —
// BM13xx or Avalon at the wire level, or only hashrate, power and heat where no
// host-to-hashboard protocol is public (issue 16, point 6).
#include <cstdio>
#include <string>

#include "hashrig/hal/sim/rigs.h"
#include "hashrig/host/cli/commands.h"

namespace hashrig::host {
namespace {

// "3 x 108 BM1368", "4 x 26", "3 boards" (chips not public).
std::string Layout(const hal::sim::RigProfile& rig) {
  if (rig.chips_per_chain == 0) {
    return std::to_string(rig.chains) + (rig.chains == 1 ? " board" : " boards");
  }
  std::string text = std::to_string(rig.chains) + " x " + std::to_string(rig.chips_per_chain);
  if (rig.chip) {
    text += ' ';  // appended in two steps: g++ 12 -O3 sees a false overlap in " " + string
    text += hal::protocol::InfoOf(*rig.chip).name;
  }
  return text;
}

}  // namespace

int RunRigs(const Args& args) {
  if (!args.positional().empty()) {
    return UsageError("rigs", "takes no arguments");
  }
  std::printf("%-17s %-23s %7s %6s %-15s %s\n", "rig", "maker", "TH/s", "J/TH", "boards x chips",
              "model");
  for (const hal::sim::RigProfile& rig : hal::sim::kRigs) {
    std::printf("%-17s %-23s %7.1f %6.1f %-15s %s\n", std::string(rig.name).c_str(),
                std::string(rig.maker).c_str(), rig.nominal_ths, rig.joules_per_th,
                Layout(rig).c_str(), std::string(ProtocolWords(rig.host_protocol)).c_str());
  }
  std::printf(
      "\nWire-level: the host-to-hashboard protocol is public and hashrig speaks it byte for\n"
      "byte (BM13xx chains; Avalon 8 and 10 modules behind Canaan's AUC). Power-level: no\n"
      "such protocol is public (Canaan's integrated boxes, 1026 and later, and the Nano\n"
      "3/3S; MicroBT and Auradine publish only management APIs), so only hashrate, power and\n"
      "heat are modelled and no protocol is guessed.\n");
  return kExitOk;
}

}  // namespace hashrig::host
