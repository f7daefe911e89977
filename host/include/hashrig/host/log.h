// hashrig's log: one line per event, "2026-11-21T17:50:51.123Z LEVEL where: text", to
// stderr by default, filtered by level. Not global (STYLE R9): made in main/commands and
// handed to what needs it.
#pragma once

#include <iosfwd>
#include <mutex>
#include <optional>
#include <string_view>

namespace hashrig::host {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

std::optional<LogLevel> ParseLogLevel(std::string_view text);
std::string_view ToString(LogLevel level);

class Logger {
 public:
  explicit Logger(std::ostream& out, LogLevel min_level = LogLevel::kInfo);

  void Write(LogLevel level, std::string_view where, std::string_view text);
  bool Enabled(LogLevel level) const { return level >= min_level_; }

 private:
  std::ostream& out_;
  LogLevel min_level_;
  std::mutex mutex_;
};

}  // namespace hashrig::host
