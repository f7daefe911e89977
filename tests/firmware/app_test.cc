// The firmware app against a fake board (fake_bsp.h): the board-link server end to end
// with a simulated chain that computes real SHA-256, thermal thresholds, sensor failure,
// the host-silence and hardware watchdogs, chain faults, and updates through the link.
#include "hashrig/firmware/app.h"

#include <cmath>
#include <limits>
#include <random>

#include <set>

#include <gtest/gtest.h>

#include "fake_bsp.h"
#include "hashrig/firmware/flash.h"
#include "hashrig/hal/protocol/le.h"
#include "hashrig/hal/sim/sim_registers.h"
#include "hashrig/sha256/sha256.h"
#include "hashrig/sha256/target.h"
#include "test_image.h"

namespace hashrig::firmware {
namespace {

namespace p = hal::protocol;
using namespace std::chrono_literals;
using link::Type;

constexpr double kTicket = 1.0 / 4096;  // a nonce per 2^20 hashes: ~8/s at 8 MH/s

AppConfig TestConfig(int chips, p::ChipModel model = p::ChipModel::kBm1368) {
  AppConfig c;
  c.board_model = {'t', 'e', 's', 't', '-', 'b', 'o', 'a', 'r', 'd'};
  c.serial = {'S', 'N', '1'};
  c.firmware_version = 7;
  c.driver.model = model;
  c.driver.expected_chips = chips;
  c.driver.frequency = p::InfoOf(c.driver.model).default_frequency;
  c.driver.reset_hold = 1ms;
  c.driver.enumeration_silence = 20ms;
  c.driver.ramp_step_delay = 1ms;
  c.driver.dead_after = 2s;
  c.driver.sub_one_ticket = &hal::sim::kSubOneTicket;
  c.thermal.failed_sensor_grace = 2s;
  c.thermal.cool_down = 3s;
  c.host_silence = 3s;
  c.confirm_after = 2s;
  return c;
}

std::array<std::uint8_t, 80> TestHeader(std::uint32_t seed) {
  std::array<std::uint8_t, 80> h{};
  std::mt19937 random(seed);
  for (auto& b : h) {
    b = static_cast<std::uint8_t>(random());
  }
  h[0] = 0x00;  // version 0x20000000
  h[1] = 0x00;
  h[2] = 0x00;
  h[3] = 0x20;
  return h;
}

// The host's side of the link, driving the app step by step on the fake's clock.
class Harness {
 public:
  explicit Harness(int chips = 4, int sim_chips = -1)
      : bsp(hal::sim::ChainConfig{p::ChipModel::kBm1368, sim_chips < 0 ? chips : sim_chips, 8e6,
                                  5}),
        config(TestConfig(chips)),
        app(bsp, config, nullptr) {}
  Harness(int chips, Boot* boot, p::ChipModel model = p::ChipModel::kBm1368)
      : bsp(hal::sim::ChainConfig{model, chips, 8e6, 5}),
        config(TestConfig(chips, model)),
        app(bsp, config, boot) {}

  void Send(const link::Encoded& e) {
    bsp.to_board.insert(bsp.to_board.end(), e.bytes.begin(),
                        e.bytes.begin() + static_cast<std::ptrdiff_t>(e.size));
  }
  std::uint8_t Send(Type type, std::span<const std::uint8_t> payload = {}) {
    Send(link::Encode(type, ++sequence, payload));
    return sequence;
  }

  void Run(Micros duration, Micros step = 500us) {
    const Micros until = bsp.now + duration;
    while (bsp.now < until) {
      if (keepalive && bsp.now - last_keepalive >= 1s) {  // a host polls telemetry
        last_keepalive = bsp.now;
        Send(link::Encode(Type::kTelemetryRequest, 0, {}));
      }
      app.Step();
      bsp.now += step;
      for (const std::uint8_t b : bsp.from_board) {
        replies.Push(b);
        while (auto f = replies.Next()) {
          frames.push_back(*f);
        }
      }
      bsp.from_board.clear();
    }
  }

  // The reply with `sequence` (Ack, Error or the request's own), if one came.
  std::optional<link::Frame> ReplyTo(std::uint8_t seq) const {
    for (const auto& f : frames) {
      if (f.sequence == seq && seq != 0 && f.type != Type::kNonce) {
        return f;
      }
    }
    return std::nullopt;
  }
  std::vector<link::Nonce> Nonces() const {
    std::vector<link::Nonce> out;
    for (const auto& f : frames) {
      if (f.type == Type::kNonce) {
        out.push_back(*link::DecodeMessage<link::Nonce>(f.body()));
      }
    }
    return out;
  }
  link::Telemetry Telemetry() {
    const auto seq = Send(Type::kTelemetryRequest);
    Run(2ms);
    const auto reply = ReplyTo(seq);
    EXPECT_TRUE(reply && reply->type == Type::kTelemetry);
    return reply ? *link::DecodeMessage<link::Telemetry>(reply->body()) : link::Telemetry{};
  }

  // Configure, reset, wait for mining, then give it work.
  void StartMining(const std::array<std::uint8_t, 80>& header, std::uint32_t token = 1) {
    link::Configure c;
    c.frequency_quarter_mhz = 4 * 490;
    c.ticket_difficulty = static_cast<float>(kTicket);
    c.version_mask = 0x1fffe000;
    Send(link::EncodeMessage(++sequence, c));
    Send(Type::kChainReset);
    for (int i = 0; i < 400 && app.chain_state() != p::ChainState::kMining; ++i) {
      Run(10ms);
    }
    ASSERT_EQ(app.chain_state(), p::ChainState::kMining);
    Send(link::EncodeMessage(++sequence, link::Work{token, header}));
  }

  FakeBsp bsp;
  AppConfig config;
  App app;
  link::Decoder replies;
  std::vector<link::Frame> frames;
  std::uint8_t sequence = 0;
  bool keepalive = true;
  Micros last_keepalive{0};
};

TEST(AppTest, HelloReportsTheBoard) {
  Harness h(4);
  const std::uint8_t version[] = {link::kVersion};
  const auto seq = h.Send(Type::kHello, version);
  h.Run(2ms);
  const auto reply = h.ReplyTo(seq);
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->type, Type::kHelloReply);
  const auto hello = link::DecodeMessage<link::HelloReply>(reply->body());
  ASSERT_TRUE(hello);
  EXPECT_EQ(hello->chip_model, static_cast<std::uint8_t>(p::ChipModel::kBm1368));
  EXPECT_EQ(hello->chips, 4);
  EXPECT_EQ(hello->firmware_version, 7u);
  EXPECT_EQ(std::string(hello->board_model.data()), "test-board");
  EXPECT_EQ(std::string(hello->serial.data()), "SN1");
}

TEST(AppTest, MinesAndEveryForwardedNonceMeetsTheTicket) {
  Harness h(4);
  const auto header = TestHeader(1);
  h.StartMining(header, 42);
  h.Run(3s);
  const auto nonces = h.Nonces();
  ASSERT_GE(nonces.size(), 5u) << "a 4-chip chain at 8 MH/s finds ~8 nonces/s at 2^-20";
  for (const auto& n : nonces) {
    EXPECT_EQ(n.token, 42u);
    auto full = header;
    for (int i = 0; i < 4; ++i) {
      full[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(n.version >> (8 * i));
      full[76 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(n.nonce >> (8 * i));
    }
    // Checked with the host's sha256 core, independently of the firmware's scalar path.
    EXPECT_GE(sha256::Difficulty::OfHash(sha256::DoubleHash(full)).value(), kTicket);
    EXPECT_LT(n.chip, 4);
  }
  const auto t = h.Telemetry();
  EXPECT_EQ(t.chain_state, static_cast<std::uint8_t>(p::ChainState::kMining));
  EXPECT_EQ(t.chips_alive, 4);
  EXPECT_GE(t.nonces, nonces.size());
  EXPECT_LE(t.nonces, h.app.counters().nonces);
  EXPECT_EQ(t.hardware_errors, 0u);
  EXPECT_EQ(t.frequency_quarter_mhz, 4 * 490);
  EXPECT_EQ(t.fan_rpm, std::lround(h.bsp.FanSpeed().value));
  EXPECT_EQ(t.fan_percent, std::lround(h.bsp.fan));
  EXPECT_EQ(t.milliamps, 9000);  // the fake's power reading
  EXPECT_GT(h.bsp.feeds, 0);
}

// BM1397 takes midstates (four rolled versions); every nonce it reports, with the version
// the driver reconstructs, must hash below the ticket. Like silicon, the simulated chip
// works on all four midstates at once (one per small core), so the versions vary.
TEST(AppTest, Bm1397MinesOnMidstateWork) {
  Harness h(2, nullptr, p::ChipModel::kBm1397);
  const auto header = TestHeader(9);
  h.StartMining(header, 5);
  h.Run(3s);
  const auto nonces = h.Nonces();
  ASSERT_GE(nonces.size(), 5u);
  std::set<std::uint32_t> versions;
  for (const auto& n : nonces) {
    auto full = header;
    for (int i = 0; i < 4; ++i) {
      full[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(n.version >> (8 * i));
      full[76 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(n.nonce >> (8 * i));
    }
    EXPECT_GE(sha256::Difficulty::OfHash(sha256::DoubleHash(full)).value(), kTicket);
    versions.insert(n.version);
  }
  EXPECT_GT(versions.size(), 1u) << "the four midstates are rolled versions";
  for (const std::uint32_t v : versions) {
    EXPECT_EQ(v & ~0x1fffe000u, 0x20000000u) << std::hex << v;
    EXPECT_LE((v & 0x1fffe000u) >> 13, 3u) << "one of the four midstates";
  }
  EXPECT_EQ(h.app.counters().hardware_errors, 0u);
}

// Issue 13, point 7 (found by the soak): a pool that stops answering mining.configure
// leaves the host mining with the job's fixed version (mask 0); a board still rolling with
// its configured mask found only shares the pool's rules refuse. SetVersionMask applies
// the pool's new mask from the next Work on, without a chain reset.
TEST(AppTest, SetVersionMaskWhileMiningRollsWithinTheNewMask) {
  Harness h(4);
  const auto header = TestHeader(1);
  const std::uint32_t job_version = p::LoadLe32(header.data());
  h.StartMining(header, 42);
  h.Run(3s);
  auto before = h.Nonces();
  ASSERT_GE(before.size(), 5u);
  EXPECT_TRUE(std::any_of(before.begin(), before.end(), [&](const link::Nonce& n) {
    return n.version != job_version;
  })) << "rolling within 0x1fffe000 first";
  const std::uint8_t no_rolling[4] = {0, 0, 0, 0};  // u32 mask 0, little-endian
  const auto seq = h.Send(Type::kSetVersionMask, no_rolling);
  h.Run(2ms);
  const auto ack = h.ReplyTo(seq);
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->type, Type::kAck);
  h.Send(link::EncodeMessage(++h.sequence, link::Work{43, header}));
  h.Run(3s);
  std::size_t on_new_work = 0;
  for (const auto& n : h.Nonces()) {
    if (n.token == 43) {
      ++on_new_work;
      EXPECT_EQ(n.version, job_version) << std::hex << n.version;
    }
  }
  EXPECT_GE(on_new_work, 5u);
  EXPECT_EQ(h.app.counters().hardware_errors, 0u);
}

TEST(AppTest, ChipStatsComeInPages) {
  Harness h(40);
  h.StartMining(TestHeader(2));
  h.Run(1s);
  const std::uint8_t first[] = {0};
  const auto a = h.Send(Type::kChipStatsRequest, first);
  const std::uint8_t second[] = {29};
  const auto b = h.Send(Type::kChipStatsRequest, second);
  h.Run(2ms);
  ASSERT_TRUE(h.ReplyTo(a) && h.ReplyTo(b));
  ASSERT_EQ(h.ReplyTo(a)->type, Type::kChipStats) << int(h.ReplyTo(a)->type);
  const auto pa = link::DecodeMessage<link::ChipStats>(h.ReplyTo(a)->body());
  const auto pb = link::DecodeMessage<link::ChipStats>(h.ReplyTo(b)->body());
  ASSERT_TRUE(pa && pb);
  EXPECT_EQ(pa->total, 40);
  EXPECT_EQ(pa->count, link::kChipsPerPage);
  EXPECT_EQ(pb->first, 29);
  EXPECT_EQ(pb->count, 40 - link::kChipsPerPage);
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < pa->count; ++i) {
    EXPECT_EQ(pa->chips[i].address, h.app.driver().chip(static_cast<int>(i)).address.value);
    sum += pa->chips[i].nonces;
  }
  for (std::size_t i = 0; i < pb->count; ++i) {
    sum += pb->chips[i].nonces;
  }
  EXPECT_EQ(sum, h.app.counters().nonces);
}

TEST(AppTest, DamagedFramesAreCountedAndNeverActedOn) {
  Harness h(2);
  // Garbage, then a ChainReset with its CRC broken, then one with its length broken.
  for (int i = 0; i < 50; ++i) {
    h.bsp.to_board.push_back(static_cast<std::uint8_t>(i * 7));
  }
  auto reset = link::Encode(Type::kChainReset, 9, {});
  reset.bytes[reset.size - 1] ^= 0x40;
  h.Send(reset);
  auto reset2 = link::Encode(Type::kChainReset, 10, {});
  reset2.bytes[5] = 0xFF;
  h.Send(reset2);  // its length claims 255 bytes that never come: given up after a pause
  h.Run(200ms);
  EXPECT_GE(h.app.counters().bad_frames, 1u);
  EXPECT_EQ(h.app.chain_state(), p::ChainState::kIdle) << "a damaged ChainReset was acted on";
  for (const auto& f : h.frames) {
    EXPECT_EQ(f.sequence, 0) << "damaged frames get no reply";
  }

  // Well-formed but wrong: unknown type, wrong payload sizes, out-of-range values.
  const auto unknown = h.Send(static_cast<Type>(0x3C));
  const std::uint8_t one[] = {1};
  const auto bad_reset = h.Send(Type::kChainReset, one);
  const std::uint8_t bad_fan[] = {150};
  const auto fan = h.Send(Type::kSetFan, bad_fan);
  link::Configure c;
  c.frequency_quarter_mhz = 4 * 5000;  // 5 GHz
  const auto configure = h.sequence + 1;
  h.Send(link::EncodeMessage(++h.sequence, c));
  const std::uint8_t short_work[] = {1, 2, 3};
  const auto work = h.Send(Type::kWork, short_work);
  const auto flash = h.Send(Type::kFlashCommit);  // no bootloader behind this app
  h.Run(10ms);
  auto error_of = [&](std::uint8_t seq) {
    const auto r = h.ReplyTo(seq);
    EXPECT_TRUE(r && r->type == Type::kError) << "seq " << int(seq);
    return r && r->type == Type::kError ? static_cast<link::ErrorCode>(r->body()[1])
                                        : link::ErrorCode{};
  };
  EXPECT_EQ(error_of(unknown), link::ErrorCode::kUnknownType);
  EXPECT_EQ(error_of(bad_reset), link::ErrorCode::kBadPayload);
  EXPECT_EQ(error_of(fan), link::ErrorCode::kBadPayload);
  EXPECT_EQ(error_of(static_cast<std::uint8_t>(configure)), link::ErrorCode::kBadPayload);
  EXPECT_EQ(error_of(work), link::ErrorCode::kBadPayload);
  EXPECT_EQ(error_of(flash), link::ErrorCode::kFlash);
  EXPECT_EQ(h.app.counters().refused, 6u);
  EXPECT_EQ(h.app.chain_state(), p::ChainState::kIdle);
  // And it still works.
  const std::uint8_t version[] = {1};
  const auto hello = h.Send(Type::kHello, version);
  h.Run(2ms);
  EXPECT_EQ(h.ReplyTo(hello)->type, Type::kHelloReply);
}

TEST(AppTest, HotTurnsFansFullDangerousStopsTheChainThenItRestartsSlower) {
  Harness h(2);
  h.StartMining(TestHeader(3));
  h.Run(500ms);
  EXPECT_LT(h.bsp.fan, 100);
  h.bsp.temperature = 78;  // above hot (75)
  h.Run(1s);
  EXPECT_EQ(h.app.thermal_state(), p::ThermalState::kHot);
  EXPECT_EQ(h.bsp.fan, 100);
  EXPECT_EQ(h.app.chain_state(), p::ChainState::kMining);

  const std::uint8_t quiet[] = {10};
  h.Send(Type::kSetFan, quiet);  // a manual setting cannot override hot
  h.Run(500ms);
  EXPECT_EQ(h.bsp.fan, 100);

  h.bsp.temperature = 90;  // dangerous
  const Micros at = h.bsp.now;
  while (h.app.chain_state() != p::ChainState::kIdle && h.bsp.now - at < 2s) {
    h.Run(10ms);
  }
  EXPECT_LE(h.bsp.now - at, h.config.thermal_period + 20ms) << "stopped within one thermal period";
  EXPECT_EQ(h.app.thermal_state(), p::ThermalState::kStopped);
  EXPECT_TRUE(h.bsp.reset_asserted) << "the chips are held in reset";
  EXPECT_EQ(h.app.counters().thermal_stops, 1u);
  bool told = false;  // unsolicited telemetry with the stopped state
  for (const auto& f : h.frames) {
    told = told || (f.type == Type::kTelemetry && f.sequence == 0 &&
                    link::DecodeMessage<link::Telemetry>(f.body())->thermal_state == 2);
  }
  EXPECT_TRUE(told);
  const auto refused = h.Send(Type::kChainReset);
  h.Run(5ms);
  EXPECT_EQ(h.ReplyTo(refused)->type, Type::kError) << "no restart while overheated";
  // A host that reconnects and configures again cannot cut the cool-down short.
  h.bsp.temperature = 70;  // below dangerous, above the resume threshold
  link::Configure again;
  again.frequency_quarter_mhz = 4 * 490;
  again.ticket_difficulty = static_cast<float>(kTicket);
  h.Send(link::EncodeMessage(++h.sequence, again));
  const auto refused_again = h.Send(Type::kChainReset);
  h.Run(1s);
  EXPECT_EQ(h.ReplyTo(refused_again)->type, Type::kError);
  EXPECT_EQ(h.app.thermal_state(), p::ThermalState::kStopped);

  h.bsp.temperature = 40;  // cool again, after the cool-down it restarts 100 MHz slower
  for (int i = 0; i < 1000 && h.app.chain_state() != p::ChainState::kMining; ++i) {
    h.Run(10ms);
  }
  EXPECT_EQ(h.app.chain_state(), p::ChainState::kMining);
  EXPECT_DOUBLE_EQ(
      h.app.driver().config().frequency.value,
      std::max(490 - h.config.thermal.step_down.value, h.config.thermal.min_frequency.value));
  const auto before = h.Nonces().size();
  h.Run(2s);
  EXPECT_GT(h.Nonces().size(), before) << "mining again on the last work";
}

TEST(AppTest, FailedSensorStopsTheChainWithinTheGraceTime) {
  Harness h(2);
  h.StartMining(TestHeader(4));
  h.Run(300ms);
  h.bsp.temperature = std::numeric_limits<double>::quiet_NaN();
  const Micros at = h.bsp.now;
  while (h.app.chain_state() == p::ChainState::kMining && h.bsp.now - at < 10s) {
    h.Run(10ms);
  }
  EXPECT_NE(h.app.chain_state(), p::ChainState::kMining);
  EXPECT_LE(h.bsp.now - at, h.config.thermal.failed_sensor_grace + h.config.thermal_period + 20ms);
  EXPECT_EQ(h.bsp.fan, 100) << "a failed sensor counts as hot";
  EXPECT_EQ(h.Telemetry().temperature_decidegrees, -32768);
}

TEST(AppTest, HostSilenceIdlesTheChainAndReturnsFansToTheLoop) {
  Harness h(2);
  h.StartMining(TestHeader(5));
  h.keepalive = false;
  const std::uint8_t fan[] = {90};
  h.Send(Type::kSetFan, fan);
  h.Run(200ms);
  EXPECT_EQ(h.bsp.fan, 90);
  const Micros last = h.bsp.now;  // the host says nothing from here on
  while (!h.app.host_silent() && h.bsp.now - last < 20s) {
    h.Run(10ms);
  }
  ASSERT_TRUE(h.app.host_silent());
  EXPECT_LE(h.bsp.now - last, h.config.host_silence + 20ms);
  EXPECT_EQ(h.app.chain_state(), p::ChainState::kIdle);
  EXPECT_TRUE(h.bsp.reset_asserted);
  EXPECT_LT(h.bsp.fan, 90) << "back under the thermal loop";
  const auto nonces = h.Nonces().size();
  h.Run(1s);
  EXPECT_EQ(h.Nonces().size(), nonces) << "idle chain, no nonces";

  // The host comes back: telemetry says why the chain is idle; a reset mines again.
  const auto t = h.Telemetry();
  EXPECT_TRUE(t.flags & link::kFlagHostSilence);
  EXPECT_EQ(t.chain_state, static_cast<std::uint8_t>(p::ChainState::kIdle));
  h.StartMining(TestHeader(6), 2);
  h.Run(2s);
  EXPECT_GT(h.Nonces().size(), nonces);
}

TEST(AppTest, WatchdogIsFedOnlyWhileTheLoopIsHealthy) {
  Harness h(1);
  h.Run(1s);
  const int fed = h.bsp.feeds;
  EXPECT_GT(fed, 100);
  EXPECT_LE(h.bsp.now - h.bsp.last_feed, 2ms);
  h.bsp.sensor_delay = 800ms;  // the sensor bus hangs for longer than a pass may take
  h.Run(3s);
  EXPECT_GT(h.bsp.now - h.bsp.last_feed, 2s) << "a hung loop must starve the watchdog";
  h.bsp.sensor_delay = 0us;
  h.Run(1s);
  EXPECT_LE(h.bsp.now - h.bsp.last_feed, 2ms);
}

TEST(AppTest, ChainFaultsShowInTelemetry) {
  {
    Harness h(4);  // one chip never answers
    hal::sim::Faults f;
    f.dead_chips = {3};
    h.bsp.chain().SetFaults(f);
    link::Configure c;
    c.frequency_quarter_mhz = 4 * 490;
    c.ticket_difficulty = static_cast<float>(kTicket);
    h.Send(link::EncodeMessage(++h.sequence, c));
    h.Send(Type::kChainReset);
    h.Run(2s);
    const auto t = h.Telemetry();
    EXPECT_LT(t.chips_alive, 4);
  }
  {
    Harness h(4);  // no chip answers at all: the chain fails, the board says so
    hal::sim::Faults f;
    f.dead_chips = {0, 1, 2, 3};
    h.bsp.chain().SetFaults(f);
    h.Send(Type::kChainReset);
    h.Run(8s);  // three rate probes, each read twice (the second waiting 1 s for late answers)
    EXPECT_EQ(h.Telemetry().chain_state, static_cast<std::uint8_t>(p::ChainState::kFailed));
  }
  {
    Harness h(2);  // chips whose nonces miss the ticket: hardware errors, per chip
    hal::sim::Faults f;
    f.bad_nonce_chips = {1};
    h.bsp.chain().SetFaults(f);
    h.StartMining(TestHeader(7));
    h.Run(3s);
    EXPECT_GT(h.app.counters().hardware_errors, 0u);
    EXPECT_GT(h.app.driver().chip(1).hardware_errors, 0u);
    EXPECT_EQ(h.app.driver().chip(0).hardware_errors, 0u);
  }
}

// An update through the board link, as `hashrig flash` drives it.
TEST(AppTest, FlashesThroughTheLinkAndConfirmsAfterRunningWell) {
  constexpr std::size_t kSector = 1024;
  constexpr Layout kLayout{8};
  constexpr std::uint32_t kBoard = 0x54455354;
  SimFlash flash(2 + 2 * kLayout.slot_sectors, kSector);
  auto image = [](std::uint32_t version, std::uint32_t board) {
    const std::vector<std::uint8_t> body(3000, static_cast<std::uint8_t>(version));
    return std::make_pair(MakeImage(board, version, body), sha256::Hash(body));
  };

  ASSERT_TRUE(flash.Program(kLayout.SlotOffset(0, kSector), image(1, kBoard).first).ok());
  Boot boot(flash, kLayout, kBoard);
  ASSERT_TRUE(boot.Choose().ok());
  Harness h(1, &boot);

  auto push = [&](const std::vector<std::uint8_t>& bytes, const sha256::Digest& sha) {
    std::vector<std::uint8_t> seqs;
    const std::uint8_t slot[] = {1};
    seqs.push_back(h.Send(Type::kFlashErase, slot));
    for (std::size_t at = 0; at < bytes.size(); at += 256) {
      link::FlashWrite w;
      w.offset = static_cast<std::uint32_t>(at);
      w.size = static_cast<std::uint16_t>(std::min<std::size_t>(256, bytes.size() - at));
      std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(at), w.size, w.data.begin());
      h.Send(link::EncodeMessage(++h.sequence, w));
      seqs.push_back(h.sequence);
    }
    seqs.push_back(h.Send(Type::kFlashVerify, sha));
    h.Run(20ms);
    return seqs;
  };

  // A foreign image writes but never verifies, so it cannot be committed.
  const auto [foreign, foreign_sha] = image(2, 0x0BADB0A7);
  auto seqs = push(foreign, foreign_sha);
  EXPECT_EQ(h.ReplyTo(seqs.back())->type, Type::kError);
  const auto commit_foreign = h.Send(Type::kFlashCommit);
  h.Run(5ms);
  EXPECT_EQ(h.ReplyTo(commit_foreign)->type, Type::kError);
  const std::uint8_t running_slot[] = {0};
  const auto erase_running = h.Send(Type::kFlashErase, running_slot);
  h.Run(5ms);
  EXPECT_EQ(h.ReplyTo(erase_running)->type, Type::kError) << "the running slot is never erased";

  h.frames.clear();
  const auto [good, good_sha] = image(2, kBoard);
  seqs = push(good, good_sha);
  for (const auto s : seqs) {
    ASSERT_EQ(h.ReplyTo(s)->type, Type::kAck) << "seq " << int(s);
  }
  const auto commit = h.Send(Type::kFlashCommit);
  const auto reboot = h.Send(Type::kReboot);
  h.Run(5ms);
  EXPECT_EQ(h.ReplyTo(commit)->type, Type::kAck);
  EXPECT_EQ(h.ReplyTo(reboot)->type, Type::kAck);
  EXPECT_EQ(h.bsp.reboots, 1);

  // The bootloader runs the new image on trial; the app confirms itself once it mines.
  Boot next(flash, kLayout, kBoard);
  const auto choice = next.Choose();
  ASSERT_TRUE(choice.ok());
  EXPECT_EQ(choice->version, 2u);
  EXPECT_TRUE(choice->trial);
  Harness after(1, &next);
  EXPECT_TRUE(after.Telemetry().flags & link::kFlagTrial);
  after.StartMining(TestHeader(8));
  after.Run(3s);
  EXPECT_FALSE(next.on_trial());
  EXPECT_FALSE(after.Telemetry().flags & link::kFlagTrial);
  Boot third(flash, kLayout, kBoard);
  EXPECT_EQ(third.Choose()->version, 2u) << "confirmed: no rollback on the next boot";
}

}  // namespace
}  // namespace hashrig::firmware
