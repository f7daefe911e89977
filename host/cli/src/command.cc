#include <iostream>

#include "hashrig/host/cli/commands.h"
#include "hashrig/sha256/backend.h"

namespace hashrig::host {

int UsageError(std::string_view command, std::string_view what) {
  std::cerr << "hashrig " << command << ": " << what << "\n";
  return kExitUsage;
}

int Failure(std::string_view command, std::string_view what) {
  std::cerr << "hashrig " << command << ": " << what << "\n";
  return kExitFailure;
}

int Execute(const Command& command, const std::vector<std::string>& argv) {
  auto args = command.parse != nullptr ? command.parse(argv, command.options)
                                       : Args::Parse(argv, command.options);
  if (!args) {
    std::cerr << "hashrig " << command.name << ": " << args.error().message() << " (try 'hashrig "
              << command.name << " --help')\n";
    return kExitUsage;
  }
  if (args->Has("help")) {
    std::cout << command.usage << FormatOptions(command.options);
    return kExitOk;
  }
  // The SHA-256 backend is chosen once, here, before the command runs (and before any
  // chain thread could ask for it): HASHRIG_SHA256_BACKEND if set, else the fastest.
  const auto backend = sha256::Backend::FromEnvironment();
  if (!backend && !command.reports_backend) {
    return UsageError(command.name, backend.error().message());
  }
  (void)sha256::Backend::Default();
  return command.run(*args);
}

}  // namespace hashrig::host
