// libFuzzer: arbitrary bytes as `hashrig run --config` file, against run's real options.
// A value or a message naming the field, never a crash; what loads also parses through
// the option parser (merged under a command line) without crashing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hashrig/host/cli/commands.h"
#include "hashrig/host/cli/config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& specs = hashrig::host::FindCommand("run")->options;
  const auto args = hashrig::host::ConfigToArgs(
      std::string_view(reinterpret_cast<const char*>(data), size), specs);
  if (args) {
    (void)hashrig::host::Args::Parse(hashrig::host::MergeArgs(*args, {"-o", "x"}, specs), specs);
  }
  return 0;
}
