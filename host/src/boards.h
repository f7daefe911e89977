// Boards named on the command line (`--board KIND:...`, DESIGN.md): each becomes a
// HashChain for the scheduler.
//   sim[:CHIPS]                 a simulated S21-profile chain in process
//   cpu[:THREADS]               the sha256 core on CPU threads (regtest, test pools)
//   serial:PATH[@BAUD]          a BM13xx chain on a serial device (or a `hashrig sim` PTY)
//   tcp:HOST:PORT               a BM13xx chain over TCP (`hashrig sim --listen`)
//   usb:VID:PID[#SERIAL]        a BM13xx chain behind a USB-UART bridge (libusb)
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "hashrig/hal/protocol/chain_driver.h"
#include "hashrig/host/hash_chain.h"

namespace hashrig::host {

struct BoardSpec {
  std::string kind;
  std::string where;  // path, host:port or VID:PID
  std::uint32_t baud = 115'200;
  int count = 0;  // sim chips or cpu threads
};

// A parse error names the spec and what is wrong.
std::optional<BoardSpec> ParseBoardSpec(const std::string& text, std::string& error);

// The chain for a spec; `driver` configures BM13xx chains (model, chips, ticket).
std::unique_ptr<HashChain> MakeBoard(const BoardSpec& spec,
                                     const hal::protocol::DriverConfig& driver, double sim_cpu_rate,
                                     double sim_ambient_c, const std::string& name,
                                     std::string& error);

}  // namespace hashrig::host
