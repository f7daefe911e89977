// The SHA-256 backend a subcommand uses: --backend NAME if given, else
// HASHRIG_SHA256_BACKEND, else the fastest this CPU runs. Errors name the cause.
#pragma once

#include <optional>
#include <string>

#include "hashrig/host/args.h"
#include "hashrig/sha256/backend.h"

namespace hashrig::host {

inline std::optional<sha256::Backend> ChooseBackend(const Args& args, std::string* error) {
  if (args.Has("backend")) {
    return sha256::Backend::Find(args.Get("backend"), error);
  }
  return sha256::Backend::FromEnvironment(error);
}

}  // namespace hashrig::host
