// The client against the local pool over real TCP on loopback, one io_context on the test
// thread: handshake and accepted shares (cross-checked with OpenSSL), then every failure
// the issue lists. After each, the client must mine again, and the pool must never have
// seen a duplicate or a share below its job's difficulty.
#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange without it

#include <algorithm>
#include <boost/asio.hpp>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <functional>
#include <set>
#include <thread>
#include <typeinfo>

#include <gtest/gtest.h>

#include "hashrig/pool/client.h"
#include "hashrig/pool/local_pool.h"
#include "hashrig/pool/sv2/messages.h"
#include "hashrig/pool/sv2/noise.h"
#include "hashrig/pool/work.h"
#include "support/fault_proxy.h"
#include "support/shared_data.h"
#include "support/tcp_proxy.h"
#include "support/tls_cert.h"

namespace hashrig::pool {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

class LoopbackTest : public ::testing::Test {
 protected:
  static LocalPoolConfig PoolConfig() {
    LocalPoolConfig c;
    c.port = 0;
    c.settings.difficulty = *sha256::Difficulty::From(1e-4);  // ~43k hashes a share
    return c;
  }

  std::uint16_t StartPool(std::unique_ptr<LocalPool>& slot, LocalPoolConfig config = PoolConfig()) {
    slot = std::make_unique<LocalPool>(io_, std::move(config), [](Severity, const std::string&) {});
    auto port = slot->Start();
    EXPECT_TRUE(port.ok()) << port.error().message();
    return port.ok() ? *port : 0;
  }

  static ClientConfig ClientFor(const std::vector<std::string>& urls) {
    ClientConfig c;
    for (const auto& url : urls) {
      c.pools.push_back(PoolEndpoint{*ParsePoolUrl(url), "tester.rig1", "x"});
    }
    c.failover.backoff_initial = 20ms;
    c.failover.backoff_max = 200ms;
    c.failover.probe_interval = 1s;
    return c;
  }

  static std::string Tcp(std::uint16_t port) {
    return "stratum+tcp://127.0.0.1:" + std::to_string(port);
  }

  void StartClient(ClientConfig config) {
    client_ = std::make_unique<PoolClient>(
        io_, std::move(config), [this](std::size_t pool, const Event& e) { OnEvent(pool, e); });
    client_->Start();
  }

  void OnEvent(std::size_t pool, const Event& e) {
    if (const auto* j = std::get_if<event::NewJob>(&e)) {
      job_ = j->job;
      job_pool_ = pool;
    } else if (const auto* r = std::get_if<event::ShareResult>(&e)) {
      (r->accepted ? accepted_ : rejected_).push_back(*r);
    } else if (std::holds_alternative<event::Disconnected>(e)) {
      ++disconnects_;
    }
    if (std::getenv("HASHRIG_TEST_TRACE") != nullptr) {
      std::visit([&](const auto& x) { Trace(pool, x); }, e);
    }
    events_.emplace_back(pool, e);
  }

  template <typename E>
  static void Trace(std::size_t pool, const E& e) {
    std::string what = typeid(e).name();
    if constexpr (requires { e.reason; }) {
      what += " " + std::string(e.reason);
    }
    if constexpr (requires { e.text; }) {
      what += " " + e.text;
    }
    std::fprintf(stderr, "pool %zu: %s\n", pool, what.c_str());
  }

  bool RunUntil(const std::function<bool()>& done, std::chrono::seconds limit = 20s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io_.run_one_for(10ms);
    }
    return done();
  }

  // Finds one share on the newest job (rolling the version when asked) and submits it.
  SubmitOutcome MineShare(std::uint32_t version_bits = 0) {
    if (!job_) {
      return {};
    }
    if (counter_job_ != job_.get()) {
      counter_job_ = job_.get();
      counter_ = Extranonce2Counter(job_->extranonce2_size);
    }
    const WorkBuilder builder(*job_);
    const auto en2 = *counter_.Next();
    const std::uint32_t version =
        RollVersion(job_->notify.version, version_bits, job_->version_mask);
    const Header header = builder.BuildHeader(builder.MerkleRoot(en2), job_->notify.ntime, version);
    const sha256::HeaderScanner scanner(header);
    std::vector<sha256::Hit> hits;
    for (std::uint64_t at = 0; hits.empty() && at < sha256::kNonceSpace; at += 1 << 18) {
      scanner.Scan({at, at + (1 << 18)}, job_->difficulty.ToTarget(), hits);
    }
    const Share share{job_->notify.job_id, en2, job_->notify.ntime, hits[0].nonce, version};
    return client_->Submit(share, Evaluate(*builder.HeaderFor(share)), job_);
  }

  // Mines until `count` more shares are accepted.
  bool MineAccepted(std::size_t count, std::uint32_t version_bits = 0) {
    const std::size_t goal = accepted_.size() + count;
    return RunUntil([&] {
      if (client_->mining() && job_ && accepted_.size() + pending_ < goal) {
        const auto outcome = MineShare(version_bits);
        if (std::getenv("HASHRIG_TEST_TRACE") != nullptr) {
          std::fprintf(stderr, "submit: %s %s\n", std::string(ToString(outcome.status)).c_str(),
                       outcome.detail.c_str());
        }
        pending_ += outcome.status == SubmitStatus::kSent ? 1 : 0;
      }
      if (accepted_.size() + rejected_.size() > answered_) {
        pending_ -= std::min(pending_, accepted_.size() + rejected_.size() - answered_);
        answered_ = accepted_.size() + rejected_.size();
      }
      return accepted_.size() >= goal;
    });
  }

  // Every share a pool accepted meets its job's difficulty by OpenSSL's hash too, and the
  // pool never saw a duplicate or a low-difficulty share.
  void CheckPool(const LocalPool& pool) {
    for (const auto& share : pool.ledger().recent) {
      const auto digest = testing::OpenSslSha256d({share.header.begin(), share.header.end()});
      sha256::Digest hash{};
      std::copy(digest.begin(), digest.end(), hash.begin());
      EXPECT_TRUE(share.job_difficulty.ToTarget().IsMetBy(hash));
    }
    EXPECT_EQ(pool.ledger().rejected.count("Duplicate share"), 0u);
    EXPECT_EQ(pool.ledger().rejected.count("Low difficulty share"), 0u);
    EXPECT_EQ(pool.ledger().rejected.count("duplicate-share"), 0u);  // Stratum V2's words
    EXPECT_EQ(pool.ledger().rejected.count("difficulty-too-low"), 0u);
  }

  // A pool serving Stratum V2 too; its stratum2+tcp URL.
  std::string StartSv2Pool(std::unique_ptr<LocalPool>& slot,
                           LocalPoolConfig config = PoolConfig()) {
    if (!config.sv2_port) {
      config.sv2_port = 0;
    }
    StartPool(slot, std::move(config));
    return "stratum2+tcp://127.0.0.1:" + std::to_string(slot->Sv2Port().value_or(0)) + "/" +
           slot->Sv2AuthorityKey();
  }

  asio::io_context io_;
  std::unique_ptr<LocalPool> pool_;
  std::unique_ptr<PoolClient> client_;
  std::vector<std::pair<std::size_t, Event>> events_;
  std::shared_ptr<const Job> job_;
  std::size_t job_pool_ = 0;
  const Job* counter_job_ = nullptr;
  Extranonce2Counter counter_{4};
  std::vector<event::ShareResult> accepted_;
  std::vector<event::ShareResult> rejected_;
  std::size_t pending_ = 0;
  std::size_t answered_ = 0;
  std::size_t disconnects_ = 0;
};

TEST_F(LoopbackTest, HandshakeThenSharesAcceptedWithAndWithoutVersionRolling) {
  const auto port = StartPool(pool_);
  StartClient(ClientFor({Tcp(port)}));
  ASSERT_TRUE(RunUntil([&] { return client_->mining(); }));
  EXPECT_EQ(job_->version_mask, 0x1fffe000u);
  EXPECT_EQ(job_->difficulty.value(), 1e-4);
  ASSERT_TRUE(MineAccepted(3));
  ASSERT_TRUE(MineAccepted(3, 0x00b44000));
  EXPECT_TRUE(rejected_.empty());
  EXPECT_EQ(pool_->ledger().accepted, 6u);
  EXPECT_GT(accepted_.back().latency.count(), 0);
  CheckPool(*pool_);
  // The rolled versions really reached the pool's headers.
  std::size_t rolled = 0;
  for (const auto& s : pool_->ledger().recent) {
    rolled += (s.header[0] | s.header[1] << 8 | s.header[2] << 16) == 0xb44000 ? 1 : 0;
  }
  EXPECT_EQ(rolled, 3u);
}

TEST_F(LoopbackTest, FailureCountdownDropsTheConnectionAtEveryStep) {
  const auto port = StartPool(pool_);
  // 3 handshake lines out, 5 in (configure, subscribe, difficulty, notify, authorize),
  // then submits and their answers: cut the first connection after every one of them.
  for (long step = 0; step <= 14; ++step) {
    SCOPED_TRACE("dropped after " + std::to_string(step) + " lines");
    testing::TcpProxy proxy(io_, port);
    proxy.SetRules({step, "", 1});
    client_.reset();
    job_.reset();
    StartClient(ClientFor({Tcp(proxy.port())}));
    for (int i = 0; i < 8 && proxy.drops() == 0; ++i) {
      ASSERT_TRUE(MineAccepted(1));
    }
    EXPECT_EQ(proxy.drops(), 1u);
    ASSERT_TRUE(MineAccepted(1));  // and mining again on the next connection
    EXPECT_EQ(proxy.connections_seen(), 2u);
  }
  client_.reset();
  CheckPool(*pool_);
}

TEST_F(LoopbackTest, DropsAfterSubmitNeverResubmitOrDuplicate) {
  const auto port = StartPool(pool_);
  testing::TcpProxy proxy(io_, port);
  proxy.SetRules({-1, "mining.submit", 2});  // the first two submits are cut off
  StartClient(ClientFor({Tcp(proxy.port())}));
  ASSERT_TRUE(MineAccepted(3));
  CheckPool(*pool_);
  EXPECT_EQ(pool_->ledger().accepted, 3u);
}

// Issue 13, point 7: each fault of the soak's proxy, one at a time, on a live connection.
// Mining goes on (on a new connection where the old one is dead: a half-closed or
// black-holed one is found out, not waited on), and the pool never sees a duplicate.
TEST_F(LoopbackTest, EveryFaultOfABadNetworkIsSurvived) {
  auto config = PoolConfig();
  config.job_interval = 500ms;
  const auto port = StartPool(pool_, config);
  testing::FaultProxy::Schedule schedule;
  schedule.delay = 300ms;
  schedule.delay_for = 2s;
  std::vector<testing::FaultProxy::Event> faults;
  testing::FaultProxy proxy(io_, 0, port, schedule,
                            [&](const testing::FaultProxy::Event& e) { faults.push_back(e); });
  ClientConfig client = ClientFor({Tcp(proxy.port())});
  client.request_timeout = 2s;
  client.no_work_timeout = 60s;  // the silence check, not this watchdog, finds a black hole
  StartClient(client);
  ASSERT_TRUE(MineAccepted(1));
  using testing::Fault;
  for (const Fault fault :
       {Fault::kDelay, Fault::kCorrupt, Fault::kHalfClose, Fault::kCut, Fault::kBlackHole}) {
    SCOPED_TRACE(testing::ToString(fault));
    const std::size_t connections = proxy.connections_seen();
    proxy.Inject(fault);
    ASSERT_TRUE(MineAccepted(2));
    if (fault == Fault::kHalfClose || fault == Fault::kCut || fault == Fault::kBlackHole) {
      EXPECT_GT(proxy.connections_seen(), connections);
    }
    EXPECT_EQ(proxy.faults(fault), 1u);
  }
  EXPECT_EQ(faults.size(), 5u);
  EXPECT_EQ(pool_->ledger().rejected.count("Duplicate share"), 0u);
  // A corrupted submit may have been judged low (its nonce changed): at most that one.
  EXPECT_LE(pool_->ledger().rejected.count("Low difficulty share"), 1u);
}

// Issue 13, point 7 (found by the soak): right after a reconnect, a chain still hashing
// the last connection's work found a share; the new connection had a job with the same
// id (the pool numbers jobs per pool, not per connection) but another extranonce1, so
// the share was sent and rejected "Low difficulty". It is stale: never sent.
TEST_F(LoopbackTest, AShareOfTheLastConnectionsJobIsNeverSentOnTheNextOne) {
  const auto port = StartPool(pool_);
  testing::FaultProxy proxy(io_, 0, port, {});
  StartClient(ClientFor({Tcp(proxy.port())}));
  ASSERT_TRUE(RunUntil([&] { return client_->mining() && job_ != nullptr; }));
  const auto old_job = job_;
  proxy.Inject(testing::Fault::kCut);
  ASSERT_TRUE(RunUntil([&] { return disconnects_ >= 1; }));
  ASSERT_TRUE(RunUntil([&] { return client_->mining() && job_ != old_job; }));
  ASSERT_EQ(job_->notify.job_id, old_job->notify.job_id) << "the pool's job ids are per pool";
  ASSERT_NE(job_->extranonce1, old_job->extranonce1);
  const auto new_job = job_;
  job_ = old_job;  // a share found on the old connection's work
  EXPECT_EQ(MineShare().status, SubmitStatus::kStale);
  job_ = new_job;
  ASSERT_TRUE(MineAccepted(1));
  CheckPool(*pool_);
}

TEST_F(LoopbackTest, GarbageAndOversizedLinesAreSurvived) {
  const auto port = StartPool(pool_);
  StartClient(ClientFor({Tcp(port)}));
  ASSERT_TRUE(MineAccepted(1));
  pool_->Broadcast("this is not json\n");
  pool_->Broadcast("{\"id\":null,\"method\":\"mining.notify\",\"params\":[1,2,3]}\n");
  ASSERT_TRUE(MineAccepted(1));
  EXPECT_EQ(disconnects_, 0u);  // garbage is logged, not fatal
  pool_->Broadcast(std::string(kMaxLineSize + 10, 'x') + "\n");
  ASSERT_TRUE(RunUntil([&] { return disconnects_ == 1; }));
  ASSERT_TRUE(MineAccepted(1));
  bool told = false;
  for (const auto& [pool, e] : events_) {
    if (const auto* d = std::get_if<event::Disconnected>(&e)) {
      told |= d->reason.find("line over") != std::string::npos;
    }
  }
  EXPECT_TRUE(told);
  CheckPool(*pool_);
}

TEST_F(LoopbackTest, StalledPoolIsLeftAndRejoinedWhenItWakes) {
  const auto port = StartPool(pool_);
  ClientConfig config = ClientFor({Tcp(port)});
  config.no_work_timeout = 2s;
  config.request_timeout = 2s;
  StartClient(config);
  ASSERT_TRUE(MineAccepted(1));
  pool_->SetStalled(true);
  ASSERT_TRUE(RunUntil([&] { return disconnects_ >= 1; }, 10s));
  bool watchdog = false;
  for (const auto& [pool, e] : events_) {
    if (const auto* d = std::get_if<event::Disconnected>(&e)) {
      watchdog |= d->reason.find("no new job for 2 s") != std::string::npos;
    }
  }
  EXPECT_TRUE(watchdog);
  pool_->SetStalled(false);
  ASSERT_TRUE(MineAccepted(1));
  CheckPool(*pool_);
}

TEST_F(LoopbackTest, NewJobsTickAndNewBlocksCleanThem) {
  auto config = PoolConfig();
  config.job_interval = 200ms;
  config.block_interval = 1100ms;
  const auto port = StartPool(pool_, config);
  StartClient(ClientFor({Tcp(port)}));
  ASSERT_TRUE(RunUntil([&] { return client_->mining(); }));
  std::size_t jobs = 0;
  std::size_t clean = 0;
  std::set<Hash256> prevhashes;
  ASSERT_TRUE(RunUntil(
      [&] {
        jobs = clean = 0;
        for (const auto& [pool, e] : events_) {
          if (const auto* j = std::get_if<event::NewJob>(&e)) {
            ++jobs;
            clean += j->clean ? 1 : 0;
            prevhashes.insert(j->job->notify.prevhash);
          }
        }
        return clean >= 2 && jobs >= 8;
      },
      10s));
  EXPECT_GE(prevhashes.size(), 2u);
  ASSERT_TRUE(MineAccepted(1));
}

TEST_F(LoopbackTest, PoolRestartIsRejoined) {
  auto config = PoolConfig();
  const auto port = StartPool(pool_, config);
  StartClient(ClientFor({Tcp(port)}));
  ASSERT_TRUE(MineAccepted(1));
  pool_.reset();
  ASSERT_TRUE(RunUntil([&] { return disconnects_ >= 1; }));
  config.port = port;
  StartPool(pool_, config);
  ASSERT_TRUE(MineAccepted(1));
  CheckPool(*pool_);
}

TEST_F(LoopbackTest, ClientReconnectMovesToTheNamedPort) {
  std::unique_ptr<LocalPool> second;
  const auto port = StartPool(pool_);
  const auto port2 = StartPool(second);
  StartClient(ClientFor({Tcp(port)}));
  ASSERT_TRUE(MineAccepted(1));
  pool_->Broadcast(R"({"id":null,"method":"client.reconnect","params":["127.0.0.1",)" +
                   std::to_string(port2) + ",0]}\n");
  ASSERT_TRUE(RunUntil([&] { return second->connections() == 1 && client_->mining(); }));
  ASSERT_TRUE(MineAccepted(1));
  EXPECT_GE(second->ledger().accepted, 1u);
  pool_->Broadcast(R"({"id":null,"method":"client.reconnect","params":["evil.example.net",1,0]})"
                   "\n");
  second->Broadcast(R"({"id":null,"method":"client.reconnect","params":["evil.example.net",1,0]})"
                    "\n");
  ASSERT_TRUE(MineAccepted(1));  // refused: still mining where it was
  EXPECT_EQ(second->connections(), 1u);
}

// Issue 14, point 6: a client.reconnect that leaves out the host or the port keeps the
// CURRENT endpoint's, not the configured pool's. A sends us to B (int port), B to C
// (string port); then C asks with every short shape and each must bring us back to C.
TEST_F(LoopbackTest, ReconnectWithMissingFieldsKeepsTheCurrentEndpoint) {
  std::unique_ptr<LocalPool> b;
  std::unique_ptr<LocalPool> c;
  const auto port_a = StartPool(pool_);
  const auto port_b = StartPool(b);
  const auto port_c = StartPool(c);
  // Connections the client made to a port, from its Connected events ("…:PORT").
  auto connects_to = [&](std::uint16_t port) {
    std::string tail(1, ':');  // not ":" + …: g++ 12's -Wrestrict false positive
    tail += std::to_string(port);
    return std::count_if(events_.begin(), events_.end(), [&](const auto& pe) {
      const auto* ce = std::get_if<event::Connected>(&pe.second);
      return ce != nullptr && ce->url.ends_with(tail);
    });
  };
  StartClient(ClientFor({Tcp(port_a)}));
  ASSERT_TRUE(MineAccepted(1));
  pool_->Broadcast(R"({"id":null,"method":"client.reconnect","params":["127.0.0.1",)" +
                   std::to_string(port_b) + ",0]}\n");
  ASSERT_TRUE(RunUntil([&] { return connects_to(port_b) == 1 && client_->mining(); }));
  b->Broadcast(R"({"id":null,"method":"client.reconnect","params":["127.0.0.1",")" +
               std::to_string(port_c) + "\",0]}\n");
  ASSERT_TRUE(RunUntil([&] { return connects_to(port_c) == 1 && client_->mining(); }));
  ASSERT_TRUE(MineAccepted(1));
  std::ptrdiff_t expected_c = 1;
  for (const char* params : {"[]", R"(["127.0.0.1"])", "[null,null,0]", R"([null])"}) {
    SCOPED_TRACE(params);
    c->Broadcast(R"({"id":null,"method":"client.reconnect","params":)" + std::string(params) +
                 "}\n");
    ++expected_c;
    ASSERT_TRUE(RunUntil([&] { return connects_to(port_c) == expected_c && client_->mining(); }));
    ASSERT_TRUE(MineAccepted(1));
  }
  EXPECT_EQ(connects_to(port_a), 1);
  EXPECT_EQ(connects_to(port_b), 1);
  EXPECT_TRUE(rejected_.empty());
  CheckPool(*c);
}

// Issue 14: the client mines a Stratum V2 pool (Noise, an extended channel, version
// rolling) exactly as a V1 one; every share accepted and re-checked with OpenSSL.
TEST_F(LoopbackTest, StratumV2SharesAccepted) {
  const std::string url = StartSv2Pool(pool_);
  ASSERT_TRUE(ParsePoolUrl(url).ok()) << url;
  StartClient(ClientFor({url}));
  ASSERT_TRUE(MineAccepted(3));
  ASSERT_TRUE(MineAccepted(3, 0x00b44000));  // rolled version bits inside 0x1fffe000
  EXPECT_TRUE(rejected_.empty());
  EXPECT_EQ(pool_->ledger().accepted, 6u);
  EXPECT_EQ(pool_->ledger().RejectedCount(), 0u);
  CheckPool(*pool_);
  // A new block: the client's jobs before it are stale; it mines the new one.
  pool_->NewBlock();
  ASSERT_TRUE(RunUntil([&] { return job_ && job_->notify.clean_jobs; }));
  ASSERT_TRUE(MineAccepted(2));
  CheckPool(*pool_);
}

// V2 and V1 pools in one list: the V2 pool goes away, the client fails over to the V1
// one, and returns to the V2 pool when it is back (same authority key, so the same URL).
TEST_F(LoopbackTest, StratumV2FailsOverToV1AndReturns) {
  auto config = PoolConfig();
  config.sv2_authority_secret = sv2::KeyPair::Generate().secret;
  const std::string url = StartSv2Pool(pool_, config);
  std::unique_ptr<LocalPool> v1;
  const auto v1_port = StartPool(v1);
  StartClient(ClientFor({url, Tcp(v1_port)}));
  ASSERT_TRUE(MineAccepted(1));
  EXPECT_EQ(job_pool_, 0u);
  const auto v2_port = pool_->Sv2Port();
  const auto v1_of_first = config.port;
  pool_.reset();
  ASSERT_TRUE(RunUntil([&] { return job_pool_ == 1 && client_->mining(); }));
  ASSERT_TRUE(MineAccepted(1));
  EXPECT_GE(v1->ledger().accepted, 1u);
  config.port = v1_of_first;
  config.sv2_port = v2_port;
  EXPECT_EQ(StartSv2Pool(pool_, config), url);
  ASSERT_TRUE(RunUntil([&] { return job_pool_ == 0 && client_->mining(); }, 30s));
  ASSERT_TRUE(MineAccepted(1));
  EXPECT_GE(pool_->ledger().accepted, 1u);
  EXPECT_TRUE(rejected_.empty());
}

// A pool whose certificate is not signed by the key in our URL is refused (a man in the
// middle, or a mistyped key): the client says so and fails over.
TEST_F(LoopbackTest, StratumV2RefusesAPoolWithAnotherAuthority) {
  const std::string url = StartSv2Pool(pool_);
  const auto other = sv2::EncodeAuthorityKey(*sv2::XOnlyPublicKey(sv2::KeyPair::Generate().secret));
  const std::string wrong = url.substr(0, url.rfind('/') + 1) + other;
  std::unique_ptr<LocalPool> v1;
  const auto v1_port = StartPool(v1);
  StartClient(ClientFor({wrong, Tcp(v1_port)}));
  ASSERT_TRUE(RunUntil([&] { return job_pool_ == 1 && client_->mining(); }));
  bool said = false;
  for (const auto& [pool, e] : events_) {
    if (const auto* d = std::get_if<event::Disconnected>(&e); d != nullptr && pool == 0) {
      said = said || d->reason.find("not signed by the authority key") != std::string::npos;
    }
  }
  EXPECT_TRUE(said);
  EXPECT_EQ(pool_->ledger().accepted, 0u);
}

// The traffic on the wire is encrypted and is exactly what the session keys decrypt: a
// miner made here from the Noise and message codecs records every byte the pool sends,
// then a fresh Transport with the receiving key decodes the capture afterwards.
TEST_F(LoopbackTest, StratumV2CaptureDecryptsWithTheSessionKeys) {
  const std::string url = StartSv2Pool(pool_);
  const auto port = pool_->Sv2Port().value_or(0);
  std::thread pool_thread([this] { io_.run_for(20s); });
  asio::io_context client_io;
  asio::ip::tcp::socket socket(client_io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  sv2::NoiseInitiator miner(*sv2::DecodeAuthorityKey(pool_->Sv2AuthorityKey()));
  const auto act1 = miner.Act1();
  asio::write(socket, asio::buffer(act1));
  std::array<std::uint8_t, sv2::kAct2Size> act2{};
  asio::read(socket, asio::buffer(act2));
  auto transport = miner.Finish(act2, static_cast<std::uint32_t>(std::time(nullptr)));
  ASSERT_TRUE(transport) << transport.error().message();
  sv2::SetupConnection setup;
  setup.min_version = 2;
  setup.max_version = 2;
  sv2::OpenExtendedMiningChannel open;
  open.user_identity = "tester.rig1";
  open.min_extranonce_size = 4;
  for (const sv2::Message& m : {sv2::Message(setup), sv2::Message(open)}) {
    asio::write(socket, asio::buffer(*transport->Encrypt(*sv2::EncodeFrame(m))));
  }
  // Read until the live transport has the four frames the pool answers with.
  sv2::Bytes capture;
  std::size_t frames = 0;
  while (frames < 4) {
    std::array<std::uint8_t, 4096> chunk{};
    const std::size_t n = socket.read_some(asio::buffer(chunk));
    capture.insert(capture.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(n));
    ASSERT_TRUE(transport->Feed(std::span(chunk).first(n)).ok());
    while (transport->Next()) {
      ++frames;
    }
  }
  socket.close();
  io_.stop();  // thread-safe: ends the pool thread's run_for early
  pool_thread.join();
  io_.restart();

  // Afterwards, with nothing but the receiving key.
  const std::string tag = "/hashrig local pool/";
  EXPECT_EQ(std::search(capture.begin(), capture.end(), tag.begin(), tag.end()), capture.end())
      << "the coinbase travelled in the clear";
  sv2::Transport offline(transport->sending().key(), transport->receiving().key());
  ASSERT_TRUE(offline.Feed(capture).ok());
  std::vector<std::string> kinds;
  bool tag_seen = false;
  while (auto frame = offline.Next()) {
    const auto h = sv2::FrameHeader::Decode(std::span(*frame).first<sv2::FrameHeader::kSize>());
    auto m = sv2::DecodeMessage(h, std::span(*frame).subspan(sv2::FrameHeader::kSize));
    ASSERT_TRUE(m) << m.error().message();
    kinds.emplace_back(sv2::KindOf(*m).name);
    tag_seen = tag_seen ||
               std::search(frame->begin(), frame->end(), tag.begin(), tag.end()) != frame->end();
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"SetupConnection.Success",
                                             "OpenExtendedMiningChannel.Success",
                                             "NewExtendedMiningJob", "SetNewPrevHash"}));
  EXPECT_TRUE(tag_seen);
  EXPECT_TRUE(url.starts_with("stratum2+tcp://127.0.0.1:"));
}

// A Stratum V2 "pool" that completes the Noise handshake (or not) and then misbehaves.
class FakeSv2Pool {
 public:
  enum class Mode { kSilentHandshake, kGarbage, kOversizeFrame, kTruncatedFrame, kStall };

  FakeSv2Pool(asio::io_context& io, Mode mode)
      : acceptor_(io, {asio::ip::make_address("127.0.0.1"), 0}), mode_(mode) {
    const auto now = static_cast<std::uint32_t>(std::time(nullptr));
    certificate_ = *sv2::Certificate::Sign(authority_.secret, sv2::XSwiftEc(static_.ellswift),
                                           now - 60, now + 3600, sv2::Key32{});
    Accept();
  }

  std::string Url() const {
    return "stratum2+tcp://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/" +
           sv2::EncodeAuthorityKey(*sv2::XOnlyPublicKey(authority_.secret));
  }
  int connections() const { return connections_; }

 private:
  struct Conn {
    explicit Conn(asio::ip::tcp::socket s) : socket(std::move(s)) {}
    asio::ip::tcp::socket socket;
    std::array<std::uint8_t, sv2::kAct1Size> act1{};
    sv2::Bytes out;
  };

  void Accept() {
    acceptor_.async_accept([this](const boost::system::error_code& ec, asio::ip::tcp::socket s) {
      if (ec) {
        return;
      }
      ++connections_;
      auto c = std::make_shared<Conn>(std::move(s));
      conns_.push_back(c);
      if (mode_ != Mode::kSilentHandshake) {
        asio::async_read(c->socket, asio::buffer(c->act1),
                         [this, c](const boost::system::error_code& e, std::size_t) {
                           if (!e) {
                             Answer(*c);
                           }
                         });
      }
      Accept();
    });
  }

  void Answer(Conn& c) {
    sv2::NoiseResponder noise(static_, certificate_);
    c.out = *noise.Act2(c.act1);
    sv2::Transport& t = *noise.transport();
    sv2::Bytes tail;
    if (mode_ == Mode::kGarbage) {
      tail.assign(64, 0x42);
    } else if (mode_ == Mode::kOversizeFrame) {
      sv2::CipherState raw(t.sending().key());
      const std::array<std::uint8_t, 6> header{0, 0, 0x1f, 0xff, 0xff, 0xff};  // 16 MiB
      tail = raw.Encrypt({}, header);
    } else if (mode_ == Mode::kTruncatedFrame) {
      tail = *t.Encrypt(*sv2::EncodeFrame(sv2::SetupConnectionSuccess{2, 0}));
      tail.resize(tail.size() / 2);
    }
    c.out.insert(c.out.end(), tail.begin(), tail.end());
    asio::async_write(c.socket, asio::buffer(c.out),
                      [this, &c](const boost::system::error_code&, std::size_t) {
                        if (mode_ == Mode::kTruncatedFrame) {
                          c.socket.close();
                        }
                      });
  }

  asio::ip::tcp::acceptor acceptor_;
  Mode mode_;
  sv2::KeyPair authority_ = sv2::KeyPair::Generate();
  sv2::KeyPair static_ = sv2::KeyPair::Generate();
  sv2::Certificate certificate_;
  int connections_ = 0;
  std::vector<std::shared_ptr<Conn>> conns_;
};

// Issue 14, point 5: a V2 pool that stays silent in the handshake, sends garbage, a frame
// over the size limit, half a frame, or nothing after the handshake: each is a clear
// disconnect, the client tries it again with backoff and fails over to the next pool.
TEST_F(LoopbackTest, StratumV2FaultsAreClearDisconnectsAndFailOver) {
  std::unique_ptr<LocalPool> v1;
  const auto v1_port = StartPool(v1);
  const std::pair<FakeSv2Pool::Mode, std::string> cases[] = {
      {FakeSv2Pool::Mode::kSilentHandshake, "no Noise handshake answer"},
      {FakeSv2Pool::Mode::kGarbage, "message authentication failed"},
      {FakeSv2Pool::Mode::kOversizeFrame, "over the limit"},
      {FakeSv2Pool::Mode::kTruncatedFrame, "pool closed the connection"},
      {FakeSv2Pool::Mode::kStall, "no new job for 2 s"},
  };
  for (const auto& [mode, reason] : cases) {
    SCOPED_TRACE(reason);
    FakeSv2Pool fake(io_, mode);
    auto config = ClientFor({fake.Url(), Tcp(v1_port)});
    config.connect_timeout = 2s;
    config.no_work_timeout = 2s;
    events_.clear();
    job_.reset();
    job_pool_ = 0;
    StartClient(config);
    ASSERT_TRUE(RunUntil([&] { return job_pool_ == 1 && client_->mining(); }, 30s));
    bool said = false;
    for (const auto& [pool, e] : events_) {
      if (const auto* d = std::get_if<event::Disconnected>(&e); d != nullptr && pool == 0) {
        said = said || d->reason.find(reason) != std::string::npos;
      }
    }
    EXPECT_TRUE(said);
    EXPECT_GE(fake.connections(), 1);
    ASSERT_TRUE(MineAccepted(1));
    client_->Stop();
    client_.reset();
  }
  EXPECT_TRUE(rejected_.empty());
}

// The V2 pool drops every miner after each accepted share, three times: each time the
// client reconnects (a new handshake, a new channel) and mines again.
TEST_F(LoopbackTest, StratumV2PoolDropsAreRejoined) {
  const std::string url = StartSv2Pool(pool_);
  StartClient(ClientFor({url}));
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE(MineAccepted(1));
    const std::size_t before = disconnects_;
    pool_->DropConnections();
    ASSERT_TRUE(RunUntil([&] { return disconnects_ > before; }));
  }
  ASSERT_TRUE(MineAccepted(1));
  EXPECT_TRUE(rejected_.empty());
  CheckPool(*pool_);
}

// Connections that never set up (silent, a partial act 1, act 1 and then nothing) are
// closed by the pool's deadline, and neither counted as miners nor logged one by one; a
// real miner mines meanwhile.
TEST_F(LoopbackTest, StratumV2PoolClosesConnectionsThatNeverSetUp) {
  auto config = PoolConfig();
  config.sv2_setup_deadline = 500ms;
  const std::string url = StartSv2Pool(pool_, config);
  const auto port = pool_->Sv2Port().value_or(0);
  std::vector<std::unique_ptr<asio::ip::tcp::socket>> idle;
  std::array<std::uint8_t, 64> act1{};
  act1.fill(0x5a);
  for (int i = 0; i < 3; ++i) {
    auto s = std::make_unique<asio::ip::tcp::socket>(io_);
    s->connect({asio::ip::make_address("127.0.0.1"), port});
    if (i == 1) {
      asio::write(*s, asio::buffer(act1.data(), 10));
    } else if (i == 2) {
      asio::write(*s, asio::buffer(act1));
    }
    idle.push_back(std::move(s));
  }
  StartClient(ClientFor({url}));
  ASSERT_TRUE(MineAccepted(1));
  EXPECT_EQ(pool_->connections(), 1u);  // the miner; not the three idle sockets
  ASSERT_TRUE(RunUntil([&] { return !pool_->Sv2FailedSetups().empty(); }, 10s));
  ASSERT_TRUE(RunUntil([&] { return pool_->Sv2FailedSetups().starts_with("3 "); }, 10s))
      << pool_->Sv2FailedSetups();
  EXPECT_NE(pool_->Sv2FailedSetups().find("no Noise handshake and SetupConnection within 500 ms"),
            std::string::npos)
      << pool_->Sv2FailedSetups();
  // Each idle socket was closed by the pool: a read ends.
  for (auto& s : idle) {
    std::array<std::uint8_t, 512> buf{};
    boost::system::error_code ec;
    while (!ec) {
      (void)s->read_some(asio::buffer(buf), ec);
    }
    EXPECT_EQ(ec, asio::error::eof);
  }
  ASSERT_TRUE(MineAccepted(1));
}

TEST_F(LoopbackTest, ExtranonceAndVersionMaskChangesMidJob) {
  const auto port = StartPool(pool_);
  StartClient(ClientFor({Tcp(port)}));
  ASSERT_TRUE(MineAccepted(1, 0x2000));
  const auto en1 = job_->extranonce1;
  pool_->ChangeExtranonce();
  ASSERT_TRUE(RunUntil([&] { return job_->extranonce1 != en1; }));
  ASSERT_TRUE(MineAccepted(2, 0x2000));
  pool_->SetVersionMask(0x1e000000);
  ASSERT_TRUE(RunUntil([&] { return job_->version_mask == 0x1e000000; }));
  ASSERT_TRUE(MineAccepted(2, 0x02000000));
  EXPECT_TRUE(rejected_.empty());
  CheckPool(*pool_);
}

TEST_F(LoopbackTest, DifficultyChangeAppliesFromTheNextJob) {
  const auto port = StartPool(pool_);
  StartClient(ClientFor({Tcp(port)}));
  ASSERT_TRUE(MineAccepted(1));
  pool_->SetDifficulty(*sha256::Difficulty::From(3e-4));
  ASSERT_TRUE(RunUntil([&] { return job_->difficulty.value() == 3e-4; }));
  ASSERT_TRUE(MineAccepted(2));
  EXPECT_EQ(accepted_.back().job_difficulty.value(), 3e-4);
  EXPECT_TRUE(rejected_.empty());
  CheckPool(*pool_);
}

TEST_F(LoopbackTest, RejectedSharesCarryThePoolsReason) {
  const auto port = StartPool(pool_);
  StartClient(ClientFor({Tcp(port)}));
  ASSERT_TRUE(MineAccepted(1));
  pool_->SetRejectAll("Maintenance, try later");
  ASSERT_EQ(MineShare().status, SubmitStatus::kSent);
  ASSERT_TRUE(RunUntil([&] { return !rejected_.empty(); }));
  EXPECT_EQ(rejected_[0].reason, "Maintenance, try later");
  EXPECT_EQ(rejected_[0].code, 20);
  pool_->SetRejectAll("");
  ASSERT_TRUE(MineAccepted(1));
}

TEST_F(LoopbackTest, FailoverToTheBackupAndReturnToThePrimary) {
  auto primary_config = PoolConfig();
  std::unique_ptr<LocalPool> backup;
  const auto primary_port = StartPool(pool_, primary_config);
  const auto backup_port = StartPool(backup);
  StartClient(ClientFor({Tcp(primary_port), Tcp(backup_port)}));
  ASSERT_TRUE(MineAccepted(1));
  EXPECT_EQ(job_pool_, 0u);
  pool_.reset();  // the primary dies
  ASSERT_TRUE(RunUntil([&] { return client_->active_pool() == 1 && client_->mining(); }));
  ASSERT_TRUE(MineAccepted(1));
  EXPECT_EQ(job_pool_, 1u);
  EXPECT_GE(backup->ledger().accepted, 1u);
  primary_config.port = primary_port;
  StartPool(pool_, primary_config);  // it recovers: the probe brings us back
  ASSERT_TRUE(RunUntil([&] { return client_->active_pool() == 0 && client_->mining(); }));
  ASSERT_TRUE(MineAccepted(1));
  EXPECT_EQ(job_pool_, 0u);
  EXPECT_GE(pool_->ledger().accepted, 1u);
  CheckPool(*pool_);
  CheckPool(*backup);
}

TEST_F(LoopbackTest, AuthorizationFailureFailsOverAtOnce) {
  std::unique_ptr<LocalPool> backup;
  const auto port = StartPool(pool_);
  const auto backup_port = StartPool(backup);
  ClientConfig config = ClientFor({Tcp(port), Tcp(backup_port)});
  config.pools[0].user = "";  // the local pool refuses an empty worker name
  StartClient(config);
  ASSERT_TRUE(RunUntil([&] { return client_->active_pool() == 1 && client_->mining(); }));
  ASSERT_TRUE(MineAccepted(1));
}

TEST_F(LoopbackTest, PoolThatHangsUpOnConfigureIsMinedWithoutRolling) {
  const auto port = StartPool(pool_);
  testing::TcpProxy proxy(io_, port);
  proxy.SetRules({-1, "mining.configure", -1});
  StartClient(ClientFor({Tcp(proxy.port())}));
  ASSERT_TRUE(RunUntil([&] { return client_->mining(); }));
  EXPECT_EQ(job_->version_mask, 0u);
  ASSERT_TRUE(MineAccepted(2));
  CheckPool(*pool_);
}

TEST_F(LoopbackTest, TlsWithACaFileWorksAndAnUntrustedCertificateIsRefused) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("hashrig-tls-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto files = testing::MakeSelfSignedCertificate(dir);
  auto config = PoolConfig();
  config.tls_cert_file = files.cert;
  config.tls_key_file = files.key;
  const auto port = StartPool(pool_, config);
  const std::string url = "stratum+ssl://localhost:" + std::to_string(port);

  StartClient(ClientFor({url}));  // system store: our self-signed certificate is unknown
  ASSERT_TRUE(RunUntil([&] { return disconnects_ >= 1; }));
  EXPECT_FALSE(client_->mining());
  bool verify_failed = false;
  for (const auto& [pool, e] : events_) {
    if (const auto* d = std::get_if<event::Disconnected>(&e)) {
      verify_failed |= d->reason.find("TLS handshake") != std::string::npos;
    }
  }
  EXPECT_TRUE(verify_failed);

  ClientConfig with_ca = ClientFor({url});
  with_ca.tls.ca_file = files.cert;
  StartClient(with_ca);
  ASSERT_TRUE(MineAccepted(2));

  ClientConfig insecure = ClientFor({"stratum+tls://127.0.0.1:" + std::to_string(port)});
  insecure.tls.insecure = true;
  StartClient(insecure);
  ASSERT_TRUE(MineAccepted(1));

  // Pinned (issue 12, point 11): the certificate's fingerprint alone decides, whatever
  // signed it and whatever name the URL uses; one digit off and the handshake fails.
  ClientConfig pinned = ClientFor({"stratum+ssl://127.0.0.1:" + std::to_string(port)});
  pinned.tls.pinned = *ParseCertificateFingerprint(files.fingerprint);
  StartClient(pinned);
  ASSERT_TRUE(MineAccepted(1));
  std::string other = files.fingerprint;
  other[0] = other[0] == 'A' ? 'B' : 'A';
  pinned.tls.pinned = *ParseCertificateFingerprint(other);
  pinned.tls.insecure = true;  // a pin is checked even so
  client_.reset();
  events_.clear();
  StartClient(pinned);
  const auto refused = [this] {
    for (const auto& [pool, e] : events_) {
      const auto* d = std::get_if<event::Disconnected>(&e);
      if (d != nullptr && d->reason.find("TLS handshake") != std::string::npos) {
        return true;
      }
    }
    return false;
  };
  ASSERT_TRUE(RunUntil(refused));
  EXPECT_FALSE(client_->mining());
  CheckPool(*pool_);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hashrig::pool
