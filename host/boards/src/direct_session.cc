// A chain the host drives itself (DirectChain: the chain controller — the firmware's
// loop — on the link, with the board's sensors where it has them).
#include "chain_session.h"
#include "hashrig/hal/direct_chain.h"
#include "hashrig/hal/protocol/policy/ticket.h"

namespace hashrig::host {
namespace {

namespace p = hal::protocol;
using SteadyClock = std::chrono::steady_clock;

// The ticket is judged on this much mining (policy/ticket.h: only a rate 4x off moves it).
constexpr auto kTicketWindow = std::chrono::seconds(30);

// The ticket policy for a chain without --ticket-difficulty: the chips' floor is 1, lower
// only where the simulator's extension is wired (a simulated board).
p::TicketPolicy PolicyFor(const p::DriverConfig& driver) {
  p::TicketPolicy policy;
  policy.floor = driver.sub_one_ticket != nullptr ? kSimTicketFloor : 1;
  return policy;
}

// The driver's settings with the ticket chosen from the chain's expected hashrate (clock
// x small cores x chips), unless the operator gave one or the board kind chose it.
p::DriverConfig WithExpectedTicket(const BoardSettings& settings) {
  p::DriverConfig driver = settings.driver;
  if (!settings.ticket_given && driver.sub_one_ticket == nullptr) {
    const double expected =
        p::NominalHashrate(driver.model, driver.frequency, driver.expected_chips);
    driver.ticket_difficulty = p::TicketFor(PolicyFor(driver), expected, 0);
  }
  return driver;
}

// Retunes the ticket from what the chain measurably did (issue 11, point 9).
class TicketTuner {
 public:
  TicketTuner(bool automatic, p::TicketPolicy policy) : automatic_(automatic), policy_(policy) {}

  void OnPoolDifficulty(double difficulty) { pool_difficulty_ = difficulty; }
  bool silent_at_floor() const { return silent_at_floor_; }
  // Called every step; `good` nonces arrived since the last. Returns a new ticket when due.
  std::optional<double> Step(bool mining, int good, double ticket, SteadyClock::time_point now) {
    if (!automatic_ || !mining) {
      window_start_.reset();
      return std::nullopt;
    }
    if (!window_start_) {
      window_start_ = now;
      nonces_ = 0;
    }
    nonces_ += good;
    const double seconds = std::chrono::duration<double>(now - *window_start_).count();
    const bool judged = now - *window_start_ >= kTicketWindow;
    const double next =
        p::RetuneTicket(policy_, ticket, nonces_, judged ? seconds : 0, pool_difficulty_);
    if (judged) {
      // A whole window without a nonce at the lowest ticket: the chain hashes far below
      // what one nonce a window needs (2^32 x floor / 30 s); said once, as a problem.
      silent_at_floor_ = nonces_ == 0 && ticket <= policy_.floor;
    }
    if (judged || next != ticket) {
      window_start_ = now;
      nonces_ = 0;
    }
    return next != ticket ? std::optional<double>(next) : std::nullopt;
  }

 private:
  bool silent_at_floor_ = false;
  bool automatic_;
  p::TicketPolicy policy_;
  double pool_difficulty_ = 0;
  std::optional<SteadyClock::time_point> window_start_;
  double nonces_ = 0;
};

class DirectSession final : public ChainSession {
 public:
  DirectSession(OpenedBoard board, const BoardSettings& settings)
      : chain_(std::move(board.link), WithExpectedTicket(settings), std::move(board.peripherals),
               settings.thermal),
        tuner_(!settings.ticket_given, PolicyFor(settings.driver)) {
    (void)chain_.Start();
  }

  std::string Describe() const override {
    const hal::BoardMonitor* board = chain_.board();
    const std::string link = chain_.link().Describe();
    return board != nullptr
               ? "a chain driven by the host on " + link + "; heat safety on " +
                     board->With([](const hal::BoardPeripherals& b) { return b.Describe(); })
               : "a chain driven by the host on " + link +
                     "; no temperature sensor on this link, so the host cannot protect it from "
                     "heat (use bitaxe:DATA:CONTROL for a Bitaxe-class board, or a board running "
                     "hashrig firmware)";
  }

  Expected<std::chrono::milliseconds> Step(std::vector<FoundNonce>& found) override {
    // Bringing the chain up is paced by the driver's own delays: a step waits up to 1 ms
    // for the chips' answers and asks to run again at once. A mining chain takes what
    // arrived and rests for the cadence.
    const bool mining = chain_.chain().state() == p::ChainState::kMining;
    if (Error e = chain_.Step(std::chrono::milliseconds(mining ? 0 : 1)); !e.ok()) {
      return e;
    }
    p::CheckedNonce n;
    int good = 0;
    while (chain_.chain().NextNonce(n)) {
      found.push_back(ToFound(n, false));
      good += n.meets_ticket ? 1 : 0;
    }
    p::Bm13xxDriver& driver = chain_.driver();
    if (const auto ticket =
            tuner_.Step(mining, good, driver.config().ticket_difficulty, SteadyClock::now())) {
      driver.SetTicket(*ticket);
    }
    retry_.RestartIfDue(chain_);
    return mining ? kMiningCadence : std::chrono::milliseconds(0);
  }

  void SetWork(const ChainWork& work) override {
    tuner_.OnPoolDifficulty(work.difficulty);
    chain_.chain().SetWork({work.token, work.header, work.version_mask});
  }
  void Restart() override { (void)chain_.Start(); }
  Error Tune(const ChainTuning& tuning) override {
    if (tuning.target_c) {
      chain_.chain().SetThermalTarget(*tuning.target_c);
    }
    if (tuning.voltage) {
      if (chain_.board() == nullptr) {
        return Error(StatusCode::kFailedPrecondition, "this chain has no board the host drives");
      }
      if (Error e = chain_.board()->With([&tuning](hal::BoardPeripherals& board) {
            return board.SetCoreVoltage(*tuning.voltage);
          });
          !e.ok()) {
        return e;
      }
    }
    if (tuning.frequency) {  // the PLL is set while the chain starts: restart at the new clock
      p::ChainSettings settings = chain_.driver().settings();
      settings.frequency = *tuning.frequency;
      chain_.chain().Configure(settings);
      return Error(chain_.Start());
    }
    return {};
  }
  void Shutdown() override {
    chain_.chain().Stop();
    (void)chain_.Step(std::chrono::milliseconds(0));  // performs the reset it asks for
  }

  ChainStatus Status() const override {
    const p::ChainController& c = chain_.chain();
    const p::Bm13xxDriver& d = chain_.driver();
    ChainStatus s = ControllerStatus(c);
    if (const auto other = d.other_model(); other && d.chips_found() == 0) {
      const std::string name(p::InfoOf(*other).name);
      s.problem = "the chips are " + name + ", not the configured model (set --chip " + name + ")";
    } else if (d.rate_fallback()) {
      s.problem = "the chips did not take the fast UART rate (" +
                  std::to_string(p::InfoOf(d.config().model).fast_baud) + " baud) when asked " +
                  std::to_string(p::Bm13xxDriver::kRateSwitchTries) +
                  " times: mining at 115,200 baud";
    }
    s.nominal_hashrate = p::NominalHashrate(d.config().model, s.frequency, s.expected_chips);
    s.core = chain_.core();
    s.link = LinkCounters{d.bad_frames_total(), d.skipped_bytes_total(), 0};
    s.limits.pll_model = d.config().model;
    if (s.core) {  // a regulator the host drives
      s.power = s.core->power;
      s.limits.min_voltage = p::kMinCoreVoltage;
      s.limits.max_voltage = p::InfoOf(d.config().model).max_core_voltage;
    }
    s.ticket_difficulty = d.ticket_difficulty();
    if (s.problem.empty() && tuner_.silent_at_floor()) {
      s.problem =
          "no nonce in 30 s at the lowest ticket the chips take (1): the chain hashes below "
          "~143 MH/s (a CPU-simulated chain needs --ticket-difficulty below 1)";
    }
    s.chip_counters.reserve(static_cast<std::size_t>(d.chips_found()));
    for (int i = 0; i < d.chips_found(); ++i) {
      s.chip_counters.push_back(d.chip(i));
    }
    return s;
  }

 private:
  hal::DirectChain chain_;
  TicketTuner tuner_;
  RetryWhenFailed retry_;
};

}  // namespace

std::unique_ptr<ChainSession> MakeDirectSession(OpenedBoard board, const BoardSettings& settings) {
  return std::make_unique<DirectSession>(std::move(board), settings);
}

}  // namespace hashrig::host
