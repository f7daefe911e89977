// Command-line arguments for hashrig's subcommands: `--name value`, `--name=value`,
// boolean `--name`, short aliases, and positionals. Unknown options are errors.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
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
  // Typed values within a range. Absent: `fallback`. Given but not a number in
  // [min, max]: an error naming the option, the value and the range, e.g.
  // "--chips '300': expected 1..256" (kInvalidArgument). `unit` follows the range.
  Expected<double> Number(std::string_view name, double fallback, double min, double max,
                          std::string_view unit = {}) const;
  Expected<unsigned long long> Whole(std::string_view name, unsigned long long fallback,
                                     unsigned long long min, unsigned long long max,
                                     std::string_view unit = {}) const;
  const std::vector<std::string>& positional() const { return positional_; }
  // The command line itself, when these arguments merged a config file under it (run
  // --config): what SIGHUP merges the re-read file under again.
  const std::vector<std::string>& command_line() const { return command_line_; }
  void set_command_line(std::vector<std::string> argv) { command_line_ = std::move(argv); }

 private:
  std::map<std::string, std::vector<std::string>, std::less<>> values_;
  std::vector<std::string> positional_;
  std::vector<std::string> command_line_;
};

// "  -o, --url VALUE   help" lines for a subcommand's --help.
std::string FormatOptions(const std::vector<OptionSpec>& specs);

// Stores a read value in `out` (converted to its type); the error if there was one.
//   return FirstError({Store(args.Whole("chips", 1, 1, 256), config.chips), ...});
template <typename T, typename U>
Error Store(const Expected<T>& value, U& out) {
  if (!value) {
    return value.error();
  }
  out = static_cast<U>(*value);
  return {};
}

// The first failure among `errors` (all were evaluated, in order), or success.
inline Error FirstError(std::initializer_list<Error> errors) {
  for (const Error& e : errors) {
    if (!e.ok()) {
      return e;
    }
  }
  return {};
}

// "ADDRESS:PORT" ("[v6 address]:PORT" for IPv6); port 0..65535. An error says what was
// expected.
struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};
Expected<HostPort> ParseHostPort(std::string_view text);

// Parses a whole non-negative number or a decimal; empty on anything else.
std::optional<unsigned long long> ParseCount(std::string_view text);
std::optional<double> ParseDouble(std::string_view text);

// The error of an option's value the command cannot use (exit status 2).
inline Error Invalid(std::string message) {
  return {StatusCode::kInvalidArgument, std::move(message)};
}

}  // namespace hashrig::host
