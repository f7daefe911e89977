#include "avalon_module.h"

#include <algorithm>

#include "hashrig/hal/protocol/avalon/job.h"
#include "hashrig/hal/protocol/le.h"
#include "hashrig/hal/sim/rigs.h"
#include "hashrig/sha256/sha256.h"

namespace hashrig::hal::sim::avalon_detail {
namespace {

using av::Kind;

// A module whose figures have no rig row: its miners' boards as one body, as the rig
// table's Avalon rows come out (their per-miner resistances in parallel).
constexpr ThermalConstants kModuleThermal{25, 0.060, 0.028, 40};

// A module of a wire-level rig row (rigs.h, one source for `hashrig rigs`, the simulator
// and the reports): its chips per miner, TH/s and W as the row gives them, and its miners
// (the row's hash boards, each with the row's per-board thermal constants) as one body:
// their resistances in parallel.
constexpr ModuleModel FromRig(Generation generation, std::string_view model,
                              std::string_view rig_name, double mhz, int volt_level) {
  const RigProfile& rig = *FindRig(rig_name);
  ThermalConstants thermal = rig.thermal;
  thermal.resistance_still_c_per_w /= rig.chains;
  thermal.resistance_full_c_per_w /= rig.chains;
  return {generation, model,           rig.chips_per_chain, mhz,
          volt_level, rig.nominal_ths, rig.nominal_watts(), thermal};
}

// Avalon 8 and 10 from the rig table's avalon-851 and avalon-1041 rows. Avalon 7 and LC3
// have no row: 741 7.3 TH/s 1150 W (spec sheet); LC3 none public, 851's efficiency at its
// chips x clock (an assumption). Chips per miner and clocks are the reference's (§1.3,
// §5.5; A10's "<= 120" taken as 120).
constexpr ModuleModel kModels[] = {
    {Generation::kAvalon7, "741", 22, 780, 12, 7.3, 1150, kModuleThermal},
    FromRig(Generation::kAvalon8, "851", "avalon-851", 850, 5),
    {Generation::kLc3, "LC3", 34, 500, 5, 11.2, 1115, kModuleThermal},
    FromRig(Generation::kAvalon10, "1041", "avalon-1041", 575, 49),
};
static_assert(kModels[static_cast<int>(Generation::kAvalon8)].chips_per_miner == 26);
static_assert(kModels[static_cast<int>(Generation::kAvalon10)].chips_per_miner == 120);

ThermalConstants ThermalFor(const AvalonConfig& config) {
  ThermalConstants t = ModelOf(config.generation).thermal;
  t.ambient_c = config.ambient_c;
  return t;
}

bool Contains(const std::vector<int>& list, int value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

const ModuleModel& ModelOf(Generation generation) { return kModels[static_cast<int>(generation)]; }

SimModule::SimModule(const AvalonConfig& config, int position)
    : config_(config),
      model_(ModelOf(config.generation)),
      dna_(AvalonBus::DnaFor(config.seed, position)),
      bad_nonces_(Contains(config.faults.bad_nonce_modules, position)),
      miners_(av::InfoOf(config.generation).miners),
      assembler_(config.generation),
      thermal_(ThermalFor(config)) {
  PowerOn();
}

void SimModule::PowerOn() {
  id_ = 0;
  pending_id_ = 0;
  configured_ = false;
  set_ = {};
  volt_levels_.fill(model_.default_volt_level);
  mhz_.fill(model_.default_mhz);
  fan_pwm_.reset();
  assembler_ = JobAssembler(config_.generation);
  has_job_ = false;
  cursor_.reset();
  history_.clear();
  queue_.clear();
  last_reply_.reset();
  credit_ = 0;
  rotation_ = 0;
  crc_errors_ = 0;
  miner_nonces_.fill(0);
  miner_bad_.fill(0);
}

void SimModule::SetPresent(bool present) {
  if (present && !present_) {
    PowerOn();
  }
  present_ = present;
}

av::Packet SimModule::AnswerDetect(std::uint8_t proposed) {
  pending_id_ = proposed;
  ++counters_.detections;
  av::AckDetect ack;
  ack.dna = dna_;
  const std::string_view model = config_.model.empty() ? model_.model : config_.model;
  const std::size_t room = av::InfoOf(config_.generation).version_length;
  std::string version(model.substr(0, room));
  constexpr std::string_view kSuffix = "-HASHRIG-SIM-01234";  // a firmware-version tail
  version += kSuffix.substr(0, room > version.size() ? room - version.size() : 0);
  std::copy(version.begin(), version.end(), ack.version.begin());
  ack.asic_count = static_cast<std::uint32_t>(miners_ * model_.chips_per_miner);
  last_reply_ = *av::Encode(config_.generation, ack);
  return *last_reply_;
}

std::optional<av::Packet> SimModule::Sync(std::uint8_t address, const Dna& dna) {
  if (!present_ || dna != dna_ || (address != id_ && address != pending_id_)) {
    return std::nullopt;
  }
  ++counters_.packets;
  id_ = address;
  pending_id_ = 0;
  cursor_.reset();  // its nonce2 place (§8b.2) follows the id
  last_reply_ = StatusOf(0);
  return last_reply_;
}

std::optional<av::Packet> SimModule::Handle(Kind kind, const av::Packet& packet, bool addressed) {
  bool taken = false;
  switch (kind) {
    case Kind::kStatic:
    case Kind::kVmask:
    case Kind::kTarget:
    case Kind::kJobId:
    case Kind::kCoinbase:
    case Kind::kMerkles:
    case Kind::kHeader:
    case Kind::kJobFin:
      taken = TakeJobPacket(kind, packet);
      break;
    case Kind::kPolling: {
      auto polling = av::DecodePolling(config_.generation, packet);
      if (polling.ok()) {
        return Poll(*polling, addressed);
      }
      break;  // refused
    }
    case Kind::kRstMmTx:
      last_reply_.reset();
      taken = true;
      break;
    default:
      taken = Configure(kind, packet);
      break;
  }
  ++(taken ? counters_.packets : counters_.refused);
  return std::nullopt;
}

// SET .. SET_FIN (§3.5), each through its decoder; what the model uses is kept.
bool SimModule::Configure(Kind kind, const av::Packet& packet) {
  const Generation g = config_.generation;
  switch (kind) {
    case Kind::kSet: {
      auto set = av::DecodeSet(g, packet);
      return set.ok() && (set_ = *set, true);
    }
    case Kind::kSetVolt: {
      auto volt = av::DecodeSetVolt(g, packet);
      return volt.ok() && (volt_levels_ = volt->levels, true);
    }
    case Kind::kSetPll: {
      auto pll = av::DecodeSetPll(g, packet);
      return pll.ok() && SetPll(*pll);
    }
    case Kind::kSetSs:
      return av::DecodeSmartSpeed(g, packet).ok();
    case Kind::kSetAsicOtp:
    case Kind::kSetHashOd:
      return av::DecodePerMiner(g, kind, packet).ok();
    case Kind::kSetAdjustVolt:
      return av::DecodeAdjustVolt(g, packet).ok();
    case Kind::kSetOc:
    case Kind::kSetFacPll:
    case Kind::kSetSsSwitch:
    case Kind::kSetSsdnPro:
      return av::DecodeValue(g, kind, packet).ok();
    case Kind::kSetFac:
      return true;  // raw factory bytes
    case Kind::kSetFin:
      configured_ = true;
      return true;
    default:
      return false;  // a reply kind, DETECT/SYNC misplaced, or a kind not modelled (TEST ...)
  }
}

// The miner's highest PLL point among the words the codec knows (others are opaque).
bool SimModule::SetPll(const av::SetPll& pll) {
  if (pll.miner >= miners_) {
    return false;
  }
  double top = 0;
  bool known = false;
  for (std::size_t i = 0; i < av::InfoOf(config_.generation).pll_points; ++i) {
    if (const auto mhz = av::PllFrequencyOf(config_.generation, pll.words[i])) {
      top = std::max(top, mhz->value);
      known = true;
    }
  }
  if (known) {
    mhz_[pll.miner] = top;
  }
  return true;
}

bool SimModule::TakeJobPacket(Kind kind, const av::Packet& packet) {
  switch (assembler_.Take(kind, packet)) {
    case JobAssembler::Step::kTaken:
      return true;
    case JobAssembler::Step::kRefused:
      return false;
    case JobAssembler::Step::kBadJob:
      ++counters_.bad_jobs;
      return false;
    case JobAssembler::Step::kFinished:
      InstallJob();
      return true;
  }
  return false;
}

// A finished hand-off becomes the work at once; nonces of jobs no longer among the last
// four are dropped (§8b.5).
void SimModule::InstallJob() {
  job_ = assembler_.job();
  has_job_ = true;
  cursor_.reset();
  ++counters_.jobs;
  const std::pair<std::uint16_t, std::uint16_t> key{job_.job_tag, job_.pool};
  history_.erase(std::remove(history_.begin(), history_.end(), key), history_.end());
  history_.push_back(key);
  while (history_.size() > kJobHistory) {
    history_.pop_front();
  }
  const auto stale = [this](const av::NonceReport& r) {
    return std::find(history_.begin(), history_.end(), std::pair{r.job_tag, r.pool}) ==
           history_.end();
  };
  const auto before = queue_.size();
  queue_.erase(std::remove_if(queue_.begin(), queue_.end(), stale), queue_.end());
  counters_.nonces_dropped += before - queue_.size();
}

// POLLING (§3.5): the fan's PWM (A7/A8/LC3), a reboot, and to its own id one reply.
std::optional<av::Packet> SimModule::Poll(const av::Polling& polling, bool addressed) {
  ++counters_.packets;
  ++counters_.polls;
  if (polling.fan_pwm) {
    fan_pwm_ = polling.fan_pwm;
  }
  if (polling.reboot) {
    PowerOn();  // the MM restarts: no id, no job (needs detection again)
    return std::nullopt;
  }
  if (!addressed) {
    return std::nullopt;
  }
  auto reply = queue_.empty() ? Telemetry() : *NoncePacket();
  last_reply_ = reply;
  return reply;
}

// One report (A10: up to two), oldest first.
std::optional<av::Packet> SimModule::NoncePacket() {
  const bool two = av::InfoOf(config_.generation).nonce == av::NonceLayout::kTwoSlots;
  std::vector<av::NonceReport> reports;
  while (!queue_.empty() && reports.size() < (two ? 2u : 1u)) {
    reports.push_back(queue_.front());
    queue_.pop_front();
  }
  counters_.nonces_reported += reports.size();
  auto packet = av::Encode(config_.generation, reports, dna_[7]);
  return packet.ok() ? std::optional(*packet) : std::nullopt;
}

void SimModule::Hash(double budget) {
  if (!hashing()) {
    credit_ = 0;
    return;
  }
  if (!cursor_) {
    cursor_.emplace(job_, id_ - 1, config_.header_sweep);
  }
  credit_ += budget;
  found_.clear();
  const auto done = cursor_->Scan(static_cast<std::uint64_t>(credit_), found_);
  credit_ -= static_cast<double>(done);
  counters_.hashes += done;
  for (const Found& f : found_) {
    Queue(f);
  }
}

// A found nonce into the queue (at most 64; §8b.5). A bad-nonce module damages it until
// it fails the target, as a miner with broken chips would.
void SimModule::Queue(const Found& found) {
  ++counters_.nonces_found;
  std::uint32_t nonce = found.nonce;
  const auto [miner, chip] = MinerChipOf(nonce);
  ++miner_nonces_[miner];
  if (bad_nonces_) {
    ++miner_bad_[miner];
    for (std::uint32_t bit = 1; bit != 0; bit <<= 1) {
      const auto header = sha256::WithVersionAndNonce(
          found.header, protocol::LoadLe32(&found.header[0]), found.nonce ^ bit);
      if (!job_.target.IsMetBy(sha256::DoubleHash(header))) {
        nonce = found.nonce ^ bit;
        break;
      }
    }
  }
  if (queue_.size() >= kNonceQueue) {
    ++counters_.nonces_dropped;
    return;
  }
  queue_.push_back({miner, chip, found.nonce2, found.ntime_offset, Nonce{nonce}, job_.job_tag,
                    job_.pool, found.micro_job});
}

// The chips split the nonce space evenly, miner by miner (our convention: the public
// protocol does not say how a nonce maps to a chip).
std::pair<std::uint16_t, std::uint16_t> SimModule::MinerChipOf(std::uint32_t nonce) const {
  const std::uint64_t chips = static_cast<std::uint64_t>(miners_) * model_.chips_per_miner;
  const std::uint64_t per_chip = ((std::uint64_t{1} << 32) + chips - 1) / chips;
  const auto global = static_cast<std::uint32_t>(nonce / per_chip);
  return {static_cast<std::uint16_t>(global / model_.chips_per_miner),
          static_cast<std::uint16_t>(global % model_.chips_per_miner)};
}

}  // namespace hashrig::hal::sim::avalon_detail
