// `hashrig sim`: a simulated chain (hal/sim) — or an Avalon bus — exposed on a PTY — a path a
// serial driver opens like /dev/ttyUSB0 — or on a TCP port, in real time. Runs until `stop_fd`
// (e.g. a signalfd) becomes readable.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "hashrig/hal/link.h"
#include "hashrig/hal/sim/avalon.h"
#include "hashrig/hal/sim/board.h"

namespace hashrig::hal {

struct SimServerConfig {
  sim::BoardConfig board;  // the chain, its faults, the rig it heats as, the room
  bool use_pty = true;
  // A stable path (symlink) to the PTY, as udev gives /dev/serial/by-id names: a driver
  // configured with it finds the chain again after the simulator restarts.
  std::string link_path;
  // A Bitaxe-class board: also a bitaxe-raw control port on a second PTY (symlinked here),
  // its EMC2101 reading the board's heat, its GPIO 0 the chain's nRST.
  std::string control_link_path;
  std::string listen_address = "127.0.0.1";
  std::uint16_t port = 0;
  // Both directions of the chain's link, with times and rates (hal/capture.h); "" = none.
  std::string record_path;
  // Set: an Avalon bus (hal/sim/avalon.h) instead of the board — a raw CN stream or its
  // AUC — on the same PTY (link_path) or TCP port; `board` and the control port unused.
  std::optional<sim::AvalonConfig> avalon;
};

// `ready` is called once with where to connect ("/dev/pts/5" or "127.0.0.1:4100");
// `note`, if given, with what the board did that a tester wants to see in its log (a
// sensor glitch it served).
Error RunSimServer(const SimServerConfig& config, int stop_fd,
                   const std::function<void(const std::string&)>& ready,
                   const std::function<void(const std::string&)>& note = {});

}  // namespace hashrig::hal
