// `hashrig pool` as a real process: a client over TCP gets jobs and has its shares
// accepted; garbage gets an error reply and the pool goes on; bad options exit 2.
#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange without it

#include <sys/stat.h>
#include <unistd.h>
#include <boost/asio.hpp>
#include <csignal>
#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>

#include "hashrig/pool/client.h"
#include "hashrig/pool/work.h"
#include "support/child_process.h"
#include "support/shared_data.h"

namespace hashrig::testing {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

std::uint16_t PortFrom(const std::string& line) {
  const auto colon = line.find(':');
  return static_cast<std::uint16_t>(std::stoi(line.substr(colon + 1)));
}

// A blocking line exchange on a raw socket, as a fleet script or netcat would do it.
std::string Exchange(asio::ip::tcp::socket& socket, const std::string& line) {
  asio::write(socket, asio::buffer(line));
  asio::streambuf buf;
  const std::size_t n = asio::read_until(socket, buf, '\n');
  return std::string(asio::buffers_begin(buf.data()),
                     asio::buffers_begin(buf.data()) + static_cast<std::ptrdiff_t>(n));
}

TEST(PoolCommandTest, ServesJobsAndAcceptsValidSharesFromARealClient) {
  ChildProcess pool({HASHRIG_BINARY, "pool", "--listen", "127.0.0.1:0", "--difficulty", "0.0001"});
  const auto ready = pool.ReadLine(10s);
  ASSERT_TRUE(ready.has_value()) << pool.Stderr();
  ASSERT_NE(ready->find("listening on 127.0.0.1:"), std::string::npos) << *ready;
  const std::uint16_t port = PortFrom(ready->substr(ready->find("127.0.0.1")));

  asio::io_context io;
  {
    asio::ip::tcp::socket raw(io);
    raw.connect({asio::ip::make_address("127.0.0.1"), port});
    const std::string reply = Exchange(raw, "this is not json\n");
    EXPECT_NE(reply.find("not JSON"), std::string::npos) << reply;
    const std::string subscribed =
        Exchange(raw, R"({"id":1,"method":"mining.subscribe","params":[]})"
                      "\n");
    EXPECT_NE(subscribed.find("\"result\""), std::string::npos) << subscribed;
  }

  pool::ClientConfig config;
  config.pools.push_back({*pool::ParsePoolUrl("127.0.0.1:" + std::to_string(port)), "w.1", "x"});
  std::shared_ptr<const pool::Job> job;
  std::size_t accepted = 0;
  pool::PoolClient client(io, config, [&](std::size_t, const pool::Event& e) {
    if (const auto* j = std::get_if<pool::event::NewJob>(&e)) {
      job = j->job;
    } else if (const auto* r = std::get_if<pool::event::ShareResult>(&e)) {
      EXPECT_TRUE(r->accepted) << r->reason;
      accepted += r->accepted ? 1 : 0;
    }
  });
  client.Start();
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  pool::Extranonce2Counter counter(4);
  std::size_t sent = 0;
  while (accepted < 3 && std::chrono::steady_clock::now() < deadline) {
    io.run_one_for(10ms);
    if (!client.mining() || !job || sent > accepted || accepted == 3) {
      continue;
    }
    const pool::WorkBuilder builder(*job);
    const auto en2 = *counter.Next();
    const auto header =
        builder.BuildHeader(builder.MerkleRoot(en2), job->notify.ntime, job->notify.version);
    std::vector<sha256::Hit> hits;
    sha256::HeaderScanner(header).Scan({0, 1 << 22}, job->difficulty.ToTarget(), hits);
    ASSERT_FALSE(hits.empty()) << "difficulty " << job->difficulty.value();
    // Independent check of what we are about to claim, with OpenSSL.
    const auto full = sha256::WithVersionAndNonce(header, job->notify.version, hits[0].nonce);
    const auto digest = OpenSslSha256d({full.begin(), full.end()});
    sha256::Digest hash{};
    std::copy(digest.begin(), digest.end(), hash.begin());
    ASSERT_TRUE(job->difficulty.ToTarget().IsMetBy(hash));
    const pool::Share share{job->notify.job_id, en2, job->notify.ntime, hits[0].nonce,
                            job->notify.version};
    sent += client.Submit(share, pool::ShareValue{hash, sha256::Difficulty::OfHash(hash)}).status ==
            pool::SubmitStatus::kSent;
  }
  EXPECT_EQ(accepted, 3u);
  client.Stop();

  pool.Signal(SIGTERM);
  ASSERT_EQ(pool.Wait(10s), 0) << pool.Stderr();
  const auto summary = pool.ReadLine(1s);
  ASSERT_TRUE(summary.has_value());
  EXPECT_NE(summary->find("accepted 3 "), std::string::npos) << *summary;
  EXPECT_NE(pool.Stderr().find("miner connected"), std::string::npos);
}

TEST(PoolCommandTest, BadOptionsExitTwoNamingTheOption) {
  for (const auto& [option, value] : {std::pair{"--difficulty", "0"},
                                      {"--listen", "nowhere"},
                                      {"--version-mask", "xyz"},
                                      {"--extranonce2-size", "17"},
                                      {"--payout-script", "0g"},
                                      {"--job-interval", "-3"},
                                      {"--sv2-listen", "nowhere"},
                                      {"--sv2-authority-key", "/tmp/unused"}}) {
    ChildProcess p({HASHRIG_BINARY, "pool", option, value});
    EXPECT_EQ(p.Wait(10s), 2) << option;
    EXPECT_NE(p.Stderr().find(option), std::string::npos) << p.Stderr();
  }
}

// --sv2-authority-key FILE: made on the first start (mode 0600), read on the next, so the
// stratum2+tcp URL miners were given stays the same; a file that is no key is refused.
TEST(PoolCommandTest, Sv2AuthorityKeyFileKeepsTheUrlAcrossRestarts) {
  const std::string key = ::testing::TempDir() + "sv2-key-" + std::to_string(::getpid());
  std::remove(key.c_str());
  auto url_of_a_run = [&] {
    ChildProcess pool({HASHRIG_BINARY, "pool", "--listen", "127.0.0.1:0", "--sv2-listen",
                       "127.0.0.1:0", "--sv2-authority-key", key});
    (void)pool.ReadLine(10s);
    const auto line = pool.ReadLine(10s);
    pool.Signal(SIGTERM);
    EXPECT_EQ(pool.Wait(10s), 0) << pool.Stderr();
    EXPECT_TRUE(line.has_value()) << pool.Stderr();
    const std::string text = line.value_or("");
    return text.substr(text.rfind('/') + 1);
  };
  const std::string first = url_of_a_run();
  EXPECT_EQ(first.size(), 51u) << first;
  EXPECT_EQ(url_of_a_run(), first);
  struct stat st {};
  ASSERT_EQ(::stat(key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  {
    std::ofstream bad(key, std::ios::trunc);
    bad << "not a key\n";
  }
  ChildProcess refused(
      {HASHRIG_BINARY, "pool", "--sv2-listen", "127.0.0.1:0", "--sv2-authority-key", key});
  EXPECT_EQ(refused.Wait(10s), 2);
  EXPECT_NE(refused.Stderr().find("--sv2-authority-key"), std::string::npos) << refused.Stderr();
  EXPECT_NE(refused.Stderr().find("64 hex digits"), std::string::npos) << refused.Stderr();
  std::remove(key.c_str());
}

TEST(PoolCommandTest, PortInUseIsAClearFailure) {
  ChildProcess first({HASHRIG_BINARY, "pool", "--listen", "127.0.0.1:0"});
  const auto ready = first.ReadLine(10s);
  ASSERT_TRUE(ready.has_value());
  const std::string address = ready->substr(ready->find("127.0.0.1"));
  ChildProcess second({HASHRIG_BINARY, "pool", "--listen", address.substr(0, address.find(' '))});
  EXPECT_EQ(second.Wait(10s), 1);
  EXPECT_NE(second.Stderr().find("cannot listen"), std::string::npos) << second.Stderr();
}

}  // namespace
}  // namespace hashrig::testing
