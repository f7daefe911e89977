// The I/O-free Stratum client session, driven line by line with a fake clock: the real
// captures replayed, then every quirk of section 1.6 of the ecosystem notes.
#include "hashrig/pool/session.h"

#include <string>

#include <gtest/gtest.h>

#include "hashrig/base/hex.h"
#include "support/shared_data.h"

namespace hashrig::pool {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using testing::ReadJson;

const Clock::time_point kT0{};

template <typename E>
std::vector<E> EventsOf(const std::vector<Event>& events) {
  std::vector<E> out;
  for (const Event& e : events) {
    if (const auto* x = std::get_if<E>(&e)) {
      out.push_back(*x);
    }
  }
  return out;
}

std::vector<json> Parsed(const std::vector<std::string>& lines) {
  std::vector<json> out;
  for (const auto& line : lines) {
    EXPECT_EQ(line.back(), '\n');
    out.push_back(json::parse(line));
  }
  return out;
}

// A session past the handshake, with a job whose difficulty is tiny unless set.
struct Harness {
  explicit Harness(SessionConfig config = Config()) : session(std::move(config), kT0) {
    requests = Parsed(session.TakeOutgoing());
  }
  static SessionConfig Config() {
    SessionConfig c;
    c.user = "wallet.worker";
    c.host = "pool.example.com";
    return c;
  }
  void Feed(const std::string& line, Clock::time_point at = kT0) {
    session.OnLine(line, at);
    auto e = session.TakeEvents();
    events.insert(events.end(), e.begin(), e.end());
  }
  void Handshake(const std::string& mask = "1fffe000", int en2_size = 4) {
    Feed(R"({"id":1,"result":{"version-rolling":true,"version-rolling.mask":")" + mask +
         R"("},"error":null})");
    Feed(R"({"id":2,"result":[[["mining.notify","s1"]],"4128064f",)" + std::to_string(en2_size) +
         R"(],"error":null})");
    Feed(R"({"id":3,"result":true,"error":null})");
    // Below 2^-16 every hash meets the target: shares are judged only by the rules.
    Feed(R"({"id":null,"method":"mining.set_difficulty","params":[1e-12]})");
  }
  void Notify(const std::string& job_id, bool clean, const std::string& prev = kPrev) {
    Feed(R"({"id":null,"method":"mining.notify","params":[")" + job_id + R"(",")" + prev +
         R"(","01000000","ffffffff",[],"20000000","1d00ffff","504e86b9",)" +
         (clean ? "true" : "false") + "]}");
  }
  std::shared_ptr<const Job> LastJob() const {
    auto jobs = EventsOf<event::NewJob>(events);
    return jobs.empty() ? nullptr : jobs.back().job;
  }
  Share ShareOn(const std::string& job_id, std::uint32_t nonce) const {
    return Share{job_id, {0, 0, 0, 1}, 0x504e86b9, nonce, 0x20000000};
  }

  static inline const std::string kPrev = std::string(64, '1');
  ClientSession session;
  std::vector<json> requests;
  std::vector<Event> events;
};

TEST(SessionTest, HandshakeIsPipelinedInTheOrderRealMinersUse) {
  SessionConfig config = Harness::Config();
  config.suggest_difficulty = sha256::Difficulty::From(512);
  config.extranonce_subscribe = true;
  config.resume_session_id = "abc";
  Harness h(config);
  ASSERT_EQ(h.requests.size(), 5u);
  EXPECT_EQ(h.requests[0]["method"], "mining.configure");
  EXPECT_EQ(h.requests[0]["params"][1]["version-rolling.mask"], "1fffe000");
  EXPECT_EQ(h.requests[1]["method"], "mining.subscribe");
  EXPECT_EQ(h.requests[1]["params"], json::array({kUserAgent, "abc"}));
  EXPECT_EQ(h.requests[2]["method"], "mining.authorize");
  EXPECT_EQ(h.requests[2]["params"], json::array({"wallet.worker", "x"}));
  EXPECT_EQ(h.requests[3]["method"], "mining.suggest_difficulty");
  EXPECT_EQ(h.requests[4]["method"], "mining.extranonce.subscribe");
  for (std::size_t i = 0; i < h.requests.size(); ++i) {
    EXPECT_EQ(h.requests[i]["id"], i + 1);
  }
}

TEST(SessionTest, ReplaysTheSlushDocsSessionAndSubmitsItsShareExactly) {
  const auto capture = ReadJson("stratum/slush_docs_testnet3_block25096.json");
  const auto& lines = capture["lines_in_order"];
  SessionConfig config;
  config.user = "slush.miner1";
  config.password = "password";
  config.version_mask = 0;  // the 2012 session had no version rolling
  ClientSession session(config, kT0);
  auto sent = Parsed(session.TakeOutgoing());
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0]["method"], json::parse(lines[0].get<std::string>())["method"]);
  EXPECT_EQ(sent[1]["params"], json::parse(lines[2].get<std::string>())["params"]);
  session.OnLine(lines[1].get<std::string>(), kT0);
  session.OnLine(lines[3].get<std::string>(), kT0);
  session.OnLine(lines[4].get<std::string>(), kT0);
  auto jobs = EventsOf<event::NewJob>(session.TakeEvents());
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_TRUE(session.authorized());

  const auto submit = json::parse(lines[5].get<std::string>());
  const auto& p = submit["params"];
  Share share{p[1], testing::FromHex(p[2].get<std::string>()), *ParseHex32(p[3].get<std::string>()),
              *ParseHex32(p[4].get<std::string>()), jobs[0].job->notify.version};
  auto outcome = session.Submit(share, kT0 + 10ms);
  ASSERT_EQ(outcome.status, SubmitStatus::kSent) << outcome.detail;
  EXPECT_NEAR(outcome.value.difficulty.value(), capture["expected"]["share_difficulty"], 1e-12);
  auto out = Parsed(session.TakeOutgoing());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]["params"], p);
  EXPECT_EQ(out[0]["method"], "mining.submit");

  session.OnLine(R"({"error": null, "id": )" + out[0]["id"].dump() + R"(, "result": true})",
                 kT0 + 73ms);
  auto results = EventsOf<event::ShareResult>(session.TakeEvents());
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].accepted);
  EXPECT_EQ(results[0].latency, 63ms);
}

TEST(SessionTest, ReplaysTheMujinaBitaxeCaptureWithVersionRolling) {
  const auto c = ReadJson("stratum/mujina_bitaxe_gamma_capture_2025-06-19.json");
  SessionConfig config;
  config.user = c["submit"]["params"][0];
  ClientSession session(config, kT0);
  (void)session.TakeOutgoing();
  session.OnLine(R"({"id":1,"result":{"version-rolling":true,"version-rolling.mask":"1fffe000"}})",
                 kT0);
  session.OnLine(json{{"id", 2},
                      {"result",
                       {json::array(), c["subscribe_result"]["extranonce1"],
                        c["subscribe_result"]["extranonce2_size"]}},
                      {"error", nullptr}}
                     .dump(),
                 kT0);
  session.OnLine(R"({"id":3,"result":true,"error":null})", kT0);
  session.OnLine(json{{"id", nullptr},
                      {"method", "mining.set_difficulty"},
                      {"params", {c["pool_share_difficulty"]}}}
                     .dump(),
                 kT0);
  session.OnLine(c["notify"].dump(), kT0);
  auto jobs = EventsOf<event::NewJob>(session.TakeEvents());
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].job->difficulty.value(), 8192);
  EXPECT_EQ(jobs[0].job->version_mask, 0x1fffe000u);

  const auto& p = c["submit"]["params"];
  Share share{p[1], testing::FromHex(p[2].get<std::string>()), *ParseHex32(p[3].get<std::string>()),
              *ParseHex32(p[4].get<std::string>()),
              *ParseHex32(c["expected"]["version_hex"].get<std::string>())};
  auto outcome = session.Submit(share, kT0);
  ASSERT_EQ(outcome.status, SubmitStatus::kSent) << outcome.detail;
  EXPECT_NEAR(outcome.value.difficulty.value(), c["expected"]["share_difficulty"], 1e-6);
  auto out = Parsed(session.TakeOutgoing());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]["params"], p);
}

TEST(SessionTest, PoolMaskIsAndedWithOurs) {
  Harness h;
  h.Handshake("5fffe000");  // AntPool answered more bits than asked
  auto rolling = EventsOf<event::VersionRolling>(h.events);
  ASSERT_FALSE(rolling.empty());
  EXPECT_EQ(rolling.back().mask, 0x1fffe000u);
  EXPECT_EQ(h.session.version_mask(), 0x1fffe000u);
}

TEST(SessionTest, ConfigureRefusedMinesWithTheFixedVersion) {
  Harness h;
  h.Feed(R"({"id":1,"result":null,"error":[20,"Unknown method",null]})");
  h.Feed(R"({"id":2,"result":[[],"4128064f",4],"error":null})");
  h.Feed(R"({"id":3,"result":true,"error":null})");
  h.Feed(R"({"id":null,"method":"mining.set_difficulty","params":[1e-12]})");
  h.Notify("j1", true);
  ASSERT_NE(h.LastJob(), nullptr);
  EXPECT_EQ(h.LastJob()->version_mask, 0u);
  h.Feed(R"({"id":null,"method":"mining.set_version_mask","params":["1fffe000"]})");
  EXPECT_EQ(h.session.version_mask(), 0u);
  Share rolled = h.ShareOn("j1", 1);
  rolled.version |= 0x2000;
  EXPECT_EQ(h.session.Submit(rolled, kT0).status, SubmitStatus::kInvalid);
  ASSERT_EQ(h.session.Submit(h.ShareOn("j1", 1), kT0).status, SubmitStatus::kSent);
  auto out = Parsed(h.session.TakeOutgoing());
  EXPECT_EQ(out.back()["params"].size(), 5u);
}

TEST(SessionTest, VersionMaskBeforeSubscribeResultAndMidJobTakesEffectAtOnce) {
  Harness h;
  h.Feed(R"({"id":1,"result":{"version-rolling":true,"version-rolling.mask":"1fffe000"}})");
  h.Feed(R"({"id":null,"method":"mining.set_version_mask","params":["00ffe000"]})");  // Braiins
  h.Feed(R"({"id":2,"result":[[],"4128064f",4],"error":null})");
  h.Feed(R"({"id":3,"result":true,"error":null})");
  h.Feed(R"({"id":null,"method":"mining.set_difficulty","params":[1e-12]})");
  h.Notify("j1", true);
  EXPECT_EQ(h.LastJob()->version_mask, 0x00ffe000u);
  h.Feed(R"({"id":null,"method":"mining.set_version_mask","params":["1e000000"]})");
  EXPECT_EQ(h.LastJob()->notify.job_id, "j1");  // the current job, re-issued
  EXPECT_EQ(h.LastJob()->version_mask, 0x1e000000u);
  Share old_bits = h.ShareOn("j1", 1);
  old_bits.version |= 0x2000;
  EXPECT_EQ(h.session.Submit(old_bits, kT0).status, SubmitStatus::kInvalid);
  Share new_bits = h.ShareOn("j1", 1);
  new_bits.version |= 0x02000000;
  EXPECT_EQ(h.session.Submit(new_bits, kT0).status, SubmitStatus::kSent);
}

TEST(SessionTest, SetDifficultyAppliesFromTheNextNotify) {
  Harness h;
  h.Handshake();  // ends with set_difficulty 1e-12
  h.Notify("j1", true);
  h.Feed(R"({"id":null,"method":"mining.set_difficulty","params":[1e15]})");
  EXPECT_EQ(h.LastJob()->difficulty.value(), 1e-12);
  // Still judged by j1's own difficulty.
  EXPECT_EQ(h.session.Submit(h.ShareOn("j1", 5), kT0).status, SubmitStatus::kSent);
  h.Notify("j2", false);
  EXPECT_EQ(h.LastJob()->difficulty.value(), 1e15);
  EXPECT_EQ(h.session.Submit(h.ShareOn("j2", 5), kT0).status, SubmitStatus::kLowDifficulty);
  // A later lowering never re-judges j2.
  h.Feed(R"({"id":null,"method":"mining.set_difficulty","params":[1e-12]})");
  EXPECT_EQ(h.session.Submit(h.ShareOn("j2", 5), kT0).status, SubmitStatus::kLowDifficulty);
  EXPECT_EQ(h.session.Submit(h.ShareOn("j1", 6), kT0).status, SubmitStatus::kSent);
}

TEST(SessionTest, DuplicatesAreNeverSubmittedTwice) {
  Harness h;
  h.Handshake();  // ends with set_difficulty 1e-12
  h.Notify("j1", true);
  EXPECT_EQ(h.session.Submit(h.ShareOn("j1", 9), kT0).status, SubmitStatus::kSent);
  EXPECT_EQ(h.session.Submit(h.ShareOn("j1", 9), kT0).status, SubmitStatus::kDuplicate);
  // set_difficulty + notify clean_jobs=false (ESP-Miner #1587): still a duplicate.
  h.Feed(R"({"id":null,"method":"mining.set_difficulty","params":[2e-12]})");
  h.Notify("j2", false);
  EXPECT_EQ(h.session.Submit(h.ShareOn("j1", 9), kT0).status, SubmitStatus::kDuplicate);
  EXPECT_EQ(h.session.Submit(h.ShareOn("j2", 9), kT0).status, SubmitStatus::kSent);
  EXPECT_EQ(Parsed(h.session.TakeOutgoing()).size(), 2u);
}

TEST(SessionTest, CleanJobsAndNewPrevhashMakeOldJobsStale) {
  Harness h;
  h.Handshake();  // ends with set_difficulty 1e-12
  h.Notify("j1", true);
  h.Notify("j2", false);
  EXPECT_FALSE(EventsOf<event::NewJob>(h.events).back().clean);
  h.Notify("j3", true);
  EXPECT_TRUE(EventsOf<event::NewJob>(h.events).back().clean);
  EXPECT_EQ(h.session.Submit(h.ShareOn("j1", 1), kT0).status, SubmitStatus::kStale);
  EXPECT_EQ(h.session.Submit(h.ShareOn("j2", 1), kT0).status, SubmitStatus::kStale);
  EXPECT_EQ(h.session.Submit(h.ShareOn("j3", 1), kT0).status, SubmitStatus::kSent);
  h.Notify("j4", false, std::string(64, '2'));  // new block, flag forgotten
  EXPECT_TRUE(EventsOf<event::NewJob>(h.events).back().clean);
  EXPECT_EQ(h.session.Submit(h.ShareOn("j3", 2), kT0).status, SubmitStatus::kStale);
  EXPECT_EQ(h.session.Submit(h.ShareOn("nope", 2), kT0).status, SubmitStatus::kUnknownJob);
}

TEST(SessionTest, OldJobsAreForgottenAfterSixteen) {
  Harness h;
  h.Handshake();
  for (int i = 0; i < 20; ++i) {
    std::string job_id = "j";  // not "j" + to_string(i): GCC 12 -Wrestrict false positive
    job_id += std::to_string(i);
    h.Notify(job_id, false);
  }
  EXPECT_EQ(h.session.Submit(h.ShareOn("j3", 1), kT0).status, SubmitStatus::kUnknownJob);
}

TEST(SessionTest, ResponsesInAnyOrderWithAnyIdTypeAndEveryErrorShape) {
  Harness h;
  h.Handshake();  // ends with set_difficulty 1e-12
  h.Notify("j1", true);
  std::vector<std::uint64_t> ids;
  for (std::uint32_t n = 0; n < 5; ++n) {
    ids.push_back(h.session.Submit(h.ShareOn("j1", n), kT0).id);
  }
  h.Feed(R"({"id":)" + std::to_string(ids[4]) + R"(,"result":true})", kT0 + 1ms);
  h.Feed(R"({"id":")" + std::to_string(ids[2]) +
         R"(","result":null,"error":[23,"Low difficulty share",null]})");
  h.Feed(R"({"id":)" + std::to_string(ids[0]) + R"(,"result":false,"error":"Stale"})");
  h.Feed(R"({"id":)" + std::to_string(ids[1]) +
         R"(,"result":null,"error":{"code":21,"message":"Job not found"}})");
  h.Feed(R"({"id":)" + std::to_string(ids[3]) + R"(,"result":false,"reject-reason":"Dup"})");
  h.Feed(R"({"id":999,"result":true})");  // not ours: a warning, nothing else
  auto results = EventsOf<event::ShareResult>(h.events);
  ASSERT_EQ(results.size(), 5u);
  EXPECT_TRUE(results[0].accepted);
  EXPECT_EQ(results[0].share.nonce, 4u);
  EXPECT_EQ(results[1].reason, "Low difficulty share");
  EXPECT_EQ(results[1].code, 23);
  EXPECT_EQ(results[2].reason, "Stale");
  EXPECT_EQ(results[3].reason, "Job not found");
  EXPECT_EQ(results[3].code, 21);
  EXPECT_EQ(results[4].reason, "Dup");
  EXPECT_EQ(h.session.pending_requests(), 0u);
}

TEST(SessionTest, UnansweredRequestsTimeOut) {
  Harness h;
  h.Handshake();  // ends with set_difficulty 1e-12
  h.Notify("j1", true);
  ASSERT_EQ(h.session.Submit(h.ShareOn("j1", 1), kT0).status, SubmitStatus::kSent);
  h.session.OnTime(kT0 + 29s);
  EXPECT_TRUE(h.session.TakeEvents().empty());
  h.session.OnTime(kT0 + 31s);
  auto results = EventsOf<event::ShareResult>(h.session.TakeEvents());
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].timed_out);
  EXPECT_FALSE(results[0].accepted);
}

// Issue 13, point 7: a black-holed connection (open, nothing passes either way) was waited
// on until the no-work watchdog, 180 s. A share unanswered by a pool that sent nothing at
// all for the request timeout now fails the session (the client reconnects); a pool that
// still talks while a share goes unanswered is only slow.
TEST(SessionTest, ASilentPoolWithAShareUnansweredFailsTheSession) {
  Harness h;
  h.Handshake();
  h.Notify("j1", true);
  ASSERT_EQ(h.session.Submit(h.ShareOn("j1", 1), kT0).status, SubmitStatus::kSent);
  h.Notify("j2", false);
  h.session.OnLine("", kT0 + 20s);  // a keepalive: the pool is there
  h.session.OnTime(kT0 + 31s);
  auto events = h.session.TakeEvents();
  EXPECT_EQ(EventsOf<event::ShareResult>(events).size(), 1u);
  EXPECT_TRUE(EventsOf<event::Failed>(events).empty());
  ASSERT_EQ(h.session.Submit(h.ShareOn("j2", 2), kT0 + 31s).status, SubmitStatus::kSent);
  h.session.OnTime(kT0 + 60s);  // silent for 40 s, the share waited 29: not yet
  EXPECT_TRUE(h.session.TakeEvents().empty());
  h.session.OnTime(kT0 + 62s);
  events = h.session.TakeEvents();
  EXPECT_EQ(EventsOf<event::ShareResult>(events).size(), 1u);
  const auto failed = EventsOf<event::Failed>(events);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_NE(failed[0].reason.find("pool silent for 42 s"), std::string::npos) << failed[0].reason;
}

// Issue 13, point 3: an answer after the deadline was logged "response to no request of
// ours" and the share stayed lost; it now comes as a late result with the pool's verdict.
TEST(SessionTest, AnAnswerAfterTheDeadlineStillCounts) {
  Harness h;
  h.Handshake();
  h.Notify("j1", true);
  const auto sent = h.session.Submit(h.ShareOn("j1", 1), kT0);
  const auto other = h.session.Submit(h.ShareOn("j1", 2), kT0);
  h.session.OnTime(kT0 + 31s);
  ASSERT_EQ(EventsOf<event::ShareResult>(h.session.TakeEvents()).size(), 2u);
  h.events.clear();
  h.Feed(R"({"id":)" + std::to_string(sent.id) + R"(,"result":true,"error":null})", kT0 + 35s);
  h.Feed(R"({"id":)" + std::to_string(other.id) + R"(,"result":null,"error":[23,"Low",null]})",
         kT0 + 36s);
  const auto late = EventsOf<event::ShareResult>(h.events);
  ASSERT_EQ(late.size(), 2u);
  EXPECT_TRUE(late[0].late);
  EXPECT_TRUE(late[0].accepted);
  EXPECT_EQ(late[0].latency, std::chrono::microseconds(35s));
  EXPECT_TRUE(late[1].late);
  EXPECT_FALSE(late[1].accepted);
  EXPECT_EQ(late[1].reason, "Low");
  EXPECT_TRUE(EventsOf<event::Notice>(h.events).empty());  // not "no request of ours"
  // Kept for late_answer_window only: then it is no request of ours.
  const auto third = h.session.Submit(h.ShareOn("j1", 3), kT0 + 36s);
  h.session.OnTime(kT0 + 67s);
  h.session.OnTime(kT0 + 36s + 601s + 31s);
  (void)h.session.TakeEvents();  // its timeout
  h.events.clear();
  h.Feed(R"({"id":)" + std::to_string(third.id) + R"(,"result":true})", kT0 + 700s);
  EXPECT_TRUE(EventsOf<event::ShareResult>(h.events).empty());
  EXPECT_EQ(EventsOf<event::Notice>(h.events).size(), 1u);
}

// Issue 13, point 1: at a pool difficulty of 1e-8 a CPU board found ~100,000 shares a
// second and every one was sent at once (2 GB, a minute to stop). At most max_in_flight
// go unanswered; max_queued wait behind them; the rest are refused (the miner counts them
// discarded); queued shares of a replaced job are never sent (stale, counted here).
TEST(SessionTest, SubmitsInFlightAreCappedAndQueuedOnesOfReplacedJobsNeverSent) {
  SessionConfig config = Harness::Config();
  config.max_in_flight = 4;
  config.max_queued = 3;
  Harness h(config);
  h.Handshake();
  h.Notify("j1", true);
  (void)h.session.TakeOutgoing();
  std::vector<SubmitStatus> statuses;
  for (std::uint32_t n = 0; n < 8; ++n) {
    statuses.push_back(h.session.Submit(h.ShareOn("j1", n), kT0).status);
  }
  const std::vector<SubmitStatus> expected = {SubmitStatus::kSent,   SubmitStatus::kSent,
                                              SubmitStatus::kSent,   SubmitStatus::kSent,
                                              SubmitStatus::kQueued, SubmitStatus::kQueued,
                                              SubmitStatus::kQueued, SubmitStatus::kQueueFull};
  EXPECT_EQ(statuses, expected);
  auto sent = Parsed(h.session.TakeOutgoing());
  ASSERT_EQ(sent.size(), 4u);
  // A refused share was never sent: it is no duplicate when found again.
  EXPECT_EQ(h.session.Submit(h.ShareOn("j1", 7), kT0).status, SubmitStatus::kQueueFull);
  // An answer makes room: the oldest queued share goes.
  h.Feed(R"({"id":)" + sent[0]["id"].dump() + R"(,"result":true})", kT0 + 1ms);
  auto next = Parsed(h.session.TakeOutgoing());
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0]["params"][4], "00000004");  // nonce 4
  EXPECT_EQ(h.session.queued_submits(), 2u);
  // A clean job: the two still queued are dropped as stale, not sent.
  h.Notify("j2", true);
  const auto results = EventsOf<event::ShareResult>(h.events);
  ASSERT_EQ(results.size(), 3u);
  for (std::size_t i = 1; i < 3; ++i) {
    EXPECT_TRUE(results[i].unsent);
    EXPECT_TRUE(results[i].stale);
    EXPECT_EQ(results[i].share.nonce, 4 + i);
  }
  EXPECT_EQ(h.session.queued_submits(), 0u);
  EXPECT_TRUE(h.session.TakeOutgoing().empty());
}

// Issue 13, point 2: a session resumed with the same extranonce1 takes the last
// session's jobs, so a share found while no pool was connected can still be sent there
// (once: its duplicate filter comes too); a fresh session does not know them.
TEST(SessionTest, AResumedSessionKeepsTheJobsOfTheLastOne) {
  Harness first;
  first.Handshake();
  first.Notify("j1", true);
  ASSERT_EQ(first.session.Submit(first.ShareOn("j1", 1), kT0).status, SubmitStatus::kSent);
  SessionConfig config = Harness::Config();
  config.resume_session_id = "s1";
  config.resume_jobs = first.session.jobs_for_resume();
  Harness resumed(config);
  resumed.Handshake();  // the pool answers session "s1", extranonce1 4128064f
  ASSERT_TRUE(EventsOf<event::Subscribed>(resumed.events).at(0).resumed);
  EXPECT_EQ(resumed.session.Submit(resumed.ShareOn("j1", 2), kT0).status, SubmitStatus::kSent);
  EXPECT_EQ(resumed.session.Submit(resumed.ShareOn("j1", 1), kT0).status, SubmitStatus::kDuplicate);
  // A connection that never got work (refused, or dropped during the handshake) has no
  // jobs to pass on: the client keeps the last session's.
  EXPECT_EQ(Harness().session.jobs_for_resume(), nullptr);
  config.resume_session_id = "other";
  Harness fresh(config);
  fresh.Handshake();
  EXPECT_EQ(fresh.session.Submit(fresh.ShareOn("j1", 2), kT0).status, SubmitStatus::kUnknownJob);
}

TEST(SessionTest, HandshakeTimeoutOrRefusalFailsTheSession) {
  Harness silent;
  silent.session.OnTime(kT0 + 31s);
  auto events = silent.session.TakeEvents();
  EXPECT_FALSE(EventsOf<event::Failed>(events).empty());
  EXPECT_EQ(EventsOf<event::VersionRolling>(events).size(), 0u);  // mask was already 0

  Harness refused;
  refused.Feed(R"({"id":2,"result":[[],"4128064f",4],"error":null})");
  refused.Feed(R"({"id":3,"result":false,"error":[24,"Unauthorized worker",null]})");
  auto failed = EventsOf<event::Failed>(refused.events);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_TRUE(failed[0].authorization);
  EXPECT_NE(failed[0].reason.find("Unauthorized worker"), std::string::npos);
  EXPECT_EQ(refused.session.Submit(refused.ShareOn("j", 1), kT0).status, SubmitStatus::kNotReady);
}

TEST(SessionTest, ResumeRefusedSubscribesAfresh) {
  SessionConfig config = Harness::Config();
  config.resume_session_id = "old";
  Harness h(config);
  h.Feed(R"({"id":2,"result":null,"error":[25,"Not subscribed",null]})");
  auto out = Parsed(h.session.TakeOutgoing());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]["method"], "mining.subscribe");
  EXPECT_EQ(out[0]["params"], json::array({kUserAgent}));
  h.Feed(R"({"id":)" + out[0]["id"].dump() + R"(,"result":[[["mining.notify","new"]],"00",2]})");
  auto subscribed = EventsOf<event::Subscribed>(h.events);
  ASSERT_EQ(subscribed.size(), 1u);
  EXPECT_FALSE(subscribed[0].resumed);
  EXPECT_EQ(h.session.session_id(), "new");
}

TEST(SessionTest, SetExtranonceAppliesToTheNextJob) {
  Harness h;
  h.Handshake();
  h.Notify("j1", true);
  h.Feed(R"({"id":null,"method":"mining.set_extranonce","params":["aabbccdd",2]})");
  EXPECT_EQ(EncodeHex(h.LastJob()->extranonce1), "4128064f");
  h.Notify("j2", true);
  EXPECT_EQ(EncodeHex(h.LastJob()->extranonce1), "aabbccdd");
  EXPECT_EQ(h.LastJob()->extranonce2_size, 2u);
}

TEST(SessionTest, EarlyNotifyIsKeptUntilSubscribed) {
  Harness h;
  h.Notify("early", true);
  EXPECT_EQ(h.LastJob(), nullptr);
  h.Feed(R"({"id":2,"result":[[],"4128064f",4],"error":null})");
  ASSERT_NE(h.LastJob(), nullptr);
  EXPECT_EQ(h.LastJob()->notify.job_id, "early");
}

TEST(SessionTest, ReconnectOnlyWithinThePoolsDomain) {
  Harness h;
  h.Feed(R"({"id":null,"method":"client.reconnect","params":["example.com.evil.net",3334,0]})");
  h.Feed(R"({"id":null,"method":"client.reconnect","params":["stratum.example.com","3335",2]})");
  h.Feed(R"({"id":null,"method":"client.reconnect","params":[]})");
  auto reconnects = EventsOf<event::Reconnect>(h.events);
  ASSERT_EQ(reconnects.size(), 2u);
  EXPECT_EQ(reconnects[0].host, "stratum.example.com");
  EXPECT_EQ(reconnects[0].port, 3335);
  EXPECT_EQ(reconnects[0].wait, 2s);
  EXPECT_EQ(reconnects[1].host, "");
}

TEST(SessionTest, AnswersPingAndGetVersionWithThePoolsId) {
  Harness h;
  h.Feed(R"({"id":"v1","method":"client.get_version","params":[]})");
  h.Feed(R"({"id":77,"method":"mining.ping","params":[]})");
  h.Feed(R"({"id":78,"method":"mining.capabilities","params":[]})");
  h.Feed(R"({"id":null,"method":"client.show_message","params":["maintenance at noon"]})");
  auto out = Parsed(h.session.TakeOutgoing());
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0]["id"], "v1");
  EXPECT_EQ(out[0]["result"], kUserAgent);
  EXPECT_EQ(out[1]["id"], 77);
  EXPECT_EQ(out[1]["result"], "pong");
  EXPECT_EQ(out[2]["error"][0], 20);
  bool shown = false;
  for (const auto& n : EventsOf<event::Notice>(h.events)) {
    shown |= n.text.find("maintenance at noon") != std::string::npos;
  }
  EXPECT_TRUE(shown);
}

TEST(SessionTest, GarbageIsReportedAndTheSessionGoesOn) {
  Harness h;
  h.Handshake();
  h.Notify("j1", true);
  for (const char* line : {"garbage", "{\"id\":", "[]", "\r", "",
                           R"({"id":null,"method":"mining.notify","params":["j2"]})",
                           R"({"id":null,"method":"mining.set_difficulty","params":["x"]})"}) {
    h.Feed(line);
  }
  std::size_t errors = 0;
  for (const auto& n : EventsOf<event::Notice>(h.events)) {
    errors += n.severity == Severity::kError ? 1 : 0;
  }
  EXPECT_EQ(errors, 5u);
  EXPECT_EQ(h.LastJob()->notify.job_id, "j1");
  h.Notify("j3", false);
  EXPECT_EQ(h.LastJob()->notify.job_id, "j3");
}

}  // namespace
}  // namespace hashrig::pool
