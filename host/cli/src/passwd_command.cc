// hashrig passwd: the dashboard's password, hashed (host/report/password.h), into the
// configuration file's "http-password-hash".
#include <sys/stat.h>
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

// Writes `hash` into the JSON object in `given` (a new one when the file is missing),
// through a temporary file renamed over it: a crash leaves the old file or the new one.
// A symlink is followed (the file it names is replaced, the link stays); the file keeps
// its permissions (a new one is 0600: the file also holds the pools' passwords).
Error WriteHash(const std::string& given, const std::string& hash) {
  std::error_code ec;
  std::string path = given;
  if (std::filesystem::is_symlink(std::filesystem::symlink_status(given, ec))) {
    path = std::filesystem::canonical(given, ec).string();
    if (ec) {
      return Error(StatusCode::kNotFound, "'" + given + "' is a broken symlink");
    }
  }
  if (std::filesystem::is_directory(path, ec)) {
    return Error(StatusCode::kInvalidArgument, "'" + given + "' is a directory, not a file");
  }
  const bool existed = std::filesystem::exists(path, ec);
  const auto mode = existed
                        ? std::filesystem::status(path, ec).permissions()
                        : std::filesystem::perms::owner_read | std::filesystem::perms::owner_write;
  nlohmann::ordered_json config = nlohmann::ordered_json::object();
  if (existed) {
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
  std::filesystem::permissions(temporary, mode, ec);
  struct stat owner {};
  if (existed && ::stat(path.c_str(), &owner) == 0) {
    (void)::chown(temporary.c_str(), owner.st_uid, owner.st_gid);  // root may; others keep theirs
  }
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    return Error(StatusCode::kUnavailable, "cannot replace '" + path + "': " + ec.message());
  }
  return {};
}

}  // namespace

int RunPasswd(const Args& args) {
  if (args.Has("print") && args.Has("config")) {
    return UsageError(kCommand, "--config and --print: give one of them");
  }
  if (!args.Has("print") && !args.Has("config")) {
    return UsageError(kCommand, "give --config FILE (write the hash there) or --print");
  }
  if (!args.positional().empty()) {
    return UsageError(kCommand, "unexpected '" + args.positional()[0] +
                                    "': the password is read from standard input");
  }
  const auto password = ReadPassword("new dashboard password: ");
  if (!password || password->find_first_not_of(" \t") == std::string::npos) {
    return UsageError(kCommand, "no password given (an empty or blank one is refused)");
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
