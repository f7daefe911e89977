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

int Show(const std::string& path) {
  const auto file = ReadFirmwareFile(path);
  if (!file) {
    return Failure("image", file.error().message());
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
    return UsageError("image create", "expected --board-id ID, --version N and -o IMAGE");
  }
  const auto body = ReadFileBytes(body_path);
  if (!body) {
    return Failure("image", body.error().message());
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
    return Failure("image", args.Get("out") + ": cannot write");
  }
  std::cout << args.Get("out") << ": board " << BoardIdText(h.board_id) << ", version " << h.version
            << ", " << body->size() << " bytes\n";
  return kExitOk;
}

}  // namespace

int RunImage(const Args& args) {
  const auto& pos = args.positional();
  if (pos.size() == 2 && pos[0] == "show") {
    return Show(pos[1]);
  }
  if (pos.size() == 2 && pos[0] == "create") {
    return Create(args, pos[1]);
  }
  return UsageError("image", "expected 'create BODY' or 'show IMAGE' (see --help)");
}

}  // namespace hashrig::host
