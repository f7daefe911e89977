// `hashrig run --config FILE`: a JSON object whose keys are run's long option names
// (docs/CONFIG.md), so the file and the command line share one parser and one set of
// checks. Arrays give repeatable options (pools, boards); the command line wins over
// the file (for pools and boards it replaces the file's list).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hashrig/base/error.h"
#include "hashrig/host/cli/args.h"

namespace hashrig::host {

// The file's options as arguments ("--url", "stratum+tcp://...", ...). An error names
// the field, or the line and column of a JSON syntax error, on anything else.
Expected<std::vector<std::string>> ConfigToArgs(std::string_view json_text,
                                                const std::vector<OptionSpec>& specs);

// File arguments then command-line arguments; an option on the command line replaces
// the file's (a list replaces the whole list).
std::vector<std::string> MergeArgs(const std::vector<std::string>& from_file,
                                   const std::vector<std::string>& from_command_line,
                                   const std::vector<OptionSpec>& specs);

// The effective configuration as the JSON a --config file would hold: numbers as numbers.
std::string EffectiveConfig(const Args& args, const std::vector<OptionSpec>& specs);

}  // namespace hashrig::host
