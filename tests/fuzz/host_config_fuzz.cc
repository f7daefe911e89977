// libFuzzer: arbitrary bytes as a --config file. A value or a message naming the field,
// never a crash; what loads also parses through the option parser without crashing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hashrig/host/cli/config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<hashrig::host::OptionSpec> kSpecs = {{"url", 'o', true, true, ""},
                                                                {"user", 'u', true, true, ""},
                                                                {"chips", 0, true, false, ""},
                                                                {"quiet", 0, false, false, ""}};
  const auto args = hashrig::host::ConfigToArgs(
      std::string_view(reinterpret_cast<const char*>(data), size), kSpecs);
  if (args) {
    (void)hashrig::host::Args::Parse(hashrig::host::MergeArgs(*args, {"-o", "x"}, kSpecs), kSpecs);
  }
  return 0;
}
