#include "hashrig/pool/local_pool.h"

#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange without it

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <deque>
#include <vector>

#include "hashrig/base/format.h"
#include "hashrig/base/hex.h"
#include "hashrig/base/unix_time.h"
#include "hashrig/pool/stratum.h"
#include "hashrig/pool/sv2/noise.h"
#include "hashrig/pool/sv2/server.h"

namespace hashrig::pool {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;

}  // namespace

// Writes the front of a peer's queue (writes_), then the rest one by one as each write
// completes; a failed write closes the peer. For the V1 and the V2 peer alike.
template <typename P, typename S>
void WriteFront(const std::shared_ptr<P>& self, S& stream) {
  asio::async_write(stream, asio::buffer(self->writes_.front()),
                    [self](const error_code& ec, std::size_t) {
                      self->writing_ = false;
                      if (self->closed_) {
                        return;
                      }
                      if (ec) {
                        return self->Close("write failed: " + ec.message());
                      }
                      self->writes_.pop_front();
                      if (!self->writes_.empty()) {
                        self->WriteNext();
                      }
                    });
}

// One miner's connection.
class Peer : public std::enable_shared_from_this<Peer> {
 public:
  using OnLineFn = std::function<void(Peer&, std::vector<std::string>, bool block_found)>;

  // Plain TCP uses the stream's next layer; the TLS context is then never touched.
  Peer(tcp::socket socket, asio::ssl::context& tls, bool use_tls, ServerSession session,
       std::string name)
      : stream_(std::move(socket), tls),
        tls_(use_tls),
        buffer_(kMaxLineSize + 1),
        session_(std::move(session)),
        name_(std::move(name)) {}

  void Start(std::function<void(Peer&, const std::string&)> on_close, bool* stalled,
             std::function<void(Peer&, bool was_subscribed, bool block_found)> after_line) {
    on_close_ = std::move(on_close);
    stalled_ = stalled;
    after_line_ = std::move(after_line);
    if (!tls_) {
      return ReadLine();
    }
    auto self = shared_from_this();
    stream_.async_handshake(asio::ssl::stream_base::server, [self](const error_code& ec) {
      if (ec) {
        return self->Close("TLS handshake failed: " + ec.message());
      }
      self->ReadLine();
    });
  }

  void Send(const std::vector<std::string>& lines) {
    if (closed_ || *stalled_) {
      return;
    }
    writes_.insert(writes_.end(), lines.begin(), lines.end());
    if (!writing_ && !writes_.empty()) {
      WriteNext();
    }
  }

  void Close(const std::string& reason) {
    if (closed_) {
      return;
    }
    closed_ = true;
    error_code ignored;
    stream_.lowest_layer().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.lowest_layer().close(ignored);
    on_close_(*this, reason);
  }

  ServerSession& session() { return session_; }
  const std::string& name() const { return name_; }

 private:
  template <typename Op>
  void WithStream(Op&& op) {
    if (tls_) {
      op(stream_);
    } else {
      op(stream_.next_layer());
    }
  }

  void ReadLine() {
    auto self = shared_from_this();
    WithStream([&](auto& s) {
      asio::async_read_until(s, buffer_, '\n',
                             [self](const error_code& ec, std::size_t n) { self->OnRead(ec, n); });
    });
  }

  void OnRead(const error_code& ec, std::size_t size) {
    if (closed_) {
      return;
    }
    if (ec) {
      return Close(ec == asio::error::not_found ? "line over the size limit" : ec.message());
    }
    const auto begin = asio::buffers_begin(buffer_.data());
    std::string line(begin, begin + static_cast<std::ptrdiff_t>(size - 1));
    buffer_.consume(size);
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    if (!*stalled_ && !line.empty()) {
      const bool was_subscribed = session_.subscribed();
      bool block_found = false;
      Send(session_.OnLine(line, block_found));
      after_line_(*this, was_subscribed, block_found);
    }
    if (!closed_) {
      ReadLine();
    }
  }

  void WriteNext() {
    writing_ = true;
    WithStream([&](auto& s) { WriteFront(shared_from_this(), s); });
  }
  template <typename P, typename S>
  friend void WriteFront(const std::shared_ptr<P>& self, S& stream);

  asio::ssl::stream<tcp::socket> stream_;
  bool tls_;
  asio::streambuf buffer_;
  ServerSession session_;
  std::string name_;
  std::deque<std::string> writes_;
  bool writing_ = false;
  bool closed_ = false;
  bool* stalled_ = nullptr;
  std::function<void(Peer&, const std::string&)> on_close_;
  std::function<void(Peer&, bool, bool)> after_line_;
};

// One Stratum V2 miner's connection: the Noise handshake (64 bytes in, 234 out), then
// encrypted frames through sv2::ServerSession.
class Sv2Peer : public std::enable_shared_from_this<Sv2Peer> {
 public:
  using AfterFrame = std::function<void(Sv2Peer&, bool block_found)>;

  Sv2Peer(tcp::socket socket, sv2::NoiseResponder noise, sv2::ServerSession session,
          std::string name)
      : socket_(std::move(socket)),
        deadline_(socket_.get_executor()),
        noise_(std::move(noise)),
        session_(std::move(session)),
        name_(std::move(name)) {}

  // A connection that has not finished the handshake and sent SetupConnection within
  // `deadline` is closed: a socket that connects and stalls holds no descriptor for long.
  void Start(std::function<void(Sv2Peer&, const std::string&)> on_close, bool* stalled,
             AfterFrame after_frame, std::chrono::milliseconds deadline) {
    on_close_ = std::move(on_close);
    stalled_ = stalled;
    after_frame_ = std::move(after_frame);
    auto self = shared_from_this();
    asio::async_read(socket_, asio::buffer(act1_),
                     [self](const error_code& ec, std::size_t) { self->OnAct1(ec); });
    deadline_.expires_after(deadline);
    deadline_.async_wait([self, deadline](const error_code& ec) {
      if (!ec && !self->session_.set_up()) {
        self->Close("no Noise handshake and SetupConnection within " +
                    std::to_string(deadline.count()) + " ms");
      }
    });
  }

  bool set_up() const { return session_.set_up(); }

  void Send(const std::vector<sv2::Bytes>& frames) {
    if (closed_ || *stalled_ || !transport_) {
      return;
    }
    for (const auto& frame : frames) {
      auto wire = transport_->Encrypt(frame);
      if (wire) {
        Queue(std::move(*wire));
      }
    }
  }

  void Close(const std::string& reason) {
    if (closed_) {
      return;
    }
    closed_ = true;
    deadline_.cancel();
    error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    on_close_(*this, reason);
  }

  sv2::ServerSession& session() { return session_; }
  const std::string& name() const { return name_; }

 private:
  void OnAct1(const error_code& ec) {
    if (closed_) {
      return;
    }
    if (ec) {
      return Close("Noise handshake: " + ec.message());
    }
    auto act2 = noise_.Act2(act1_);
    if (!act2) {
      return Close(act2.error().message());
    }
    transport_ = std::move(*noise_.transport());
    Queue(std::move(*act2));
    Read();
  }

  void Read() {
    auto self = shared_from_this();
    socket_.async_read_some(asio::buffer(buffer_),
                            [self](const error_code& ec, std::size_t n) { self->OnRead(ec, n); });
  }

  void OnRead(const error_code& ec, std::size_t size) {
    if (closed_) {
      return;
    }
    if (ec) {
      return Close(ec.message());
    }
    if (*stalled_) {
      return Read();
    }
    if (Error e = transport_->Feed(std::span(buffer_).first(size)); !e.ok()) {
      return Close(e.message());
    }
    while (auto frame = transport_->Next()) {
      bool block_found = false;
      Send(session_.OnFrame(*frame, block_found));
      after_frame_(*this, block_found);
    }
    if (!closed_) {
      Read();
    }
  }

  void Queue(sv2::Bytes bytes) {
    writes_.push_back(std::move(bytes));
    if (!writing_) {
      WriteNext();
    }
  }

  void WriteNext() {
    writing_ = true;
    WriteFront(shared_from_this(), socket_);
  }
  template <typename P, typename S>
  friend void WriteFront(const std::shared_ptr<P>& self, S& stream);

  tcp::socket socket_;
  asio::steady_timer deadline_;
  sv2::NoiseResponder noise_;
  std::optional<sv2::Transport> transport_;
  sv2::ServerSession session_;
  std::string name_;
  std::array<std::uint8_t, sv2::kAct1Size> act1_{};
  std::array<std::uint8_t, 16384> buffer_{};
  std::deque<sv2::Bytes> writes_;
  bool writing_ = false;
  bool closed_ = false;
  bool* stalled_ = nullptr;
  std::function<void(Sv2Peer&, const std::string&)> on_close_;
  AfterFrame after_frame_;
};

struct LocalPool::State : std::enable_shared_from_this<LocalPool::State> {
  State(asio::io_context& io_context, LocalPoolConfig cfg, LogSink sink)
      : io(io_context),
        config(std::move(cfg)),
        log(std::move(sink)),
        acceptor(io),
        sv2_acceptor(io),
        tls(asio::ssl::context::tls_server),
        block(config.settings),
        job_timer(io),
        block_timer(io) {}

  Expected<std::uint16_t> Start();
  Error Listen(tcp::acceptor& on, const std::string& host, std::uint16_t port);
  Error StartSv2();
  void Accept();
  void AcceptSv2();
  void OnAccepted(tcp::socket socket);
  void OnAcceptedSv2(tcp::socket socket);
  // After a miner's line or frame: log what the ledger gained, start a new block if solved.
  void AfterShare(const std::string& name, bool block_found);
  void NextJob();
  void NewBlock(const std::string& why);
  void ArmTimer(asio::steady_timer& timer, std::chrono::milliseconds every, void (State::*fn)());
  void JobTick() { NextJob(); }
  void BlockTick() { NewBlock("block interval"); }
  std::vector<std::uint8_t> NextExtranonce1();

  asio::io_context& io;
  LocalPoolConfig config;
  LogSink log;
  tcp::acceptor acceptor;
  tcp::acceptor sv2_acceptor;
  asio::ssl::context tls;
  bool use_tls = false;
  BlockTemplate block;
  PoolLedger ledger;
  std::shared_ptr<const Notify> current;
  std::vector<std::shared_ptr<Peer>> peers;
  std::vector<std::shared_ptr<Sv2Peer>> sv2_peers;
  sv2::KeyPair sv2_static;
  sv2::Certificate sv2_certificate;
  sv2::Key32 sv2_authority{};
  std::optional<std::uint16_t> sv2_bound;
  std::uint64_t sv2_failed_setups = 0;  // connections closed before SetupConnection
  std::string sv2_last_failure;
  asio::steady_timer job_timer;
  asio::steady_timer block_timer;
  std::uint32_t next_extranonce1 = 0;
  std::uint64_t logged_accepted = 0;
  std::uint64_t logged_rejected = 0;
  bool stalled = false;
  bool stopped = false;
};

Expected<std::uint16_t> LocalPool::State::Start() {
  error_code ec;
  if (!config.tls_cert_file.empty() || !config.tls_key_file.empty()) {
    tls.use_certificate_chain_file(config.tls_cert_file, ec);
    if (!ec) {
      tls.use_private_key_file(config.tls_key_file, asio::ssl::context::pem, ec);
    }
    if (ec) {
      return Error(StatusCode::kUnavailable, "TLS certificate/key (" + config.tls_cert_file + ", " +
                                                 config.tls_key_file + "): " + ec.message());
    }
    use_tls = true;
  }
  if (Error e = Listen(acceptor, config.address, config.port); !e.ok()) {
    return e;
  }
  current = block.MakeJob(static_cast<std::uint32_t>(UnixSeconds()), 4);
  if (Error e = StartSv2(); !e.ok()) {
    return e;
  }
  Accept();
  ArmTimer(job_timer, config.job_interval, &State::JobTick);
  ArmTimer(block_timer, config.block_interval, &State::BlockTick);
  return acceptor.local_endpoint().port();
}

Error LocalPool::State::Listen(tcp::acceptor& on, const std::string& host, std::uint16_t port) {
  error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) {
    return Error(StatusCode::kUnavailable, "listen address '" + host + "': " + ec.message());
  }
  const tcp::endpoint endpoint(address, port);
  on.open(endpoint.protocol(), ec);
  if (!ec) {
    on.set_option(tcp::acceptor::reuse_address(true), ec);
    on.bind(endpoint, ec);
  }
  if (!ec) {
    on.listen(asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    return Error(StatusCode::kUnavailable,
                 "cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
  }
  return {};
}

Error LocalPool::State::StartSv2() {
  if (!config.sv2_port) {
    return {};
  }
  const sv2::Key32 authority_secret =
      config.sv2_authority_secret ? *config.sv2_authority_secret : sv2::KeyPair::Generate().secret;
  auto authority = sv2::XOnlyPublicKey(authority_secret);
  if (!authority) {
    return authority.error().Context("Stratum V2 authority key");
  }
  sv2_authority = *authority;
  sv2_static = sv2::KeyPair::Generate();
  const std::uint32_t now = static_cast<std::uint32_t>(UnixSeconds());
  sv2::Key32 aux{};
  sv2::SystemRandom(aux);
  auto certificate =
      sv2::Certificate::Sign(authority_secret, sv2::XSwiftEc(sv2_static.ellswift), now - 3600,
                             now + config.sv2_certificate_days * 86400, aux);
  if (!certificate) {
    return certificate.error();
  }
  sv2_certificate = *certificate;
  if (Error e = Listen(sv2_acceptor, config.sv2_address, *config.sv2_port); !e.ok()) {
    return e.Context("Stratum V2");
  }
  sv2_bound = sv2_acceptor.local_endpoint().port();
  AcceptSv2();
  return {};
}

void LocalPool::State::ArmTimer(asio::steady_timer& timer, std::chrono::milliseconds every,
                                void (State::*fn)()) {
  std::weak_ptr<State> weak = shared_from_this();
  timer.expires_after(every);
  timer.async_wait([weak, &timer, every, fn](const error_code& ec) {
    auto self = weak.lock();
    if (ec || !self || self->stopped) {
      return;
    }
    ((*self).*fn)();
    self->ArmTimer(timer, every, fn);
  });
}

void LocalPool::State::Accept() {
  std::weak_ptr<State> weak = shared_from_this();
  acceptor.async_accept([weak](const error_code& ec, tcp::socket socket) {
    auto self = weak.lock();
    if (!self || self->stopped || ec == asio::error::operation_aborted) {
      return;
    }
    if (!ec) {
      self->OnAccepted(std::move(socket));
    }
    self->Accept();
  });
}

std::vector<std::uint8_t> LocalPool::State::NextExtranonce1() {
  const std::uint32_t value = next_extranonce1++ ^ static_cast<std::uint32_t>(config.settings.seed);
  return {static_cast<std::uint8_t>(value >> 24), static_cast<std::uint8_t>(value >> 16),
          static_cast<std::uint8_t>(value >> 8), static_cast<std::uint8_t>(value)};
}

void LocalPool::State::OnAccepted(tcp::socket socket) {
  error_code ec;
  // Answers are small and must leave at once: with Nagle, an answer written while the
  // previous one is unacknowledged waits for the miner's delayed ACK (40 ms on Linux).
  socket.set_option(tcp::no_delay(true), ec);
  const auto remote = socket.remote_endpoint(ec);
  const std::string name =
      ec ? "miner" : remote.address().to_string() + ":" + std::to_string(remote.port());
  auto peer =
      std::make_shared<Peer>(std::move(socket), tls, use_tls,
                             ServerSession(config.settings, NextExtranonce1(), ledger), name);
  peers.push_back(peer);
  log(Severity::kInfo, "miner connected from " + name);
  std::weak_ptr<State> weak = shared_from_this();
  auto on_close = [weak](Peer& p, const std::string& reason) {
    if (auto self = weak.lock()) {
      self->log(Severity::kInfo, "miner " + p.name() + " left: " + reason);
      std::erase_if(self->peers, [&p](const auto& q) { return q.get() == &p; });
    }
  };
  auto after_line = [weak](Peer& p, bool was_subscribed, bool block_found) {
    auto self = weak.lock();
    if (!self) {
      return;
    }
    if (!was_subscribed && p.session().subscribed()) {
      p.Send(p.session().Announce(*self->current));
    }
    self->AfterShare(p.name(), block_found);
  };
  peer->Start(std::move(on_close), &stalled, std::move(after_line));
}

void LocalPool::State::AcceptSv2() {
  std::weak_ptr<State> weak = shared_from_this();
  sv2_acceptor.async_accept([weak](const error_code& ec, tcp::socket socket) {
    auto self = weak.lock();
    if (!self || self->stopped || ec == asio::error::operation_aborted) {
      return;
    }
    if (!ec) {
      self->OnAcceptedSv2(std::move(socket));
    }
    self->AcceptSv2();
  });
}

void LocalPool::State::OnAcceptedSv2(tcp::socket socket) {
  error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  const auto remote = socket.remote_endpoint(ec);
  const std::string name =
      ec ? "miner" : remote.address().to_string() + ":" + std::to_string(remote.port());
  std::weak_ptr<State> weak = shared_from_this();
  sv2::ServerSession session(config.settings, ledger, [weak] {
    auto self = weak.lock();
    return self ? self->NextExtranonce1() : sv2::Bytes(4, 0);
  });
  (void)session.Announce(*current);  // no channel yet: the job a channel opens with
  auto peer =
      std::make_shared<Sv2Peer>(std::move(socket), sv2::NoiseResponder(sv2_static, sv2_certificate),
                                std::move(session), name);
  sv2_peers.push_back(peer);
  // Logged once it has set up (a flood of connections that never do is not a flood of
  // log lines; they are counted in the stats line).
  auto on_close = [weak](Sv2Peer& p, const std::string& reason) {
    if (auto self = weak.lock()) {
      if (p.set_up()) {
        self->log(Severity::kInfo, "Stratum V2 miner " + p.name() + " left: " + reason);
      } else {
        ++self->sv2_failed_setups;
        self->sv2_last_failure = p.name() + ": " + reason;
      }
      std::erase_if(self->sv2_peers, [&p](const auto& q) { return q.get() == &p; });
    }
  };
  auto after_frame = [weak, was_set_up = false](Sv2Peer& p, bool block_found) mutable {
    if (auto self = weak.lock()) {
      if (!std::exchange(was_set_up, p.set_up()) && p.set_up()) {
        self->log(Severity::kInfo, "Stratum V2 miner connected from " + p.name());
      }
      self->AfterShare(p.name(), block_found);
    }
  };
  peer->Start(std::move(on_close), &stalled, std::move(after_frame), config.sv2_setup_deadline);
}

void LocalPool::State::AfterShare(const std::string& name, bool block_found) {
  if (ledger.accepted != logged_accepted && !ledger.recent.empty()) {
    logged_accepted = ledger.accepted;
    const auto& share = ledger.recent.back();
    log(Severity::kInfo, "accepted share from " + name + " difficulty " +
                             FormatDifficulty(share.job_difficulty.value()) + " header " +
                             EncodeHex(share.header));
  }
  if (const std::uint64_t rejected = ledger.RejectedCount(); rejected != logged_rejected) {
    logged_rejected = rejected;
    log(Severity::kInfo, "rejected share from " + name + ": " + ledger.last_rejection);
  }
  if (block_found) {
    NewBlock("a share from " + name + " solved block " + std::to_string(block.height()));
  }
}

void LocalPool::State::NextJob() {
  if (stalled) {
    return;
  }
  current = block.MakeJob(static_cast<std::uint32_t>(UnixSeconds()), 4);
  for (const auto& peer : std::vector(peers)) {
    peer->Send(peer->session().Announce(*current));
  }
  for (const auto& peer : std::vector(sv2_peers)) {
    peer->Send(peer->session().Announce(*current));
  }
}

void LocalPool::State::NewBlock(const std::string& why) {
  block.NextBlock();
  log(Severity::kInfo, "new block " + std::to_string(block.height()) + " (" + why + ")");
  NextJob();
}

LocalPool::LocalPool(asio::io_context& io, LocalPoolConfig config, LogSink log)
    : state_(std::make_shared<State>(io, std::move(config), std::move(log))) {}

LocalPool::~LocalPool() { Stop(); }  // NOLINT(bugprone-exception-escape): see local_pool.h

Expected<std::uint16_t> LocalPool::Start() { return state_->Start(); }

void LocalPool::Stop() {
  if (state_->stopped) {
    return;
  }
  state_->stopped = true;
  error_code ignored;
  state_->acceptor.close(ignored);
  state_->sv2_acceptor.close(ignored);
  state_->job_timer.cancel();
  state_->block_timer.cancel();
  DropConnections();
}

void LocalPool::NewBlock() { state_->NewBlock("requested"); }

void LocalPool::SetDifficulty(sha256::Difficulty difficulty) {
  state_->config.settings.difficulty = difficulty;
  for (const auto& peer : std::vector(state_->peers)) {
    peer->Send(peer->session().SetDifficulty(difficulty));
  }
  for (const auto& peer : std::vector(state_->sv2_peers)) {
    peer->Send(peer->session().SetDifficulty(difficulty));
  }
  state_->NextJob();  // the new difficulty applies from the next notify
}

void LocalPool::SetVersionMask(std::uint32_t mask) {
  for (const auto& peer : std::vector(state_->peers)) {
    peer->Send(peer->session().SetVersionMask(mask));
  }
}

void LocalPool::ChangeExtranonce() {
  for (const auto& peer : std::vector(state_->peers)) {
    peer->Send(peer->session().SetExtranonce1(state_->NextExtranonce1()));
  }
  state_->NextJob();
}

void LocalPool::Broadcast(const std::string& line) {
  for (const auto& peer : std::vector(state_->peers)) {
    peer->Send({line});
  }
}

void LocalPool::DropConnections() {
  for (const auto& peer : std::vector(state_->peers)) {
    peer->Close("dropped by the pool");
  }
  for (const auto& peer : std::vector(state_->sv2_peers)) {
    peer->Close("dropped by the pool");
  }
}

void LocalPool::SetStalled(bool stalled) { state_->stalled = stalled; }

void LocalPool::SetRejectAll(std::string reason) {
  state_->config.settings.reject_all_reason = std::move(reason);
}

const PoolLedger& LocalPool::ledger() const { return state_->ledger; }
std::size_t LocalPool::connections() const {
  return state_->peers.size() +
         static_cast<std::size_t>(std::count_if(state_->sv2_peers.begin(), state_->sv2_peers.end(),
                                                [](const auto& p) { return p->set_up(); }));
}

std::string LocalPool::Sv2FailedSetups() const {
  if (state_->sv2_failed_setups == 0) {
    return {};
  }
  return std::to_string(state_->sv2_failed_setups) +
         " V2 connections closed before SetupConnection (last: " + state_->sv2_last_failure + ")";
}

std::optional<std::uint16_t> LocalPool::Sv2Port() const { return state_->sv2_bound; }

std::string LocalPool::Sv2AuthorityKey() const {
  return state_->sv2_bound ? sv2::EncodeAuthorityKey(state_->sv2_authority) : std::string();
}

}  // namespace hashrig::pool
