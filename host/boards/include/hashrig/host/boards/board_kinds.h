// The kinds of board `--board KIND:...` names (DESIGN.md), as one constexpr table (STYLE
// R9): each row its syntax, its parser, how to open it and how to make its chain. Every
// board becomes a HashChain for the scheduler; every kind lives in a file of its own.
//   sim[:CHIPS]            a simulated board in process (hal/sim): chain, heat, EMC2101
//   cpu[:THREADS]          the sha256 core on CPU threads (regtest, test pools)
//   serial:PATH[@BAUD]     a BM13xx chain on a serial device (or a `hashrig sim` PTY)
//   tcp:HOST:PORT          a BM13xx chain over TCP (`hashrig sim --listen`)
//   usb:VID:PID[#SERIAL]   a BM13xx chain behind a USB-UART bridge (libusb)
//   bitaxe:DATA:CONTROL    a Bitaxe-class board through bitaxe-raw: the chain on the data
//                          tty, its EMC2101 and nRST on the control tty
//   avalon:PATH|tcp:H:P    Canaan MM modules as raw 40-byte packets on a serial device or
//                          TCP (`hashrig sim --avalon`; avalon-protocol.md §8b.1)
//   auc[:#SERIAL]          Canaan's AUC on USB (29f1:33f2) and the modules behind it; with
//                          :PATH or :tcp:HOST:PORT its framing on a byte stream
//                          (`hashrig sim --avalon --auc`)
// serial, tcp and usb links are probed with the board link's Hello first: a board running
// hashrig firmware answers and is driven through the board link; a bare chain ignores
// the bytes and the host drives its chips itself.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "hashrig/base/error.h"
#include "hashrig/hal/board.h"
#include "hashrig/hal/link.h"
#include "hashrig/hal/protocol/avalon/driver.h"
#include "hashrig/hal/protocol/bm13xx/driver.h"
#include "hashrig/hal/protocol/policy/thermal.h"
#include "hashrig/host/mining/hash_chain.h"
#include "hashrig/host/report/log.h"

namespace hashrig::host {

struct BoardKind;

struct BoardSpec {
  const BoardKind* kind = nullptr;
  std::string text;     // as given, for messages
  std::string where;    // path, HOST:PORT or VID:PID[#SERIAL]
  std::string control;  // bitaxe: the control port's path
  std::uint32_t baud = 115'200;
  int count = 0;  // sim chips or cpu threads
};

// What making a board's chain takes besides its spec.
struct BoardSettings {
  hal::protocol::DriverConfig driver;  // chains the host drives (model, chips, clock, ticket)
  bool ticket_given = false;           // --ticket-difficulty was set (else: the kind's default)
  hal::protocol::ThermalConfig thermal;
  // Set at the board's regulator where the host drives one (bitaxe:, sim).
  Volts core_voltage =
      hal::protocol::InfoOf(hal::protocol::ChipModel::kBm1370).default_core_voltage;
  double sim_cpu_rate = 2e7;  // real hashes per second a simulated board may compute
  double sim_ambient_c = 25;
  // Chains of Canaan modules (avalon:, auc:): clock (0: the model's), voltage level, ...
  hal::protocol::avalon::DriverConfig avalon;
};

// A board, opened: its chain's link, and its peripherals where the kind has them.
struct OpenedBoard {
  std::unique_ptr<hal::ByteLink> link;
  std::unique_ptr<hal::BoardPeripherals> peripherals;
  bool may_run_firmware = false;  // probe with the board link's Hello first
  // Canaan MM modules on the link, and how they are reached; empty: BM13xx chips.
  std::optional<hal::protocol::avalon::Transport> avalon;
};
using BoardOpener = std::function<Expected<OpenedBoard>()>;

struct BoardKind {
  std::string_view name;
  std::string_view syntax;
  std::string_view name_prefix;  // of its chains' names: SIM0, CPU1, BM2
  // The part after "KIND:" (may be empty) into `spec`; an error says what is expected.
  Error (*parse)(std::string_view rest, BoardSpec& spec);
  // How to open (and reopen) it; null for boards that are not links (cpu).
  BoardOpener (*opener)(const BoardSpec& spec, const BoardSettings& settings);
  std::unique_ptr<HashChain> (*make_chain)(const BoardSpec& spec, const BoardSettings& settings,
                                           std::string name, Logger& log);
  // Its chains take Stratum jobs and roll extranonce2 themselves (Canaan's MM modules).
  bool rolls_extranonce2 = false;
};

// Per kind (boards/src/<kind>_board.cc).
Error ParseSim(std::string_view rest, BoardSpec& spec);
Error ParseCpu(std::string_view rest, BoardSpec& spec);
Error ParseSerial(std::string_view rest, BoardSpec& spec);
Error ParseTcp(std::string_view rest, BoardSpec& spec);
Error ParseUsb(std::string_view rest, BoardSpec& spec);
Error ParseBitaxe(std::string_view rest, BoardSpec& spec);
Error ParseAvalon(std::string_view rest, BoardSpec& spec);
Error ParseAuc(std::string_view rest, BoardSpec& spec);
BoardOpener SimOpener(const BoardSpec& spec, const BoardSettings& settings);
BoardOpener SerialOpener(const BoardSpec& spec, const BoardSettings& settings);
BoardOpener TcpOpener(const BoardSpec& spec, const BoardSettings& settings);
BoardOpener UsbOpener(const BoardSpec& spec, const BoardSettings& settings);
BoardOpener BitaxeOpener(const BoardSpec& spec, const BoardSettings& settings);
BoardOpener AvalonOpener(const BoardSpec& spec, const BoardSettings& settings);
BoardOpener AucOpener(const BoardSpec& spec, const BoardSettings& settings);
std::unique_ptr<HashChain> MakeSimChain(const BoardSpec& spec, const BoardSettings& settings,
                                        std::string name, Logger& log);
std::unique_ptr<HashChain> MakeCpuChain(const BoardSpec& spec, const BoardSettings& settings,
                                        std::string name, Logger& log);
// Every link kind: a chain on its own thread that opens the board (retrying every second
// while it cannot), probes for hashrig firmware where the kind may run it, and drives it.
std::unique_ptr<HashChain> MakeLinkChain(const BoardSpec& spec, const BoardSettings& settings,
                                         std::string name, Logger& log);

inline constexpr BoardKind kBoardKinds[] = {
    {"sim", "sim[:CHIPS]", "SIM", &ParseSim, &SimOpener, &MakeSimChain},
    {"cpu", "cpu[:THREADS]", "CPU", &ParseCpu, nullptr, &MakeCpuChain},
    {"serial", "serial:PATH[@BAUD]", "BM", &ParseSerial, &SerialOpener, &MakeLinkChain},
    {"tcp", "tcp:HOST:PORT", "BM", &ParseTcp, &TcpOpener, &MakeLinkChain},
    {"usb", "usb:VID:PID[#SERIAL]", "BM", &ParseUsb, &UsbOpener, &MakeLinkChain},
    {"bitaxe", "bitaxe:DATA_PATH:CONTROL_PATH", "BM", &ParseBitaxe, &BitaxeOpener, &MakeLinkChain},
    {"avalon", "avalon:PATH|tcp:HOST:PORT", "AV", &ParseAvalon, &AvalonOpener, &MakeLinkChain,
     true},
    {"auc", "auc[:#SERIAL|:PATH|:tcp:HOST:PORT]", "AV", &ParseAuc, &AucOpener, &MakeLinkChain,
     true},
};

// "sim[:CHIPS], cpu[:THREADS], serial:PATH[@BAUD], …" — every kind's syntax.
std::string BoardSyntaxList();
const BoardKind* FindBoardKind(std::string_view name);
// A spec from the command line or config; kInvalidArgument naming the spec and what is
// expected.
Expected<BoardSpec> ParseBoardSpec(std::string_view text);

// The simulated board's defaults for the driver: a CPU finds 32-zero-bit hashes far too
// slowly, so the simulator's documented sub-1 ticket (hal/sim/sim_registers.h) unless one
// was given, and short init delays (no real PLL to settle).
hal::protocol::DriverConfig SimDriver(const BoardSettings& settings, int chips);

}  // namespace hashrig::host
