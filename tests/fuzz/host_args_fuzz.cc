// The command-line parser on arbitrary argument vectors (NUL-separated in the input;
// the first byte picks which of hashrig's real commands' options they are parsed
// against): it must return a value or a message, never crash.
#include <string>
#include <vector>

#include "hashrig/host/cli/args.h"
#include "hashrig/host/cli/commands.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  const auto& commands = hashrig::host::Commands();
  const auto& specs = commands[data[0] % commands.size()].options;
  std::vector<std::string> argv(1);
  for (std::size_t i = 1; i < size; ++i) {
    if (data[i] == 0) {
      argv.emplace_back();
    } else {
      argv.back().push_back(static_cast<char>(data[i]));
    }
  }
  const auto args = hashrig::host::Args::Parse(argv, specs);
  if (args) {
    (void)args->Get("url");
    (void)args->GetAll("backend");
    (void)hashrig::host::ParseCount(args->Get("backend"));
    (void)hashrig::host::ParseDouble(args->Get("url"));
  }
  return 0;
}
