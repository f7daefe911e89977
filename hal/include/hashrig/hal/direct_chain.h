// A BM13xx chain the host drives itself over a byte link: the protocol's ChainDriver
// (pure) joined to a ByteLink and the steady clock. Step() performs what the driver asks
// (writes, rate switches, reset) and feeds it what the chain sent back.
#pragma once

#include <chrono>
#include <memory>

#include "hashrig/hal/link.h"
#include "hashrig/hal/protocol/chain_driver.h"

namespace hashrig::hal {

class DirectChain {
 public:
  DirectChain(std::unique_ptr<ByteLink> link, const protocol::DriverConfig& config);

  // Starts (or restarts) the init sequence.
  void Start();
  // Stops the chips at once (thermal stop): no more work, reset held low.
  Error Hold();
  // Starts again with new settings (e.g. a lower clock after an overheat).
  void Restart(const protocol::DriverConfig& config);
  // One round: every operation that is due, then up to `wait` for chain bytes.
  Error Step(std::chrono::milliseconds wait);
  // Steps until mining, failed, or `limit`; an error unless mining.
  Error RunUntilMining(std::chrono::milliseconds limit);

  protocol::ChainDriver& driver() { return driver_; }
  const ByteLink& link() const { return *link_; }

 private:
  protocol::Micros Now() const;
  std::unique_ptr<ByteLink> link_;
  protocol::ChainDriver driver_;
  std::chrono::steady_clock::time_point epoch_;
};

}  // namespace hashrig::hal
