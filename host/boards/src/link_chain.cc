// Every board on a link (sim, serial, tcp, usb, bitaxe): a chain on its own thread that
// opens the board — retrying every second while it cannot, logging why — probes for
// hashrig firmware where the kind may run it, and drives whichever session it found. A
// board that goes away is marked down and opened again; the other boards and the
// process carry on.
#include "chain_session.h"
#include "hashrig/host/mining/threaded_chain.h"

namespace hashrig::host {
namespace {

using namespace std::chrono_literals;

constexpr auto kRetryEvery = 1s;
constexpr auto kFirmwareProbe = 400ms;

class LinkChain final : public ThreadedChain {
 public:
  LinkChain(std::string name, Logger& log, const BoardSpec& spec, BoardOpener open,
            const BoardSettings& settings)
      : ThreadedChain(std::move(name), log),
        spec_text_(spec.text),
        rolls_(spec.kind->rolls_extranonce2),
        open_(std::move(open)),
        settings_(settings) {
    down_ = Error(StatusCode::kUnavailable, "not opened yet");
  }
  ~LinkChain() override { Stop(); }
  bool RollsExtranonce2() const override { return rolls_; }
  LinkChain(const LinkChain&) = delete;
  LinkChain& operator=(const LinkChain&) = delete;

 protected:
  std::chrono::milliseconds Step(std::vector<FoundNonce>& found) override {
    if (!session_) {
      return TryOpen();
    }
    auto rest = session_->Step(found);
    if (!rest) {
      down_ = rest.error();
      session_.reset();
      last_attempt_ = std::chrono::steady_clock::now();
      return kRetryEvery;
    }
    return *rest;
  }
  void ApplyWork(const ChainWork& work) override {
    work_ = work;
    if (session_) {
      session_->SetWork(work);
    }
  }
  // Kept in the settings too, so a board opened again (after it was lost) runs at them;
  // the core voltage a reopened board powers up at stays the configured one.
  void ApplyTuning(const ChainTuning& tuning) override {
    if (tuning.frequency) {
      settings_.driver.frequency = *tuning.frequency;
    }
    if (tuning.target_c) {
      settings_.thermal.target_c = *tuning.target_c;
    }
    if (!session_) {
      return;
    }
    if (Error e = session_->Tune(tuning); !e.ok()) {
      log().Write(LogLevel::kWarning, name(), "settings not applied: " + e.message());
      return;
    }
    log().Write(LogLevel::kInfo, name(), "settings applied: " + Describe(tuning));
  }
  void ApplyRestart() override {
    if (session_) {
      session_->Restart();
    }
  }
  ChainStatus Snapshot() const override {
    if (session_) {
      return session_->Status();
    }
    ChainStatus s;
    // Before the first attempt the chain is not down, only not opened yet (no WARN).
    s.state = last_attempt_ == std::chrono::steady_clock::time_point{} ? ChainState::kIdle
                                                                       : ChainState::kDown;
    s.problem = s.state == ChainState::kDown ? down_.message() : "";
    // Canaan modules say their chips when detected: none is known before (it said "0 of 1").
    s.expected_chips = rolls_ ? 0 : settings_.driver.expected_chips;
    return s;
  }
  void Shutdown() override {
    if (session_) {
      session_->Shutdown();
    }
  }

 private:
  // Opens the board at most once every kRetryEvery; how long until the next try.
  std::chrono::milliseconds TryOpen() {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_attempt_ < kRetryEvery) {
      return std::chrono::ceil<std::chrono::milliseconds>(last_attempt_ + kRetryEvery - now);
    }
    last_attempt_ = now;
    auto opened = open_();
    if (!opened) {
      down_ = opened.error().Context(spec_text_);
      return kRetryEvery;
    }
    session_ = Probe(std::move(*opened));
    SetDescription(session_->Describe());
    if (work_) {
      session_->SetWork(*work_);
    }
    return std::chrono::milliseconds(0);
  }

  // A board running hashrig firmware answers Hello; a bare chain ignores the bytes.
  std::unique_ptr<ChainSession> Probe(OpenedBoard board) {
    if (board.avalon) {
      return MakeAvalonSession(std::move(board), settings_);
    }
    if (board.may_run_firmware) {
      auto client = std::make_unique<hal::BoardClient>(std::move(board.link));
      if (const auto hello = client->Hello(kFirmwareProbe)) {
        return MakeFirmwareSession(std::move(client), *hello, settings_);
      }
      board.link = client->Release();
    }
    return MakeDirectSession(std::move(board), settings_);
  }

  std::string spec_text_;
  bool rolls_ = false;
  BoardOpener open_;
  BoardSettings settings_;
  std::unique_ptr<ChainSession> session_;
  Error down_;
  std::optional<ChainWork> work_;
  std::chrono::steady_clock::time_point last_attempt_{};
};

}  // namespace

std::unique_ptr<HashChain> MakeLinkChain(const BoardSpec& spec, const BoardSettings& settings,
                                         std::string name, Logger& log) {
  return std::make_unique<LinkChain>(std::move(name), log, spec, spec.kind->opener(spec, settings),
                                     settings);
}

}  // namespace hashrig::host
