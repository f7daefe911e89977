// The SHA-256 backend a subcommand uses: --backend NAME if given, else
// HASHRIG_SHA256_BACKEND, else the fastest this CPU runs. Errors name the cause.
#pragma once

#include <optional>
#include <string>

#include "hashrig/host/cli/args.h"
#include "hashrig/sha256/backend.h"

namespace hashrig::host {

inline Expected<sha256::Backend> ChooseBackend(const Args& args) {
  if (args.Has("backend")) {
    return sha256::Backend::Find(args.Get("backend"));
  }
  return sha256::Backend::FromEnvironment();
}

}  // namespace hashrig::host
