#include "hashrig/hal/sim_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "hashrig/hal/capture.h"
#include "hashrig/hal/protocol/bm13xx/registers.h"
#include "hashrig/hal/pty.h"
#include "hashrig/hal/sim_link.h"

namespace hashrig::hal {
namespace {

// A PTY carries no timing: which rate a byte was written at is not known, only what the
// rate was when sampled. For kLenient after a change, bytes read may have gone at the rate
// before (sim::Chain::Receive: only those through a frame that switches the chips' rate)
// and the chips' answers are heard at either rate; otherwise only the rate the PTY has.
constexpr auto kLenient = std::chrono::milliseconds(100);

// Moves bytes between one endpoint and the board's chain until the endpoint closes or stop.
// The chips hash on the board's own silicon thread (SimBoardClock), so a round takes
// about a millisecond and the PTY's rate is sampled that often.
// Writes what crossed the link to a capture file (hal/capture.h), a line per burst.
class Recorder {
 public:
  Recorder(const std::string& path, const sim::ChainConfig& chain) {
    if (path.empty()) {
      return;
    }
    out_.open(path, std::ios::trunc);
    Capture header;
    header.model = chain.model;
    header.chips = chain.chips;
    header.start_baud = protocol::PowerOnHostBaud(chain.model);
    out_ << FormatCaptureHeader(header) << std::flush;
  }
  bool ok() const { return !out_.is_open() || out_.good(); }
  void Burst(bool to_chips, std::uint32_t baud, std::span<const std::uint8_t> bytes) {
    if (bytes.empty()) {
      return;
    }
    Write({Micros(), to_chips, baud, {bytes.begin(), bytes.end()}});
  }
  // nRST released: the chips start again at `baud`, their power-on rate.
  void Reset(std::uint32_t baud) { Write({Micros(), true, baud, {}, true}); }

 private:
  using Clock = std::chrono::steady_clock;
  std::uint64_t Micros() const {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start_).count());
  }
  void Write(const CaptureBurst& burst) {
    if (out_.is_open()) {
      out_ << FormatCaptureBurst(burst) << std::flush;
    }
  }

  std::ofstream out_;
  Clock::time_point start_ = Clock::now();
};

// What a round hands the device: the host's bytes (possibly none); what it returns goes
// back to the host — the device's output from before it heard them.
using Exchange = std::function<std::vector<std::uint8_t>(std::span<const std::uint8_t>)>;

// One round on `fd`, for any simulated device: waits up to a millisecond for the host's
// bytes (or bytes on `wake_fd`, served after the round by the caller), exchanges them,
// writes the answer. Returns false when the peer is gone or stop.
bool PumpRound(int fd, int stop_fd, bool& stop, const Exchange& exchange, int wake_fd = -1) {
  std::array<pollfd, 3> fds{pollfd{fd, POLLIN, 0}, pollfd{stop_fd, POLLIN, 0},
                            pollfd{wake_fd, POLLIN, 0}};
  ::poll(fds.data(), wake_fd >= 0 ? 3 : 2, 1);
  if ((fds[1].revents & POLLIN) != 0) {
    stop = true;
    return false;
  }
  std::array<std::uint8_t, 4096> buffer{};
  std::span<const std::uint8_t> bytes;  // what the host sent this round, if anything
  if ((fds[0].revents & POLLIN) != 0) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR && errno != EIO)) {
      return false;
    }
    bytes = std::span(buffer.data(), static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
  }
  const std::vector<std::uint8_t> out = exchange(bytes);
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::write(fd, out.data() + done, out.size() - done);
    if (n <= 0) {
      break;  // a full PTY buffer drops bytes, as an unread UART would
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

struct Pump {
  SimBoardClock& clock;
  Recorder& recorder;
  std::uint32_t rate = 0;      // the PTY's rate when last sampled
  std::uint32_t previous = 0;  // the rate before, while within kLenient of the change
  std::chrono::steady_clock::time_point changed{};

  // Samples the rate; returns the other rate a byte may have gone at (0: none).
  std::uint32_t Sample(std::uint32_t now_rate) {
    const auto now = std::chrono::steady_clock::now();
    if (now_rate != rate) {
      previous = rate;
      rate = now_rate;
      changed = now;
    }
    return now - changed < kLenient && previous != rate ? previous : 0;
  }

  // Returns false when the peer is gone.
  bool Round(int fd, int stop_fd, const std::function<std::uint32_t()>& baud_now, bool& stop,
             int wake_fd = -1) {
    return PumpRound(
        fd, stop_fd, stop,
        [&](std::span<const std::uint8_t> bytes) { return Exchange(bytes, Sample(baud_now())); },
        wake_fd);
  }

  std::vector<std::uint8_t> Exchange(std::span<const std::uint8_t> bytes, std::uint32_t other) {
    // One step under the board's lock, in causal order: what the chips sent before they
    // heard this round's bytes, then those bytes (a capture never shows a nonce after a
    // job frame it was not computed on). The host's bytes are recorded in pieces at the
    // rate each went at (sim::Chain::Receive decides).
    std::uint32_t chip_rate = 0;
    std::vector<std::uint8_t> out;
    std::vector<sim::HeardRun> runs;
    clock.With([&](sim::Board& board) {
      chip_rate = board.host_baud();
      out = board.TakeOutput(rate, other);
      runs = board.Receive(bytes, rate, other);
    });
    recorder.Burst(false, chip_rate, out);
    for (const sim::HeardRun& run : runs) {
      recorder.Burst(true, run.baud, bytes.first(run.bytes));
      bytes = bytes.subspan(run.bytes);
    }
    return out;
  }
};

// bitaxe-raw's control port of the board on a PTY: request bytes in, replies out.
// Returns the EMC2101 readings and glitches served so far, when requests came.
std::optional<std::pair<int, int>> ServeControl(SimBoardClock& clock, Recorder& recorder, int fd) {
  std::array<std::uint8_t, 512> buffer{};
  const ssize_t n = ::read(fd, buffer.data(), buffer.size());
  if (n <= 0) {
    return std::nullopt;
  }
  bool released = false;
  std::uint32_t power_on_baud = 0;
  std::pair<int, int> served;
  const auto replies = clock.With([&](sim::Board& board) {
    const bool was_in_reset = board.in_reset();
    auto out = board.ReceiveControl(std::span(buffer.data(), static_cast<std::size_t>(n)));
    released = was_in_reset && !board.in_reset();
    power_on_baud = board.host_baud();
    served = {board.bus().emc2101.readings, board.bus().emc2101.glitches};
    return out;
  });
  if (released) {
    recorder.Reset(power_on_baud);
  }
  std::size_t done = 0;
  while (done < replies.size()) {
    const ssize_t w = ::write(fd, replies.data() + done, replies.size() - done);
    if (w <= 0) {
      break;
    }
    done += static_cast<std::size_t>(w);
  }
  return served;
}

Error OpenLinkedPty(const std::string& link_path, std::unique_ptr<Pty>& pty) {
  auto opened = Pty::Open();
  if (!opened) {
    return opened.error();
  }
  pty = std::move(*opened);
  if (!link_path.empty()) {
    ::unlink(link_path.c_str());
    if (::symlink(pty->slave_path().c_str(), link_path.c_str()) != 0) {
      return {StatusCode::kUnavailable, "cannot link " + link_path + ": " + std::strerror(errno)};
    }
  }
  return {};
}

Error ServePty(const SimServerConfig& config, SimBoardClock& board, Recorder& recorder, int stop_fd,
               const std::function<void(const std::string&)>& ready,
               const std::function<void(const std::string&)>& note) {
  std::unique_ptr<Pty> pty;
  if (Error s = OpenLinkedPty(config.link_path, pty); !s.ok()) {
    return s;
  }
  std::unique_ptr<Pty> control_pty;
  if (!config.control_link_path.empty()) {
    if (Error s = OpenLinkedPty(config.control_link_path, control_pty); !s.ok()) {
      return s;
    }
  }
  ready(pty->slave_path());
  Pump pump{board, recorder};
  bool stop = false;
  int glitches = 0;
  // A control request wakes the round as the chain's bytes do: its reply does not wait
  // for the round's poll to time out.
  const int control_fd = control_pty ? control_pty->master_fd() : -1;
  while (!stop) {
    (void)pump.Round(
        pty->master_fd(), stop_fd, [&pty] { return pty->slave_baud(); }, stop, control_fd);
    if (control_pty) {
      const auto served = ServeControl(board, recorder, control_fd);
      if (served && served->second > glitches && note) {
        note("sensor glitch: EMC2101 diode reading " + std::to_string(served->first) +
             " was 0 C (" + std::to_string(served->second) + " so far)");
      }
      glitches = served ? served->second : glitches;
    }
  }
  return {};
}

// One round with a connected client; false when it is gone or stop.
using ClientRound = std::function<bool(int fd, bool& stop)>;

// Listens on the configured address and serves one client at a time with `round`.
Error ServeTcp(const SimServerConfig& config, int stop_fd,
               const std::function<void(const std::string&)>& ready, const ClientRound& round) {
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(config.port);
  const int one = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::inet_pton(AF_INET, config.listen_address.c_str(), &addr.sin_addr) != 1 ||
      ::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener, 1) != 0) {
    const std::string why = std::strerror(errno);
    ::close(listener);
    return {StatusCode::kUnavailable, "cannot listen on " + config.listen_address + ":" +
                                          std::to_string(config.port) + ": " + why};
  }
  socklen_t len = sizeof addr;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  ready(config.listen_address + ":" + std::to_string(ntohs(addr.sin_port)));
  bool stop = false;
  while (!stop) {
    std::array<pollfd, 2> fds{pollfd{listener, POLLIN, 0}, pollfd{stop_fd, POLLIN, 0}};
    ::poll(fds.data(), fds.size(), 100);
    if ((fds[1].revents & POLLIN) != 0) {
      break;
    }
    if ((fds[0].revents & POLLIN) == 0) {
      continue;
    }
    const int client = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) {
      continue;
    }
    while (round(client, stop)) {
    }
    ::close(client);
  }
  ::close(listener);
  return {};
}

// An Avalon bus (hal/sim/avalon.h) on the same PTY or TCP loop: bytes both ways, no rate
// (a raw CN stream or AUC requests; a PTY's rate is ignored). Modules that come and go on
// their scheduled outages are noted.
Error ServeAvalon(const SimServerConfig& config, int stop_fd,
                  const std::function<void(const std::string&)>& ready,
                  const std::function<void(const std::string&)>& note) {
  AvalonSimClock bus(*config.avalon);
  std::vector<bool> present(static_cast<std::size_t>(config.avalon->modules), true);
  const Exchange exchange = [&](std::span<const std::uint8_t> bytes) {
    return bus.With([&](sim::AvalonBus& b) {
      auto out = b.TakeOutput();
      b.Receive(bytes);
      for (int i = 0; i < b.module_count(); ++i) {
        if (b.module(i).present != present[i] && note) {
          note("module " + std::to_string(i) + (present[i] ? " unplugged" : " plugged back"));
        }
        present[i] = b.module(i).present;
      }
      return out;
    });
  };
  const ClientRound round = [&](int fd, bool& stop) {
    return PumpRound(fd, stop_fd, stop, exchange);
  };
  if (!config.use_pty) {
    return ServeTcp(config, stop_fd, ready, round);
  }
  std::unique_ptr<Pty> pty;
  if (Error s = OpenLinkedPty(config.link_path, pty); !s.ok()) {
    return s;
  }
  ready(pty->slave_path());
  bool stop = false;
  while (!stop) {
    (void)round(pty->master_fd(), stop);
  }
  return {};
}

}  // namespace

Error RunSimServer(const SimServerConfig& config, int stop_fd,
                   const std::function<void(const std::string&)>& ready,
                   const std::function<void(const std::string&)>& note) {
  if (config.avalon) {
    return ServeAvalon(config, stop_fd, ready, note);
  }
  SimBoardClock board(config.board);
  Recorder recorder(config.record_path, config.board.chain);
  if (!recorder.ok()) {
    return {StatusCode::kUnavailable, "cannot write the capture " + config.record_path};
  }
  if (config.use_pty) {
    return ServePty(config, board, recorder, stop_fd, ready, note);
  }
  Pump pump{board, recorder};
  // TCP carries no UART rate: the host is always heard at the chain's own rate.
  return ServeTcp(config, stop_fd, ready, [&](int fd, bool& stop) {
    return pump.Round(
        fd, stop_fd, [&board] { return board.With([](sim::Board& b) { return b.host_baud(); }); },
        stop);
  });
}

}  // namespace hashrig::hal
