// The Avalon module simulator (hal/sim/avalon.h) driven with the codec's encoders, for
// each generation: detection of 1, 2 and 4 modules, configuration, the real block 542213
// found and checked with OpenSSL, easy targets giving many valid nonces, the AUC, every
// fault, a module unplugged and plugged back, damaged input. No timing: simulated time.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <vector>

#include "hal/avalon_job.h"
#include "hashrig/hal/protocol/avalon/auc.h"
#include "hashrig/hal/protocol/avalon/config.h"
#include "hashrig/hal/protocol/avalon/driver.h"
#include "hashrig/hal/protocol/avalon/job.h"
#include "hashrig/hal/protocol/avalon/packet.h"
#include "hashrig/hal/protocol/avalon/replies.h"
#include "hashrig/hal/protocol/avalon/work.h"
#include "hashrig/hal/sim/avalon.h"
#include "hashrig/hal/sim/rigs.h"
#include "support/shared_data.h"

namespace hashrig::hal::sim {
namespace {

namespace av = protocol::avalon;
using av::Kind;
using av::Packet;
using Bytes = std::vector<std::uint8_t>;
using namespace std::chrono_literals;

constexpr Generation kGenerations[] = {Generation::kAvalon7, Generation::kAvalon8, Generation::kLc3,
                                       Generation::kAvalon10};
constexpr std::uint32_t kBlockNonce2 = 0x0005baac;  // the block's extranonce2 acba0500

// A clock whose PLL word the codec knows (PllWordFor), per generation.
double MhzFor(Generation g) {
  constexpr double kMhz[] = {600, 850, 500, 575};
  return kMhz[static_cast<int>(g)];
}

// The host's side: packets in with the codec, replies out of the bus decoded.
class Host {
 public:
  explicit Host(const AvalonConfig& config) : bus(config), gen(config.generation) {}

  // `packet` to `address` (0 = every module); the replies (AUC: the XFER's, if any).
  std::vector<Packet> Send(Packet packet, std::uint8_t address, bool read = true) {
    if (!bus.config().auc) {
      packet.opt = address;  // §8b.1
      bus.Receive(av::Encode(packet));
      return Replies();
    }
    const av::Wire wire = av::Encode(packet);
    const auto xfer = av::AucXfer(address, wire, read ? 40 : 0);
    EXPECT_TRUE(xfer.ok());
    bus.Receive(xfer->span());
    last_auc = av::DecodeAucReply(bus.TakeOutput());
    EXPECT_TRUE(last_auc.ok());
    std::vector<Packet> out;
    if (last_auc.ok() && last_auc->result == av::AucResult::kOk && last_auc->body_size == 40) {
      if (auto p = av::Decode(last_auc->body_span()); p.ok()) {
        out.push_back(*p);
      }
    }
    return out;
  }
  std::vector<Packet> Send(const Result<Packet>& packet, std::uint8_t address, bool read = true) {
    EXPECT_TRUE(packet.ok()) << packet.status().message();
    return Send(*packet, address, read);
  }
  std::vector<Packet> Replies() {
    std::vector<Packet> out;
    for (const std::uint8_t b : bus.TakeOutput()) {  // the decoder holds two packets
      decoder.Push(b);
      while (auto p = decoder.Next()) {
        out.push_back(*p);
      }
    }
    return out;
  }

  // DETECT ids 1.. until nobody answers; SYNC each (§5.1).
  std::vector<av::AckDetect> DetectAll() {
    std::vector<av::AckDetect> found;
    for (std::uint8_t id = 1; id <= 7; ++id) {
      const auto replies = Send(av::Encode(gen, av::Detect{id}), 0);
      if (replies.empty()) {
        break;
      }
      const auto ack = av::DecodeAckDetect(gen, replies[0]);
      EXPECT_TRUE(ack.ok());
      EXPECT_EQ(replies[0].opt, 0);
      found.push_back(*ack);
      EXPECT_EQ(Send(av::Encode(gen, av::Sync{ack->dna}), id).size(), 1u);
    }
    return found;
  }

  // cgminer's configuration batch (§5.1) for module `id`.
  void Configure(std::uint8_t id, double mhz) {
    const av::GenerationInfo& info = av::InfoOf(gen);
    av::Set set;
    set.freq_sel = 3;
    set.flags = av::kSetSmartSpeed | av::kSetNonceCheck;
    set.nonce_mask = 27;
    if (info.set == av::SetLayout::kMuxTargetTemp) {
      set.target_temperature = 65;
    }
    Send(av::Encode(gen, set), id, false);
    av::SetVolt volt;
    std::fill_n(volt.levels.begin(), info.miners, info.volt_level_min + 5);
    volt.adjust_switch = info.volt_adjust_switch ? 1 : 0;
    Send(av::Encode(gen, volt), id, false);
    if (auto otp = av::TypeOf(gen, Kind::kSetAsicOtp)) {
      Send(av::Encode(gen, av::PerMiner{Kind::kSetAsicOtp, {}}), id, false);
    }
    std::vector<std::uint32_t> words(info.pll_points, *av::PllWordFor(gen, Megahertz{0}));
    words.back() = *av::PllWordFor(gen, Megahertz{mhz});
    for (std::uint8_t miner = 0; miner < info.miners; ++miner) {
      Send(av::Encode(gen, *av::PllSettingFor(gen, words, Megahertz{mhz}, miner)), id, false);
    }
    Send(av::Empty(gen, Kind::kSetFin), id, false);
  }

  // The job's packets, broadcast, with STATIC's nonce2 start set to `start`.
  void SendJob(const av::StratumJob& job, std::uint32_t start) {
    const auto packets = av::JobPackets::Make(gen, job, {});
    ASSERT_TRUE(packets.ok());
    for (std::size_t i = 0; i < packets->size(); ++i) {
      Packet p = packets->at(i);
      if (i == 0) {
        av::Static fields = packets->fields();
        fields.nonce2_start = start;
        p = *av::Encode(gen, fields);
      }
      Send(p, 0, false);
    }
  }

  // POLLING `id` (simulated time passing) until `want` nonces came, or `polls` polls.
  std::vector<av::NonceReport> PollNonces(std::uint8_t id, std::size_t want, int polls,
                                          std::chrono::nanoseconds step = 10ms) {
    std::vector<av::NonceReport> nonces;
    for (int i = 0; i < polls && nonces.size() < want; ++i) {
      bus.Advance(step);
      for (const Packet& p : Send(av::Encode(gen, av::Polling{}), id)) {
        ++poll_replies;
        if (auto r = av::DecodeNonce(gen, p); r.ok()) {
          EXPECT_EQ(p.opt, dna_last[id]);
          nonces.insert(nonces.end(), r->span().begin(), r->span().end());
        }
      }
    }
    return nonces;
  }

  AvalonBus bus;
  Generation gen;
  av::PacketDecoder decoder;
  Result<av::AucReply> last_auc = av::AucReply{};
  std::array<std::uint8_t, 8> dna_last{};  // id -> the DNA's last byte (the reply's OPT)
  int poll_replies = 0;
};

AvalonConfig ConfigFor(Generation g, int modules, bool auc = false) {
  AvalonConfig c;
  c.generation = g;
  c.modules = modules;
  c.auc = auc;
  return c;
}

// Detects and configures every module; remembers each id's DNA for the OPT checks.
void BringUp(Host& host, int modules) {
  const auto acks = host.DetectAll();
  ASSERT_EQ(acks.size(), static_cast<std::size_t>(modules));
  for (std::size_t i = 0; i < acks.size(); ++i) {
    host.dna_last[i + 1] = acks[i].dna[7];
    host.Configure(static_cast<std::uint8_t>(i + 1), MhzFor(host.gen));
  }
}

// The share a report names, re-hashed with OpenSSL: its little-endian hash value.
Bytes HashOf(const av::StratumJob& job, Generation g, const av::NonceReport& r) {
  const auto submit = av::SubmitFor(g, job, r);
  EXPECT_TRUE(submit.ok()) << submit.status().message();
  const auto header = av::HeaderFor(job, *submit);
  return testing::OpenSslSha256d(Bytes(header.begin(), header.end()));
}

bool Meets(const Bytes& hash, const sha256::Target& target) {
  sha256::Digest d{};
  std::copy(hash.begin(), hash.end(), d.begin());
  return target.IsMetBy(d);
}

class AvalonSimTest : public ::testing::TestWithParam<Generation> {};

std::string NameOf(const ::testing::TestParamInfo<Generation>& p) {
  std::string name = p.param == Generation::kLc3 ? "" : "A";
  name += AvalonDefaultModel(p.param);
  return name;
}

INSTANTIATE_TEST_SUITE_P(Avalon, AvalonSimTest, ::testing::ValuesIn(kGenerations), NameOf);

TEST_P(AvalonSimTest, DetectsOneTwoAndFourModulesWithDistinctDnas) {
  for (const int n : {1, 2, 4}) {
    Host host(ConfigFor(GetParam(), n));
    const auto acks = host.DetectAll();
    ASSERT_EQ(acks.size(), static_cast<std::size_t>(n));
    std::set<Dna> dnas;
    for (std::size_t i = 0; i < acks.size(); ++i) {
      dnas.insert(acks[i].dna);
      EXPECT_EQ(acks[i].version_string().substr(0, 3), AvalonDefaultModel(GetParam()).substr(0, 3));
      const auto& info = av::InfoOf(GetParam());
      EXPECT_EQ(acks[i].asic_count % info.miners, 0u);
      EXPECT_EQ(host.bus.module(static_cast<int>(i)).id, i + 1);  // lowest DNA first
    }
    EXPECT_EQ(dnas.size(), acks.size());
    // Addressed modules ignore DETECT; SYNC with a wrong DNA adopts nothing.
    EXPECT_TRUE(host.Send(av::Encode(GetParam(), av::Detect{9}), 0).empty());
  }
  // §6's example DNA for the first module of seed 1.
  EXPECT_EQ(AvalonBus::DnaFor(1, 0), (Dna{0x02, 0x01, 0x00, 0x00, 0x2c, 0x2a, 0xf6, 0x18}));
}

TEST_P(AvalonSimTest, ConfigurationIsAcceptedAndGarbageRefused) {
  Host host(ConfigFor(GetParam(), 2));
  BringUp(host, 2);
  for (int m = 0; m < 2; ++m) {
    EXPECT_TRUE(host.bus.module(m).configured);
    EXPECT_EQ(host.bus.counters(m).refused, 0u);
    EXPECT_DOUBLE_EQ(host.bus.module(m).frequency.value, MhzFor(GetParam()));
  }
  // A SET_VOLT level no layout carries, a reply kind sent to a module, a SET_PLL for a
  // miner the module has not: refused and counted, nothing crashes.
  Packet volt = *av::Encode(GetParam(), av::SetVolt{});
  std::fill(volt.data.begin(), volt.data.begin() + 4, 0x7F);
  host.Send(volt, 1, false);
  host.Send(av::Encode(GetParam(), av::AckDetect{}), 1, false);
  Packet pll = *av::Encode(GetParam(), av::SetPll{});
  pll.data[31] = 0x7F;
  pll.idx = 9;
  host.Send(pll, 1, false);
  EXPECT_GE(host.bus.counters(0).refused + host.bus.bus_counters().refused, 2u);
  EXPECT_EQ(host.bus.counters(1).refused, 0u);
}

// The AUC's INFO reading is the ADC value whose temperature (the host's arithmetic) is the
// nearest to the ambient of all 1,022 readings, from -40 to 120 °C.
TEST(AvalonAucSimTest, TheInfoReadingIsTheNearestToTheAmbient) {
  for (const double ambient : {-40.0, -12.3, 0.0, 25.0, 47.6, 85.0, 120.0}) {
    AvalonConfig config = ConfigFor(Generation::kAvalon8, 1, true);
    config.ambient_c = ambient;
    AvalonBus bus(config);
    bus.Receive(av::AucSimple(av::AucRequest::kInfo).span());
    const auto info = av::DecodeAucReply(bus.TakeOutput());
    ASSERT_TRUE(info.ok()) << ambient;
    const std::uint16_t sent = av::DecodeAucInfo(info->body_span())->temperature_adc;
    const double error = std::abs(av::AucTemperature(sent)->value - ambient);
    for (std::uint16_t adc = 1; adc < 1023; ++adc) {
      const auto t = av::AucTemperature(adc);
      ASSERT_TRUE(!t.ok() || std::abs(t->value - ambient) >= error)
          << ambient << " C: reading " << adc << " is nearer than " << sent;
    }
  }
}

// Issue 16, point 5: the rig table's Avalon rows are wire-level — the simulated 851 and
// 1041 modules are those rows: chips (miners x chips per miner) in ACKDETECT, the row's
// power while they hash a job at the default clock (and a given voltage level), and heat that
// settles where the row's thermal constants put it (each miner a board of the row: resistances in
// parallel).
TEST(AvalonRigTest, TheAvalon851And1041RowsAreTheSimulatedModules) {
  for (const auto& [generation, row] : {std::pair{Generation::kAvalon8, "avalon-851"},
                                        std::pair{Generation::kAvalon10, "avalon-1041"}}) {
    const RigProfile& rig = *FindRig(row);
    EXPECT_EQ(rig.host_protocol, RigProtocol::kAvalonWire) << row;
    EXPECT_EQ(rig.chains, av::InfoOf(generation).miners) << row;
    AvalonConfig config = ConfigFor(generation, 1);
    config.cpu_hashes_per_second = 1e5;  // the figures, not the search, are under test
    Host host(config);
    const auto acks = host.DetectAll();
    ASSERT_EQ(acks.size(), 1u) << row;
    EXPECT_EQ(acks[0].asic_count, static_cast<std::uint32_t>(rig.chains * rig.chips_per_chain))
        << row;
    host.dna_last[1] = acks[0].dna[7];
    host.Configure(1, MhzFor(generation));
    testing::Job542213 real;
    host.SendJob(real.job, 0);
    (void)host.PollNonces(1, 1, 5);
    ASSERT_TRUE(host.bus.module(0).has_job) << row;
    // The row's watts at the default clock, 1 % per SET_VOLT level from the default one
    // (Configure sets the generation's lowest level + 5).
    const int levels =
        av::InfoOf(generation).volt_level_min + 5 - av::DefaultsFor(generation).voltage_level;
    EXPECT_NEAR(host.bus.module(0).power.value, rig.nominal_watts() * (1 + 0.01 * levels), 1)
        << row;
    // An hour of simulated time at a steady fan: within a few degrees of the row's
    // steady state for the module's power and fan (A10's own loop picks its duty).
    for (int i = 0; i < 360; ++i) {
      host.bus.Advance(std::chrono::seconds(10));
    }
    const AvalonModuleView v = host.bus.module(0);
    const double fan = v.fan.value / 100;
    const double per_miner =
        rig.thermal.resistance_still_c_per_w +
        (rig.thermal.resistance_full_c_per_w - rig.thermal.resistance_still_c_per_w) * fan;
    EXPECT_NEAR(v.temperature.value, 25 + v.power.value * per_miner / rig.chains, 5)
        << row << " fan " << v.fan.value << "% power " << v.power.value;
  }
}

TEST_P(AvalonSimTest, RealBlockNonceIsFoundAndHashesToTheBlock) {
  testing::Job542213 real;
  AvalonConfig config = ConfigFor(GetParam(), 1);
  config.cpu_hashes_per_second = 2e8;
  config.max_catch_up = 200ms;
  Host host(config);
  BringUp(host, 1);
  host.SendJob(real.job, kBlockNonce2);
  const auto nonces = host.PollNonces(1, 1, 400, 100ms);
  ASSERT_FALSE(nonces.empty()) << "hashes " << host.bus.counters(0).hashes;
  const av::NonceReport& r = nonces[0];
  EXPECT_EQ(r.nonce.value, 0x01e39613u);
  EXPECT_EQ(r.nonce2, kBlockNonce2);
  EXPECT_EQ(r.ntime_offset, 0u);
  EXPECT_EQ(r.job_tag, av::JobTag("blk542213"));
  auto hash = HashOf(real.job, GetParam(), r);
  std::reverse(hash.begin(), hash.end());
  EXPECT_EQ(testing::ToHex(hash), real.file["expected"]["block_hash"]);
}

TEST_P(AvalonSimTest, EasyTargetGivesManyValidNoncesFromEveryModule) {
  testing::Job542213 real;
  real.job.difficulty = *sha256::Difficulty::From(1.0 / (1 << 20));  // ~4096 hashes a share
  real.job.version_mask = 0x1fffe000;
  AvalonConfig config = ConfigFor(GetParam(), 2);
  config.header_sweep = 1 << 12;  // roll ntime and nonce2 often
  Host host(config);
  BringUp(host, 2);
  host.SendJob(real.job, 1000);
  const auto target = av::JobPackets::Make(GetParam(), real.job, {})->target();
  std::set<std::uint32_t> nonce2s;
  std::set<std::uint32_t> ntimes;
  std::set<std::uint8_t> micro_jobs;
  for (std::uint8_t id = 1; id <= 2; ++id) {
    const auto nonces = host.PollNonces(id, 40, 2000, 20ms);
    ASSERT_GE(nonces.size(), 40u) << "module " << int{id};
    for (const auto& r : nonces) {
      EXPECT_TRUE(Meets(HashOf(real.job, GetParam(), r), target));
      EXPECT_EQ((r.nonce2 - 1000) % kAvalonMaxModules, id - 1u);  // §8b.2
      nonce2s.insert(r.nonce2);
      ntimes.insert(r.ntime_offset);
      micro_jobs.insert(r.micro_job);
    }
  }
  EXPECT_GE(nonce2s.size(), 3u);
  EXPECT_GE(ntimes.size(), 2u);
  EXPECT_EQ(micro_jobs.size(), av::InfoOf(GetParam()).vmask ? 4u : 1u);
}

TEST_P(AvalonSimTest, TelemetryRotatesThroughTheGenerationsPackets) {
  Host host(ConfigFor(GetParam(), 1));
  BringUp(host, 1);
  std::set<std::uint8_t> types;
  for (int i = 0; i < 24; ++i) {
    host.bus.Advance(1s);
    const auto replies = host.Send(av::Encode(GetParam(), av::Polling{}), 1);
    ASSERT_EQ(replies.size(), 1u);
    types.insert(replies[0].type);
    EXPECT_EQ(replies[0].opt, host.dna_last[1]);
    const auto kind = av::KindOf(GetParam(), replies[0].type);
    ASSERT_TRUE(kind);
    if (*kind == Kind::kStatus) {
      const auto status = av::DecodeStatus(GetParam(), replies[0]);
      ASSERT_TRUE(status.ok());
      EXPECT_GT(status->temperature, 20);
      EXPECT_LT(status->temperature, 110);
    } else if (*kind == Kind::kStatusPvt) {
      const auto pvt = av::DecodeStatusPvt(GetParam(), replies[0]);
      ASSERT_TRUE(pvt.ok());
      EXPECT_GT(av::PvtTemperature(pvt->miners[0].temperature_code).value, 20);
    } else if (*kind == Kind::kStatusPower) {
      EXPECT_TRUE(av::DecodeStatusPower(GetParam(), replies[0]).ok());
    }
  }
  EXPECT_TRUE(types.count(0x41) && types.count(0x46) && types.count(0x48) && types.count(0x49) &&
              types.count(0x4B));
  EXPECT_EQ(types.count(0x4C), GetParam() == Generation::kAvalon7 ? 0u : 1u);
}

TEST_P(AvalonSimTest, ThroughTheAuc) {
  testing::Job542213 real;
  real.job.difficulty = *sha256::Difficulty::From(1.0 / (1 << 20));
  Host host(ConfigFor(GetParam(), 2, true));
  // RESET, DEINIT, INIT, INFO: cgminer's 64-byte requests.
  host.bus.Receive(av::AucSimple(av::AucRequest::kReset).span());
  EXPECT_EQ(host.bus.TakeOutput(), (Bytes{0x04, 0, 0, 0}));
  host.bus.Receive(av::AucSimple(av::AucRequest::kDeinit).span());
  EXPECT_EQ(host.bus.TakeOutput(), (Bytes{0x04, 0, 0, 0}));
  host.bus.Receive(av::AucInit(av::kAucDefaultSpeed, av::kAucDefaultXdelay).span());
  EXPECT_EQ(testing::ToHex(host.bus.TakeOutput()),
            "10000000415543"
            "2d3230313531323038");
  host.bus.Receive(av::AucSimple(av::AucRequest::kInfo).span());
  const auto info = av::DecodeAucReply(host.bus.TakeOutput());
  ASSERT_TRUE(info.ok());
  const auto temperature =
      av::AucTemperature(av::DecodeAucInfo(info->body_span())->temperature_adc);
  EXPECT_NEAR(temperature->value, 25, 0.5);
  BringUp(host, 2);
  host.SendJob(real.job, 0);
  const auto target = av::JobPackets::Make(GetParam(), real.job, {})->target();
  for (std::uint8_t id = 1; id <= 2; ++id) {
    const auto nonces = host.PollNonces(id, 10, 1000, 20ms);
    ASSERT_GE(nonces.size(), 10u);
    for (const auto& r : nonces) {
      EXPECT_TRUE(Meets(HashOf(real.job, GetParam(), r), target));
    }
  }
  // tx 0 re-reads the last reply; an absent id is a slave NAK.
  const auto again = av::AucXfer(1, {}, 40);
  host.bus.Receive(again->span());
  EXPECT_EQ(av::DecodeAucReply(host.bus.TakeOutput())->result, av::AucResult::kOk);
  EXPECT_TRUE(host.Send(av::Encode(GetParam(), av::Polling{}), 5).empty());
  EXPECT_EQ(host.last_auc->result, av::AucResult::kSlaveNak);
  EXPECT_EQ(host.last_auc->body_size, 0u);
}

TEST_P(AvalonSimTest, UnpluggedModuleIsSilentAndNeedsDetectionWhenBack) {
  Host host(ConfigFor(GetParam(), 2));
  BringUp(host, 2);
  host.bus.SetPresent(1, false);
  EXPECT_TRUE(host.Send(av::Encode(GetParam(), av::Polling{}), 2).empty());
  EXPECT_EQ(host.Send(av::Encode(GetParam(), av::Polling{}), 1).size(), 1u);
  host.bus.SetPresent(1, true);
  EXPECT_TRUE(host.Send(av::Encode(GetParam(), av::Polling{}), 2).empty());  // no id yet
  const auto replies = host.Send(av::Encode(GetParam(), av::Detect{2}), 0);
  ASSERT_EQ(replies.size(), 1u);
  const auto ack = av::DecodeAckDetect(GetParam(), replies[0]);
  EXPECT_EQ(ack->dna, AvalonBus::DnaFor(1, 1));
  EXPECT_EQ(host.Send(av::Encode(GetParam(), av::Sync{ack->dna}), 2).size(), 1u);
  EXPECT_EQ(host.Send(av::Encode(GetParam(), av::Polling{}), 2).size(), 1u);
}

TEST_P(AvalonSimTest, ScheduledOutageAndReboot) {
  AvalonConfig config = ConfigFor(GetParam(), 1);
  config.faults.outages.push_back({0, 1s, 3s});
  Host host(config);
  BringUp(host, 1);
  host.bus.Advance(1500ms);
  EXPECT_FALSE(host.bus.module(0).present);
  EXPECT_TRUE(host.Send(av::Encode(GetParam(), av::Polling{}), 1).empty());
  host.bus.Advance(2s);
  EXPECT_TRUE(host.bus.module(0).present);
  EXPECT_EQ(host.bus.module(0).id, 0);
  EXPECT_EQ(host.DetectAll().size(), 1u);
  // POLLING's reboot: the MM starts again without its id.
  host.Send(av::Encode(GetParam(), av::Polling{0, std::nullopt, true}), 1, false);
  EXPECT_EQ(host.bus.module(0).id, 0);
}

TEST_P(AvalonSimTest, ReplyFaults) {
  AvalonConfig config = ConfigFor(GetParam(), 1);
  config.faults.garbage_rate = 0.3;
  config.faults.corrupt_rate = 0.3;
  config.faults.drop_rate = 0.2;
  Host host(config);
  int answered = 0;
  for (int i = 0; i < 200; ++i) {
    answered += !host.Send(av::Encode(GetParam(), av::Detect{1}), 0).empty() ? 1 : 0;
  }
  EXPECT_GT(answered, 40);
  EXPECT_LT(answered, 160);
  EXPECT_GT(host.decoder.bad_crc(), 20u);
  EXPECT_GT(host.decoder.skipped_bytes(), 20u);
  EXPECT_GT(host.bus.bus_counters().faults, 100u);
}

TEST_P(AvalonSimTest, BadNonceModuleReportsNoncesThatFailTheTarget) {
  testing::Job542213 real;
  real.job.difficulty = *sha256::Difficulty::From(1.0 / (1 << 20));
  AvalonConfig config = ConfigFor(GetParam(), 2);
  config.faults.bad_nonce_modules = {1};
  Host host(config);
  BringUp(host, 2);
  host.SendJob(real.job, 0);
  const auto target = av::JobPackets::Make(GetParam(), real.job, {})->target();
  for (std::uint8_t id = 1; id <= 2; ++id) {
    const auto nonces = host.PollNonces(id, 10, 1000, 20ms);
    ASSERT_GE(nonces.size(), 10u);
    for (const auto& r : nonces) {
      EXPECT_EQ(Meets(HashOf(real.job, GetParam(), r), target), id == 1);
    }
  }
}

TEST_P(AvalonSimTest, DamagedInputIsRefusedWithoutCrashing) {
  for (const bool auc : {false, true}) {
    Host host(ConfigFor(GetParam(), 2, auc));
    std::mt19937 rng(7);
    Bytes noise(4096);
    for (auto& b : noise) {
      b = static_cast<std::uint8_t>(rng());
    }
    host.bus.Receive(noise);
    const av::Wire detect = av::Encode(*av::Encode(GetParam(), av::Detect{1}));
    Bytes bad(detect.begin(), detect.end());
    bad[10] ^= 1;  // bad CRC
    host.bus.Receive(bad);
    host.bus.Receive(std::span(detect).first(20));  // truncated
    host.bus.Advance(1s);
    (void)host.bus.TakeOutput();
    EXPECT_GT(host.bus.bus_counters().skipped_bytes, 0u);
    EXPECT_EQ(host.bus.module(0).id, 0);
  }
}

}  // namespace
}  // namespace hashrig::hal::sim
