// The chain driver against the chain simulator in one process, clocked by a fake time:
// every model, chains of 1, 2, 6, 65 and 126 chips; jobs to nonces confirmed with
// OpenSSL; and each fault class, which the driver must survive or report.
#include "hashrig/hal/protocol/bm13xx/driver.h"

#include <algorithm>
#include <deque>
#include <optional>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "hashrig/hal/protocol/bm13xx/registers.h"
#include "hashrig/hal/protocol/bm13xx/work.h"
#include "hashrig/hal/sim/chain.h"
#include "hashrig/hal/sim/sim_registers.h"
#include "hashrig/sha256/sha256.h"
#include "hashrig/sha256/target.h"
#include "support/chain_params.h"
#include "support/shared_data.h"

namespace hashrig::hal {
namespace {

using protocol::Bm13xxDriver;
using protocol::ChainState;
using protocol::ChipModel;
using protocol::Micros;
using protocol::Operation;
using namespace std::chrono_literals;

// Difficulty 2^-20: a hash qualifies when its top 32 bits are below 2^20 (a little less).
constexpr std::uint32_t kTicketTopWord = 1u << 20;

protocol::DriverConfig FastConfig(ChipModel model, int chips) {
  protocol::DriverConfig c;
  c.model = model;
  c.expected_chips = chips;
  c.frequency = protocol::InfoOf(model).default_frequency;
  c.ticket_difficulty = 1.0 / (1 << 20);  // about one nonce per million hashes
  c.sub_one_ticket = &sim::kSubOneTicket;
  c.reset_hold = 1ms;
  c.enumeration_silence = 20ms;
  c.ramp_step_delay = 1ms;
  c.dead_after = 2s;
  return c;
}

std::vector<std::uint8_t> HeaderOf(const protocol::HeaderJob& job, std::uint32_t version,
                                   std::uint32_t nonce) {
  std::vector<std::uint8_t> h(80);
  auto put = [&h](std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) {
      h[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (8 * i));
    }
  };
  put(0, version);
  std::copy(job.prev_hash.begin(), job.prev_hash.end(), h.begin() + 4);
  std::copy(job.merkle_root.begin(), job.merkle_root.end(), h.begin() + 36);
  put(68, job.ntime);
  put(72, job.nbits);
  put(76, nonce);
  return h;
}

sim::Faults DeadChips(std::vector<int> positions) {
  sim::Faults f;
  f.dead_chips = std::move(positions);
  return f;
}

struct Rig {
  // `chips_model`: the chips on the line, when not the model the driver is told.
  Rig(ChipModel model, int chips, int sim_chips = -1, std::uint64_t seed = 3,
      std::optional<ChipModel> chips_model = std::nullopt)
      : driver(FastConfig(model, chips)),
        chain(sim::ChainConfig{chips_model.value_or(model), sim_chips < 0 ? chips : sim_chips, 8e6,
                               seed}) {
    driver.Start(now);
  }

  void Run(Micros duration, Micros step = Micros(1000)) {
    const Micros until = now + duration;
    while (now < until) {
      const Operation op = driver.Poll(now);
      if (op.kind == Operation::Kind::kWrite && !deaf && IsFastRateRequest(op)) {
        deaf = deaf_after_fast_rate;
        if (late_after_fast_rate > Micros(0) && fast_rate_requests_lost == 0) {
          chain.Receive(op.data(), driver.host_baud());  // heard; what follows comes late
          read_late = late_after_fast_rate;
          now += step;
          continue;
        }
        if (fast_rate_requests_lost > 0) {
          --fast_rate_requests_lost;
          now += step;
          continue;
        }
      }
      if (op.kind == Operation::Kind::kWrite && deaf) {
        // the chips hear nothing more
      } else if (op.kind == Operation::Kind::kWrite && read_late > Micros(0)) {
        const auto data = op.data();
        in_flight.push_back({now + read_late, {data.begin(), data.end()}});
      } else if (op.kind == Operation::Kind::kWrite) {
        chain.Receive(op.data(), driver.host_baud());
      } else if (op.kind == Operation::Kind::kReset && op.reset_asserted && reset_line) {
        chain.HardwareReset();
      }
      // A simulator on a PTY reads the host's bytes late and takes them at the rate the
      // host's end of the PTY has when it reads (hal/sim/README.md).
      while (!in_flight.empty() && in_flight.front().first <= now) {
        chain.Receive(in_flight.front().second, driver.host_baud());
        in_flight.pop_front();
      }
      chain.Advance(step);
      if (!starved) {  // a starved host reads nothing: the chips' bytes wait in the line
        driver.OnBytes(chain.TakeOutput(driver.host_baud()), now);
      }
      now += step;
    }
  }

  bool RunUntilMining(Micros limit = Micros(10'000'000)) {
    const Micros until = now + limit;
    while (now < until && driver.state() != ChainState::kMining &&
           driver.state() != ChainState::kFailed) {
      Run(Micros(1000));
    }
    return driver.state() == ChainState::kMining;
  }

  protocol::HeaderJob Job(std::uint32_t seed) const {
    protocol::HeaderJob job;
    job.version = 0x20000000;
    job.nbits = 0x1d00ffff;
    job.ntime = 0x66000000 + seed;
    for (std::size_t i = 0; i < 32; ++i) {
      job.prev_hash[i] = static_cast<std::uint8_t>(i * 31 + seed);
      job.merkle_root[i] = static_cast<std::uint8_t>(i * 17 + seed * 3);
    }
    return job;
  }

  // Whether a job sent now brings nonces within a second.
  bool MinesAJob(std::uint32_t seed) {
    if (!Send(Job(seed), seed)) {
      return false;
    }
    Run(Micros(1'000'000));
    return DrainNonces() > 0;
  }
  std::string Why() const {
    return std::string(protocol::ToString(driver.state())) + ": " + driver.status().message();
  }

  bool IsFastRateRequest(const Operation& op) const {
    const auto frame = protocol::FastRateRequest(driver.config().model);
    const auto data = op.data();
    return std::equal(data.begin(), data.end(), frame.bytes.begin(),
                      frame.bytes.begin() + frame.size);
  }

  bool starved = false;
  Micros read_late{0};                // > 0: the chips get the host's bytes this late (above)
  int fast_rate_requests_lost = 0;    // requests for the fast rate lost on the way
  bool deaf_after_fast_rate = false;  // the chips hear nothing after that request
  Micros late_after_fast_rate{0};     // > 0: the request is heard, what follows this late
  bool deaf = false;
  std::deque<std::pair<Micros, std::vector<std::uint8_t>>> in_flight;

  int DrainNonces() {
    protocol::NonceEvent e;
    int nonces = 0;
    while (driver.NextNonce(e)) {
      ++nonces;
    }
    return nonces;
  }

  // The work in the model's form (hal/protocol/work.h): header fields, or for BM1397 four
  // midstates of rolled versions.
  bool Send(const protocol::HeaderJob& job, std::uint32_t token) {
    const auto bytes = HeaderOf(job, job.version, 0);
    std::array<std::uint8_t, 80> header{};
    std::copy(bytes.begin(), bytes.end(), header.begin());
    return driver.SendWork({WorkToken{token}, header}).ok();
  }

  Bm13xxDriver driver;
  sim::Chain chain;
  Micros now{0};
  bool reset_line = true;  // false: a bare UART (a PTY, a board without nRST wiring)
};

// The top 32 bits of the hash as a number (Bitcoin's order).
std::uint32_t TopWord(const std::vector<std::uint8_t>& hash) {
  return static_cast<std::uint32_t>(hash[31]) << 24 | hash[30] << 16 | hash[29] << 8 | hash[28];
}

class DriverChainTest : public ::testing::TestWithParam<testing::ModelAndChips> {};

TEST_P(DriverChainTest, EnumeratesAddressesRampsSwitchesBaudAndMines) {
  const auto [model, chips] = GetParam();
  Rig rig(model, chips);
  ASSERT_TRUE(rig.RunUntilMining())
      << protocol::ToString(rig.driver.state()) << ": " << rig.driver.status().message();
  EXPECT_TRUE(rig.driver.status().ok()) << rig.driver.status().message();
  EXPECT_EQ(rig.driver.chips_found(), chips);
  const int interval = 256 / chips;
  for (int i = 0; i < chips; ++i) {
    EXPECT_EQ(rig.chain.address(i), i * interval) << i;
    EXPECT_NEAR(rig.chain.frequency(i).value, protocol::InfoOf(model).default_frequency.value, 1.0);
  }
  EXPECT_EQ(rig.driver.host_baud(), protocol::InfoOf(model).fast_baud);
  EXPECT_EQ(rig.chain.host_baud(), rig.driver.host_baud());

  const auto job = rig.Job(static_cast<std::uint32_t>(chips));
  ASSERT_TRUE(rig.Send(job, 77));
  rig.Run(Micros(400'000));
  protocol::NonceEvent e;
  int nonces = 0;
  while (rig.driver.NextNonce(e)) {
    ++nonces;
    EXPECT_EQ(e.token.value, 77u);
    const auto hash = testing::OpenSslSha256d(HeaderOf(job, e.version.value, e.nonce.value));
    EXPECT_LE(TopWord(hash), kTicketTopWord);
  }
  EXPECT_GT(nonces, 0);
  // Every nonce is attributed to the chip that found it (the simulator knows).
  for (int i = 0; i < chips; ++i) {
    EXPECT_EQ(rig.driver.chip(i).nonces, rig.chain.counters(i).nonces) << "chip " << i;
  }
  EXPECT_EQ(rig.driver.bad_crc(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Chains, DriverChainTest, testing::ModelsAndChainLengths(),
                         testing::ModelAndChipsName);

TEST(DriverFaultTest, MissingAndSurplusChipsAreReported) {
  Rig missing(ChipModel::kBm1370, 6);
  missing.chain.SetFaults(DeadChips({3}));
  ASSERT_TRUE(missing.RunUntilMining());
  EXPECT_EQ(missing.driver.chips_found(), 5);
  EXPECT_EQ(missing.driver.missing_chips(), 1);
  EXPECT_EQ(missing.driver.status().code(), StatusCode::kMismatch);

  Rig surplus(ChipModel::kBm1370, 2, 3);
  ASSERT_TRUE(surplus.RunUntilMining());
  EXPECT_EQ(surplus.driver.surplus_chips(), 1);

  Rig none(ChipModel::kBm1370, 2);
  none.chain.SetFaults(DeadChips({0, 1}));
  // Each rate probe's read is read twice (the second waiting 1 s for late answers).
  none.Run(Micros(5'000'000));
  EXPECT_EQ(none.driver.state(), ChainState::kFailed);
  EXPECT_EQ(none.driver.status().code(), StatusCode::kNotFound);
}

// Issue 12, point 6: chips of another model than configured fail the chain as such, the
// model they are named (the host says which --chip to set), not "no chip answered".
TEST(DriverFaultTest, ChipsOfAnotherModelAreNamed) {
  for (const auto& [configured, actual] : {std::pair{ChipModel::kBm1370, ChipModel::kBm1366},
                                           std::pair{ChipModel::kBm1366, ChipModel::kBm1368},
                                           std::pair{ChipModel::kBm1368, ChipModel::kBm1370}}) {
    Rig wrong(configured, 2, -1, 3, actual);
    wrong.Run(Micros(5'000'000));
    const std::string name(protocol::InfoOf(actual).name);
    EXPECT_EQ(wrong.driver.state(), ChainState::kFailed) << name;
    EXPECT_EQ(wrong.driver.status().code(), StatusCode::kMismatch) << name;
    EXPECT_EQ(std::string(wrong.driver.status().message()),
              "a chip of another model answered the CHIP_ID read");
    EXPECT_EQ(wrong.driver.other_model(), actual) << name;
  }
  Rig right(ChipModel::kBm1370, 2);
  ASSERT_TRUE(right.RunUntilMining());
  EXPECT_FALSE(right.driver.other_model().has_value());
}

TEST(DriverFaultTest, CorruptBytesAreCountedAndMiningGoesOn) {
  Rig rig(ChipModel::kBm1370, 2);
  ASSERT_TRUE(rig.RunUntilMining());
  sim::Faults faults;
  faults.corrupt_byte_rate = 0.02;
  rig.chain.SetFaults(faults);
  ASSERT_TRUE(rig.driver.SendJob(rig.Job(1), WorkToken{1}).ok());
  rig.Run(Micros(500'000));
  EXPECT_GT(rig.DrainNonces(), 0);
  EXPECT_GT(rig.driver.bad_crc(), 0u);
}

TEST(DriverFaultTest, BadNoncesCountAsHardwareErrorsOfThatChip) {
  Rig rig(ChipModel::kBm1370, 2);
  ASSERT_TRUE(rig.RunUntilMining());
  sim::Faults faults;
  faults.bad_nonce_chips = {1};
  rig.chain.SetFaults(faults);
  const auto job = rig.Job(2);
  ASSERT_TRUE(rig.driver.SendJob(job, WorkToken{1}).ok());
  rig.Run(Micros(500'000));
  protocol::NonceEvent e;
  while (rig.driver.NextNonce(e)) {
    const auto hash = testing::OpenSslSha256d(HeaderOf(job, e.version.value, e.nonce.value));
    rig.driver.RecordVerdict(e.chip, TopWord(hash) <= kTicketTopWord);
  }
  EXPECT_EQ(rig.driver.chip(0).hardware_errors, 0u);
  EXPECT_GT(rig.driver.chip(1).hardware_errors, 0u);
}

TEST(DriverFaultTest, DroppedAndDelayedResponsesStillMine) {
  Rig rig(ChipModel::kBm1368, 2);
  sim::Faults faults;
  faults.response_delay = 5ms;
  rig.chain.SetFaults(faults);
  ASSERT_TRUE(rig.RunUntilMining());
  faults.drop_response_rate = 0.3;
  rig.chain.SetFaults(faults);
  ASSERT_TRUE(rig.driver.SendJob(rig.Job(3), WorkToken{1}).ok());
  rig.Run(Micros(500'000));
  EXPECT_GT(rig.DrainNonces(), 0);
}

TEST(DriverFaultTest, ADeadChipIsDetectedAndTheChainReinitialised) {
  Rig rig(ChipModel::kBm1370, 3);
  ASSERT_TRUE(rig.RunUntilMining());
  rig.chain.SetFaults(DeadChips({2}));
  ASSERT_TRUE(rig.driver.SendJob(rig.Job(4), WorkToken{1}).ok());
  rig.Run(Micros(4'000'000));  // dead_after 2 s, then a poll that goes unanswered
  EXPECT_GE(rig.driver.reinit_count(), 1);
  ASSERT_TRUE(rig.RunUntilMining());
  EXPECT_EQ(rig.driver.chips_found(), 2);
  EXPECT_EQ(rig.driver.missing_chips(), 1);
}

// Issue 11, point 3: after one session the chain sits at the fast rate; a new session
// on a link whose reset does nothing heard nothing at 115,200 ("0 chips detected"). The
// driver asks at the fast rate for the reset rate and enumerates again: a second and a
// third session find every chip and mine.
TEST(DriverFaultTest, ASessionFindsAChainAnEarlierOneLeftAtTheFastRate) {
  for (ChipModel model :
       {ChipModel::kBm1397, ChipModel::kBm1366, ChipModel::kBm1368, ChipModel::kBm1370}) {
    SCOPED_TRACE(protocol::InfoOf(model).name);
    Rig rig(model, 3);
    rig.reset_line = false;
    ASSERT_TRUE(rig.RunUntilMining());
    EXPECT_FALSE(rig.driver.rate_recovered());
    for (int session = 2; session <= 3; ++session) {
      rig.driver = Bm13xxDriver(FastConfig(model, 3));
      rig.driver.Start(rig.now);
      ASSERT_TRUE(rig.RunUntilMining())
          << "session " << session << ": " << protocol::ToString(rig.driver.state()) << ", "
          << rig.driver.status().message() << ", " << rig.driver.chips_found() << " chips";
      EXPECT_TRUE(rig.driver.rate_recovered());
      EXPECT_EQ(rig.driver.chips_found(), 3);
      ASSERT_TRUE(rig.Send(rig.Job(static_cast<std::uint32_t>(session)), 1));
      rig.Run(Micros(300'000));
      EXPECT_GT(rig.DrainNonces(), 0) << "session " << session;
    }
  }
}

// Issue 11, point 5: `hashrig sim --chips 4 --corrupt 0.02` then `scan --chips 4` found 3
// of 4 (seed 6: 2 of 4). Damaged replies make the driver read CHIP_ID again: all chips on
// 20 of 20 seeds, and a count that stays short says how many reads and how much damage.
TEST(DriverFaultTest, NoisyEnumerationFindsEveryChipOnEverySeed) {
  int all_found = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    Rig rig(ChipModel::kBm1370, 4, -1, seed);
    sim::Faults faults;
    faults.corrupt_byte_rate = 0.02;
    rig.chain.SetFaults(faults);
    ASSERT_TRUE(rig.RunUntilMining()) << "seed " << seed;
    all_found += rig.driver.chips_found() == 4 ? 1 : 0;
    EXPECT_EQ(rig.driver.chips_found(), 4)
        << "seed " << seed << ": " << rig.driver.enumeration_attempts() << " reads, "
        << rig.driver.enumeration_damage() << " damaged";
  }
  EXPECT_EQ(all_found, 20);
  // A chip that is really missing: a short count is read twice, then the reads stop when
  // no damage is seen.
  Rig missing(ChipModel::kBm1370, 4);
  missing.chain.SetFaults(DeadChips({3}));
  ASSERT_TRUE(missing.RunUntilMining());
  EXPECT_EQ(missing.driver.chips_found(), 3);
  EXPECT_EQ(missing.driver.enumeration_attempts(), 2);
}

// Found by scripts/suite_under_load.sh (conformance case noisy-1 on a busy machine): a
// CHIP_ID read re-sent after damage got its answers only after the silence window (the
// host was starved); the driver took the silence for the end and configured 3 of 4
// chips, the fourth then sharing chip 0's nonce space. A silent read is read again.
TEST(DriverFaultTest, AReadAnsweredLateOnANoisyLineIsReadAgain) {
  Rig rig(ChipModel::kBm1370, 4, -1, 1);
  sim::Faults faults;
  faults.corrupt_byte_rate = 0.02;
  rig.chain.SetFaults(faults);
  while (rig.driver.enumeration_attempts() < 2 && rig.now < Micros(10'000'000)) {
    rig.Run(Micros(1000));
  }
  ASSERT_EQ(rig.driver.enumeration_attempts(), 2) << "seed 1: the first read misses a chip";
  rig.starved = true;
  rig.Run(Micros(400'000));  // longer than a retry's silence window
  rig.starved = false;
  ASSERT_TRUE(rig.RunUntilMining());
  EXPECT_EQ(rig.driver.chips_found(), 4) << rig.driver.enumeration_attempts() << " reads";
}

// Found in the suite under load (DriverPtyFaultTest.SessionAfterSessionOnOneSimulator):
// a fresh simulator answered the first CHIP_ID read after the host's short silence. The
// driver took the silence for chips left at the fast rate, recovered a rate nothing had
// changed ("recovered" in session 1), and counted the late answers with the next read's:
// 6 of 3 chips. Now an unanswered first read is read again at the same rate with the long
// silence, and a count over the chips expected is read once more, alone.
TEST(DriverFaultTest, LateAnswersToTheFirstReadAreNeitherARateNorMoreChips) {
  Rig rig(ChipModel::kBm1370, 3);
  rig.starved = true;  // from before the first read: its answers wait in the line
  while (rig.driver.enumeration_attempts() < 1 && rig.now < Micros(1'000'000)) {
    rig.Run(Micros(1000));
  }
  ASSERT_EQ(rig.driver.enumeration_attempts(), 1);
  rig.Run(Micros(40'000));  // twice the first read's silence
  rig.starved = false;
  ASSERT_TRUE(rig.RunUntilMining());
  EXPECT_EQ(rig.driver.chips_found(), 3) << rig.driver.enumeration_attempts() << " reads";
  EXPECT_FALSE(rig.driver.rate_recovered());
  EXPECT_EQ(rig.driver.enumeration_attempts(), 3);  // the late read, the 6, the recount
  EXPECT_TRUE(rig.driver.status().ok()) << rig.driver.status().message();
}

// Issue 11, point 9: a new ticket while mining reaches the chips at once; every nonce is
// accounted at a ticket it surely met (the lower of its job's and the chips'), so the
// change makes no false hardware error, and the nonce rate follows the ticket.
// The conformance suite's sensor-glitch case on an idle run of test.sh: the chip stayed at
// 115,200 and heard nothing after its configuration ("unheard 352", no job) — the
// simulator read the fast-rate request after the host had switched its own rate, 10 ms
// after sending it. The host now keeps its rate for baud_drain (100 ms) after a frame
// that changes the chips' rate; here the chips get every byte 50 ms late.
TEST(DriverFaultTest, ARateChangeReadLateIsHeardAtTheRateItWasSentAt) {
  Rig rig(ChipModel::kBm1370, 2);
  rig.read_late = Micros(50'000);
  ASSERT_TRUE(rig.RunUntilMining(Micros(30'000'000))) << rig.Why();
  rig.Run(Micros(100'000));  // what the host sent last reaches the chips
  EXPECT_EQ(rig.driver.host_baud(), protocol::InfoOf(ChipModel::kBm1370).fast_baud);
  EXPECT_EQ(rig.chain.host_baud(), rig.driver.host_baud()) << "the chips stayed at 115,200";
  EXPECT_TRUE(rig.MinesAJob(5));
}

// The kind of fault above, at any delay: chips that miss the request for the fast rate
// (lost, or heard at the wrong rate) are silent at it. The driver reads CHIP_ID at the
// fast rate after switching; silent there, it steps back to 115,200, where they answer,
// and asks again; missed twice, the chain mines at 115,200, the host and the chips at one
// rate (before: the host at the fast rate, the chips at 115,200, no job heard).
TEST(DriverFaultTest, ChipsThatMissTheFastRateRequestAreAskedAgain) {
  Rig rig(ChipModel::kBm1370, 2);
  rig.fast_rate_requests_lost = 1;
  ASSERT_TRUE(rig.RunUntilMining(Micros(30'000'000))) << rig.Why();
  EXPECT_EQ(rig.fast_rate_requests_lost, 0);
  EXPECT_EQ(rig.driver.rate_switch_misses(), 1);
  EXPECT_FALSE(rig.driver.rate_fallback());
  EXPECT_EQ(rig.driver.host_baud(), protocol::InfoOf(ChipModel::kBm1370).fast_baud);
  EXPECT_EQ(rig.chain.host_baud(), rig.driver.host_baud());
  EXPECT_TRUE(rig.MinesAJob(5));
}

// The check costs a round trip, not a silence: every chip answered, mining starts.
TEST(DriverTest, TheFastRateCheckEndsOnceEveryChipAnswered) {
  Rig rig(ChipModel::kBm1366, 6);
  const auto fast = protocol::InfoOf(ChipModel::kBm1366).fast_baud;
  while (rig.now < Micros(10'000'000) && rig.driver.host_baud() != fast) {
    rig.Run(Micros(1000));
  }
  ASSERT_EQ(rig.driver.host_baud(), fast);
  const Micros switched = rig.now;
  ASSERT_TRUE(rig.RunUntilMining());
  EXPECT_LT(rig.now - switched, Micros(50'000)) << "waited for a silence";
  EXPECT_EQ(rig.driver.rate_switch_misses(), 0);
}

TEST(DriverFaultTest, ChipsThatNeverTakeTheFastRateMineAtTheResetRate) {
  for (const ChipModel model : {ChipModel::kBm1397, ChipModel::kBm1370}) {
    Rig rig(model, 2);
    rig.fast_rate_requests_lost = 1000;
    ASSERT_TRUE(rig.RunUntilMining(Micros(30'000'000))) << rig.Why();
    EXPECT_TRUE(rig.driver.rate_fallback());
    EXPECT_EQ(rig.driver.rate_switch_misses(), 2);
    EXPECT_EQ(rig.driver.host_baud(), protocol::kResetBaud);
    EXPECT_EQ(rig.chain.host_baud(), protocol::kResetBaud);
    EXPECT_TRUE(rig.MinesAJob(6)) << protocol::InfoOf(model).name;
  }
}

// The instance of the kind that baud_drain alone cannot cover: bytes later than it.
TEST(DriverFaultTest, ARateChangeReadLaterThanTheDrainLeavesHostAndChipsAtOneRate) {
  Rig rig(ChipModel::kBm1370, 2);
  rig.read_late = Micros(150'000);
  ASSERT_TRUE(rig.RunUntilMining(Micros(30'000'000))) << rig.Why();
  rig.Run(Micros(200'000));
  EXPECT_EQ(rig.chain.host_baud(), rig.driver.host_baud());
  EXPECT_TRUE(rig.MinesAJob(7));
}

// The conformance suite beside a build (noisy-3): the chips took the fast rate, but the
// simulator, starved, answered the check after the host's 1 s: the host stepped back to
// 115,200, heard nothing there either and failed a working chain. Each round silent at
// both rates waits longer (1, 2, 3 s); here every byte after the request is 1.2 s late.
TEST(DriverFaultTest, ChipsThatAnswerTheRateCheckLateStillMineAtTheFastRate) {
  Rig rig(ChipModel::kBm1370, 2);
  rig.late_after_fast_rate = Micros(1'200'000);
  ASSERT_TRUE(rig.RunUntilMining(Micros(30'000'000))) << rig.Why();
  EXPECT_FALSE(rig.driver.rate_fallback());
  EXPECT_EQ(rig.driver.host_baud(), protocol::InfoOf(ChipModel::kBm1370).fast_baud);
  // The simulator runs again (a chip polled 1.2 s late would be dead); what it had not
  // read yet still comes.
  rig.read_late = Micros(0);
  rig.Run(Micros(1'300'000));
  EXPECT_EQ(rig.chain.host_baud(), rig.driver.host_baud());
  ASSERT_EQ(rig.driver.state(), ChainState::kMining);
  EXPECT_TRUE(rig.MinesAJob(8));
}

TEST(DriverFaultTest, ChipsSilentAfterTheRateSwitchFailTheChainWithWhy) {
  Rig rig(ChipModel::kBm1368, 3);
  rig.deaf_after_fast_rate = true;
  EXPECT_FALSE(rig.RunUntilMining(Micros(30'000'000)));
  EXPECT_EQ(rig.driver.state(), ChainState::kFailed);
  EXPECT_EQ(rig.driver.status().code(), StatusCode::kNotFound);
  EXPECT_NE(std::string(rig.driver.status().message()).find("fast UART rate"), std::string::npos)
      << rig.driver.status().message();
}

TEST(DriverTest, ANewTicketWhileMiningTakesEffectWithoutFalseHardwareErrors) {
  Rig rig(ChipModel::kBm1370, 2);
  ASSERT_TRUE(rig.RunUntilMining());
  const auto job = rig.Job(9);
  ASSERT_TRUE(rig.driver.SendJob(job, WorkToken{1}).ok());
  auto count = [&](Micros duration) {
    int nonces = 0;
    for (Micros done{0}; done < duration; done += Micros(5'000)) {
      rig.Run(Micros(5'000));  // drained often: the driver keeps the latest 64 nonces
      protocol::NonceEvent e;
      while (rig.driver.NextNonce(e)) {
        ++nonces;
        const auto hash = testing::OpenSslSha256d(HeaderOf(job, e.version.value, e.nonce.value));
        sha256::Digest digest{};
        std::copy(hash.begin(), hash.end(), digest.begin());
        EXPECT_TRUE(sha256::Difficulty::From(e.ticket_difficulty)->IsMetBy(digest))
            << "a nonce accounted above what it met";
      }
    }
    return nonces;
  };
  const int before = count(Micros(500'000));
  rig.driver.SetTicket(1.0 / (1 << 14));  // 64x higher: far fewer nonces
  const int switching = count(Micros(20'000));
  const int after = count(Micros(500'000));
  EXPECT_GT(before, 40);
  EXPECT_LT(after * 8, before) << before << " then " << after;
  EXPECT_NEAR(rig.driver.ticket_difficulty() * (1 << 14), 1, 1e-3);
  (void)switching;
  rig.driver.SetTicket(1.0 / (1 << 20));  // and back down
  (void)count(Micros(20'000));
  EXPECT_GT(count(Micros(500'000)), before / 2);
}

TEST(DriverTest, JobsBeforeMiningAreRefusedAndIdsRotate) {
  Rig rig(ChipModel::kBm1370, 1);
  EXPECT_FALSE(rig.driver.SendJob(rig.Job(1), WorkToken{1}).ok());
  ASSERT_TRUE(rig.RunUntilMining());
  std::vector<int> ids;
  ids.reserve(3);
  for (int i = 0; i < 3; ++i) {
    ids.push_back(*rig.driver.SendJob(rig.Job(1), WorkToken{1}));
  }
  EXPECT_EQ(ids, (std::vector<int>{24, 48, 72}));
  EXPECT_NEAR(rig.driver.ticket_difficulty(), 1.0 / (1 << 20), 1e-9);
}

}  // namespace
}  // namespace hashrig::hal
