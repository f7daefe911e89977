// `hashrig sim`: a simulated BM13xx chain (hal/sim) on a PTY or TCP port, for drivers,
// firmware and tests to talk to as if it were a hashboard.
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "hashrig/hal/sim_server.h"
#include "hashrig/host/cli/args.h"
#include "hashrig/host/cli/commands.h"
#include "tools.h"

namespace hashrig::host {
namespace {

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

// --outage MODULE:FROM:UNTIL (seconds since start).
Error ReadOutages(const Args& args, int modules, hal::sim::AvalonFaults& faults) {
  for (const std::string& value : args.GetAll("outage")) {
    int module = -1;
    double from = -1;
    double until = -1;
    char end = 0;
    if (std::sscanf(value.c_str(), "%d:%lf:%lf%c", &module, &from, &until, &end) != 3 ||
        module < 0 || module >= modules || from < 0 || until <= from) {
      return Invalid("--outage '" + value + "': expected MODULE:FROM:UNTIL, a module 0.." +
                     std::to_string(modules - 1) + " and seconds FROM < UNTIL");
    }
    const auto seconds = [](double s) {
      return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(s));
    };
    faults.outages.push_back({module, seconds(from), seconds(until)});
  }
  return {};
}

// `--avalon GEN`: an Avalon bus instead of a BM13xx chain.
Error ConfigureAvalon(const Args& args, hal::SimServerConfig& config) {
  for (const std::string_view only :
       {"model", "chips", "dead-chip", "bad-nonce-chip", "control-link", "record", "delay-ms",
        "sensor-glitch-every", "ignore-rate-switch"}) {
    if (args.Has(only)) {
      return Invalid("--" + std::string(only) + " is for BM13xx chains, not --avalon");
    }
  }
  const auto generation = hal::sim::AvalonGenerationByName(args.Get("avalon"));
  if (!generation) {
    return Invalid("--avalon '" + args.Get("avalon") +
                   "': expected 7, 8, lc3 or 10 (or avalon8, 851, 1041 ...)");
  }
  hal::sim::AvalonConfig& avalon = config.avalon.emplace();
  avalon.generation = *generation;
  avalon.auc = args.Has("auc");
  avalon.model = args.Get("avalon-model");
  hal::sim::AvalonFaults& faults = avalon.faults;
  return FirstError(
      {Store(args.Whole("modules", 1, 1, hal::sim::kAvalonMaxModules), avalon.modules),
       Store(args.Number("cpu-rate", avalon.cpu_hashes_per_second, 1, 1e12, "hashes per second"),
             avalon.cpu_hashes_per_second),
       Store(args.Number("ambient", avalon.ambient_c, -40, 120, "°C"), avalon.ambient_c),
       Store(args.Whole("seed", 1, 0, ~0ULL), avalon.seed),
       Store(args.Number("garbage", 0, 0, 1, "(a probability)"), faults.garbage_rate),
       Store(args.Number("corrupt", 0, 0, 1, "(a probability)"), faults.corrupt_rate),
       Store(args.Number("drop", 0, 0, 1, "(a probability)"), faults.drop_rate),
       ReadPositions(args, "bad-nonce-module", avalon.modules, faults.bad_nonce_modules),
       ReadOutages(args, avalon.modules, faults), ReadEndpoints(args, config)});
}

Error Configure(const Args& args, hal::SimServerConfig& config) {
  if (args.Has("avalon")) {
    return ConfigureAvalon(args, config);
  }
  for (const std::string_view only :
       {"modules", "auc", "avalon-model", "garbage", "bad-nonce-module", "outage"}) {
    if (args.Has(only)) {
      return Invalid("--" + std::string(only) + " needs --avalon GEN");
    }
  }
  hal::sim::BoardConfig& board = config.board;
  const auto model = hal::protocol::ModelByName(args.Get("model", "BM1370"));
  if (!model) {
    return Invalid("--model '" + args.Get("model") +
                   "': expected BM1397, BM1366, BM1368 or BM1370");
  }
  board.chain.model = *model;
  board.faults.rate_switch_ignored = args.Has("ignore-rate-switch");
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

// "6 x BM1370", "2 x Avalon 10 (1041) modules through an AUC".
std::string What(const hal::SimServerConfig& config) {
  if (!config.avalon) {
    return std::to_string(config.board.chain.chips) + " x " +
           std::string(hal::protocol::InfoOf(config.board.chain.model).name);
  }
  const auto& avalon = *config.avalon;
  return std::to_string(avalon.modules) + " x " +
         std::string(hal::protocol::avalon::InfoOf(avalon.generation).name) +
         (avalon.modules == 1 ? " module" : " modules") +
         (avalon.auc ? " through an AUC" : " on a CN stream");
}

}  // namespace

int RunSim(const Args& args) {
  hal::SimServerConfig config;
  if (const Error bad = Configure(args, config); !bad.ok()) {
    return UsageError("sim", bad.message());
  }
  double& rate = config.avalon ? config.avalon->cpu_hashes_per_second
                               : config.board.chain.cpu_hashes_per_second;
  rate = UsableCpuRate(rate, "sim");
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  ::sigprocmask(SIG_BLOCK, &signals, nullptr);
  const int stop_fd = ::signalfd(-1, &signals, SFD_CLOEXEC);
  const auto status = hal::RunSimServer(
      config, stop_fd,
      [&](const std::string& where) {
        std::cout << (config.use_pty ? "pty " : "listening on ") << where << " (" << What(config)
                  << ")" << std::endl;
      },
      [](const std::string& what) { std::cerr << "sim: " << what << std::endl; });
  ::close(stop_fd);
  if (!status.ok()) {
    return Failure("sim", status.message());
  }
  return kExitOk;
}

}  // namespace hashrig::host
