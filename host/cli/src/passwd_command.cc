// hashrig passwd: the dashboard's password, hashed (host/report/password.h), into the
// configuration file's "http-password-hash".
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "hashrig/host/cli/commands.h"
#include "hashrig/host/report/password.h"

namespace hashrig::host {
namespace {

constexpr std::string_view kCommand = "passwd";

// One line of standard input; on a terminal without echo, after `prompt` on stderr.
std::optional<std::string> ReadPassword(const char* prompt) {
  const bool terminal = isatty(STDIN_FILENO) != 0;
  termios saved{};
  if (terminal) {
    std::cerr << prompt << std::flush;
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  const bool got = static_cast<bool>(std::getline(std::cin, line));
  if (terminal) {
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    std::cerr << '\n';
  }
  if (!line.empty() && line.back() == '\r') {
    line.pop_back();
  }
  return got ? std::optional(line) : std::nullopt;
}

// Writes `hash` into the JSON object in `path` (a new one when the file is missing),
// through a temporary file renamed over it: a crash leaves the old file or the new one.
Error WriteHash(const std::string& path, const std::string& hash) {
  nlohmann::ordered_json config = nlohmann::ordered_json::object();
  if (std::filesystem::exists(path)) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    config = nlohmann::ordered_json::parse(text.str(), nullptr, false);
    if (!in || config.is_discarded() || !config.is_object()) {
      return Error(StatusCode::kInvalidArgument,
                   "'" + path + "' is not a JSON object (a hashrig configuration); not changed");
    }
  }
  config["http-password-hash"] = hash;
  const std::string temporary = path + ".new";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << config.dump(2) << '\n';
    if (!out.flush()) {
      return Error(StatusCode::kUnavailable, "cannot write '" + temporary + "'");
    }
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    return Error(StatusCode::kUnavailable, "cannot replace '" + path + "': " + ec.message());
  }
  return {};
}

}  // namespace

int RunPasswd(const Args& args) {
  if (args.Has("print") == args.Has("config")) {
    return UsageError(kCommand, "give --config FILE (write the hash there) or --print");
  }
  const auto password = ReadPassword("new dashboard password: ");
  if (!password || password->empty()) {
    return UsageError(kCommand, "no password given (an empty one is refused)");
  }
  if (isatty(STDIN_FILENO) != 0) {
    const auto again = ReadPassword("again: ");
    if (!again || *again != *password) {
      return Failure(kCommand, "the two passwords differ; nothing changed");
    }
  }
  const auto hash = HashPassword(*password);
  if (!hash) {
    return Failure(kCommand, hash.error().message());
  }
  if (args.Has("print")) {
    std::cout << *hash << '\n';
    return kExitOk;
  }
  const std::string path = args.Get("config");
  if (Error e = WriteHash(path, *hash); !e.ok()) {
    return Failure(kCommand, e.message());
  }
  std::cerr << "hashrig passwd: the dashboard's password hash is in " << path
            << "; `hashrig run --config " << path << "` uses it from its next start\n";
  return kExitOk;
}

}  // namespace hashrig::host
