// hashrig: the native SHA-256 ASIC miner's command. This is the one place exceptions are
// caught (R6): anything escaping a subcommand is reported and turned into exit code 1.
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "hashrig/host/cli/commands.h"
#include "hashrig/sha256/backend.h"

namespace {

struct Command {
  std::string_view name;
  std::string_view summary;
  int (*run)(const std::vector<std::string>& args);
  bool reports_backend = false;  // lists backends itself, a bad choice included (bench)
};

constexpr Command kCommands[] = {
    {"bench", "measure sha256d scan throughput of every SHA-256 backend",
     hashrig::host::RunBenchCommand, true},
    {"hash", "print SHA-256 / sha256d digests of files, like sha256sum",
     hashrig::host::RunHashCommand},
    {"run", "mine (no pool given: a simulated chain against the built-in pool)",
     hashrig::host::RunRunCommand},
    {"scan", "list USB bridges, serial devices, and the chips of each --board",
     hashrig::host::RunScanCommand},
    {"board-test", "known-answer work to every chip of a board: a pass/fail table",
     hashrig::host::RunBoardTestCommand},
    {"flash", "update the firmware of a board running hashrig firmware (cannot brick it)",
     hashrig::host::RunFlashCommand},
    {"image", "make or check a firmware image for `hashrig flash`", hashrig::host::RunImageCommand},
    {"pool", "run a local Stratum V1 pool that validates every share",
     hashrig::host::RunPoolCommand},
    {"sim", "expose a simulated BM13xx chain on a PTY or TCP port", hashrig::host::RunSimCommand},
};

void PrintUsage(std::ostream& out) {
  out << "usage: hashrig COMMAND [OPTIONS]\n\ncommands:\n";
  for (const Command& c : kCommands) {
    out << "  " << c.name << std::string(12 - c.name.size(), ' ') << c.summary << "\n";
  }
  out << "\n'hashrig COMMAND --help' describes a command's options.\n"
         "HASHRIG_SHA256_BACKEND=NAME forces a SHA-256 backend (as --backend does).\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    PrintUsage(std::cerr);
    return hashrig::host::kExitUsage;
  }
  const std::string_view name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    PrintUsage(std::cout);
    return hashrig::host::kExitOk;
  }
  if (name == "--version") {
    std::cout << "hashrig 0.1.0\n";
    return hashrig::host::kExitOk;
  }
  const std::vector<std::string> args(argv + 2, argv + argc);
  for (const Command& c : kCommands) {
    if (c.name != name) {
      continue;
    }
    // The SHA-256 backend is chosen once, here, before the command runs (and before any
    // chain thread could ask for it): HASHRIG_SHA256_BACKEND if set, else the fastest.
    const auto backend = hashrig::sha256::Backend::FromEnvironment();
    if (!backend && !c.reports_backend) {
      std::cerr << "hashrig " << name << ": " << backend.error().message() << "\n";
      return hashrig::host::kExitUsage;
    }
    (void)hashrig::sha256::Backend::Default();
    try {
      return c.run(args);
    } catch (const std::exception& e) {
      std::cerr << "hashrig " << name << ": " << e.what() << "\n";
      return hashrig::host::kExitFailure;
    }
  }
  std::cerr << "hashrig: unknown command '" << name << "'\n\n";
  PrintUsage(std::cerr);
  return hashrig::host::kExitUsage;
}
