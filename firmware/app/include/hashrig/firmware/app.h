// The controller-board application: the board-link server (docs/board-link.md), the
// chain — run by hal's ChainController (hal/protocol/chain/controller.h), the same loop
// the host runs for the chains it drives, with the BM13xx driver, the nonce checks and
// the thermal policy — and the safety that does not depend on the host: a host-silence
// watchdog, and the hardware watchdog fed only from a healthy main loop. One object, no
// heap; the target's main() calls Step() forever.
//
//   Boot boot(flash, layout, board_id);  boot.Choose();   // the bootloader's choice
//   App app(bsp, config, &boot);
//   for (;;) app.Step();
#pragma once

#include <array>
#include <cstdint>

#include "hashrig/firmware/boot.h"
#include "hashrig/firmware/bsp.h"
#include "hashrig/hal/protocol/bm13xx/driver.h"
#include "hashrig/hal/protocol/board_link/messages.h"
#include "hashrig/hal/protocol/chain/controller.h"
#include "hashrig/hal/protocol/policy/thermal.h"

namespace hashrig::firmware {

namespace link = hal::protocol::link;

struct AppConfig {
  std::array<char, 16> board_model{};
  std::array<char, 16> serial{};
  std::uint32_t firmware_version = 0;
  hal::protocol::DriverConfig driver;  // the chain on this board (model, chips)
  hal::protocol::ThermalConfig thermal;
  // No valid frame from the host for this long: the chain is idled and the fans go back
  // to the thermal loop, until the host resets the chain again.
  Micros host_silence{10'000'000};
  Micros thermal_period{250'000};
  // Bytes of a frame that stop coming for this long are given up (resynchronisation).
  Micros frame_timeout{100'000};
  // A main-loop pass slower than this is unhealthy: the hardware watchdog is not fed.
  Micros step_deadline{500'000};
  // A trial image confirms itself after running this long with a host and a mining chain.
  Micros confirm_after{20'000'000};
  // The main loop sleeps this long at most when there is nothing to do.
  Micros idle_wait{1'000};
};

struct AppCounters {
  std::uint32_t frames = 0;      // valid host frames handled
  std::uint32_t bad_frames = 0;  // damaged frames skipped by the decoder
  std::uint32_t refused = 0;     // frames answered with Error
  std::uint32_t dropped_tx = 0;  // replies the host link could not take
  std::uint32_t nonces = 0;      // forwarded to the host
  std::uint32_t hardware_errors = 0;
  std::uint32_t host_silences = 0;  // times the chain was idled for host silence
  std::uint32_t thermal_stops = 0;
  std::uint32_t watchdog_feeds = 0;
};

class App {
 public:
  App(Bsp& bsp, const AppConfig& config, Boot* boot);

  // One pass of the main loop: host frames, the chain, the safety loops, the watchdog.
  // Never blocks longer than the BSP's WaitForEvent when idle.
  void Step();

  hal::protocol::ChainState chain_state() const { return chain_.state(); }
  hal::protocol::ThermalState thermal_state() const { return chain_.thermal_state(); }
  hal::protocol::StopReason stop_reason() const { return chain_.stop_reason(); }
  bool host_silent() const { return host_silent_; }
  Percent fan() const { return chain_.fan(); }
  const AppCounters& counters() const { return counters_; }
  const hal::protocol::Bm13xxDriver& driver() const { return driver_; }
  link::Telemetry Telemetry() const;

 private:
  bool PumpHost(Micros now);
  void Handle(const link::Frame& frame, Micros now);
  void HandleFlash(const link::Frame& frame);
  template <typename M>
  void Reply(const link::Frame& request, const M& message) {
    Send(link::EncodeMessage(request.sequence, message));
  }
  void Send(const link::Encoded& encoded);
  void Ack(const link::Frame& frame) {
    Reply(frame, link::Ack{static_cast<std::uint8_t>(frame.type)});
  }
  void Refuse(const link::Frame& frame, link::ErrorCode code);
  void OnConfigure(const link::Frame& frame, const link::Configure& m);
  link::ChipStats ChipPage(std::uint8_t first) const;
  bool PumpChain(Micros now);
  // Performs what the chain controller asks for now (writes, baud, reset, fan).
  bool PerformDue(Micros now);
  void Perform(const hal::protocol::Operation& op);
  void RunThermal(Micros now);
  void WatchHost(Micros now);
  void MaybeConfirm(Micros now);

  Bsp& bsp_;
  AppConfig config_;
  Boot* boot_;
  hal::protocol::Bm13xxDriver driver_;
  hal::protocol::ChainController chain_;
  link::Decoder decoder_;
  AppCounters counters_;

  bool host_silent_ = false;
  bool idled_for_silence_ = false;  // until the host resets the chain
  Micros last_rx_{0};
  Micros last_host_{0};
  bool heard_host_ = false;
  Micros last_thermal_{0};
  hal::protocol::ThermalState last_thermal_state_ = hal::protocol::ThermalState::kNormal;
  Micros mining_since_{-1};
  // The pool's mask set by SetVersionMask while mining; kKeepVersionMask: Configure's.
  std::uint32_t version_mask_ = hal::protocol::kKeepVersionMask;
};

}  // namespace hashrig::firmware
