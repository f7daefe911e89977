#include "support/fault_proxy.h"

#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>

#include <array>
#include <map>
#include <random>

namespace hashrig::testing {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::array kFaultNames{
    std::pair{Fault::kDelay, "delay"},          std::pair{Fault::kCut, "cut"},
    std::pair{Fault::kHalfClose, "half-close"}, std::pair{Fault::kCorrupt, "corrupt"},
    std::pair{Fault::kBlackHole, "black-hole"},
};

// A line as it may be printed: without its newline, at most 300 characters.
std::string Printable(const std::string& line) {
  std::string out = line.substr(0, std::min<std::size_t>(line.find('\n'), 300));
  return out.size() < line.size() - 1 ? out + "…" : out;
}

}  // namespace

const char* ToString(Fault fault) {
  for (const auto& [f, name] : kFaultNames) {
    if (f == fault) {
      return name;
    }
  }
  return "?";
}

bool ParseFault(const std::string& text, Fault& fault) {
  for (const auto& [f, name] : kFaultNames) {
    if (text == name) {
      fault = f;
      return true;
    }
  }
  return false;
}

struct FaultProxy::State : std::enable_shared_from_this<FaultProxy::State> {
  // One relayed connection. Direction 0 is miner → pool, 1 is pool → miner; each
  // direction passes one line at a time, so a delay keeps the order of lines.
  struct Link : std::enable_shared_from_this<Link> {
    Link(asio::io_context& io, tcp::socket c, std::size_t n, std::shared_ptr<State> s)
        : client(std::move(c)),
          server(io),
          timers{asio::steady_timer(io), asio::steady_timer(io)},
          id(n),
          state(std::move(s)) {}

    void Start(std::uint16_t port) {
      auto self = shared_from_this();
      server.async_connect({asio::ip::make_address("127.0.0.1"), port},
                           [self](const error_code& ec) {
                             if (ec) {
                               return self->Close();
                             }
                             self->Pump(0);
                             self->Pump(1);
                           });
    }

    void Pump(int dir) {
      auto self = shared_from_this();
      asio::async_read_until(dir == 0 ? client : server, buffers[dir], '\n',
                             [self, dir](const error_code& ec, std::size_t n) {
                               if (ec || self->closed) {
                                 return self->Close();
                               }
                               const auto begin = asio::buffers_begin(self->buffers[dir].data());
                               auto line = std::make_shared<std::string>(
                                   begin, begin + static_cast<std::ptrdiff_t>(n));
                               self->buffers[dir].consume(n);
                               if (self->black_holed || (dir == 1 && self->half_closed)) {
                                 return self->Pump(dir);  // swallowed
                               }
                               if (self->corrupt_next[dir]) {
                                 self->corrupt_next[dir] = false;
                                 self->Corrupt(dir, *line);
                               }
                               if (Clock::now() >= self->delay_until) {
                                 return self->Write(dir, line);
                               }
                               self->timers[dir].expires_after(self->state->schedule.delay);
                               self->timers[dir].async_wait([self, dir, line](const error_code& e) {
                                 if (e || self->closed) {
                                   return self->Close();
                                 }
                                 self->Write(dir, line);
                               });
                             });
    }

    void Write(int dir, const std::shared_ptr<std::string>& line) {
      if (black_holed) {
        return Pump(dir);  // the hole opened while the line waited
      }
      auto self = shared_from_this();
      asio::async_write(dir == 0 ? server : client, asio::buffer(*line),
                        [self, dir, line](const error_code& ec, std::size_t) {
                          if (ec) {
                            return self->Close();
                          }
                          ++self->state->lines_passed;
                          self->Pump(dir);
                        });
    }

    void Corrupt(int dir, std::string& line) {
      if (line.size() < 2) {
        return;
      }
      const std::string before = Printable(line);
      const std::size_t at =
          std::uniform_int_distribution<std::size_t>(0, line.size() - 2)(state->rng);
      line[at] = static_cast<char>(line[at] ^ 0x01);
      state->Report({Fault::kCorrupt, id,
                     std::string(dir == 0 ? "miner→pool" : "pool→miner") + " byte " +
                         std::to_string(at) + " of: " + before});
    }

    void Close() {
      if (closed) {
        return;
      }
      closed = true;
      error_code ignored;
      client.close(ignored);
      server.close(ignored);
      for (auto& t : timers) {
        t.cancel(ignored);
      }
    }

    tcp::socket client;
    tcp::socket server;
    std::array<asio::streambuf, 2> buffers;
    std::array<asio::steady_timer, 2> timers;
    std::array<bool, 2> corrupt_next{};
    Clock::time_point delay_until{};
    bool half_closed = false;
    bool black_holed = false;
    bool closed = false;
    std::size_t id;
    std::shared_ptr<State> state;
  };

  State(asio::io_context& io_context, std::uint16_t listen_port, std::uint16_t upstream, Schedule s,
        EventSink sink)
      : io(io_context),
        acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), listen_port)),
        upstream_port(upstream),
        schedule(std::move(s)),
        on_event(std::move(sink)),
        rng(schedule.seed),
        timer(io) {}

  void Accept() {
    auto self = shared_from_this();
    acceptor.async_accept([self](const error_code& ec, tcp::socket socket) {
      if (ec) {
        return;
      }
      auto link = std::make_shared<Link>(self->io, std::move(socket), ++self->connections, self);
      std::erase_if(self->links, [](const auto& l) { return l.expired(); });
      self->links.push_back(link);
      link->Start(self->upstream_port);
      self->Accept();
    });
  }

  void ScheduleNext() {
    if (schedule.mean_gap.count() <= 0 || schedule.faults.empty()) {
      return;
    }
    std::exponential_distribution<double> gap(1.0 / static_cast<double>(schedule.mean_gap.count()));
    timer.expires_after(std::chrono::milliseconds(static_cast<long>(gap(rng)) + 1));
    std::weak_ptr<State> weak = shared_from_this();
    timer.async_wait([weak](const error_code& ec) {
      auto self = weak.lock();
      if (ec || !self) {
        return;
      }
      const auto pick = std::uniform_int_distribution<std::size_t>(
          0, self->schedule.faults.size() - 1)(self->rng);
      self->Inject(self->schedule.faults[pick]);
      self->ScheduleNext();
    });
  }

  void Inject(Fault fault) {
    std::shared_ptr<Link> link;
    for (auto it = links.rbegin(); it != links.rend() && !link; ++it) {
      if (auto l = it->lock(); l && !l->closed) {
        link = l;
      }
    }
    if (!link) {
      return Report({fault, 0, "no open connection"});
    }
    switch (fault) {
      case Fault::kDelay:
        link->delay_until = Clock::now() + schedule.delay_for;
        return Report({fault, link->id,
                       std::to_string(schedule.delay.count()) + " ms a line for " +
                           std::to_string(schedule.delay_for.count()) + " ms"});
      case Fault::kCut:
        link->Close();
        return Report({fault, link->id, "both sockets closed"});
      case Fault::kHalfClose: {
        link->half_closed = true;
        error_code ignored;
        link->client.shutdown(tcp::socket::shutdown_send, ignored);
        return Report({fault, link->id, "miner reads EOF"});
      }
      case Fault::kCorrupt:
        // Reported when the line passes (Link::Corrupt), with the line.
        link->corrupt_next[std::uniform_int_distribution<int>(0, 1)(rng)] = true;
        return;
      case Fault::kBlackHole:
        link->black_holed = true;
        return Report({fault, link->id, "nothing passes from now on"});
    }
  }

  void Report(const Event& event) {
    if (event.connection != 0) {
      ++counts[event.fault];
    }
    if (on_event) {
      on_event(event);
    }
  }

  void Stop() {
    error_code ignored;
    acceptor.close(ignored);
    timer.cancel(ignored);
    for (const auto& weak : links) {
      if (auto link = weak.lock()) {
        link->Close();
      }
    }
  }

  asio::io_context& io;
  tcp::acceptor acceptor;
  std::uint16_t upstream_port;
  Schedule schedule;
  EventSink on_event;
  std::mt19937_64 rng;
  asio::steady_timer timer;
  std::vector<std::weak_ptr<Link>> links;
  std::size_t connections = 0;
  std::size_t lines_passed = 0;
  std::map<Fault, std::size_t> counts;
};

FaultProxy::FaultProxy(asio::io_context& io, std::uint16_t listen_port, std::uint16_t upstream_port,
                       Schedule schedule, EventSink on_event)
    : state_(std::make_shared<State>(io, listen_port, upstream_port, std::move(schedule),
                                     std::move(on_event))) {
  state_->Accept();
  state_->ScheduleNext();
}

FaultProxy::~FaultProxy() { state_->Stop(); }

std::uint16_t FaultProxy::port() const { return state_->acceptor.local_endpoint().port(); }
void FaultProxy::Inject(Fault fault) { state_->Inject(fault); }
std::size_t FaultProxy::connections_seen() const { return state_->connections; }
std::size_t FaultProxy::lines_passed() const { return state_->lines_passed; }
std::size_t FaultProxy::faults(Fault fault) const {
  const auto it = state_->counts.find(fault);
  return it == state_->counts.end() ? 0 : it->second;
}

}  // namespace hashrig::testing
