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

}  // namespace

int RunHash(const Args& args) {
  const Expected<sha256::Backend> backend = ChooseBackend(args);
  if (!backend) {
    return UsageError("hash", backend.error().message());
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
      status = Failure("hash", name + ": " + std::strerror(errno));
      continue;
    }
    const Error read = HashStream(f, hasher);
    if (!is_stdin) {
      std::fclose(f);
    }
    if (!read.ok()) {
      status = Failure("hash", name + ": " + read.message());
      hasher.Reset();
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

}  // namespace hashrig::host
