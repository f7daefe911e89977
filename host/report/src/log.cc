#include "hashrig/host/report/log.h"

#include "hashrig/base/format.h"
#include "hashrig/base/hex.h"
#include "hashrig/base/names.h"

#include <chrono>
#include <ostream>

namespace hashrig::host {
namespace {

// As written in a log line, and as given to --log-level.
constexpr EnumName<LogLevel> kLogLevelNames[] = {{LogLevel::kDebug, "DEBUG"},
                                                 {LogLevel::kInfo, "INFO"},
                                                 {LogLevel::kWarning, "WARN"},
                                                 {LogLevel::kError, "ERROR"}};
constexpr EnumName<LogLevel> kLogLevelWords[] = {{LogLevel::kDebug, "debug"},
                                                 {LogLevel::kInfo, "info"},
                                                 {LogLevel::kWarning, "warning"},
                                                 {LogLevel::kError, "error"}};

// Text from outside (a pool URL an API client sent, a pool's reject reason) written so it
// stays on its line: control characters as \n, \r, \xNN.
void AppendEscaped(std::string& line, std::string_view text) {
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      line += "\\n";
    } else if (c == '\r') {
      line += "\\r";
    } else if (u < 0x20 || u == 0x7F) {
      line += "\\x";
      line += EncodeHex(std::span<const std::uint8_t>(&u, 1));
    } else {
      line += c;
    }
  }
}

}  // namespace

std::optional<LogLevel> ParseLogLevel(std::string_view text) {
  return ValueOf(kLogLevelWords, text);
}

std::string_view ToString(LogLevel level) { return NameOf(kLogLevelNames, level); }

Logger::Logger(std::ostream& out, LogLevel min_level) : out_(out), min_level_(min_level) {}

void Logger::Write(LogLevel level, std::string_view where, std::string_view text) {
  if (!Enabled(level)) {
    return;
  }
  const std::string stamp = FormatUtcMillis(std::chrono::system_clock::now());
  std::string line = stamp;
  line += ' ';
  line += ToString(level);
  line += ' ';
  AppendEscaped(line, where);
  line += ": ";
  AppendEscaped(line, text);
  const std::lock_guard lock(mutex_);
  if (keep_ > 0) {
    recent_.push_back(line);
    while (recent_.size() > keep_) {
      recent_.pop_front();
    }
  }
  if (capture_ > 0) {
    tail_.push_back(std::move(line));
    while (tail_.size() > capture_) {
      tail_.pop_front();
    }
    return;
  }
  out_ << line << '\n' << std::flush;
}

void Logger::CaptureTail(std::size_t lines) {
  const std::lock_guard lock(mutex_);
  capture_ = lines;
  tail_.clear();
}

std::vector<std::string> Logger::Tail() const {
  const std::lock_guard lock(mutex_);
  return {tail_.begin(), tail_.end()};
}

void Logger::KeepRecent(std::size_t lines) {
  const std::lock_guard lock(mutex_);
  keep_ = lines;
  while (recent_.size() > keep_) {
    recent_.pop_front();
  }
}

std::vector<std::string> Logger::Recent() const {
  const std::lock_guard lock(mutex_);
  return {recent_.begin(), recent_.end()};
}

}  // namespace hashrig::host
