// The miner's Stratum V2 session, I/O-free: what it sends, the events it gives the host
// for every pool message, and how each share's answer is matched (batched Success,
// Error by sequence number, timeouts, disconnects).
#include <gtest/gtest.h>

#include "hashrig/pool/sv2/client.h"
#include "pool/sv2_frames.h"

namespace hashrig::pool::sv2 {
namespace {

using namespace std::chrono_literals;

template <typename M>
std::vector<M> Sent(ClientSession& s) {
  std::vector<M> out;
  for (const Bytes& f : s.TakeOutgoing()) {
    const std::span<const std::uint8_t> bytes(f);
    const auto h = FrameHeader::Decode(bytes.first<FrameHeader::kSize>());
    auto m = DecodeMessage(h, bytes.subspan(FrameHeader::kSize));
    EXPECT_TRUE(m);
    if (m && std::holds_alternative<M>(*m)) {
      out.push_back(std::get<M>(*m));
    }
  }
  return out;
}

template <typename E>
std::vector<E> Of(const std::vector<Event>& events) {
  std::vector<E> out;
  for (const auto& e : events) {
    if (const auto* x = std::get_if<E>(&e)) {
      out.push_back(*x);
    }
  }
  return out;
}

class Sv2ClientTest : public ::testing::Test {
 protected:
  Sv2ClientTest() : session_(Config(), t0_) {}

  static SessionConfig Config() {
    SessionConfig c;
    c.user = "tester.rig1";
    c.host = "pool.example.com";
    c.request_timeout = 30s;
    return c;
  }

  void Feed(const Bytes& frame) { session_.OnFrame(frame, now_); }

  // Setup and an open channel 7 with prefix 01020304 and 4 bytes to roll.
  void Open() {
    Feed(Framed(SetupConnectionSuccess{2, 0}));
    const auto open = Sent<OpenExtendedMiningChannel>(session_);
    ASSERT_EQ(open.size(), 1u);
    OpenExtendedMiningChannelSuccess ok;
    ok.request_id = open[0].request_id;
    ok.channel_id = 7;
    ok.target = sha256::Difficulty::From(0.5)->ToTarget().bytes();
    ok.extranonce_size = 4;
    ok.extranonce_prefix = {1, 2, 3, 4};
    Feed(Framed(ok));
  }

  NewExtendedMiningJob Job(std::uint32_t id, std::optional<std::uint32_t> min_ntime) {
    NewExtendedMiningJob j;
    j.channel_id = 7;
    j.job_id = id;
    j.min_ntime = min_ntime;
    j.version = 0x20000000;
    j.version_rolling_allowed = true;
    j.coinbase_tx_prefix = {0xaa, 0xbb};
    j.coinbase_tx_suffix = {0xcc};
    j.merkle_path.resize(2);
    return j;
  }

  SetNewPrevHash Prev(std::uint32_t job_id, std::uint8_t tag) {
    SetNewPrevHash p;
    p.channel_id = 7;
    p.job_id = job_id;
    p.prev_hash.fill(tag);
    p.min_ntime = 1'700'000'000;
    p.nbits = 0x1d00ffff;
    return p;
  }

  SubmitOutcome Submit(const std::string& job_id, std::uint32_t nonce, std::size_t en_size = 4) {
    ShareValue value;  // a zero hash meets every target
    return session_.Submit(Share{job_id, Bytes(en_size, 0), 1'700'000'000, nonce, 0x20000000},
                           value, now_);
  }

  Clock::time_point t0_{};
  Clock::time_point now_{};
  ClientSession session_;
};

TEST_F(Sv2ClientTest, SetsUpOpensAChannelAndTurnsJobsIntoV1Jobs) {
  const auto setup = Sent<SetupConnection>(session_);
  ASSERT_EQ(setup.size(), 1u);
  EXPECT_EQ(setup[0].protocol, 0);
  EXPECT_EQ(setup[0].min_version, 2);
  EXPECT_EQ(setup[0].max_version, 2);
  EXPECT_EQ(setup[0].flags, kRequiresVersionRolling);
  EXPECT_EQ(setup[0].endpoint_host, "pool.example.com");
  EXPECT_FALSE(session_.authorized());
  Feed(Framed(SetupConnectionSuccess{2, 0}));
  const auto open = Sent<OpenExtendedMiningChannel>(session_);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].user_identity, "tester.rig1");
  EXPECT_EQ(open[0].min_extranonce_size, ClientSession::kMinExtranonceSize);
  OpenExtendedMiningChannelSuccess ok;
  ok.channel_id = 7;
  ok.target = sha256::Difficulty::From(0.5)->ToTarget().bytes();
  ok.extranonce_size = 4;
  ok.extranonce_prefix = {1, 2, 3, 4};
  Feed(Framed(ok));
  auto events = session_.TakeEvents();
  EXPECT_EQ(Of<event::Authorized>(events).size(), 1u);
  ASSERT_EQ(Of<event::DifficultySet>(events).size(), 1u);
  EXPECT_NEAR(Of<event::DifficultySet>(events)[0].difficulty.value(), 0.5, 1e-6);
  EXPECT_EQ(Of<event::VersionRolling>(events)[0].mask, kDefaultVersionMask & kVersionRollingMask);
  EXPECT_TRUE(session_.authorized());

  Feed(Framed(Job(1, std::nullopt)));  // future: nothing to mine yet
  EXPECT_TRUE(Of<event::NewJob>(session_.TakeEvents()).empty());
  Feed(Framed(Prev(1, 0x11)));
  auto jobs = Of<event::NewJob>(session_.TakeEvents());
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_TRUE(jobs[0].clean);
  const pool::Job& j = *jobs[0].job;
  EXPECT_EQ(j.notify.job_id, "1");
  EXPECT_EQ(j.notify.ntime, 1'700'000'000u);
  EXPECT_EQ(j.notify.nbits, 0x1d00ffffu);
  EXPECT_EQ(j.notify.prevhash[0], 0x11);
  EXPECT_EQ(j.notify.coinb1, (Bytes{0xaa, 0xbb}));
  EXPECT_EQ(j.notify.coinb2, (Bytes{0xcc}));
  EXPECT_EQ(j.notify.merkle_branch.size(), 2u);
  EXPECT_EQ(j.extranonce1, (Bytes{1, 2, 3, 4}));
  EXPECT_EQ(j.extranonce2_size, 4u);
  EXPECT_EQ(j.version_mask, kDefaultVersionMask & kVersionRollingMask);

  auto active = Job(2, 1'700'000'030);
  active.version_rolling_allowed = false;
  Feed(Framed(active));
  jobs = Of<event::NewJob>(session_.TakeEvents());
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_FALSE(jobs[0].clean);
  EXPECT_EQ(jobs[0].job->notify.ntime, 1'700'000'030u);
  EXPECT_EQ(jobs[0].job->version_mask, 0u);

  // SetTarget applies to shares from now on: the current job comes again with it.
  Feed(Framed(SetTarget{7, sha256::Difficulty::From(2.0)->ToTarget().bytes()}));
  events = session_.TakeEvents();
  jobs = Of<event::NewJob>(events);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_NEAR(jobs[0].job->difficulty.value(), 2.0, 1e-6);
  EXPECT_EQ(jobs[0].job->notify.job_id, "2");
}

TEST_F(Sv2ClientTest, APoolRequiringTheFixedVersionGetsNoRolledShares) {
  Feed(Framed(SetupConnectionSuccess{2, kRequiresFixedVersion}));
  (void)session_.TakeOutgoing();
  OpenExtendedMiningChannelSuccess ok;
  ok.channel_id = 7;
  ok.extranonce_size = 4;
  Feed(Framed(ok));
  Feed(Framed(Job(1, std::nullopt)));
  Feed(Framed(Prev(1, 0x11)));
  const auto events = session_.TakeEvents();
  EXPECT_EQ(Of<event::VersionRolling>(events).at(0).mask, 0u);
  EXPECT_EQ(Of<event::NewJob>(events).at(0).job->version_mask, 0u);
}

TEST_F(Sv2ClientTest, AnswersAreMatchedBySequenceNumber) {
  Open();
  Feed(Framed(Job(1, std::nullopt)));
  Feed(Framed(Prev(1, 0x11)));
  (void)session_.TakeEvents();
  (void)session_.TakeOutgoing();
  for (std::uint32_t nonce = 1; nonce <= 4; ++nonce) {
    const auto out = Submit("1", nonce);
    EXPECT_EQ(out.status, SubmitStatus::kSent);
    EXPECT_EQ(out.id, nonce);
  }
  const auto sent = Sent<SubmitSharesExtended>(session_);
  ASSERT_EQ(sent.size(), 4u);
  EXPECT_EQ(sent[2].sequence_number, 3u);
  EXPECT_EQ(sent[2].channel_id, 7u);
  EXPECT_EQ(sent[2].job_id, 1u);
  EXPECT_EQ(sent[2].nonce, 3u);
  EXPECT_EQ(session_.submits_in_flight(), 4u);

  // Share 2 is refused by name; then one Success covers 1 and 3 (batched), 4 waits.
  Feed(Framed(SubmitSharesError{7, 2, "difficulty-too-low"}));
  Feed(Framed(SubmitSharesSuccess{7, 3, 2, 2}));
  auto results = Of<event::ShareResult>(session_.TakeEvents());
  ASSERT_EQ(results.size(), 3u);
  EXPECT_FALSE(results[0].accepted);
  EXPECT_EQ(results[0].id, 2u);
  EXPECT_EQ(results[0].reason, "difficulty-too-low");
  EXPECT_TRUE(results[1].accepted);
  EXPECT_EQ(results[1].id, 1u);
  EXPECT_TRUE(results[2].accepted);
  EXPECT_EQ(results[2].id, 3u);
  EXPECT_EQ(session_.submits_in_flight(), 1u);

  // No answer within the request timeout: lost (timed out); a disconnect does the same.
  now_ += 31s;
  session_.OnTime(now_);
  results = Of<event::ShareResult>(session_.TakeEvents());
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].timed_out);
  EXPECT_EQ(results[0].id, 4u);
  EXPECT_EQ(Submit("1", 5).status, SubmitStatus::kSent);
  session_.OnDisconnect(now_);
  results = Of<event::ShareResult>(session_.TakeEvents());
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].timed_out);
}

TEST_F(Sv2ClientTest, SharesItWillNotSend) {
  EXPECT_EQ(Submit("1", 1).status, SubmitStatus::kNotReady);
  Open();
  Feed(Framed(Job(1, std::nullopt)));
  Feed(Framed(Prev(1, 0x11)));
  EXPECT_EQ(Submit("1", 1).status, SubmitStatus::kSent);
  EXPECT_EQ(Submit("1", 1).status, SubmitStatus::kDuplicate);
  EXPECT_EQ(Submit("1", 2, 3).status, SubmitStatus::kInvalid);
  EXPECT_EQ(Submit("99", 1).status, SubmitStatus::kUnknownJob);
  EXPECT_EQ(Submit("x1", 1).status, SubmitStatus::kUnknownJob);
  ShareValue high;
  high.hash.fill(0xff);
  EXPECT_EQ(
      session_.Submit(Share{"1", Bytes(4, 0), 1'700'000'000, 9, 0x20000000}, high, now_).status,
      SubmitStatus::kLowDifficulty);
  // A new prev hash retires job 1.
  Feed(Framed(Job(2, std::nullopt)));
  Feed(Framed(Prev(2, 0x22)));
  const auto old = Submit("1", 3);
  EXPECT_EQ(old.status, SubmitStatus::kStale);
  EXPECT_EQ(Submit("2", 3).status, SubmitStatus::kSent);
}

TEST_F(Sv2ClientTest, PoolMessagesThatEndOrMoveTheSession) {
  Feed(Framed(SetupConnectionError{0, "unsupported-feature-flags"}));
  auto failed = Of<event::Failed>(session_.TakeEvents());
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].reason, "pool refused the connection: unsupported-feature-flags");

  Feed(Framed(SetupConnectionSuccess{2, 0}));
  Feed(Framed(OpenMiningChannelError{1, "unknown-user"}));
  failed = Of<event::Failed>(session_.TakeEvents());
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_TRUE(failed[0].authorization);
  EXPECT_NE(failed[0].reason.find("unknown-user"), std::string::npos);

  (void)session_.TakeOutgoing();
  Open();
  (void)session_.TakeEvents();
  Feed(Framed(Reconnect{"pool2.example.com", 3336}));
  auto moves = Of<event::Reconnect>(session_.TakeEvents());
  ASSERT_EQ(moves.size(), 1u);
  EXPECT_EQ(moves[0].host, "pool2.example.com");
  EXPECT_EQ(moves[0].port, 3336);
  Feed(Framed(Reconnect{"", 0}));  // the current endpoint (PoolClient keeps it)
  moves = Of<event::Reconnect>(session_.TakeEvents());
  ASSERT_EQ(moves.size(), 1u);
  EXPECT_TRUE(moves[0].host.empty());

  // Another channel's messages and frames that do not decode are noted and ignored.
  auto other = Job(1, std::nullopt);
  other.channel_id = 8;
  Feed(Framed(other));
  Feed(Bytes{0, 0, 0x7f, 0, 0, 0});
  Feed(Bytes{1, 2});
  const auto events = session_.TakeEvents();
  const auto notes = Of<event::Notice>(events);
  ASSERT_EQ(notes.size(), 3u);
  EXPECT_NE(notes[0].text.find("for channel 8, not ours"), std::string::npos) << notes[0].text;
  EXPECT_NE(notes[1].text.find("unknown msg_type 0x7f"), std::string::npos);
  EXPECT_TRUE(Of<event::NewJob>(events).empty());

  Feed(Framed(CloseChannel{7, "maintenance"}));
  failed = Of<event::Failed>(session_.TakeEvents());
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].reason, "pool closed our channel: maintenance");
}

}  // namespace
}  // namespace hashrig::pool::sv2
