// Canaan MM modules the host drives (avalon:, auc:): the Avalon driver in the chain
// controller on the link (hal::AvalonChain — the loop BM13xx chains run). The scheduler's
// Stratum jobs become the chain layer's StratumJob, kept alive here while any work naming
// them can still be checked; nonces come back with the nonce2 and ntime the modules rolled.
#include <deque>
#include <sstream>

#include "chain_session.h"
#include "hashrig/hal/direct_chain.h"

namespace hashrig::host {
namespace {

namespace p = hal::protocol;
namespace avalon = hal::protocol::avalon;

// How long a step waits for the modules' answers: a poll is answered within milliseconds.
constexpr std::chrono::milliseconds kAnswerWait{2};
// Jobs kept for checking late nonces: more than the controller's recent work.
constexpr std::size_t kJobsKept = p::ChainController::kRecentWork + 8;

// A pool job as the chain layer describes it; its byte strings stay in `source`.
struct HeldJob {
  std::shared_ptr<const pool::Job> source;
  std::vector<p::Hash32> branch;
  p::StratumJob job;
};

avalon::DriverConfig ConfigFor(const BoardSettings& settings, avalon::Transport transport) {
  avalon::DriverConfig config = settings.avalon;
  config.transport = transport;
  return config;
}

// The driver refuses a setting the modules' generation does not take (a clock without a
// PLL word, a SET_VOLT level out of range) with the reason; the operator also needs what
// they asked for, and of which generation: "; asked: --avalon-frequency 850,
// --avalon-voltage-level the model's, of Avalon 10 (1041) modules".
std::string RefusedSettings(const avalon::DriverConfig& c, avalon::Generation generation) {
  std::ostringstream out;
  out << "; asked: --avalon-frequency ";
  if (c.frequency.value > 0) {
    out << c.frequency.value;
  } else {
    out << "the model's";
  }
  out << ", --avalon-voltage-level ";
  if (c.voltage_level) {
    out << *c.voltage_level;
  } else {
    out << "the model's";
  }
  out << ", of " << avalon::InfoOf(generation).name << " modules";
  return out.str();
}

class AvalonSession final : public ChainSession {
 public:
  AvalonSession(OpenedBoard board, const BoardSettings& settings)
      : transport_(*board.avalon),
        chain_(std::move(board.link), ConfigFor(settings, *board.avalon), nullptr,
               settings.thermal) {
    if (settings.ticket_given) {
      chain_.driver().SetTicket(settings.driver.ticket_difficulty);
    }
    (void)chain_.Start();
  }

  std::string Describe() const override {
    const std::string link = chain_.link().Describe();
    return transport_ == avalon::Transport::kAuc
               ? "Canaan Avalon modules behind an AUC on " + link
               : "Canaan Avalon modules (raw MM packets) on " + link;
  }

  Expected<std::chrono::milliseconds> Step(std::vector<FoundNonce>& found) override {
    if (Error e = chain_.Step(kAnswerWait); !e.ok()) {
      return e;
    }
    p::CheckedNonce n;
    while (chain_.chain().NextNonce(n)) {
      found.push_back(ToFound(n, true));
    }
    retry_.RestartIfDue(chain_);
    return std::chrono::milliseconds(0);  // the driver paces its polls; a step waits for answers
  }

  void SetWork(const ChainWork& work) override {
    if (!work.job) {
      return;  // header work is for chips the host feeds; these modules take jobs
    }
    const HeldJob& held = Hold(work);
    p::ChainWork w;
    w.token = work.token;
    w.version_mask = work.version_mask;
    w.job = &held.job;
    w.nonce2_start = static_cast<std::uint32_t>(work.extranonce2_first);
    w.nonce2_range = static_cast<std::uint32_t>(
        std::min<std::uint64_t>(work.extranonce2_count, 0xFFFFFFFFu - w.nonce2_start));
    chain_.chain().SetWork(w);
  }

  void Restart() override { (void)chain_.Start(); }

  Error Tune(const ChainTuning& tuning) override {
    if (tuning.voltage) {
      return Error(StatusCode::kFailedPrecondition,
                   "an Avalon module's voltage is a level its MM sets, not volts");
    }
    if (tuning.target_c) {
      chain_.chain().SetThermalTarget(*tuning.target_c);
    }
    if (tuning.frequency) {  // the PLL words go out while a module is configured
      p::ChainSettings settings = chain_.driver().settings();
      settings.frequency = *tuning.frequency;
      chain_.chain().Configure(settings);
      return Error(chain_.Start());
    }
    return {};
  }

  void Shutdown() override { chain_.chain().Stop(); }

  ChainStatus Status() const override;

 private:
  const HeldJob& Hold(const ChainWork& work) {
    auto held = std::make_unique<HeldJob>();
    const pool::Job& j = *work.job;
    held->source = work.job;
    held->branch.assign(j.notify.merkle_branch.begin(), j.notify.merkle_branch.end());
    p::StratumJob& s = held->job;
    s.job_id = j.notify.job_id;
    s.prevhash = j.notify.prevhash;
    s.coinb1 = j.notify.coinb1;
    s.extranonce1 = j.extranonce1;
    s.extranonce2_size = j.extranonce2_size;
    s.coinb2 = j.notify.coinb2;
    s.merkle_branch = held->branch;
    s.version = j.notify.version;
    s.nbits = j.notify.nbits;
    s.ntime = j.notify.ntime;
    s.clean_jobs = j.notify.clean_jobs;
    s.difficulty = j.difficulty;
    s.version_mask = j.version_mask;
    s.pool = work.pool;
    jobs_.push_back(std::move(held));
    while (jobs_.size() > kJobsKept) {
      jobs_.pop_front();
    }
    return *jobs_.back();
  }

  avalon::Transport transport_;
  hal::AvalonChain chain_;
  std::deque<std::unique_ptr<HeldJob>> jobs_;  // stable addresses: the controller points here
  RetryWhenFailed retry_;
};

ChainStatus AvalonSession::Status() const {
  const p::ChainController& c = chain_.chain();
  const avalon::AvalonDriver& d = chain_.driver();
  ChainStatus s = ControllerStatus(c);
  if (d.generation() && d.status().code() == StatusCode::kInvalidArgument) {
    s.problem += RefusedSettings(d.config(), *d.generation());
  }
  if (!d.generation() || avalon::InfoOf(*d.generation()).poll != avalon::PollLayout::kFanPwm) {
    s.fan.reset();  // A10's MM runs its fan itself
  }
  s.frequency = d.settings().frequency;
  s.ticket_difficulty = d.ticket_difficulty();
  s.avalon = d.generation();
  s.link = LinkCounters{d.bad_packets(), d.skipped_bytes(), d.failed_polls()};
  for (int slot = 0; slot < avalon::kMaxModules; ++slot) {
    const avalon::ModuleInfo& m = d.module(slot);
    if (m.id == 0) {
      continue;  // never found
    }
    s.modules.push_back(m);
    if (m.present && m.power) {  // LC3/A10 STATUS_POWER
      s.power = Watts{(s.power ? s.power->value : 0) + m.power->power.value};
    }
    if (m.present && m.temperature && (!s.fan_speed || m.fan_rpm[0] > s.fan_speed->value)) {
      s.fan_speed = Rpm{static_cast<double>(m.fan_rpm[0])};  // the fastest module fan
    }
    const int miners = d.generation() ? avalon::InfoOf(*d.generation()).miners  // A10: 2 of 4
                                      : avalon::kMinersPerSlot;
    for (int miner = 0; miner < miners; ++miner) {
      s.chip_counters.push_back(d.chip(slot * avalon::kMinersPerSlot + miner));
    }
  }
  if (const auto t = d.temperature(); t && s.modules.size() > 0) {
    s.temperature = c.temperature() ? c.temperature() : t;
  }
  return s;
}

}  // namespace

std::unique_ptr<ChainSession> MakeAvalonSession(OpenedBoard board, const BoardSettings& settings) {
  return std::make_unique<AvalonSession>(std::move(board), settings);
}

}  // namespace hashrig::host
