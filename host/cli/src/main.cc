// hashrig: the native SHA-256 ASIC miner's command. This is the one place exceptions are
// caught (R6): anything escaping a subcommand is reported and turned into exit code 1.
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "hashrig/base/version.h"
#include "hashrig/host/cli/commands.h"

namespace {

namespace host = hashrig::host;

void PrintUsage(std::ostream& out) {
  out << "usage: hashrig COMMAND [OPTIONS]\n\ncommands:\n";
  for (const host::Command& c : host::Commands()) {
    out << "  " << c.name << std::string(12 - c.name.size(), ' ') << c.summary << "\n";
  }
  out << "\n'hashrig COMMAND --help' describes a command's options.\n"
         "HASHRIG_SHA256_BACKEND=NAME forces a SHA-256 backend (as --backend does).\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    PrintUsage(std::cerr);
    return host::kExitUsage;
  }
  const std::string_view name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    PrintUsage(std::cout);
    return host::kExitOk;
  }
  if (name == "--version") {
    std::cout << hashrig::kNameAndVersion << "\n";
    return host::kExitOk;
  }
  const std::vector<std::string> args(argv + 2, argv + argc);
  if (const host::Command* command = host::FindCommand(name)) {
    try {
      return host::Execute(*command, args);
    } catch (const std::exception& e) {
      std::cerr << "hashrig " << name << ": " << e.what() << "\n";
      return host::kExitFailure;
    }
  }
  std::cerr << "hashrig: unknown command '" << name << "'\n\n";
  PrintUsage(std::cerr);
  return host::kExitUsage;
}
