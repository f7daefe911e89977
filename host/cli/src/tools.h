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

Expected<OpenedBoard> OpenBoard(const BoardSpec& spec, const BoardSettings& settings);

inline constexpr std::chrono::milliseconds kFirmwareProbe{400};

}  // namespace hashrig::host
