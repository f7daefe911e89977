#include "connection.h"

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "hashrig/base/unix_time.h"
#include "hashrig/pool/stratum.h"

namespace hashrig::pool {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;

constexpr auto kTick = std::chrono::milliseconds(250);

std::unique_ptr<PoolSession> MakeSession(bool sv2, SessionConfig config, ClientSession*& v1,
                                         sv2::ClientSession*& v2) {
  if (sv2) {
    auto s = std::make_unique<sv2::ClientSession>(std::move(config), Clock::now());
    v2 = s.get();
    return s;
  }
  auto s = std::make_unique<ClientSession>(std::move(config), Clock::now());
  v1 = s.get();
  return s;
}

}  // namespace

Connection::Connection(asio::io_context& io, asio::ssl::context& tls, std::size_t pool,
                       PoolEndpoint endpoint, SessionConfig session, const ClientConfig& config,
                       Sink sink)
    : pool_(pool),
      endpoint_(std::move(endpoint)),
      config_(config),
      sink_(std::move(sink)),
      session_(MakeSession(endpoint_.url.sv2, std::move(session), v1_, v2_)),
      resolver_(io),
      stream_(io, tls),
      ticker_(io),
      buffer_(kMaxLineSize + 1),
      started_(Clock::now()) {}

void Connection::Start() {
  auto self = shared_from_this();
  resolver_.async_resolve(endpoint_.url.host, std::to_string(endpoint_.url.port),
                          [self](const error_code& ec, const tcp::resolver::results_type& r) {
                            self->OnResolved(ec, r);
                          });
  Tick();
}

void Connection::Close(const std::string& reason, Failure failure) {
  if (closed_) {
    return;
  }
  closed_ = true;
  failure_ = failure;
  resolver_.cancel();
  ticker_.cancel();
  error_code ignored;
  stream_.lowest_layer().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.lowest_layer().close(ignored);
  session_->OnDisconnect(Clock::now());
  for (const Event& e : session_->TakeEvents()) {
    sink_(*this, e);
  }
  sink_(*this, event::Disconnected{reason});
}

void Connection::OnResolved(const error_code& ec, const tcp::resolver::results_type& results) {
  if (closed_) {
    return;
  }
  if (ec) {
    return Close("cannot resolve " + endpoint_.url.host + ": " + ec.message());
  }
  auto self = shared_from_this();
  asio::async_connect(stream_.lowest_layer(), results,
                      [self](const error_code& e, const tcp::endpoint&) { self->OnConnected(e); });
}

void Connection::OnConnected(const error_code& ec) {
  if (closed_) {
    return;
  }
  if (ec) {
    return Close("cannot connect to " + endpoint_.url.ToString() + ": " + ec.message());
  }
  error_code ignored;
  stream_.lowest_layer().set_option(tcp::no_delay(true), ignored);
  stream_.lowest_layer().set_option(asio::socket_base::keep_alive(true), ignored);
  if (!endpoint_.url.tls) {
    return OnReady();
  }
  // SNI and the name the certificate must carry.
  SSL_set_tlsext_host_name(stream_.native_handle(), endpoint_.url.host.c_str());
  if (config_.tls.pinned) {
    stream_.set_verify_callback(
        [pinned = *config_.tls.pinned](bool, asio::ssl::verify_context& context) {
          X509_STORE_CTX* store = context.native_handle();
          if (X509_STORE_CTX_get_error_depth(store) > 0) {
            return true;  // the issuers do not matter: the pool's own certificate is pinned
          }
          CertificateFingerprint digest{};
          unsigned size = 0;
          return X509_digest(X509_STORE_CTX_get_current_cert(store), EVP_sha256(), digest.data(),
                             &size) == 1 &&
                 size == digest.size() && digest == pinned;
        });
  } else if (!config_.tls.insecure) {
    stream_.set_verify_callback(asio::ssl::host_name_verification(endpoint_.url.host));
  }
  auto self = shared_from_this();
  stream_.async_handshake(asio::ssl::stream_base::client, [self](const error_code& e) {
    if (self->closed_) {
      return;
    }
    if (e) {
      return self->Close("TLS handshake with " + self->endpoint_.url.ToString() +
                         " failed: " + e.message());
    }
    self->OnReady();
  });
}

void Connection::OnReady() {
  ready_ = true;
  sink_(*this, event::Connected{endpoint_.url.ToString()});
  if (v2_ != nullptr) {
    return StartNoise();
  }
  Flush();
  ReadLine();
}

// Stratum V2: our ephemeral key out, the pool's 234-byte answer in (its certificate
// checked against the URL's authority key), then encrypted frames both ways.
void Connection::StartNoise() {
  auto authority = sv2::DecodeAuthorityKey(endpoint_.url.authority_key);
  if (!authority) {
    return Close(authority.error().message());
  }
  noise_.emplace(*authority);
  const auto act1 = noise_->Act1();
  writes_.emplace_back(act1.begin(), act1.end());
  if (!writing_) {
    WriteNext();
  }
  auto self = shared_from_this();
  asio::async_read(stream_.next_layer(), asio::buffer(act2_),
                   [self](const error_code& ec, std::size_t) { self->OnAct2(ec); });
}

void Connection::OnAct2(const error_code& ec) {
  if (closed_) {
    return;
  }
  if (ec) {
    return Close("Noise handshake with " + endpoint_.url.ToString() + ": " +
                 (ec == asio::error::eof ? std::string("the pool closed the connection (not a "
                                                       "Stratum V2 pool?)")
                                         : ec.message()));
  }
  auto transport = noise_->Finish(act2_, static_cast<std::uint32_t>(UnixSeconds()));
  if (!transport) {
    return Close(transport.error().message() + " (" + endpoint_.url.ToString() + ")");
  }
  transport_.emplace(std::move(*transport));
  Flush();
  ReadFrames();
}

void Connection::ReadFrames() {
  auto self = shared_from_this();
  stream_.next_layer().async_read_some(
      asio::buffer(read_buffer_),
      [self](const error_code& ec, std::size_t n) { self->OnFrames(ec, n); });
}

void Connection::OnFrames(const error_code& ec, std::size_t size) {
  if (closed_) {
    return;
  }
  if (ec) {
    return Close(ec == asio::error::eof ? "pool closed the connection" : ec.message());
  }
  if (Error e = transport_->Feed(std::span(read_buffer_).first(size)); !e.ok()) {
    return Close("Stratum V2 transport: " + e.message());
  }
  while (auto frame = transport_->Next()) {
    v2_->OnFrame(*frame, Clock::now());
    Drain();
    if (closed_) {
      return;
    }
  }
  Flush();
  ReadFrames();
}

void Connection::ReadLine() {
  auto self = shared_from_this();
  WithStream([&](auto& s) {
    asio::async_read_until(s, buffer_, '\n',
                           [self](const error_code& ec, std::size_t n) { self->OnRead(ec, n); });
  });
}

void Connection::OnRead(const error_code& ec, std::size_t size) {
  if (closed_) {
    return;
  }
  if (ec == asio::error::not_found) {
    return Close("pool sent a line over " + std::to_string(kMaxLineSize) +
                 " bytes; refusing it rather than truncating");
  }
  if (ec) {
    return Close(ec == asio::error::eof ? "pool closed the connection" : ec.message());
  }
  const auto begin = asio::buffers_begin(buffer_.data());
  std::string line(begin, begin + static_cast<std::ptrdiff_t>(size - 1));
  buffer_.consume(size);
  v1_->OnLine(line, Clock::now());
  Drain();
  if (closed_) {
    return;
  }
  Flush();
  ReadLine();
}

void Connection::Flush() {
  if (v1_ != nullptr) {
    for (auto& line : v1_->TakeOutgoing()) {
      writes_.push_back(std::move(line));
    }
  } else if (transport_) {  // before the handshake ends, frames wait in the session
    for (const auto& frame : v2_->TakeOutgoing()) {
      if (auto wire = transport_->Encrypt(frame)) {
        writes_.emplace_back(wire->begin(), wire->end());
      }
    }
  }
  if (ready_ && !writing_ && !closed_ && !writes_.empty()) {
    WriteNext();
  }
}

void Connection::WriteNext() {
  writing_ = true;
  write_started_ = Clock::now();
  auto self = shared_from_this();
  WithStream([&](auto& s) {
    asio::async_write(s, asio::buffer(writes_.front()),
                      [self](const error_code& ec, std::size_t) { self->OnWritten(ec); });
  });
}

void Connection::OnWritten(const error_code& ec) {
  writing_ = false;
  if (closed_) {
    return;
  }
  if (ec) {
    return Close("write to pool failed: " + ec.message());
  }
  writes_.pop_front();
  if (!writes_.empty()) {
    WriteNext();
  }
}

void Connection::Tick() {
  const auto now = Clock::now();
  if (!ready_ && now - started_ > config_.connect_timeout) {
    return Close("no connection to " + endpoint_.url.ToString() + " within " +
                 std::to_string(config_.connect_timeout.count()) + " s");
  }
  if (v2_ != nullptr && ready_ && !transport_ && now - started_ > config_.connect_timeout) {
    return Close("no Noise handshake answer from " + endpoint_.url.ToString() + " within " +
                 std::to_string(config_.connect_timeout.count()) + " s (not a Stratum V2 pool?)");
  }
  if (writing_ && now - write_started_ > config_.write_timeout) {
    return Close("pool has not taken our data for " +
                 std::to_string(config_.write_timeout.count()) + " s");
  }
  session_->OnTime(now);
  Drain();
  if (closed_) {
    return;
  }
  const auto since_work = now - session_->last_job_time().value_or(started_);
  if (ready_ && since_work > config_.no_work_timeout) {
    return Close("no new job for " + std::to_string(config_.no_work_timeout.count()) + " s",
                 Failure::kNoWork);
  }
  Flush();
  auto self = shared_from_this();
  ticker_.expires_after(kTick);
  ticker_.async_wait([self](const error_code& ec) {
    if (!ec && !self->closed_) {
      self->Tick();
    }
  });
}

void Connection::Drain() {
  for (const Event& e : session_->TakeEvents()) {
    if (closed_) {
      return;
    }
    sink_(*this, e);
  }
}

}  // namespace hashrig::pool
