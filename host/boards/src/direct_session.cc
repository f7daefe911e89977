// A chain the host drives itself (DirectChain: the chain controller — the firmware's
// loop — on the link, with the board's sensors where it has them).
#include "chain_session.h"
#include "hashrig/hal/direct_chain.h"

namespace hashrig::host {
namespace {

namespace p = hal::protocol;

// A chain that failed (no chip answered, every re-init spent) is tried again this often.
constexpr auto kRetryFailed = std::chrono::seconds(10);

class DirectSession final : public ChainSession {
 public:
  DirectSession(OpenedBoard board, const BoardSettings& settings)
      : chain_(std::move(board.link), settings.driver, std::move(board.peripherals),
               settings.thermal) {
    (void)chain_.Start();
  }

  std::string Describe() const override {
    const hal::BoardPeripherals* board = chain_.board();
    const std::string link = chain_.link().Describe();
    return board != nullptr
               ? "a chain driven by the host on " + link + "; heat safety on " + board->Describe()
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
    while (chain_.chain().NextNonce(n)) {
      found.push_back({n.event.token, n.event.chip, n.event.nonce, n.event.version,
                       n.event.ticket_difficulty, n.hash, n.meets_ticket});
    }
    RetryIfFailed();
    return mining ? kMiningCadence : std::chrono::milliseconds(0);
  }

  void SetWork(const ChainWork& work) override {
    chain_.chain().SetWork({work.token, work.header, work.version_mask});
  }
  void Restart() override { (void)chain_.Start(); }
  void Shutdown() override {
    chain_.chain().Stop();
    (void)chain_.Step(std::chrono::milliseconds(0));  // performs the reset it asks for
  }

  ChainStatus Status() const override {
    const p::ChainController& c = chain_.chain();
    const p::Bm13xxDriver& d = chain_.driver();
    ChainStatus s;
    s.state = c.state();
    s.thermal = c.thermal_state();
    s.stop = c.stop_reason();
    s.problem = d.status().ok() ? "" : d.status().message();
    s.chips = d.chips_found();
    s.expected_chips = d.expected_chips();
    s.has_sensor = c.has_sensor();
    s.temperature = c.temperature();
    if (c.has_sensor()) {
      s.fan = c.fan();
    }
    s.frequency = c.frequency();
    s.chip_counters.reserve(static_cast<std::size_t>(d.chips_found()));
    for (int i = 0; i < d.chips_found(); ++i) {
      s.chip_counters.push_back(d.chip(i));
    }
    return s;
  }

 private:
  void RetryIfFailed() {
    const auto now = std::chrono::steady_clock::now();
    if (chain_.chain().state() != p::ChainState::kFailed) {
      failed_since_.reset();
      return;
    }
    if (!failed_since_) {
      failed_since_ = now;
    } else if (now - *failed_since_ >= kRetryFailed) {
      failed_since_.reset();
      (void)chain_.Start();
    }
  }

  hal::DirectChain chain_;
  std::optional<std::chrono::steady_clock::time_point> failed_since_;
};

}  // namespace

std::unique_ptr<ChainSession> MakeDirectSession(OpenedBoard board, const BoardSettings& settings) {
  return std::make_unique<DirectSession>(std::move(board), settings);
}

}  // namespace hashrig::host
