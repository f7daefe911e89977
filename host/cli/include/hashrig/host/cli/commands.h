// hashrig's subcommands, one file each, as rows of main's table: a name, a summary, the
// --help text and options, and what runs with the parsed arguments. RunCommand parses
// every command's arguments the same way (a usage error: a message naming the command,
// exit 2; --help: the text and the options, exit 0), then runs it. Exit codes: 0
// success, 1 a failure of the work itself, 2 a usage error.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hashrig/base/error.h"
#include "hashrig/host/cli/args.h"

namespace hashrig::host {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

struct Command {
  std::string_view name;
  std::string_view summary;
  std::string_view usage;  // the --help paragraph, before the options
  const std::vector<OptionSpec>& options;
  int (*run)(const Args& args);
  // How the arguments are read when more than the options are involved (run: --config).
  Expected<Args> (*parse)(const std::vector<std::string>& argv) = nullptr;
  // Lists the SHA-256 backends itself, a bad HASHRIG_SHA256_BACKEND included (bench).
  bool reports_backend = false;
};

const Command& BenchCommand();
const Command& HashCommand();
const Command& RunCommand();
const Command& ScanCommand();
const Command& BoardTestCommand();
const Command& FlashCommand();
const Command& ImageCommand();
const Command& PoolCommand();
const Command& SimCommand();

// Parses `argv` for `command` and runs it; the exit code.
int Execute(const Command& command, const std::vector<std::string>& argv);

}  // namespace hashrig::host
