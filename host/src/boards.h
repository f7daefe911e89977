// Boards named on the command line (`--board KIND:...`, DESIGN.md): each becomes a
// HashChain for the scheduler.
//   sim[:CHIPS]                 a simulated S21-profile chain in process
//   cpu[:THREADS]               the sha256 core on CPU threads (regtest, test pools)
//   serial:PATH[@BAUD]          a BM13xx chain on a serial device (or a `hashrig sim` PTY)
//   tcp:HOST:PORT               a BM13xx chain over TCP (`hashrig sim --listen`)
//   usb:VID:PID[#SERIAL]        a BM13xx chain behind a USB-UART bridge (libusb)
//   bitaxe:DATA:CONTROL         a Bitaxe-class board through bitaxe-raw: the chain on the
//                               data tty, its EMC2101 (fan, temperature) on the control
//                               tty — the host applies the thermal policy itself
// serial, tcp and usb links are probed with the board link's Hello first: a board running
// hashrig firmware answers and becomes a FirmwareChain; a bare chain ignores the bytes and
// the host drives its chips itself.
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "hashrig/hal/link.h"
#include "hashrig/hal/protocol/chain_driver.h"
#include "hashrig/host/hash_chain.h"

namespace hashrig::host {

struct BoardSpec {
  std::string kind;
  std::string where;    // path, host:port or VID:PID
  std::string control;  // bitaxe: the control port's path
  std::uint32_t baud = 115'200;
  int count = 0;  // sim chips or cpu threads
};

// A parse error names the spec and what is wrong.
std::optional<BoardSpec> ParseBoardSpec(const std::string& text, std::string& error);

// Opens (and reopens) the byte link of a serial, tcp or usb spec.
using LinkOpener = std::function<Expected<std::unique_ptr<hal::ByteLink>>()>;
LinkOpener MakeLinkOpener(const BoardSpec& spec, std::string& error);

// The SHA-256 state after a header's first 64 bytes, on the sha256 core (for BM1397
// midstate work, hal/protocol/work.h).
void CoreMidstate(const std::uint8_t* block, std::array<std::uint32_t, 8>& state);

// Opens a lost link again, at most once a second (a chain marked down retries this way).
class LinkReopener {
 public:
  explicit LinkReopener(LinkOpener open) : open_(std::move(open)) {}
  // Empty while waiting out the second (`status` untouched) or when opening fails
  // (`status` says why).
  std::unique_ptr<hal::ByteLink> TryOpen(Error& status);
  void Lost() { last_ = std::chrono::steady_clock::now(); }  // wait a second from now

 private:
  LinkOpener open_;
  std::chrono::steady_clock::time_point last_{};
};

// The chain for a spec; `driver` configures BM13xx chains (model, chips, ticket).
std::unique_ptr<HashChain> MakeBoard(const BoardSpec& spec,
                                     const hal::protocol::DriverConfig& driver, double sim_cpu_rate,
                                     double sim_ambient_c, const std::string& name,
                                     std::string& error);

}  // namespace hashrig::host
