#include "firmware_chain.h"

#include <cmath>
#include <iterator>
#include <limits>
#include <thread>

namespace hashrig::host {
namespace {

namespace p = hal::protocol;
namespace link = hal::link;
using std::chrono::steady_clock;

constexpr std::chrono::milliseconds kRequestTimeout{2000};
constexpr std::chrono::seconds kTelemetryEvery{1};

}  // namespace

FirmwareChain::FirmwareChain(std::string name, std::unique_ptr<hal::BoardClient> client,
                             const link::HelloReply& hello, LinkOpener reopen,
                             const p::DriverConfig& config)
    : name_(std::move(name)),
      client_(std::move(client)),
      hello_(hello),
      reopen_(std::move(reopen)),
      config_(config) {
  // The board knows its chain: its chip model decides the default clock.
  const auto model = static_cast<p::ChipModel>(hello.chip_model);
  if (hello.chip_model < std::size(p::kChips) && model != config_.model) {
    config_.model = model;
    config_.frequency = p::InfoOf(model).default_frequency;
  }
}

std::string FirmwareChain::description() const {
  const auto model = hello_.chip_model < std::size(p::kChips)
                         ? std::string(p::kChips[hello_.chip_model].name)
                         : "chip " + std::to_string(hello_.chip_model);
  return "hashrig board " + hal::FieldText(hello_.board_model) + " serial " +
         hal::FieldText(hello_.serial) + ", firmware " + std::to_string(hello_.firmware_version) +
         ", " + std::to_string(hello_.chips) + " x " + model;
}

void FirmwareChain::Configure() {
  link::Configure c;
  c.frequency_quarter_mhz = static_cast<std::uint16_t>(std::lround(config_.frequency.value * 4));
  c.ticket_difficulty = static_cast<float>(config_.ticket_difficulty);
  c.version_mask = config_.version_mask;
  const link::Encoded e = link::EncodeConfigure(0, c);
  Error s =
      client_->Request(link::Type::kConfigure,
                       std::span(e.bytes).subspan(7, e.size - link::kOverhead), kRequestTimeout);
  if (s.ok()) {
    s = client_->Request(link::Type::kChainReset, kRequestTimeout);
  }
  problem_ = s.ok() ? "" : s.message();
  last_reset_ = steady_clock::now();
  if (s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kTimeout) {
    Down(s);
  }
}

void FirmwareChain::Start() {
  if (client_) {
    Configure();
  }
}

void FirmwareChain::SetWork(const ChainWork& work) {
  work_ = work;
  has_work_ = true;
}

void FirmwareChain::Down(const Error& why) {
  link_status_ = why;
  client_.reset();
  reopen_.Lost();
}

void FirmwareChain::Reopen() {
  Error status = link_status_;
  auto link = reopen_.TryOpen(status);
  if (!link) {
    link_status_ = status;
    return;
  }
  auto client = std::make_unique<hal::BoardClient>(std::move(link));
  link::HelloReply hello;
  if (status = client->Hello(kBoardProbe * 3, hello); !status.ok()) {
    link_status_ = status;
    return;
  }
  client_ = std::move(client);
  hello_ = hello;
  link_status_ = {};
  Configure();
  has_work_ = client_ != nullptr;  // the current work again
}

void FirmwareChain::Poll(std::chrono::milliseconds budget, std::vector<FoundNonce>& found) {
  const auto until = steady_clock::now() + budget;
  if (!client_) {
    Reopen();
    std::this_thread::sleep_until(until);
    return;
  }
  Error s;
  if (has_work_) {
    s = client_->Post(link::EncodeWork(0, link::Work{work_.token, work_.header}));
    has_work_ = !s.ok();
  }
  const auto now = steady_clock::now();
  if (s.ok() && now - last_poll_ >= kTelemetryEvery) {
    last_poll_ = now;
    s = client_->Post(link::Type::kTelemetryRequest);
    const auto& chips = client_->chips();
    const std::uint8_t first[] = {static_cast<std::uint8_t>(page_)};
    if (s.ok()) {
      s = client_->Post(link::Type::kChipStatsRequest, first);
    }
    page_ += link::kChipsPerPage;
    if (page_ >= std::max<std::size_t>(chips.size(), 1)) {
      page_ = 0;
    }
    // A chain the board idled (its host-silence watchdog, or a failure) is reset again,
    // unless the board is protecting it from heat.
    const auto& t = client_->telemetry();
    const bool stopped = t && t->chain_state != static_cast<std::uint8_t>(p::ChainState::kMining) &&
                         t->chain_state != static_cast<std::uint8_t>(p::ChainState::kResetting) &&
                         t->chain_state != static_cast<std::uint8_t>(p::ChainState::kEnumerating) &&
                         t->chain_state != static_cast<std::uint8_t>(p::ChainState::kConfiguring);
    if (s.ok() && stopped && t->thermal_state != 2 && now - last_reset_ > std::chrono::seconds(5)) {
      last_reset_ = now;
      s = client_->Post(link::Type::kChainReset);
      has_work_ = true;
    }
  }
  while (s.ok() && steady_clock::now() < until) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(until - steady_clock::now());
    s = client_->Pump(std::max(left, std::chrono::milliseconds(1)));
    for (const link::Nonce& n : client_->nonces()) {
      found.push_back({n.token, n.chip, n.nonce, n.version, config_.ticket_difficulty});
    }
    client_->nonces().clear();
  }
  if (!s.ok()) {
    Down(s);
  }
}

ChainStatus FirmwareChain::status() const {
  ChainStatus s;
  if (!client_) {
    s.state = "down: " + link_status_.message();
    return s;
  }
  const auto& t = client_->telemetry();
  if (!t) {
    s.state = "starting";
    return s;
  }
  const auto state = static_cast<p::ChainState>(t->chain_state);
  s.mining = state == p::ChainState::kMining;
  s.state = t->chain_state <= static_cast<std::uint8_t>(p::ChainState::kFailed) ? p::ToString(state)
                                                                                : "unknown";
  if (t->thermal_state == 2) {
    s.state = "stopped: overheat";
  } else if (t->flags & link::kFlagHostSilence) {
    s.state += " (the board idled it: host silent)";
  }
  if (!problem_.empty()) {
    s.state += " (" + problem_ + ")";
  }
  s.chips = t->chips_alive;
  s.temperature_c = t->temperature_decidegrees == -32768 ? std::numeric_limits<double>::quiet_NaN()
                                                         : t->temperature_decidegrees / 10.0;
  s.fan_percent = t->fan_percent;
  s.frequency_mhz = t->frequency_quarter_mhz / 4.0;
  const auto& chips = client_->chips();
  for (std::size_t i = 0; i < chips.size(); ++i) {
    s.chip_stats.push_back({static_cast<int>(i), chips[i].address, chips[i].nonces,
                            chips[i].hardware_errors, chips[i].alive != 0});
  }
  return s;
}

}  // namespace hashrig::host
