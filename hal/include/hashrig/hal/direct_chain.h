// A chain the host drives itself over a byte link: the chain controller
// (hal/protocol/chain/controller.h — the loop the firmware runs too) with a chip family's
// driver (BM13xx chips, or Canaan's MM modules behind an AUC), joined to a ByteLink, the board's
// peripherals where it has any (thermal policy on its sensor, fan, nRST) and the steady clock.
// Step() performs what is due and feeds the controller what the chain sent back; checked nonces
// come out of chain(). The board's sensors are read on a thread of their own
// (hal/board_monitor.h): Step() takes the newest reading and never waits on the board's
// control port, except for nRST.
//
//   DirectChain chain(std::move(link), config, std::move(board));
//   chain.Start();  chain.chain().SetWork(work);
//   loop: chain.Step(wait); while (chain.chain().NextNonce(n)) { … }
#pragma once

#include <chrono>
#include <memory>
#include <optional>

#include "hashrig/hal/board.h"
#include "hashrig/hal/board_monitor.h"
#include "hashrig/hal/link.h"
#include "hashrig/hal/protocol/avalon/driver.h"
#include "hashrig/hal/protocol/bm13xx/driver.h"
#include "hashrig/hal/protocol/chain/controller.h"

namespace hashrig::hal {

template <class Driver>
class DirectChainOf {
 public:
  // Drivers whose chips report their own temperature (Avalon modules) feed the thermal
  // policy themselves and take its fan setting; others need the board's sensor.
  static constexpr bool kDriverSensor = requires(const Driver& d) { d.temperature(); };

  // `board` may be null (a plain link: no sensor, nRST on the link's DTR).
  template <class Config>
  DirectChainOf(std::unique_ptr<ByteLink> link, const Config& config,
                std::unique_ptr<BoardPeripherals> board = nullptr,
                const protocol::ThermalConfig& thermal = {})
      : link_(std::move(link)),
        monitor_(board != nullptr
                     ? std::make_unique<BoardMonitor>(std::move(board),
                                                      protocol::ControllerConfig{}.thermal_period)
                     : nullptr),
        driver_(config),
        chain_(driver_, ControllerFor(monitor_ != nullptr || kDriverSensor, thermal)),
        epoch_(std::chrono::steady_clock::now()) {}

  // Starts (or restarts) the chain; refused while it cools down after an overheat.
  Status Start() { return chain_.Start(Now()); }
  // One round: every operation that is due, the sensor when due, then up to `wait` for
  // chain bytes. A link or board error is returned (the chain is then down).
  Error Step(std::chrono::milliseconds wait);
  // Steps until mining, failed, or `limit`; an error unless mining.
  Error RunUntilMining(std::chrono::milliseconds limit);

  protocol::ChainController& chain() { return chain_; }
  const protocol::ChainController& chain() const { return chain_; }
  Driver& driver() { return driver_; }
  const Driver& driver() const { return driver_; }
  ByteLink& link() { return *link_; }
  const ByteLink& link() const { return *link_; }
  // The board's core-voltage regulator as last read (once a second); empty: none.
  const std::optional<CoreReading>& core() const { return core_; }
  // The board's peripherals (empty: a plain link), called into under their lock.
  BoardMonitor* board() { return monitor_.get(); }
  const BoardMonitor* board() const { return monitor_.get(); }
  protocol::Micros Now() const;

 private:
  static protocol::ControllerConfig ControllerFor(bool has_sensor,
                                                  const protocol::ThermalConfig& thermal) {
    protocol::ControllerConfig c;
    c.thermal = thermal;
    c.has_sensor = has_sensor;
    return c;
  }
  Error Perform(const protocol::Operation& op);
  // Feeds the policy the newest reading (none for the policy's stale_after: a failed
  // one); returns a fan write that failed since the last step.
  Error ReadSensors(protocol::Micros now);
  // Up to `wait` for chain bytes, then what else is already there (up to 64 KiB), each
  // piece handed to the driver stamped `now` (or the time it was read, when none given).
  Error ReadInput(std::chrono::milliseconds wait, std::optional<protocol::Micros> now);

  std::unique_ptr<ByteLink> link_;
  std::unique_ptr<BoardMonitor> monitor_;
  Driver driver_;
  protocol::ChainController chain_;
  std::chrono::steady_clock::time_point epoch_;
  std::optional<CoreReading> core_;
};

// A BM13xx chain (the host drives its chips); an AUC's or a raw link's Avalon modules.
using DirectChain = DirectChainOf<protocol::Bm13xxDriver>;
using AvalonChain = DirectChainOf<protocol::avalon::AvalonDriver>;

}  // namespace hashrig::hal
