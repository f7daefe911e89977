#include "hashrig/pool/failover.h"

#include <gtest/gtest.h>

#include "hashrig/pool/url.h"

namespace hashrig::pool {
namespace {

using namespace std::chrono_literals;

TEST(FailoverTest, DisconnectsBackOffExponentiallyWithJitterThenSwitch) {
  FailoverConfig config;
  config.failures_before_switch = 4;
  Failover f(2, config, 42);
  const Attempt a1 = f.OnFailure(Failure::kDisconnected);
  const Attempt a2 = f.OnFailure(Failure::kDisconnected);
  const Attempt a3 = f.OnFailure(Failure::kDisconnected);
  EXPECT_EQ(a1.pool, 0u);
  EXPECT_EQ(a3.pool, 0u);
  for (auto [attempt, base] : {std::pair{a1, 500}, {a2, 1000}, {a3, 2000}}) {
    EXPECT_GE(attempt.delay.count(), base * 3 / 4);
    EXPECT_LE(attempt.delay.count(), base * 5 / 4);
  }
  const Attempt a4 = f.OnFailure(Failure::kDisconnected);
  EXPECT_EQ(a4.pool, 1u);
  EXPECT_EQ(a4.delay, 0ms);
  EXPECT_EQ(f.active(), 1u);
}

TEST(FailoverTest, BackoffIsCappedAndJitterDiffersBetweenMiners) {
  FailoverConfig config;
  config.failures_before_switch = 1000;
  Failover a(1, config, 1);
  Failover b(1, config, 2);
  std::chrono::milliseconds last_a{}, last_b{};
  for (int i = 0; i < 40; ++i) {
    last_a = a.OnFailure(Failure::kDisconnected).delay;
    last_b = b.OnFailure(Failure::kDisconnected).delay;
  }
  EXPECT_LE(last_a, config.backoff_max * 5 / 4);
  EXPECT_GE(last_a, config.backoff_max * 3 / 4);
  EXPECT_NE(last_a, last_b);
}

TEST(FailoverTest, AuthorizationFailureAndNoWorkSwitchAtOnce) {
  Failover f(3, {}, 1);
  EXPECT_EQ(f.OnFailure(Failure::kAuthorization).pool, 1u);
  EXPECT_EQ(f.OnFailure(Failure::kNoWork).pool, 2u);
  EXPECT_EQ(f.OnFailure(Failure::kNoWork).pool, 0u);  // wraps around the list
}

TEST(FailoverTest, HealthForgivesFailures) {
  FailoverConfig config;
  config.failures_before_switch = 2;
  Failover f(2, config, 1);
  (void)f.OnFailure(Failure::kDisconnected);
  f.OnHealthy(0);
  EXPECT_EQ(f.OnFailure(Failure::kDisconnected).pool, 0u);
  EXPECT_EQ(f.OnFailure(Failure::kDisconnected).pool, 1u);
}

TEST(FailoverTest, ProbesHigherPoolsEachIntervalAndReturns) {
  Failover f(3, {}, 1);
  const auto t0 = Failover::Clock::time_point{};
  EXPECT_FALSE(f.ProbeDue(t0).has_value());  // on the primary: nothing to probe
  (void)f.OnFailure(Failure::kAuthorization);
  (void)f.OnFailure(Failure::kAuthorization);
  ASSERT_EQ(f.active(), 2u);
  EXPECT_FALSE(f.ProbeDue(t0).has_value());
  EXPECT_FALSE(f.ProbeDue(t0 + 59s).has_value());
  EXPECT_EQ(f.ProbeDue(t0 + 60s), 0u);
  EXPECT_EQ(f.ProbeDue(t0 + 120s), 1u);
  EXPECT_EQ(f.ProbeDue(t0 + 180s), 0u);
  f.OnProbeSucceeded(1);
  EXPECT_EQ(f.active(), 1u);
  f.OnProbeSucceeded(2);  // never "returns" downwards
  EXPECT_EQ(f.active(), 1u);
}

TEST(PoolUrlTest, SchemesPortsAndSuffix) {
  auto tcp = ParsePoolUrl("stratum+tcp://pool.example.com:3334");
  ASSERT_TRUE(tcp.ok());
  EXPECT_EQ(tcp->host, "pool.example.com");
  EXPECT_EQ(tcp->port, 3334);
  EXPECT_FALSE(tcp->tls);
  EXPECT_TRUE(ParsePoolUrl("stratum+ssl://a:1")->tls);
  EXPECT_TRUE(ParsePoolUrl("stratum+tls://a:1")->tls);
  EXPECT_TRUE(ParsePoolUrl("stratum+tcp://a:1#xnsub")->extranonce_subscribe);
  EXPECT_EQ(ParsePoolUrl("a.b")->port, 3333);
  EXPECT_EQ(ParsePoolUrl("[::1]:4000")->host, "::1");
  EXPECT_EQ(ParsePoolUrl("stratum+tcp://a:1")->ToString(), "stratum+tcp://a:1");
  for (const char* bad :
       {"", "http://a:1", "stratum+tcp://:1", "a:0", "a:65536", "a:x", "a:1#other", "[::1:5",
        // hosts that are no host name or address (the dashboard's review added them)
        "stratum+tcp://ho st:3333", "stratum+tcp://a,b:3333", "stratum+tcp://<img src=x>:1",
        "stratum+tcp://h\xff\xfe:3333", "stratum+tcp://\xc3\xbcn\xc3\xaf.example:1",
        "stratum+tcp://h\nx:1", "[a b]:1"}) {
    EXPECT_FALSE(ParsePoolUrl(bad).ok()) << bad;
  }
  EXPECT_TRUE(ParsePoolUrl("stratum+tcp://xn--n-uga.example:1").ok());  // punycode
  EXPECT_TRUE(ParsePoolUrl("stratum+tcp://solo_pool.lan:1").ok());
  EXPECT_TRUE(ParsePoolUrl("[fe80::1%eth0]:1").ok());
}

// Stratum V2 URLs carry the pool's authority key (sv2-spec 4.7.1's example key here).
TEST(PoolUrlTest, StratumV2UrlsCarryTheAuthorityKey) {
  const std::string key = "9bXiEd8boQVhq7WddEcERUL5tyyJVFYdU8th3HfbNXK3Yw6GRXh";
  auto url = ParsePoolUrl("stratum2+tcp://pool.example.com:34254/" + key);
  ASSERT_TRUE(url.ok()) << url.error().message();
  EXPECT_TRUE(url->sv2);
  EXPECT_FALSE(url->tls);
  EXPECT_EQ(url->host, "pool.example.com");
  EXPECT_EQ(url->port, 34254);
  EXPECT_EQ(url->authority_key, key);
  EXPECT_EQ(url->ToString(), "stratum2+tcp://pool.example.com:34254/" + key);
  auto error_of = [](const std::string& text) {
    auto u = ParsePoolUrl(text);
    return u.ok() ? std::string("accepted") : u.error().message();
  };
  EXPECT_NE(error_of("stratum2+tcp://a:1").find("ends with /AUTHORITY_PUBKEY"), std::string::npos);
  EXPECT_NE(error_of("stratum2+tcp://a:1/").find("ends with /AUTHORITY_PUBKEY"), std::string::npos);
  std::string typo = key;
  typo[5] = typo[5] == 'x' ? 'y' : 'x';
  EXPECT_NE(error_of("stratum2+tcp://a:1/" + typo).find("bad checksum"), std::string::npos);
  EXPECT_NE(error_of("stratum2+tcp://a:1/" + key + "#xnsub").find("Stratum V1's"),
            std::string::npos);
  EXPECT_NE(error_of("stratum+tcp://a:1/" + key).find("is not 1..65535"), std::string::npos);
  // Schemes are case-insensitive; no port means SRI's 34254; IPv6 prints in brackets.
  EXPECT_TRUE(ParsePoolUrl("STRATUM2+TCP://a:1/" + key)->sv2);
  EXPECT_EQ(ParsePoolUrl("stratum2+tcp://a/" + key)->port, kDefaultSv2Port);
  EXPECT_EQ(ParsePoolUrl("stratum2+tcp://[::1]:9/" + key)->ToString(),
            "stratum2+tcp://[::1]:9/" + key);
}

// As `openssl x509 -fingerprint -sha256` prints it, or plain hex of either case.
TEST(PoolUrlTest, CertificateFingerprintsWithOrWithoutColons) {
  const std::string hex = "00112233445566778899AABBCCDDEEFF0123456789abcdefFEDCBA9876543210";
  std::string colons;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    colons.append(i > 0 ? ":" : "").append(hex, i, 2);
  }
  const auto plain = ParseCertificateFingerprint(hex);
  ASSERT_TRUE(plain.ok()) << plain.error().message();
  EXPECT_EQ((*plain)[0], 0x00);
  EXPECT_EQ((*plain)[5], 0x55);
  EXPECT_EQ((*plain)[10], 0xAA);
  EXPECT_EQ((*plain)[31], 0x10);
  EXPECT_EQ(*ParseCertificateFingerprint(colons), *plain);
  std::vector<std::string> bads = {"", hex.substr(2), hex, hex.substr(1), "SHA256 Fingerprint="};
  bads[2].append("00");
  bads[3].append("g");
  bads[4].append(colons);
  for (const std::string& bad : bads) {
    const auto parsed = ParseCertificateFingerprint(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_NE(parsed.error().message().find("64 hex digits"), std::string::npos);
  }
}

}  // namespace
}  // namespace hashrig::pool
