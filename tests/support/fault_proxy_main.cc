// hashrig-fault-proxy: the FaultProxy as a process, for scripts/soak.sh (issue 13, point 7).
//
//   hashrig-fault-proxy --upstream PORT [--listen PORT] [--seed N] [--mean-gap S]
//                       [--faults delay,cut,half-close,corrupt,black-hole]
//                       [--delay-ms MS] [--delay-for S]
//
// Prints "listening on 127.0.0.1:PORT", then one line per fault applied, with its UTC
// time as hashrig logs it ("2026-11-30T10:15:08.616Z fault cut connection 3: both sockets
// closed"), and on SIGINT/SIGTERM the totals
// ("faults: delay 2, cut 1, ...; connections 7, lines 1234").
#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>

#include <charconv>
#include <chrono>
#include <iostream>
#include <string_view>

#include "hashrig/base/format.h"
#include "support/fault_proxy.h"

namespace {

using hashrig::testing::Fault;
using hashrig::testing::FaultProxy;

constexpr const char* kUsage =
    "usage: hashrig-fault-proxy --upstream PORT [--listen PORT] [--seed N] [--mean-gap S]\n"
    "                           [--faults delay,cut,half-close,corrupt,black-hole]\n"
    "                           [--delay-ms MS] [--delay-for S]\n";

bool ParseNumber(std::string_view text, double& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out >= 0;
}

bool ParseFaults(std::string_view text, std::vector<Fault>& out) {
  out.clear();
  while (!text.empty()) {
    const auto comma = text.find(',');
    Fault fault{};
    if (!hashrig::testing::ParseFault(std::string(text.substr(0, comma)), fault)) {
      return false;
    }
    out.push_back(fault);
    text = comma == std::string_view::npos ? "" : text.substr(comma + 1);
  }
  return !out.empty();
}

int Run(int argc, char** argv) {
  FaultProxy::Schedule schedule;
  double listen = 0;
  double upstream = -1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "-h" || flag == "--help") {
      std::cout << kUsage;
      return 0;
    }
    if (i + 1 >= argc) {
      std::cerr << "hashrig-fault-proxy: " << flag << " needs a value\n" << kUsage;
      return 2;
    }
    const std::string_view value = argv[++i];
    double number = 0;
    bool ok = true;
    if (flag == "--faults") {
      ok = ParseFaults(value, schedule.faults);
    } else if (!ParseNumber(value, number)) {
      ok = false;
    } else if (flag == "--listen") {
      listen = number;
    } else if (flag == "--upstream") {
      upstream = number;
    } else if (flag == "--seed") {
      schedule.seed = static_cast<std::uint64_t>(number);
    } else if (flag == "--mean-gap") {
      schedule.mean_gap = std::chrono::milliseconds(static_cast<long>(number * 1000));
    } else if (flag == "--delay-ms") {
      schedule.delay = std::chrono::milliseconds(static_cast<long>(number));
    } else if (flag == "--delay-for") {
      schedule.delay_for = std::chrono::milliseconds(static_cast<long>(number * 1000));
    } else {
      std::cerr << "hashrig-fault-proxy: unknown option " << flag << "\n" << kUsage;
      return 2;
    }
    if (!ok || listen > 65535 || upstream > 65535) {
      std::cerr << "hashrig-fault-proxy: bad value for " << flag << ": " << value << "\n";
      return 2;
    }
  }
  if (upstream <= 0) {
    std::cerr << "hashrig-fault-proxy: --upstream PORT is required\n" << kUsage;
    return 2;
  }
  boost::asio::io_context io;
  try {
    FaultProxy proxy(io, static_cast<std::uint16_t>(listen), static_cast<std::uint16_t>(upstream),
                     schedule, [](const FaultProxy::Event& e) {
                       std::cout << hashrig::FormatUtcMillis(std::chrono::system_clock::now())
                                 << " fault " << ToString(e.fault) << " connection " << e.connection
                                 << ": " << e.detail << std::endl;
                     });
    std::cout << "listening on 127.0.0.1:" << proxy.port() << std::endl;
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code&, int) {
      std::string totals;
      for (const Fault f :
           {Fault::kDelay, Fault::kCut, Fault::kHalfClose, Fault::kCorrupt, Fault::kBlackHole}) {
        totals += (totals.empty() ? "" : ", ") + std::string(ToString(f)) + " " +
                  std::to_string(proxy.faults(f));
      }
      std::cout << "faults: " << totals << "; connections " << proxy.connections_seen()
                << ", lines " << proxy.lines_passed() << std::endl;
      io.stop();
    });
    io.run();
  } catch (const std::exception& e) {
    std::cerr << "hashrig-fault-proxy: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "hashrig-fault-proxy: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "hashrig-fault-proxy: unknown error\n";
  }
  return 1;
}
