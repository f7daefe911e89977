// A TCP relay that plays a bad network between a miner and its pool (issue 13, point 7):
// on a seeded schedule it delays lines, cuts connections, half-closes them, corrupts a
// line, or black-holes a connection (kept open, nothing passes). Line-oriented: Stratum
// V1 is newline-delimited JSON, so a fault hits whole lines. Runs on the caller's
// io_context; `hashrig-fault-proxy` (fault_proxy_main.cc) runs it as a process for
// scripts/soak.sh.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace hashrig::testing {

enum class Fault {
  kDelay,      // every line, both ways, waits `delay` before it is passed on, for `delay_for`
  kCut,        // both sockets closed at once
  kHalfClose,  // the miner's side is shut for sending: it reads EOF, its sends still pass
  kCorrupt,    // one byte of the next line (a random direction) flipped
  kBlackHole,  // the connection stays open; nothing passes either way, ever
};
const char* ToString(Fault fault);
// "delay", "cut", "half-close", "corrupt", "black-hole"; false if none of them.
bool ParseFault(const std::string& text, Fault& fault);

class FaultProxy {
 public:
  struct Schedule {
    std::uint64_t seed = 1;
    // Mean time between faults (exponentially distributed gaps); 0: only Inject().
    std::chrono::milliseconds mean_gap{0};
    std::vector<Fault> faults{Fault::kDelay, Fault::kCut, Fault::kHalfClose, Fault::kCorrupt,
                              Fault::kBlackHole};
    std::chrono::milliseconds delay{2000};
    std::chrono::milliseconds delay_for{10000};
  };
  // What happened, for the log: a fault applied (to connection `connection`, counted from
  // 1), or with connection 0 when no connection was open to take it.
  struct Event {
    Fault fault;
    std::size_t connection;
    std::string detail;
  };
  using EventSink = std::function<void(const Event&)>;

  // Listens on 127.0.0.1:`listen_port` (0: any) and relays each connection to
  // 127.0.0.1:`upstream_port` (a connection that cannot reach it is closed).
  FaultProxy(boost::asio::io_context& io, std::uint16_t listen_port, std::uint16_t upstream_port,
             Schedule schedule, EventSink on_event = {});
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  std::uint16_t port() const;
  // Applies `fault` now to the newest open connection.
  void Inject(Fault fault);
  std::size_t connections_seen() const;
  std::size_t lines_passed() const;
  std::size_t faults(Fault fault) const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace hashrig::testing
