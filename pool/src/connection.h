// One connection to one pool: socket (TCP or TLS), line framing with the 1 MiB cap (V1)
// or the Noise handshake and encrypted frames (V2, stratum2+tcp), the write queue, and
// one ticker that enforces every deadline (connect, write, requests, no work). Private to
// pool/; PoolClient (client.cc) decides what happens around it, the same for V1 and V2.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <string>

#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include "hashrig/pool/client.h"
#include "hashrig/pool/failover.h"
#include "hashrig/pool/session.h"
#include "hashrig/pool/sv2/client.h"
#include "hashrig/pool/sv2/noise.h"

namespace hashrig::pool {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using Sink = std::function<void(Connection&, const Event&)>;

  Connection(boost::asio::io_context& io, boost::asio::ssl::context& tls, std::size_t pool,
             PoolEndpoint endpoint, SessionConfig session, const ClientConfig& config, Sink sink);

  void Start();
  // Idempotent: the first call closes the socket and reports Disconnected{reason}.
  void Close(const std::string& reason, Failure failure = Failure::kDisconnected);
  // Sends whatever the session has queued.
  void Flush();

  PoolSession& session() { return *session_; }
  std::size_t pool() const { return pool_; }
  bool closed() const { return closed_; }
  Failure failure() const { return failure_; }

 private:
  void OnResolved(const boost::system::error_code& ec,
                  const boost::asio::ip::tcp::resolver::results_type& results);
  void OnConnected(const boost::system::error_code& ec);
  void OnReady();
  void StartNoise();
  void OnAct2(const boost::system::error_code& ec);
  void ReadFrames();
  void OnFrames(const boost::system::error_code& ec, std::size_t size);
  void ReadLine();
  void OnRead(const boost::system::error_code& ec, std::size_t size);
  void WriteNext();
  void OnWritten(const boost::system::error_code& ec);
  void Tick();
  void Drain();

  template <typename Op>
  void WithStream(Op&& op) {
    if (endpoint_.url.tls) {
      op(stream_);
    } else {
      op(stream_.next_layer());
    }
  }

  std::size_t pool_;
  PoolEndpoint endpoint_;
  const ClientConfig& config_;
  Sink sink_;
  // Declared before session_, whose initialisation sets one of them.
  ClientSession* v1_ = nullptr;       // session_ when the pool speaks Stratum V1
  sv2::ClientSession* v2_ = nullptr;  // ... or V2
  std::unique_ptr<PoolSession> session_;
  std::optional<sv2::NoiseInitiator> noise_;
  std::optional<sv2::Transport> transport_;  // after the handshake
  std::array<std::uint8_t, sv2::kAct2Size> act2_{};
  std::array<std::uint8_t, 16384> read_buffer_{};
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream_;
  boost::asio::steady_timer ticker_;
  boost::asio::streambuf buffer_;
  std::deque<std::string> writes_;
  bool writing_ = false;
  bool ready_ = false;
  bool closed_ = false;
  Failure failure_ = Failure::kDisconnected;
  Clock::time_point started_;
  Clock::time_point write_started_;
};

}  // namespace hashrig::pool
