// `hashrig sim`: a simulated BM13xx chain (hal/sim) on a PTY or TCP port, for drivers,
// firmware and tests to talk to as if it were a hashboard.
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <iostream>

#include "hashrig/hal/sim_server.h"
#include "hashrig/host/cli/args.h"
#include "hashrig/host/cli/commands.h"

namespace hashrig::host {
namespace {

Error Invalid(std::string message) { return {StatusCode::kInvalidArgument, std::move(message)}; }

const std::vector<OptionSpec> kOptions = {
    {"model", 'm', true, false, "chip model: BM1397, BM1366, BM1368 or BM1370 (default BM1370)"},
    {"chips", 'n', true, false, "chips on the chain, 1..256 (default 1)"},
    {"pty", 0, false, false, "expose the chain on a pseudo-terminal (the default)"},
    {"link", 0, true, false, "also make PATH a symlink to the PTY (a stable name across restarts)"},
    {"listen", 'l', true, false, "ADDRESS:PORT: expose the chain on TCP instead"},
    {"control-link", 0, true, false,
     "also a bitaxe-raw control port on a second PTY linked at PATH: an EMC2101 (fan, "
     "temperature) on a board the chain heats (with --link; for --board bitaxe:DATA:CONTROL)"},
    {"ambient", 0, true, false, "ambient temperature of that board, °C (default 25)"},
    {"cpu-rate", 0, true, false,
     "real hashes per second the whole chain may compute (default 4e6)"},
    {"dead-chip", 0, true, true, "chain position of a chip that never answers (repeatable)"},
    {"bad-nonce-chip", 0, true, true, "chain position of a chip reporting bad nonces (repeatable)"},
    {"corrupt", 0, true, false, "probability that a byte to the host is corrupted"},
    {"drop", 0, true, false, "probability that a response is lost"},
    {"delay-ms", 0, true, false, "delay of every response, milliseconds"},
    {"seed", 0, true, false, "random seed for faults (default 1)"},
    {"help", 'h', false, false, "show this help"},
};

constexpr std::string_view kUsage =
    "usage: hashrig sim [--model M] [--chips N] [--pty | --listen ADDRESS:PORT] "
    "[FAULTS]\n\n"
    "Runs a simulated BM13xx chain that answers the real wire protocol and finds\n"
    "real nonces. Prints 'pty PATH' or 'listening on ADDRESS:PORT' when ready, and\n"
    "runs until SIGINT or SIGTERM.\n\n";

Error ReadPositions(const Args& args, std::string_view name, int chips, std::vector<int>& out) {
  for (const std::string& value : args.GetAll(name)) {
    const auto position = ParseCount(value);
    if (!position || *position >= static_cast<unsigned long long>(chips)) {
      return Invalid("--" + std::string(name) + " '" + value + "': expected a chain position 0.." +
                     std::to_string(chips - 1));
    }
    out.push_back(static_cast<int>(*position));
  }
  return {};
}

Error ReadRate(const Args& args, std::string_view name, double& out) {
  if (!args.Has(name)) {
    return {};
  }
  const auto value = ParseDouble(args.Get(name));
  if (!value || *value < 0 || *value > 1) {
    return Invalid("--" + std::string(name) + " '" + args.Get(name) +
                   "': expected a probability 0..1");
  }
  out = *value;
  return {};
}

Error Configure(const Args& args, hal::SimServerConfig& config) {
  const auto model = hal::protocol::ModelByName(args.Get("model", "BM1370"));
  if (!model) {
    return Invalid("--model '" + args.Get("model") +
                   "': expected BM1397, BM1366, BM1368 or BM1370");
  }
  config.board.chain.model = *model;
  const auto chips = ParseCount(args.Get("chips", "1"));
  if (!chips || *chips < 1 || *chips > 256) {
    return Invalid("--chips '" + args.Get("chips") + "': expected 1..256");
  }
  config.board.chain.chips = static_cast<int>(*chips);
  if (args.Has("cpu-rate")) {
    const auto rate = ParseDouble(args.Get("cpu-rate"));
    if (!rate || *rate <= 0) {
      return Invalid("--cpu-rate '" + args.Get("cpu-rate") + "': expected hashes per second > 0");
    }
    config.board.chain.cpu_hashes_per_second = *rate;
  }
  if (args.Has("listen")) {
    const std::string listen = args.Get("listen");
    const auto colon = listen.rfind(':');
    const auto port =
        colon == std::string::npos ? std::nullopt : ParseCount(listen.substr(colon + 1));
    if (!port || *port > 65535 || colon == 0) {
      return Invalid("--listen '" + listen + "': expected ADDRESS:PORT");
    }
    config.use_pty = false;
    config.listen_address = listen.substr(0, colon);
    config.port = static_cast<std::uint16_t>(*port);
  }
  config.link_path = args.Get("link");
  config.control_link_path = args.Get("control-link");
  if (args.Has("ambient")) {
    const auto ambient = ParseDouble(args.Get("ambient"));
    if (!ambient || *ambient > 120) {
      return Invalid("--ambient '" + args.Get("ambient") + "': expected 0..120 °C");
    }
    config.board.ambient_c = *ambient;
  }
  if (!config.control_link_path.empty() && !config.use_pty) {
    return Invalid("--control-link needs the PTY form (not --listen)");
  }
  const auto seed = ParseCount(args.Get("seed", "1"));
  if (!seed) {
    return Invalid("--seed: expected a whole number");
  }
  config.board.chain.seed = *seed;
  if (args.Has("delay-ms")) {
    const auto delay = ParseCount(args.Get("delay-ms"));
    if (!delay || *delay > 60'000) {
      return Invalid("--delay-ms: expected 0..60000");
    }
    config.board.faults.response_delay = std::chrono::milliseconds(*delay);
  }
  for (auto error :
       {ReadPositions(args, "dead-chip", config.board.chain.chips, config.board.faults.dead_chips),
        ReadPositions(args, "bad-nonce-chip", config.board.chain.chips,
                      config.board.faults.bad_nonce_chips),
        ReadRate(args, "corrupt", config.board.faults.corrupt_byte_rate),
        ReadRate(args, "drop", config.board.faults.drop_response_rate)}) {
    if (!error.ok()) {
      return error;
    }
  }
  return {};
}

int Run(const Args& args) {
  hal::SimServerConfig config;
  if (const Error bad = Configure(args, config); !bad.ok()) {
    std::cerr << "hashrig sim: " << bad.message() << "\n";
    return kExitUsage;
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  ::sigprocmask(SIG_BLOCK, &signals, nullptr);
  const int stop_fd = ::signalfd(-1, &signals, SFD_CLOEXEC);
  const auto status = hal::RunSimServer(config, stop_fd, [&](const std::string& where) {
    std::cout << (config.use_pty ? "pty " : "listening on ") << where << " ("
              << config.board.chain.chips << " x "
              << hal::protocol::InfoOf(config.board.chain.model).name << ")" << std::endl;
  });
  ::close(stop_fd);
  if (!status.ok()) {
    std::cerr << "hashrig sim: " << status.message() << "\n";
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

const Command& SimCommand() {
  static const Command kCommand{"sim", "expose a simulated BM13xx chain on a PTY or TCP port",
                                kUsage, kOptions, &Run};
  return kCommand;
}

}  // namespace hashrig::host
