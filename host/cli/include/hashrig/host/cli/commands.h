// hashrig's subcommands. Every command's row — its name, summary, --help text and
// options — is in one table (src/commands.cc), so the whole command line reads in one
// place; what each command does is in its own src/*_command.cc. Execute parses a
// command's arguments the same way for all (a usage error: a message naming the command,
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
  std::vector<OptionSpec> options;
  int (*run)(const Args& args) = nullptr;
  // How the arguments are read when more than the options are involved (run: --config).
  Expected<Args> (*parse)(const std::vector<std::string>& argv,
                          const std::vector<OptionSpec>& options) = nullptr;
  // Lists the SHA-256 backends itself, a bad HASHRIG_SHA256_BACKEND included (bench).
  bool reports_backend = false;
};

// Every subcommand, in the order `hashrig --help` lists them.
const std::vector<Command>& Commands();
// The command named `name`, or nullptr.
const Command* FindCommand(std::string_view name);

// Parses `argv` for `command` and runs it; the exit code.
int Execute(const Command& command, const std::vector<std::string>& argv);

// Report "hashrig COMMAND: what" on stderr and give the exit code: a usage error (2), or
// a failure of the work (1).
int UsageError(std::string_view command, std::string_view what);
int Failure(std::string_view command, std::string_view what);

// What each command runs, one file each.
int RunBench(const Args& args);
int RunHash(const Args& args);
int RunMiner(const Args& args);
int RunScan(const Args& args);
int RunRigs(const Args& args);
int RunBoardTest(const Args& args);
int RunFlash(const Args& args);
int RunImage(const Args& args);
int RunPool(const Args& args);
int RunSim(const Args& args);
int RunReplay(const Args& args);
int RunPasswd(const Args& args);
Expected<Args> ParseRunArgs(const std::vector<std::string>& argv,
                            const std::vector<OptionSpec>& options);

}  // namespace hashrig::host
