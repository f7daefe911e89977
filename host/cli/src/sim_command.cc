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

// Where the chain is exposed: a PTY (optionally linked at --link, with a control port at
// --control-link) or a TCP port.
Error ReadEndpoints(const Args& args, hal::SimServerConfig& config) {
  config.link_path = args.Get("link");
  config.record_path = args.Get("record");
  config.control_link_path = args.Get("control-link");
  // A board with a control port is a Bitaxe through bitaxe-raw: its chips wait for the
  // host to power them at the TPS546 (`hashrig run --board bitaxe:` does).
  config.board.core_from_regulator = !config.control_link_path.empty();
  if (!args.Has("listen")) {
    return {};
  }
  if (!config.control_link_path.empty()) {
    return Invalid("--control-link needs the PTY form (not --listen)");
  }
  const auto listen = ParseHostPort(args.Get("listen"));
  if (!listen) {
    return listen.error().Context("--listen");
  }
  config.use_pty = false;
  config.listen_address = listen->host;
  config.port = listen->port;
  return {};
}

Error Configure(const Args& args, hal::SimServerConfig& config) {
  hal::sim::BoardConfig& board = config.board;
  const auto model = hal::protocol::ModelByName(args.Get("model", "BM1370"));
  if (!model) {
    return Invalid("--model '" + args.Get("model") +
                   "': expected BM1397, BM1366, BM1368 or BM1370");
  }
  board.chain.model = *model;
  if (args.Has("sensor-glitch-every") && !args.Has("control-link")) {
    return Invalid("--sensor-glitch-every needs --control-link (the EMC2101 is on that port)");
  }
  return FirstError(
      {Store(args.Whole("chips", 1, 1, 256), board.chain.chips),
       Store(
           args.Number("cpu-rate", board.chain.cpu_hashes_per_second, 1, 1e12, "hashes per second"),
           board.chain.cpu_hashes_per_second),
       Store(args.Number("ambient", board.ambient_c, -40, 120, "°C"), board.ambient_c),
       Store(args.Whole("sensor-glitch-every", 0, 0, 1'000'000, "readings"),
             board.sensor_glitch_every),
       Store(args.Whole("seed", 1, 0, ~0ULL), board.chain.seed),
       Store(args.Whole("delay-ms", 0, 0, 60'000, "ms"), board.faults.response_delay),
       Store(args.Number("corrupt", 0, 0, 1, "(a probability)"), board.faults.corrupt_byte_rate),
       Store(args.Number("drop", 0, 0, 1, "(a probability)"), board.faults.drop_response_rate),
       // After --chips (the list is evaluated in order): positions on that chain.
       ReadPositions(args, "dead-chip", board.chain.chips, board.faults.dead_chips),
       ReadPositions(args, "bad-nonce-chip", board.chain.chips, board.faults.bad_nonce_chips),
       ReadEndpoints(args, config)});
}

}  // namespace

int RunSim(const Args& args) {
  hal::SimServerConfig config;
  if (const Error bad = Configure(args, config); !bad.ok()) {
    return UsageError("sim", bad.message());
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  ::sigprocmask(SIG_BLOCK, &signals, nullptr);
  const int stop_fd = ::signalfd(-1, &signals, SFD_CLOEXEC);
  const auto status = hal::RunSimServer(
      config, stop_fd,
      [&](const std::string& where) {
        std::cout << (config.use_pty ? "pty " : "listening on ") << where << " ("
                  << config.board.chain.chips << " x "
                  << hal::protocol::InfoOf(config.board.chain.model).name << ")" << std::endl;
      },
      [](const std::string& what) { std::cerr << "sim: " << what << std::endl; });
  ::close(stop_fd);
  if (!status.ok()) {
    return Failure("sim", status.message());
  }
  return kExitOk;
}

}  // namespace hashrig::host
