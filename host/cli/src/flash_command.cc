// `hashrig flash`: puts a firmware image on a board running hashrig firmware, over the
// board link, the way that cannot brick it: the image is checked against the board
// first (board id, size, SHA-256), written to the slot not running, verified by the
// board, committed to boot once on trial, rebooted into, and confirmed only when the
// board comes back running the new version.
#include <unistd.h>

#include <iostream>
#include <thread>

#include "firmware_file.h"
#include "hashrig/hal/board_client.h"
#include "hashrig/host/boards/board_kinds.h"
#include "hashrig/host/cli/args.h"
#include "hashrig/host/cli/commands.h"

namespace hashrig::host {
namespace {

namespace link = hal::link;
using namespace std::chrono_literals;

// On a terminal one line redrawn in place; in a log, a line per step.
void Progress(const char* what, std::size_t done, std::size_t total) {
  static const bool kTty = ::isatty(STDERR_FILENO) == 1;
  std::cerr << (kTty ? "\r" : "") << what << ": " << (total == 0 ? 100 : done * 100 / total)
            << "% (" << done << "/" << total << " bytes)" << (kTty && done < total ? "" : "\n")
            << std::flush;
}

int Fail(const std::string& message) { return Failure("flash", message); }

std::string Who(const link::HelloReply& hello) {
  return hal::FieldText(hello.board_model) + " " + hal::FieldText(hello.serial);
}

struct Connection {
  std::unique_ptr<hal::BoardClient> board;
  link::HelloReply hello;
};

Expected<Connection> Connect(const BoardOpener& open, std::chrono::milliseconds hello_timeout) {
  auto opened = open();
  if (!opened) {
    return opened.error();
  }
  auto board = std::make_unique<hal::BoardClient>(std::move(opened->link));
  auto hello = board->Hello(hello_timeout);
  if (!hello) {
    return hello.error();
  }
  return Connection{std::move(board), *hello};
}

// Waits for the board to answer Hello again after a reboot.
std::optional<Connection> Reconnect(const BoardOpener& open, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::this_thread::sleep_for(300ms);  // let it go down first
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto back = Connect(open, 1s)) {
      return std::move(*back);
    }
    std::this_thread::sleep_for(300ms);
  }
  return std::nullopt;
}

// The image fits this board, or why not.
Error Fits(const FirmwareFile& file, const std::string& path, const link::HelloReply& hello) {
  const std::string who = Who(hello);
  if (hello.running_slot > 1) {
    return {StatusCode::kFailedPrecondition, who + " has no bootloader to flash through"};
  }
  if (file.header.board_id != hello.board_id) {
    return {StatusCode::kMismatch, path + " is for board '" + BoardIdText(file.header.board_id) +
                                       "', but " + who + " is a '" + BoardIdText(hello.board_id) +
                                       "' board; refusing to write it"};
  }
  if (file.bytes.size() > hello.slot_bytes) {
    return {StatusCode::kInvalidArgument, path + " (" + std::to_string(file.bytes.size()) +
                                              " bytes) does not fit a slot of " +
                                              std::to_string(hello.slot_bytes) + " bytes"};
  }
  return {};
}

// Erase, write, verify, commit: the running image is untouched until the commit.
Error Write(hal::BoardClient& board, const FirmwareFile& file, int slot) {
  if (auto r = board.Request(link::FlashErase{static_cast<std::uint8_t>(slot)}, 60s); !r) {
    return r.error().Context("erase");
  }
  const std::vector<std::uint8_t>& image = file.bytes;
  for (std::size_t at = 0; at < image.size(); at += 256) {
    link::FlashWrite w;
    w.offset = static_cast<std::uint32_t>(at);
    w.size = static_cast<std::uint16_t>(std::min<std::size_t>(256, image.size() - at));
    std::copy_n(image.begin() + static_cast<std::ptrdiff_t>(at), w.size, w.data.begin());
    if (auto r = board.Request(w, 5s); !r) {
      std::cerr << "\n";
      return r.error().Context("write at " + std::to_string(at) +
                               " (the running image is untouched)");
    }
    if ((at / 256) % 64 == 63 || at + w.size == image.size()) {
      Progress("writing", at + w.size, image.size());
    }
  }
  if (auto r = board.Request(link::FlashVerify{file.header.sha256}, 30s); !r) {
    return r.error().Context("verify (the running image is untouched)");
  }
  std::cerr << "verified by the board\n";
  if (auto r = board.Request(link::FlashCommit{}, 30s); !r) {
    return r.error().Context("commit");
  }
  return {};
}

// Reboots into the new image and confirms it once the board runs it.
int RebootAndConfirm(Connection c, const BoardOpener& open, const FirmwareFile& file,
                     std::chrono::seconds timeout) {
  const std::string who = Who(c.hello);
  (void)c.board->Request(link::Reboot{}, 2s);  // the Ack may be lost as the board resets
  c.board.reset();
  std::cerr << "rebooting into version " << file.header.version << "...\n";
  auto back = Reconnect(open, timeout);
  if (!back) {
    return Fail(who + " did not come back within " + std::to_string(timeout.count()) +
                " s; it rolls back by itself if the new image cannot confirm");
  }
  if (back->hello.firmware_version != file.header.version) {
    return Fail(who + " came back running version " + std::to_string(back->hello.firmware_version) +
                ": the new image did not start and the board rolled back");
  }
  if (auto r = back->board->Request(link::Confirm{}, 10s); !r) {
    return Fail("confirm: " + r.error().message());
  }
  std::cout << "flashed: " << who << " runs version " << back->hello.firmware_version
            << " from slot " << (back->hello.running_slot == 0 ? "A" : "B") << ", confirmed\n";
  return kExitOk;
}

}  // namespace

int RunFlash(const Args& args) {
  const auto timeout = ParseCount(args.Get("timeout", "30"));
  const auto spec = ParseBoardSpec(args.Get("board"));
  if (!args.Has("board") || args.positional().size() != 1 || !timeout || !spec ||
      spec->kind->opener == nullptr) {
    return UsageError("flash",
                      "expected --board SPEC (a board on a link) and one IMAGE, --timeout in "
                      "seconds (see --help)");
  }
  const std::string& path = args.positional()[0];
  const auto file = ReadFirmwareFile(path);
  if (!file) {
    return UsageError("flash", file.error().message() + "; nothing written");
  }
  const BoardOpener open = spec->kind->opener(*spec, {});
  auto connection = Connect(open, 2s);
  if (!connection) {
    return Fail(spec->text + ": " + connection.error().message() +
                "; flashing needs a board running hashrig firmware");
  }
  const link::HelloReply& hello = connection->hello;
  if (const Error fits = Fits(*file, path, hello); !fits.ok()) {
    return Fail(fits.message());
  }
  const int target = 1 - hello.running_slot;
  std::cerr << "board " << Who(hello) << " runs version " << hello.firmware_version << " from slot "
            << (hello.running_slot == 0 ? "A" : "B") << "; writing version " << file->header.version
            << " (" << file->bytes.size() << " bytes) to slot " << (target == 0 ? "A" : "B")
            << "\n";
  if (const Error e = Write(*connection->board, *file, target); !e.ok()) {
    return Fail(e.message());
  }
  if (args.Has("no-reboot")) {
    std::cout << "flashed version " << file->header.version << " to " << Who(hello)
              << "; it boots on trial at the next reboot\n";
    return kExitOk;
  }
  return RebootAndConfirm(std::move(*connection), open, *file, std::chrono::seconds(*timeout));
}

}  // namespace hashrig::host
