// `hashrig image create|show`: makes a firmware image (header: board id, version, size,
// SHA-256 of the body) for `hashrig flash`, or checks and describes one.
#include <fstream>
#include <iostream>

#include "firmware_file.h"
#include "hashrig/host/cli/args.h"
#include "hashrig/host/cli/commands.h"
#include "hashrig/sha256/sha256.h"

namespace hashrig::host {
namespace {

const std::vector<OptionSpec> kImageOptions = {
    {"board-id", 0, true, false, "the board id: 4 characters (HSIM, M386) or a 0x… number"},
    {"version", 0, true, false, "the image version, a whole number"},
    {"out", 'o', true, false, "the image file to write"},
    {"help", 'h', false, false, "show this help"},
};

constexpr std::string_view kUsage =
    "usage: hashrig image create --board-id ID --version N -o IMAGE BODY\n"
    "       hashrig image show IMAGE\n\n"
    "Makes a firmware image (header: board id, version, size, SHA-256 of BODY) for\n"
    "`hashrig flash`, or checks and describes one.\n\n";

int Show(const std::string& path) {
  const auto file = ReadFirmwareFile(path);
  if (!file) {
    std::cerr << "hashrig image: " << file.error().message() << "\n";
    return kExitFailure;
  }
  const firmware::ImageHeader& h = file->header;
  std::cout << "board " << BoardIdText(h.board_id) << "\nversion " << h.version << "\nsize "
            << h.size << "\nsha256 " << sha256::ToHex(h.sha256) << "\n";
  return kExitOk;
}

int Create(const Args& args, const std::string& body_path) {
  const auto id = ParseBoardId(args.Get("board-id"));
  const auto version = ParseCount(args.Get("version"));
  if (!id || !version || *version > 0xFFFFFFFF || !args.Has("out")) {
    std::cerr << "hashrig image create: expected --board-id ID, --version N and -o IMAGE\n";
    return kExitUsage;
  }
  const auto body = ReadFileBytes(body_path);
  if (!body) {
    std::cerr << "hashrig image: " << body.error().message() << "\n";
    return kExitFailure;
  }
  firmware::ImageHeader h;
  h.board_id = *id;
  h.version = static_cast<std::uint32_t>(*version);
  h.size = static_cast<std::uint32_t>(body->size());
  h.sha256 = sha256::Hash(*body);
  const auto head = firmware::EncodeImageHeader(h);
  std::ofstream out(args.Get("out"), std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(head.data()), static_cast<std::streamsize>(head.size()));
  out.write(reinterpret_cast<const char*>(body->data()),
            static_cast<std::streamsize>(body->size()));
  if (!out.flush()) {
    std::cerr << "hashrig image: " << args.Get("out") << ": cannot write\n";
    return kExitFailure;
  }
  std::cout << args.Get("out") << ": board " << BoardIdText(h.board_id) << ", version " << h.version
            << ", " << body->size() << " bytes\n";
  return kExitOk;
}

int Run(const Args& args) {
  const auto& pos = args.positional();
  if (pos.empty()) {
    std::cerr << kUsage << FormatOptions(kImageOptions);
    return kExitUsage;
  }
  if (pos[0] == "show" && pos.size() == 2) {
    return Show(pos[1]);
  }
  if (pos[0] == "create" && pos.size() == 2) {
    return Create(args, pos[1]);
  }
  std::cerr << "hashrig image: expected 'create BODY' or 'show IMAGE' (see --help)\n";
  return kExitUsage;
}

}  // namespace

const Command& ImageCommand() {
  static const Command kCommand{"image", "make or check a firmware image for `hashrig flash`",
                                kUsage, kImageOptions, &Run};
  return kCommand;
}

}  // namespace hashrig::host
