// The command-line parser on arbitrary argument vectors (NUL-separated in the input):
// it must return a value or a message, never crash.
#include <string>
#include <vector>

#include "hashrig/host/cli/args.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> argv(1);
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == 0) {
      argv.emplace_back();
    } else {
      argv.back().push_back(static_cast<char>(data[i]));
    }
  }
  static const std::vector<hashrig::host::OptionSpec> kSpecs = {{"url", 'o', true, true, ""},
                                                                {"backend", 0, true, false, ""},
                                                                {"flag", 'f', false, false, ""}};
  const auto args = hashrig::host::Args::Parse(argv, kSpecs);
  if (args) {
    (void)args->Get("url");
    (void)args->GetAll("backend");
    (void)hashrig::host::ParseCount(args->Get("backend"));
    (void)hashrig::host::ParseDouble(args->Get("url"));
  }
  return 0;
}
