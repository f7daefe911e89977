#include "hashrig/hal/sim_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>

#include "hashrig/hal/pty.h"
#include "hashrig/hal/sim/control_port.h"
#include "hashrig/hal/sim/thermal.h"

namespace hashrig::hal {
namespace {

using Clock = std::chrono::steady_clock;

// Moves bytes between one endpoint and the chain until the endpoint closes or stop.
struct Pump {
  sim::Chain& chain;
  Clock::time_point last = Clock::now();
  std::uint32_t last_baud = 0;

  // Returns false when the peer is gone.
  bool Round(int fd, int stop_fd, const std::function<std::uint32_t()>& baud_now, bool& stop) {
    std::array<pollfd, 2> fds{pollfd{fd, POLLIN, 0}, pollfd{stop_fd, POLLIN, 0}};
    ::poll(fds.data(), fds.size(), 1);
    if ((fds[1].revents & POLLIN) != 0) {
      stop = true;
      return false;
    }
    std::array<std::uint8_t, 4096> buffer{};
    if ((fds[0].revents & POLLIN) != 0) {
      const ssize_t n = ::read(fd, buffer.data(), buffer.size());
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR && errno != EIO)) {
        return false;
      }
      if (n > 0) {
        // A PTY has no wire: bytes read now were written at the rate seen after the last
        // read or the rate seen now, so a switch in between must not garble them.
        const std::uint32_t after = baud_now();
        const std::uint32_t heard = chain.host_baud() == last_baud ? last_baud : after;
        chain.Receive(std::span(buffer.data(), static_cast<std::size_t>(n)), heard);
      }
    }
    const std::uint32_t host_baud = baud_now();
    last_baud = host_baud;
    const auto now = Clock::now();
    chain.Advance(now - last);
    last = now;
    const auto out = chain.TakeOutput(host_baud);
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
};

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

// The board around the chain: bitaxe-raw's control port with the EMC2101 twin, whose
// diode reads a thermal model heated by the chips while they hash and cooled by the fan.
class ControlBoard {
 public:
  ControlBoard(const sim::Chain& chain, double ambient_c)
      : chain_(chain), heat_(Constants(chain.chip_count(), ambient_c)) {
    twin_.bus.emc2101.board = &heat_;
  }
  void Serve(int fd) {
    std::array<std::uint8_t, 512> buffer{};
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n > 0) {
      const auto replies = twin_.Receive(std::span(buffer.data(), static_cast<std::size_t>(n)));
      std::size_t done = 0;
      while (done < replies.size()) {
        const ssize_t w = ::write(fd, replies.data() + done, replies.size() - done);
        if (w <= 0) {
          break;
        }
        done += static_cast<std::size_t>(w);
      }
    }
    const auto now = Clock::now();
    if (now - last_ >= std::chrono::milliseconds(50)) {
      std::uint64_t hashes = 0;
      for (int i = 0; i < chain_.chip_count(); ++i) {
        hashes += chain_.counters(i).hashes;
      }
      const bool hashing = hashes != last_hashes_;
      last_hashes_ = hashes;
      heat_.Step(now - last_, hashing ? kWattsPerChip * chain_.chip_count() : 0.0,
                 twin_.bus.emc2101.fan_percent());
      last_ = now;
    }
  }

 private:
  static constexpr double kWattsPerChip = 12;  // a BM1370 near its default clock
  static sim::ThermalConstants Constants(int chips, double ambient_c) {
    // A small board: about 35 °C over ambient at full load with the fan still, 15 with it
    // at full speed; it settles within seconds (a heatsink, not a whole rig).
    const double watts = kWattsPerChip * chips;
    return {ambient_c, 35.0 / watts, 15.0 / watts, 5.0};
  }
  const sim::Chain& chain_;
  sim::ThermalModel heat_;
  sim::ControlPortTwin twin_;
  Clock::time_point last_ = Clock::now();
  std::uint64_t last_hashes_ = 0;
};

Error ServePty(const SimServerConfig& config, sim::Chain& chain, int stop_fd,
               const std::function<void(const std::string&)>& ready) {
  std::unique_ptr<Pty> pty;
  if (Error s = OpenLinkedPty(config.link_path, pty); !s.ok()) {
    return s;
  }
  std::unique_ptr<Pty> control_pty;
  std::unique_ptr<ControlBoard> board;
  if (!config.control_link_path.empty()) {
    if (Error s = OpenLinkedPty(config.control_link_path, control_pty); !s.ok()) {
      return s;
    }
    board = std::make_unique<ControlBoard>(chain, config.ambient_c);
  }
  ready(pty->slave_path());
  Pump pump{chain};
  bool stop = false;
  while (!stop) {
    (void)pump.Round(
        pty->master_fd(), stop_fd, [&pty] { return pty->slave_baud(); }, stop);
    if (board) {
      board->Serve(control_pty->master_fd());
    }
  }
  return {};
}

Error ServeTcp(const SimServerConfig& config, sim::Chain& chain, int stop_fd,
               const std::function<void(const std::string&)>& ready) {
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
    Pump pump{chain};
    // TCP carries no UART rate: the host is always heard at the chain's own rate.
    while (pump.Round(
        client, stop_fd, [&chain] { return chain.host_baud(); }, stop)) {
    }
    ::close(client);
  }
  ::close(listener);
  return {};
}

}  // namespace

Error RunSimServer(const SimServerConfig& config, int stop_fd,
                   const std::function<void(const std::string&)>& ready) {
  sim::Chain chain(config.chain);
  chain.SetFaults(config.faults);
  return config.use_pty ? ServePty(config, chain, stop_fd, ready)
                        : ServeTcp(config, chain, stop_fd, ready);
}

}  // namespace hashrig::hal
