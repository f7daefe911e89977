// hashrig's subcommands. Each takes the arguments after its name and returns the
// process exit code: 0 success, 1 a failure of the work itself, 2 a usage error.
#pragma once

#include <string>
#include <vector>

namespace hashrig::host {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

int RunHashCommand(const std::vector<std::string>& args);
int RunBenchCommand(const std::vector<std::string>& args);
int RunPoolCommand(const std::vector<std::string>& args);
int RunSimCommand(const std::vector<std::string>& args);
int RunRunCommand(const std::vector<std::string>& args);
int RunScanCommand(const std::vector<std::string>& args);
int RunBoardTestCommand(const std::vector<std::string>& args);
int RunFlashCommand(const std::vector<std::string>& args);
int RunImageCommand(const std::vector<std::string>& args);

}  // namespace hashrig::host
