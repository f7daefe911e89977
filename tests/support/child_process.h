// A real child process for end-to-end tests: argv spawned directly (no shell), stdout
// read line by line with a deadline, stderr captured to a file, signals, exit status.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hashrig::testing {

class ChildProcess {
 public:
  explicit ChildProcess(const std::vector<std::string>& argv);
  ~ChildProcess();  // SIGKILLs a child still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The next stdout line (without '\n'), or empty at EOF or after `timeout`.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout);
  // Every stdout line ('\n'-ended) up to EOF (a tool closes stdout when it exits), or up
  // to the first wait of more than `line_timeout` for the next line.
  std::string ReadToEnd(std::chrono::milliseconds line_timeout);
  void Signal(int signal);
  // Waits for exit; the exit code, or 128 + signal; empty after `timeout`.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  std::string Stderr() const;  // everything written to stderr so far
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string stderr_path_;
  std::string buffer_;
  std::optional<int> status_;
};

// Waits (polling, up to `limit`) until `text` appears in the process's stderr at or after
// offset `after`: true when it did.
bool WaitForLog(const ChildProcess& process, const std::string& text, std::size_t after,
                std::chrono::seconds limit);

// How many times `text` occurs in `in`.
int CountOf(const std::string& in, const std::string& text);

// The port number `log` gives right after `what` (e.g. "cgminer API on port "); 0 if
// it does not say.
std::uint16_t PortInLog(const std::string& log, const std::string& what);

// Waits (up to `limit`) until `text` has appeared `count` times in the process's stderr:
// events are counted as they come, however slow the machine (an ASan build, a loaded CI).
bool WaitForCount(const ChildProcess& process, const std::string& text, int count,
                  std::chrono::seconds limit);

// A run that lasts until what the test waits for happened, not for a fixed time: waits for
// `count` times `text` (up to `limit`), then SIGTERMs the process; its exit code, or empty
// when `text` never came `count` times or the process did not exit within 30 s.
std::optional<int> StopAfter(ChildProcess& process, const std::string& text, int count,
                             std::chrono::seconds limit);

}  // namespace hashrig::testing
