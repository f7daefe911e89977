// `hashrig flash`: puts a firmware image on a board running hashrig firmware, over the
// board link, the way that cannot brick it: the image is checked against the board
// first (board id, size, SHA-256), written to the slot not running, verified by the
// board, committed to boot once on trial, rebooted into, and confirmed only when the
// board comes back running the new version. `hashrig image` makes and shows images.
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <iterator>
#include <thread>

#include "boards.h"
#include "hashrig/firmware/image.h"
#include "hashrig/hal/board_client.h"
#include "hashrig/host/args.h"
#include "hashrig/host/commands.h"
#include "hashrig/sha256/sha256.h"

namespace hashrig::host {
namespace {

namespace p = hal::protocol;
namespace link = hal::link;
using namespace std::chrono_literals;

const std::vector<OptionSpec> kFlashOptions = {
    {"board", 'b', true, false,
     "the board: serial:PATH[@BAUD], tcp:HOST:PORT or usb:VID:PID[#SERIAL]"},
    {"no-reboot", 0, false, false, "write, verify and commit, but leave the reboot for later"},
    {"timeout", 0, true, false, "seconds to wait for the board to come back (default 30)"},
    {"help", 'h', false, false, "show this help"},
};

const std::vector<OptionSpec> kImageOptions = {
    {"board-id", 0, true, false, "the board id: 4 characters (HSIM, M386) or a 0x… number"},
    {"version", 0, true, false, "the image version, a whole number"},
    {"out", 'o', true, false, "the image file to write"},
    {"help", 'h', false, false, "show this help"},
};

std::string BoardIdText(std::uint32_t id) {
  std::string text;
  for (int i = 0; i < 4; ++i) {
    const char c = static_cast<char>(id >> (8 * i));
    if (c < 0x20 || c > 0x7e) {
      char hex[16];
      std::snprintf(hex, sizeof hex, "0x%08x", id);
      return hex;
    }
    text.push_back(c);
  }
  return text;
}

std::optional<std::uint32_t> ParseBoardId(const std::string& text) {
  if (text.size() == 4) {
    std::uint32_t id = 0;
    for (int i = 3; i >= 0; --i) {
      id = id << 8 | static_cast<std::uint8_t>(text[static_cast<std::size_t>(i)]);
    }
    return id;
  }
  if (text.rfind("0x", 0) == 0 && text.size() > 2 && text.size() <= 10) {
    char* end = nullptr;
    const unsigned long v = std::strtoul(text.c_str() + 2, &end, 16);
    if (*end == '\0') {
      return static_cast<std::uint32_t>(v);
    }
  }
  return std::nullopt;
}

std::optional<std::vector<std::uint8_t>> ReadFile(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot open";
    return std::nullopt;
  }
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
  return bytes;
}

// The image's header, checked against its own body; empty with `error` naming the flaw.
std::optional<firmware::ImageHeader> CheckImage(const std::vector<std::uint8_t>& image,
                                                std::string& error) {
  if (image.size() < firmware::kImageHeaderSize) {
    error = "too short for an image header (" + std::to_string(image.size()) + " bytes)";
    return std::nullopt;
  }
  const auto header =
      firmware::DecodeImageHeader(std::span<const std::uint8_t, firmware::kImageHeaderSize>(
          image.data(), firmware::kImageHeaderSize));
  if (!header) {
    error = "not a hashrig firmware image (bad magic or header checksum)";
    return std::nullopt;
  }
  if (header->size != image.size() - firmware::kImageHeaderSize) {
    error = "truncated or padded: the header says " + std::to_string(header->size) +
            " body bytes, the file has " +
            std::to_string(image.size() - firmware::kImageHeaderSize);
    return std::nullopt;
  }
  if (sha256::Hash(std::span(image).subspan(firmware::kImageHeaderSize)) != header->sha256) {
    error = "corrupt: the body does not match the SHA-256 in its header";
    return std::nullopt;
  }
  return header;
}

// On a terminal one line redrawn in place; in a log, a line per step.
void Progress(const char* what, std::size_t done, std::size_t total) {
  static const bool kTty = ::isatty(STDERR_FILENO) == 1;
  std::cerr << (kTty ? "\r" : "") << what << ": " << (total == 0 ? 100 : done * 100 / total)
            << "% (" << done << "/" << total << " bytes)" << (kTty && done < total ? "" : "\n")
            << std::flush;
}

int Fail(const std::string& message) {
  std::cerr << "hashrig flash: " << message << "\n";
  return kExitFailure;
}

// Waits for the board to answer Hello again after a reboot.
std::unique_ptr<hal::BoardClient> Reconnect(const LinkOpener& opener, std::chrono::seconds limit,
                                            link::HelloReply& hello) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::this_thread::sleep_for(300ms);  // let it go down first
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto link = opener()) {
      auto client = std::make_unique<hal::BoardClient>(std::move(*link));
      if (client->Hello(1s, hello).ok()) {
        return client;
      }
    }
    std::this_thread::sleep_for(300ms);
  }
  return nullptr;
}

}  // namespace

int RunFlashCommand(const std::vector<std::string>& argv) {
  std::string error;
  const auto args = Args::Parse(argv, kFlashOptions, &error);
  if (!args) {
    std::cerr << "hashrig flash: " << error << "\n";
    return kExitUsage;
  }
  if (args->Has("help")) {
    std::cout << "usage: hashrig flash --board SPEC IMAGE\n\n"
                 "Updates a board running hashrig firmware: checks IMAGE against the board,\n"
                 "writes it to the slot not running, verifies, reboots into it on trial and\n"
                 "confirms it once the board runs it. A board that does not come back with the\n"
                 "new version rolls back to the old one by itself.\n\n"
              << FormatOptions(kFlashOptions);
    return kExitOk;
  }
  if (!args->Has("board") || args->positional().size() != 1) {
    std::cerr << "hashrig flash: expected --board SPEC and one IMAGE (see --help)\n";
    return kExitUsage;
  }
  const auto timeout = ParseCount(args->Get("timeout", "30"));
  const auto spec = ParseBoardSpec(args->Get("board"), error);
  LinkOpener opener = spec ? MakeLinkOpener(*spec, error) : nullptr;
  if (!opener || !timeout) {
    std::cerr << "hashrig flash: " << (timeout ? error : "--timeout: expected seconds") << "\n";
    return kExitUsage;
  }
  const std::string& path = args->positional()[0];
  const auto image = ReadFile(path, error);
  const auto header = image ? CheckImage(*image, error) : std::nullopt;
  if (!header) {
    std::cerr << "hashrig flash: " << path << ": " << error << "; nothing written\n";
    return kExitUsage;
  }

  auto opened = opener();
  if (!opened) {
    return Fail(args->Get("board") + ": " + opened.error().message());
  }
  hal::BoardClient board(std::move(*opened));
  link::HelloReply hello;
  Error status;
  if (status = board.Hello(2s, hello); !status.ok()) {
    return Fail(args->Get("board") + ": " + status.message() +
                "; flashing needs a board running hashrig firmware");
  }
  const std::string who = hal::FieldText(hello.board_model) + " " + hal::FieldText(hello.serial);
  if (hello.running_slot > 1) {
    return Fail(who + " has no bootloader to flash through");
  }
  if (header->board_id != hello.board_id) {
    return Fail(path + " is for board '" + BoardIdText(header->board_id) + "', but " + who +
                " is a '" + BoardIdText(hello.board_id) + "' board; refusing to write it");
  }
  if (image->size() > hello.slot_bytes) {
    return Fail(path + " (" + std::to_string(image->size()) + " bytes) does not fit a slot of " +
                std::to_string(hello.slot_bytes) + " bytes");
  }
  const int target = 1 - hello.running_slot;
  std::cerr << "board " << who << " runs version " << hello.firmware_version << " from slot "
            << (hello.running_slot == 0 ? "A" : "B") << "; writing version " << header->version
            << " (" << image->size() << " bytes) to slot " << (target == 0 ? "A" : "B") << "\n";

  const std::uint8_t slot[] = {static_cast<std::uint8_t>(target)};
  if (status = board.Request(link::Type::kFlashErase, slot, 60s); !status.ok()) {
    return Fail("erase: " + status.message());
  }
  for (std::size_t at = 0; at < image->size(); at += 256) {
    link::FlashWrite w;
    w.offset = static_cast<std::uint32_t>(at);
    w.size = static_cast<std::uint16_t>(std::min<std::size_t>(256, image->size() - at));
    std::copy_n(image->begin() + static_cast<std::ptrdiff_t>(at), w.size, w.data.begin());
    const link::Encoded e = link::EncodeFlashWrite(0, w);
    if (status = board.Request(link::Type::kFlashWrite,
                               std::span(e.bytes).subspan(7, e.size - link::kOverhead), 5s);
        !status.ok()) {
      std::cerr << "\n";
      return Fail("write at " + std::to_string(at) + ": " + status.message() +
                  "; the running image is untouched");
    }
    if ((at / 256) % 64 == 63 || at + w.size == image->size()) {
      Progress("writing", at + w.size, image->size());
    }
  }
  if (status = board.Request(link::Type::kFlashVerify, header->sha256, 30s); !status.ok()) {
    return Fail("verify: " + status.message() + "; the running image is untouched");
  }
  std::cerr << "verified by the board\n";
  if (status = board.Request(link::Type::kFlashCommit, 30s); !status.ok()) {
    return Fail("commit: " + status.message());
  }
  if (args->Has("no-reboot")) {
    std::cout << "flashed version " << header->version << " to " << who
              << "; it boots on trial at the next reboot\n";
    return kExitOk;
  }
  (void)board.Request(link::Type::kReboot, 2s);  // the Ack may be lost as the board resets
  board.Release();
  std::cerr << "rebooting into version " << header->version << "...\n";
  link::HelloReply after;
  auto back = Reconnect(opener, std::chrono::seconds(*timeout), after);
  if (!back) {
    return Fail(who + " did not come back within " + std::to_string(*timeout) +
                " s; it rolls back by itself if the new image cannot confirm");
  }
  if (after.firmware_version != header->version) {
    return Fail(who + " came back running version " + std::to_string(after.firmware_version) +
                ": the new image did not start and the board rolled back");
  }
  if (status = back->Request(link::Type::kConfirm, 10s); !status.ok()) {
    return Fail("confirm: " + status.message());
  }
  std::cout << "flashed: " << who << " runs version " << after.firmware_version << " from slot "
            << (after.running_slot == 0 ? "A" : "B") << ", confirmed\n";
  return kExitOk;
}

int RunImageCommand(const std::vector<std::string>& argv) {
  std::string error;
  const auto args = Args::Parse(argv, kImageOptions, &error);
  if (!args) {
    std::cerr << "hashrig image: " << error << "\n";
    return kExitUsage;
  }
  const auto& pos = args->positional();
  if (args->Has("help") || pos.empty()) {
    (args->Has("help") ? std::cout : std::cerr)
        << "usage: hashrig image create --board-id ID --version N -o IMAGE BODY\n"
           "       hashrig image show IMAGE\n\n"
           "Makes a firmware image (header: board id, version, size, SHA-256 of BODY) for\n"
           "`hashrig flash`, or checks and describes one.\n\n"
        << FormatOptions(kImageOptions);
    return args->Has("help") ? kExitOk : kExitUsage;
  }
  if (pos[0] == "show" && pos.size() == 2) {
    const auto image = ReadFile(pos[1], error);
    const auto header = image ? CheckImage(*image, error) : std::nullopt;
    if (!header) {
      std::cerr << "hashrig image: " << pos[1] << ": " << error << "\n";
      return kExitFailure;
    }
    std::cout << "board " << BoardIdText(header->board_id) << "\nversion " << header->version
              << "\nsize " << header->size << "\nsha256 " << sha256::ToHex(header->sha256) << "\n";
    return kExitOk;
  }
  if (pos[0] != "create" || pos.size() != 2) {
    std::cerr << "hashrig image: expected 'create BODY' or 'show IMAGE' (see --help)\n";
    return kExitUsage;
  }
  const auto id = ParseBoardId(args->Get("board-id"));
  const auto version = ParseCount(args->Get("version"));
  if (!id || !version || *version > 0xFFFFFFFF || !args->Has("out")) {
    std::cerr << "hashrig image create: expected --board-id ID, --version N and -o IMAGE\n";
    return kExitUsage;
  }
  const auto body = ReadFile(pos[1], error);
  if (!body) {
    std::cerr << "hashrig image: " << error << "\n";
    return kExitFailure;
  }
  firmware::ImageHeader h;
  h.board_id = *id;
  h.version = static_cast<std::uint32_t>(*version);
  h.size = static_cast<std::uint32_t>(body->size());
  h.sha256 = sha256::Hash(*body);
  const auto head = firmware::EncodeImageHeader(h);
  std::ofstream out(args->Get("out"), std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(head.data()), static_cast<std::streamsize>(head.size()));
  out.write(reinterpret_cast<const char*>(body->data()),
            static_cast<std::streamsize>(body->size()));
  if (!out.flush()) {
    std::cerr << "hashrig image: " << args->Get("out") << ": cannot write\n";
    return kExitFailure;
  }
  std::cout << args->Get("out") << ": board " << BoardIdText(h.board_id) << ", version "
            << h.version << ", " << body->size() << " bytes\n";
  return kExitOk;
}

}  // namespace hashrig::host
