// What `hashrig scan` and `hashrig board-test` share: their options, and opening a board
// by its spec through the board-kind table (so every kind a miner runs can be scanned
// and tested).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hashrig/host/boards/board_kinds.h"
#include "hashrig/host/cli/args.h"

namespace hashrig::host {

struct ToolSetup {
  std::vector<BoardSpec> boards;
  BoardSettings settings;
};

// The setup of `hashrig scan` and `hashrig board-test` from their options (commands.cc); an error
// names the bad one.
Expected<ToolSetup> ReadToolSetup(const Args& args);

// The driver for `spec`: a sim board knows its chips and takes the simulator's defaults.
hal::protocol::DriverConfig DriverFor(const BoardSpec& spec, const ToolSetup& setup);

// --avalon-frequency and --avalon-voltage-level into the Avalon modules' driver settings
// (run, scan, board-test): a frequency must have a PLL word for some generation and a
// level must be in some generation's range; the driver checks them again against the
// generation its modules turn out to be.
Error ReadAvalonSettings(const Args& args, hal::protocol::avalon::DriverConfig& config);

// A simulated board's --cpu-rate as it can be honoured here: a rate above what one core
// hashes (measured once, ~50 ms of the default SHA-256 backend) would keep the
// simulator's silicon thread hashing past the time it stands for, late to answer the
// host (which then loses its chips or modules); it becomes 90 % of that, and `command`
// says so on stderr.
double UsableCpuRate(double requested, std::string_view command);

Expected<OpenedBoard> OpenBoard(const BoardSpec& spec, const BoardSettings& settings);

inline constexpr std::chrono::milliseconds kFirmwareProbe{400};

// Canaan MM modules (a board whose OpenedBoard::avalon is set; avalon_tools.cc).
// scan: the AUC's version and temperature, then each module the first detection scan
// finds (slot, id, DNA, firmware version, miners, chips, top PLL point, temperature);
// false when none is found.
bool ScanAvalon(const BoardSpec& spec, OpenedBoard board, const BoardSettings& settings);
// board-test: each module in turn must return real block 542213's nonce within
// `per_module` (known-answer work, avalon-protocol.md §6 and §8b.2), with no nonce the
// host's hash refutes; a PASS/FAIL table; the exit code.
int TestAvalonModules(OpenedBoard board, const BoardSettings& settings,
                      std::chrono::milliseconds per_module);

}  // namespace hashrig::host
