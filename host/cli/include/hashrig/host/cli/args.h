// Command-line arguments for hashrig's subcommands: `--name value`, `--name=value`,
// boolean `--name`, short aliases, and positionals. Unknown options are errors.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hashrig/base/error.h"

namespace hashrig::host {

struct OptionSpec {
  std::string_view name;  // long name without dashes, e.g. "backend"
  char short_name = 0;    // e.g. 'o' for -o, 0 for none
  bool takes_value = false;
  bool repeatable = false;
  std::string_view help;
};

class Args {
 public:
  // Parses `argv` (after the subcommand) against `specs`; an error names the offending
  // argument.
  static Expected<Args> Parse(const std::vector<std::string>& argv,
                              const std::vector<OptionSpec>& specs);

  bool Has(std::string_view name) const;
  // Last value given for `name`, or `fallback`.
  std::string Get(std::string_view name, std::string_view fallback = {}) const;
  std::vector<std::string> GetAll(std::string_view name) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::vector<std::string>, std::less<>> values_;
  std::vector<std::string> positional_;
};

// "  -o, --url VALUE   help" lines for a subcommand's --help.
std::string FormatOptions(const std::vector<OptionSpec>& specs);

// Parses a whole non-negative number or a decimal; empty on anything else.
std::optional<unsigned long long> ParseCount(std::string_view text);
std::optional<double> ParseDouble(std::string_view text);

}  // namespace hashrig::host
