#include <algorithm>
#include <cmath>

#include "hashrig/hal/protocol/avalon/driver.h"

#include "hashrig/hal/protocol/le.h"

namespace hashrig::hal::protocol::avalon {
namespace {

// The public host's defaults per generation (§3.5 SET and SET_SS tables, §5.5).
Set MakeSet(std::uint32_t freq_sel, std::uint8_t flags, std::uint8_t mask, std::uint32_t spdlow,
            std::uint32_t spdhigh, bool mux) {
  Set s;
  s.freq_sel = freq_sel;
  s.flags = flags;
  s.nonce_mask = mask;
  if (mux) {
    s.mux_h2l = 1;
    s.h2ltime0_spd = 3;
    s.spdlow = spdlow;
    s.spdhigh = spdhigh;
  }
  return s;
}

SmartSpeed MakeSmartSpeed(std::uint32_t pass, std::uint32_t fail, std::uint32_t ms,
                          std::uint32_t timeout, std::uint32_t add) {
  SmartSpeed ss;
  ss.pass = pass;
  ss.fail = fail;
  ss.init = 32767;
  ss.ms = ms;
  ss.timeout = timeout;
  ss.add = add;
  return ss;
}

SmartSpeed A10SmartSpeed() {
  SmartSpeed ss;
  ss.pass = 7;
  ss.fail = 1000;
  ss.init = 32767;
  ss.timeout = 1'300'000;
  ss.levels[0] = {true, 4};
  return ss;
}

constexpr std::uint8_t kFlags = kSetSmartSpeed | kSetNonceCheck | kSetRollEnable;

// A7 741 (level 12 = 4825 board units, §3.5), A8 851, LC3, A10 1041. A7's PLL points are
// all 600 MHz: the reference prints no other A7 word.
const ModelDefaults kDefaults[] = {
    {Generation::kAvalon7,
     "741",
     MakeSet(0, kFlags, 29, 0, 0, false),
     MakeSmartSpeed(162, 10921, 1, 0, 0),
     12,
     {Megahertz{600}, Megahertz{600}, Megahertz{600}, Megahertz{600}, Megahertz{600},
      Megahertz{600}}},
    {Generation::kAvalon8,
     "851",
     MakeSet(3, kFlags, 27, 2, 3, true),
     MakeSmartSpeed(200, 7000, 5, 16000, 1),
     5,
     {Megahertz{0}, Megahertz{0}, Megahertz{0}, Megahertz{850}}},
    {Generation::kLc3,
     "LC3",
     MakeSet(3, kFlags, 27, 2, 3, true),
     MakeSmartSpeed(200, 7000, 5, 16000, 1),
     5,
     {Megahertz{0}, Megahertz{0}, Megahertz{0}, Megahertz{500}}},
    {Generation::kAvalon10,
     "1041",
     MakeSet(4, kSetSmartSpeed | kSetNonceCheck, 25, 3, 4, true),
     A10SmartSpeed(),
     49,
     {Megahertz{0}, Megahertz{0}, Megahertz{525}, Megahertz{575}}},
};

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

const ModelDefaults& DefaultsFor(Generation generation) {
  return kDefaults[static_cast<int>(generation)];
}

std::optional<Generation> GenerationOfVersion(std::string_view version) {
  if (StartsWith(version, "1041") || StartsWith(version, "A10")) {
    return Generation::kAvalon10;
  }
  if (StartsWith(version, "LC3")) {
    return Generation::kLc3;
  }
  if (version.size() >= 3 && version[0] == '8' && version[2] == '1') {  // 821 … 851
    return Generation::kAvalon8;
  }
  if (version.size() >= 3 && version[0] == '7' && version[2] == '1') {  // 711 … 761
    return Generation::kAvalon7;
  }
  return std::nullopt;
}

std::string_view ModuleInfo::version_string() const {
  std::size_t n = 0;
  while (n < version.size() && version[n] != '\0') {
    ++n;
  }
  return {version.data(), n};
}

std::uint32_t ModuleInfo::top_mhz() const {
  return *std::max_element(frequencies_mhz.begin(), frequencies_mhz.end());
}

std::uint64_t ModuleInfo::hardware_errors() const {
  std::uint64_t sum = 0;
  for (const std::uint32_t n : hw_errors) {
    sum += n;
  }
  return sum;
}

AvalonDriver::AvalonDriver(const DriverConfig& config)
    : config_(config), generation_(config.generation) {
  if (config_.max_modules < 1 || config_.max_modules > kMaxModules) {
    config_.max_modules = kMaxModules;
  }
  settings_.frequency = config_.frequency;
  settings_.ticket_difficulty = 0;
}

void AvalonDriver::Start(Micros now) {
  for (ModuleInfo& m : modules_) {
    m.present = false;
    m.configured = false;
  }
  await_ = Await::kNone;
  auc_in_size_ = 0;
  bad_packets_ += decoder_.bad_crc();  // the counters outlive the decoder
  skipped_bytes_ += decoder_.skipped_bytes();
  decoder_ = PacketDecoder();
  job_due_ = false;
  empty_scans_ = 0;
  reboot_next_ = 0;
  first_scan_ = true;
  mismatches_in_a_row_ = 0;
  pending_slot_ = -1;
  reset_tx_.fill(false);
  resend_due_.fill(false);
  auc_failures_ = 0;
  nonce_count_ = 0;
  status_ = Status::Ok();
  phase_ = config_.transport == Transport::kAuc ? Phase::kAucReset : Phase::kDetect;
  next_detect_ = now;
  state_ = config_.transport == Transport::kAuc ? ChainState::kResetting : ChainState::kEnumerating;
  if (generation_) {
    if (Status s = CheckSettings(); !s.ok()) {
      status_ = s;
      state_ = ChainState::kFailed;
    }
  }
}

void AvalonDriver::Idle() {
  state_ = ChainState::kIdle;
  await_ = Await::kNone;
  job_due_ = false;
}

void AvalonDriver::Apply(const ChainSettings& settings) {
  settings_.frequency = settings.frequency;
  if (settings.ticket_difficulty > 0) {
    ticket_cap_ = settings.ticket_difficulty;
  }
}

ChainSettings AvalonDriver::settings() const {
  ChainSettings s = settings_;
  s.frequency = TopFrequency();
  s.ticket_difficulty = ticket_difficulty();
  return s;
}

void AvalonDriver::SetTicket(double difficulty) {
  if (difficulty > 0) {
    ticket_cap_ = difficulty;
  }
}

double AvalonDriver::ticket_difficulty() const {
  const double cap = generation_ ? InfoOf(*generation_).diff_max : 0;
  return ticket_cap_ > 0 && (cap == 0 || ticket_cap_ < cap) ? ticket_cap_ : cap;
}

void AvalonDriver::SetFan(Percent duty) {
  if (fan_ && fan_->value == duty.value) {
    return;
  }
  fan_ = duty;
  fan_due_.fill(true);
}

std::optional<Celsius> AvalonDriver::temperature() const {
  std::optional<Celsius> hottest;
  for (const ModuleInfo& m : modules_) {
    if (m.present && m.temperature && (!hottest || m.temperature->value > hottest->value)) {
      hottest = m.temperature;
    }
  }
  return hottest;
}

int AvalonDriver::modules_present() const {
  int n = 0;
  for (const ModuleInfo& m : modules_) {
    n += m.present ? 1 : 0;
  }
  return n;
}

int AvalonDriver::expected_chips() const {
  std::uint32_t n = 0;
  for (const ModuleInfo& m : modules_) {
    n += m.id != 0 ? m.asic_count : 0;  // every module found since Start, lost ones too
  }
  return static_cast<int>(n);
}

// The PLL points a module is configured with, in MHz: the model's lower points (never above
// the top one) and the top point; with more than four points (A7), the highest four.
decltype(ModuleInfo::frequencies_mhz) AvalonDriver::SetFrequencies() const {
  decltype(ModuleInfo::frequencies_mhz) out{};
  if (!generation_) {
    return out;
  }
  const std::size_t points = InfoOf(*generation_).pll_points;
  const std::size_t first = points > out.size() ? points - out.size() : 0;
  for (std::size_t i = first; i < points; ++i) {
    out[i - first] = static_cast<std::uint32_t>(std::lround(PointFrequency(i, points).value));
  }
  return out;
}

Megahertz AvalonDriver::PointFrequency(std::size_t i, std::size_t points) const {
  const Megahertz top = TopFrequency();
  if (i + 1 == points) {
    return top;
  }
  const Megahertz model = DefaultsFor(*generation_).pll[i];
  return model.value > top.value ? top : model;
}

int AvalonDriver::chips_found() const {
  std::uint32_t n = 0;
  for (const ModuleInfo& m : modules_) {
    n += m.present ? m.asic_count : 0;
  }
  return static_cast<int>(n);
}

ChipCounters AvalonDriver::chip(int position) const {
  if (position < 0 || position >= static_cast<int>(counters_.size())) {
    return {};
  }
  ChipCounters c = counters_[static_cast<std::size_t>(position)];
  c.address = ChipAddress{static_cast<std::uint8_t>(position)};
  c.alive = modules_[static_cast<std::size_t>(position / kMinersPerSlot)].present;
  return c;
}

std::string_view AvalonDriver::auc_version() const {
  std::size_t n = 0;
  while (n < auc_version_.size() && auc_version_[n] != '\0') {
    ++n;
  }
  return {auc_version_.data(), n};
}

// The top PLL point: the configured clock, else the model's default.
Megahertz AvalonDriver::TopFrequency() const {
  if (settings_.frequency.value > 0 || !generation_) {
    return settings_.frequency;
  }
  const ModelDefaults& d = DefaultsFor(*generation_);
  return d.pll[InfoOf(*generation_).pll_points - 1];
}

// Every PLL point must have a word the reference prints (generation.h PllWordFor), and a
// voltage level given must be one the generation's SET_VOLT takes (§3.5, §5.5).
Status AvalonDriver::CheckSettings() const {
  const GenerationInfo& info = InfoOf(*generation_);
  if (config_.voltage_level && (*config_.voltage_level < info.volt_level_min ||
                                *config_.voltage_level > info.volt_level_max)) {
    return Status(StatusCode::kInvalidArgument,
                  "the voltage level is outside this Avalon generation's SET_VOLT range "
                  "(Avalon 7 0..15, Avalon 8 -15..15, LC3 0..31, Avalon 10 0..75)");
  }
  const auto words = PllWords();
  return words.ok() ? Status::Ok() : words.status();
}

Result<std::array<std::uint32_t, kMaxPllPoints>> AvalonDriver::PllWords() const {
  const std::size_t points = InfoOf(*generation_).pll_points;
  std::array<std::uint32_t, kMaxPllPoints> words{};
  for (std::size_t i = 0; i < points; ++i) {
    const auto word = PllWordFor(*generation_, PointFrequency(i, points));
    if (!word) {
      return Status(StatusCode::kInvalidArgument,
                    "no PLL word is known for this clock on this Avalon generation (the "
                    "reference prints only some: Avalon 8/LC3 0, 25, 500, 525, 650, 800, 850, "
                    "1200 MHz; Avalon 10 525, 575; Avalon 7 600)");
    }
    words[i] = *word;
  }
  return words;
}

}  // namespace hashrig::hal::protocol::avalon
