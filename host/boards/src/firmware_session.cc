// A board running hashrig firmware (docs/board-link.md): the board's MCU drives the chips
// and keeps them safe; the host configures it, sends work, takes the nonces it reports
// (checking each against the work it was found on) and polls its telemetry and per-chip
// counters — which also keeps the board's host-silence watchdog from idling the chain.
#include <cmath>
#include <deque>

#include "chain_session.h"
#include "hashrig/sha256/scan.h"
#include "hashrig/sha256/target.h"

namespace hashrig::host {
namespace {

namespace p = hal::protocol;
namespace link = hal::link;
using std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto kRequestTimeout = 2000ms;
constexpr auto kTelemetryEvery = 1s;
constexpr auto kResetAgainAfter = 5s;
constexpr std::size_t kRecentWork = 64;

class FirmwareSession final : public ChainSession {
 public:
  FirmwareSession(std::unique_ptr<hal::BoardClient> client, const link::HelloReply& hello,
                  const BoardSettings& settings)
      : client_(std::move(client)), hello_(hello), config_(settings.driver) {
    // The board knows its chain: its chip model decides the default clock.
    const auto model = static_cast<p::ChipModel>(hello.chip_model);
    if (hello.chip_model < std::size(p::kChips) && model != config_.model) {
      config_.model = model;
      config_.frequency = p::InfoOf(model).default_frequency;
    }
    Configure();
  }

  std::string Describe() const override {
    const auto model = hello_.chip_model < std::size(p::kChips)
                           ? std::string(p::kChips[hello_.chip_model].name)
                           : "chip " + std::to_string(hello_.chip_model);
    return "hashrig board " + hal::FieldText(hello_.board_model) + " serial " +
           hal::FieldText(hello_.serial) + ", firmware " + std::to_string(hello_.firmware_version) +
           ", " + std::to_string(hello_.chips) + " x " + model;
  }

  Expected<std::chrono::milliseconds> Step(std::vector<FoundNonce>& found) override {
    if (!fatal_.ok()) {
      return fatal_;
    }
    Error s;
    if (work_) {
      s = SendMaskOf(*work_);
      if (s.ok()) {
        s = client_->Post(link::Work{work_->token.value, work_->header});
      }
      work_.reset();
    }
    if (s.ok()) {
      s = Poll();
    }
    if (s.ok()) {
      s = client_->Pump(0ms);  // what the board sent since the last step
    }
    for (const link::Nonce& n : client_->nonces()) {
      Check(n, found);
    }
    client_->nonces().clear();
    if (!s.ok()) {
      return s;
    }
    return kMiningCadence;
  }

  void SetWork(const ChainWork& work) override {
    work_ = work;
    recent_.push_back(work);
    if (recent_.size() > kRecentWork) {
      recent_.pop_front();
    }
  }
  void Restart() override { Configure(); }
  // The board takes a new clock with Configure (and resets its chain); the rest of its
  // settings are its own (its firmware's thermal policy and supply).
  Error Tune(const ChainTuning& tuning) override {
    if (tuning.voltage || tuning.target_c) {
      return Error(StatusCode::kFailedPrecondition,
                   "a board running hashrig firmware keeps its own voltage and thermal target");
    }
    if (tuning.frequency) {
      config_.frequency = *tuning.frequency;
      Configure();
    }
    return {};
  }
  void Shutdown() override {}  // the board idles its chain when the host falls silent

  ChainStatus Status() const override {
    ChainStatus s;
    s.expected_chips = hello_.chips;
    s.serial = hal::FieldText(hello_.serial);
    s.problem = problem_;
    s.has_sensor = true;
    s.link = LinkCounters{client_->bad_frames(), client_->skipped_bytes(), client_->unanswered()};
    const auto& t = client_->telemetry();
    if (!t) {
      s.state = ChainState::kResetting;
      return s;
    }
    s.state = t->chain_state <= static_cast<std::uint8_t>(ChainState::kFailed)
                  ? static_cast<ChainState>(t->chain_state)
                  : ChainState::kFailed;
    s.thermal = static_cast<ThermalState>(std::min<std::uint8_t>(t->thermal_state, 2));
    s.stop = static_cast<StopReason>(std::min<std::uint8_t>(t->stop_reason, 3));
    if ((t->flags & link::kFlagHostSilence) != 0 && s.problem.empty()) {
      s.problem = "the board idled it: host silent";
    }
    s.chips = t->chips_alive;
    if (t->temperature_decidegrees != link::kNoTemperature) {
      s.temperature = Celsius{t->temperature_decidegrees / 10.0};
    }
    s.fan = Percent{static_cast<double>(t->fan_percent)};
    s.fan_speed = Rpm{static_cast<double>(t->fan_rpm)};
    s.frequency = Megahertz{t->frequency_quarter_mhz / 4.0};
    s.nominal_hashrate = p::NominalHashrate(config_.model, s.frequency, s.expected_chips);
    s.limits.pll_model = config_.model;
    const auto& chips = client_->chips();
    for (const link::ChipEntry& c : chips) {
      s.chip_counters.push_back(
          {ChipAddress{c.address}, c.nonces, c.hardware_errors, c.alive != 0});
    }
    return s;
  }

 private:
  // The pool's version mask changed (BIP310 set_version_mask, or a pool that never
  // answered mining.configure: 0): the board's chips must roll within the new one, or
  // every nonce they find is outside the pool's rules. A restart keeps it.
  Error SendMaskOf(const ChainWork& work) {
    if (work.version_mask == p::kKeepVersionMask || work.version_mask == config_.version_mask) {
      return {};
    }
    config_.version_mask = work.version_mask;
    auto reply = client_->Request(link::SetVersionMask{config_.version_mask}, kRequestTimeout);
    if (!reply && reply.error().code() == StatusCode::kFailedPrecondition) {
      Configure();  // firmware older than SetVersionMask refused it: reset with the new mask
      return {};
    }
    return reply ? Error{} : reply.error();
  }

  void Configure() {
    link::Configure c;
    c.frequency_quarter_mhz = static_cast<std::uint16_t>(std::lround(config_.frequency.value * 4));
    c.ticket_difficulty = static_cast<float>(config_.ticket_difficulty);
    c.version_mask = config_.version_mask;
    auto reply = client_->Request(c, kRequestTimeout);
    if (reply) {
      reply = client_->Request(link::ChainReset{}, kRequestTimeout);
    }
    problem_ = reply ? "" : reply.error().message();
    last_reset_ = steady_clock::now();
    if (!reply && (reply.error().code() == StatusCode::kUnavailable ||
                   reply.error().code() == StatusCode::kTimeout)) {
      fatal_ = reply.error();
    }
    if (!recent_.empty()) {
      work_ = recent_.back();  // the current work again
    }
  }

  // Telemetry and a page of per-chip counters every second; a chain the board idled (its
  // host-silence watchdog, or a failure) is reset again, unless it is protecting it from heat.
  Error Poll() {
    const auto now = steady_clock::now();
    if (now - last_poll_ < kTelemetryEvery) {
      return {};
    }
    last_poll_ = now;
    Error s = client_->Post(link::TelemetryRequest{});
    if (s.ok()) {
      s = client_->Post(link::ChipStatsRequest{static_cast<std::uint8_t>(page_)});
    }
    page_ += link::kChipsPerPage;
    if (page_ >= std::max<std::size_t>(client_->chips().size(), 1)) {
      page_ = 0;
    }
    const auto& t = client_->telemetry();
    const auto state = t ? static_cast<ChainState>(t->chain_state) : ChainState::kResetting;
    const bool stopped = t && state != ChainState::kMining && !p::IsStarting(state);
    if (s.ok() && stopped &&
        t->thermal_state != static_cast<std::uint8_t>(ThermalState::kStopped) &&
        now - last_reset_ > kResetAgainAfter) {
      last_reset_ = now;
      s = client_->Post(link::ChainReset{});
      if (!recent_.empty()) {
        work_ = recent_.back();
      }
    }
    return s;
  }

  void Check(const link::Nonce& n, std::vector<FoundNonce>& found) const {
    for (auto it = recent_.rbegin(); it != recent_.rend(); ++it) {
      if (it->token.value != n.token) {
        continue;
      }
      const auto header = sha256::WithVersionAndNonce(it->header, n.version, n.nonce);
      FoundNonce f{WorkToken{n.token},
                   n.chip,
                   Nonce{n.nonce},
                   Version{n.version},
                   config_.ticket_difficulty,
                   sha256::DoubleHash(header),
                   false,
                   std::nullopt,
                   0};
      const auto ticket = sha256::Difficulty::From(config_.ticket_difficulty);
      f.meets_ticket = ticket && ticket->IsMetBy(f.hash);
      found.push_back(f);
      return;
    }
  }

  std::unique_ptr<hal::BoardClient> client_;
  link::HelloReply hello_;
  p::DriverConfig config_;
  std::string problem_;  // the board refused something: shown in the state
  Error fatal_;          // the link failed: the link chain opens it again
  std::optional<ChainWork> work_;
  std::deque<ChainWork> recent_;
  steady_clock::time_point last_poll_{};
  steady_clock::time_point last_reset_{};
  std::size_t page_ = 0;
};

}  // namespace

std::unique_ptr<ChainSession> MakeFirmwareSession(std::unique_ptr<hal::BoardClient> client,
                                                  const link::HelloReply& hello,
                                                  const BoardSettings& settings) {
  return std::make_unique<FirmwareSession>(std::move(client), hello, settings);
}

}  // namespace hashrig::host
