// `hashrig hash`: SHA-256 / sha256d digests in sha256sum's format, so any backend can be
// checked against other tools (`sha256sum`, `openssl dgst`).
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "backend_choice.h"
#include "hashrig/host/cli/args.h"
#include "hashrig/host/cli/commands.h"
#include "hashrig/sha256/sha256.h"

namespace hashrig::host {
namespace {

const std::vector<OptionSpec> kOptions = {
    {"backend", 0, true, false, "SHA-256 backend to use (see 'hashrig bench --list')"},
    {"double", 'd', false, false, "print sha256(sha256(data)) instead of sha256(data)"},
    {"help", 'h', false, false, "show this help"},
};

constexpr std::string_view kUsage =
    "usage: hashrig hash [--backend NAME] [--double] [FILE...]\n\n"
    "Prints the SHA-256 digest of each FILE (standard input when none is given,\n"
    "or for '-') as sha256sum does: hex digest, two spaces, name.\n\n";

// Hashes one stream; an error on a read error.
Error HashStream(std::FILE* f, sha256::Sha256& hasher) {
  std::vector<std::uint8_t> buffer(1 << 16);
  while (true) {
    const std::size_t n = std::fread(buffer.data(), 1, buffer.size(), f);
    hasher.Update(std::span(buffer.data(), n));
    if (n < buffer.size()) {
      break;
    }
  }
  if (std::ferror(f) != 0) {
    return Error(StatusCode::kUnavailable, std::strerror(errno));
  }
  return {};
}

int Run(const Args& args) {
  const Expected<sha256::Backend> backend = ChooseBackend(args);
  if (!backend) {
    std::cerr << "hashrig hash: " << backend.error().message() << "\n";
    return kExitUsage;
  }
  std::vector<std::string> files = args.positional();
  if (files.empty()) {
    files.emplace_back("-");
  }

  int status = kExitOk;
  sha256::Sha256 hasher(*backend);
  for (const std::string& name : files) {
    const bool is_stdin = name == "-";
    std::FILE* f = is_stdin ? stdin : std::fopen(name.c_str(), "rb");
    if (f == nullptr) {
      std::cerr << "hashrig hash: " << name << ": " << std::strerror(errno) << "\n";
      status = kExitFailure;
      continue;
    }
    const Error read = HashStream(f, hasher);
    if (!is_stdin) {
      std::fclose(f);
    }
    if (!read.ok()) {
      std::cerr << "hashrig hash: " << name << ": " << read.message() << "\n";
      hasher.Reset();
      status = kExitFailure;
      continue;
    }
    sha256::Digest digest = hasher.Finalize();
    if (args.Has("double")) {
      digest = sha256::Hash(digest, *backend);
    }
    std::cout << sha256::ToHex(digest) << "  " << name << "\n";
  }
  return status;
}

}  // namespace

const Command& HashCommand() {
  static const Command kCommand{"hash", "print SHA-256 / sha256d digests of files, like sha256sum",
                                kUsage, kOptions, &Run};
  return kCommand;
}

}  // namespace hashrig::host
