// `hashrig pool`: a small Stratum V1 (and, on a second port, V2) server on Boost.Asio
// around ServerSession and sv2::ServerSession. It serves
// jobs from a synthetic block template (new job every job_interval with ntime ticking,
// clean jobs on a new block every block_interval or when a share solves one), negotiates
// version rolling, sets a (fractional) difficulty and validates every share. It is what
// `hashrig run` mines against by default and what tests use as a real peer over TCP.
// Everything runs on the io_context's thread; call the controls there too.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "hashrig/base/error.h"
#include "hashrig/pool/server_session.h"
#include "hashrig/pool/session.h"
#include "hashrig/pool/sv2/keys.h"

namespace boost::asio {
class io_context;
}

namespace hashrig::pool {

struct LocalPoolConfig {
  std::string address = "127.0.0.1";
  std::uint16_t port = 3333;  // 0: any free port (Start returns it)
  LocalPoolSettings settings;
  std::chrono::milliseconds job_interval{30'000};
  std::chrono::milliseconds block_interval{600'000};
  std::string tls_cert_file;  // PEM; with tls_key_file, the pool speaks TLS only
  std::string tls_key_file;
  // Stratum V2 (sv2/server.h) on a second port when set (0: any free port), Noise-
  // encrypted with a static key made at start and a certificate the authority key signs
  // (valid from an hour before the start for sv2_certificate_days). Without
  // sv2_authority_secret a key is generated for this run.
  std::optional<std::uint16_t> sv2_port;
  std::string sv2_address = "127.0.0.1";
  std::optional<sv2::Key32> sv2_authority_secret;
  std::uint32_t sv2_certificate_days = 365;
  // A V2 connection that has not set up (handshake and SetupConnection) by then is closed.
  std::chrono::milliseconds sv2_setup_deadline{10'000};
};

class LocalPool {
 public:
  using LogSink = std::function<void(Severity, const std::string&)>;

  LocalPool(boost::asio::io_context& io, LocalPoolConfig config, LogSink log);
  ~LocalPool();  // NOLINT(bugprone-exception-escape): only bad_alloc, then terminate
  LocalPool(const LocalPool&) = delete;
  LocalPool& operator=(const LocalPool&) = delete;

  // Binds, listens and starts the job timers; returns the port it listens on.
  Expected<std::uint16_t> Start();
  // After Start, with sv2_port: the V2 port, and the authority public key as miners put
  // it in their URL (stratum2+tcp://HOST:PORT/KEY, sv2-spec 4.7.1 base58check).
  std::optional<std::uint16_t> Sv2Port() const;
  std::string Sv2AuthorityKey() const;
  void Stop();

  // Operator and test controls.
  void NewBlock();
  void SetDifficulty(sha256::Difficulty difficulty);
  void SetVersionMask(std::uint32_t mask);
  void ChangeExtranonce();                  // set_extranonce to every miner
  void Broadcast(const std::string& line);  // a raw line to every miner
  void DropConnections();
  void SetStalled(bool stalled);          // read nothing and send nothing
  void SetRejectAll(std::string reason);  // empty: judge shares normally

  const PoolLedger& ledger() const;
  // Miners connected (V2 ones once they have set up).
  std::size_t connections() const;
  // "N V2 connections closed before SetupConnection (last: …)", or empty: what the log
  // says about them instead of a line each.
  std::string Sv2FailedSetups() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace hashrig::pool
