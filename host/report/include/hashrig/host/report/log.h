// hashrig's log: one line per event, "2026-11-21T17:50:51.123Z LEVEL where: text", to
// stderr by default, filtered by level. Not global (STYLE R9): made in main/commands and
// handed to what needs it.
#pragma once

#include <atomic>

#include <deque>
#include <iosfwd>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hashrig::host {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

std::optional<LogLevel> ParseLogLevel(std::string_view text);
std::string_view ToString(LogLevel level);

class Logger {
 public:
  explicit Logger(std::ostream& out, LogLevel min_level = LogLevel::kInfo);

  void Write(LogLevel level, std::string_view where, std::string_view text);
  bool Enabled(LogLevel level) const { return level >= min_level_.load(); }
  void set_min_level(LogLevel level) { min_level_ = level; }  // SIGHUP: from any thread

  // Keep the last `lines` lines instead of writing them out (the terminal screen shows
  // them, so they do not scroll it away). 0: write to the stream again.
  void CaptureTail(std::size_t lines);
  std::vector<std::string> Tail() const;
  // Also keep the last `lines` lines written (the dashboard's log page), still writing
  // them out. 0: keep none.
  void KeepRecent(std::size_t lines);
  std::vector<std::string> Recent() const;

 private:
  std::ostream& out_;
  std::atomic<LogLevel> min_level_;
  mutable std::mutex mutex_;
  std::size_t capture_ = 0;
  std::deque<std::string> tail_;
  std::size_t keep_ = 0;
  std::deque<std::string> recent_;
};

}  // namespace hashrig::host
