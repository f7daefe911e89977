// A BM13xx chain the host drives itself over a byte link: the chain controller
// (hal/protocol/chain/controller.h — the loop the firmware runs too) with the BM13xx
// driver, joined to a ByteLink, the board's peripherals where it has any (thermal policy
// on its sensor, fan, nRST) and the steady clock. Step() performs what is due and feeds
// the controller what the chain sent back; checked nonces come out of chain().
//
//   DirectChain chain(std::move(link), config, std::move(board));
//   chain.Start();  chain.chain().SetWork(work);
//   loop: chain.Step(wait); while (chain.chain().NextNonce(n)) { … }
#pragma once

#include <chrono>
#include <memory>
#include <optional>

#include "hashrig/hal/board.h"
#include "hashrig/hal/link.h"
#include "hashrig/hal/protocol/bm13xx/driver.h"
#include "hashrig/hal/protocol/chain/controller.h"

namespace hashrig::hal {

class DirectChain {
 public:
  // `board` may be null (a plain link: no sensor, nRST on the link's DTR).
  DirectChain(std::unique_ptr<ByteLink> link, const protocol::DriverConfig& config,
              std::unique_ptr<BoardPeripherals> board = nullptr,
              const protocol::ThermalConfig& thermal = {});

  // Starts (or restarts) the chain; refused while it cools down after an overheat.
  Status Start() { return chain_.Start(Now()); }
  // One round: every operation that is due, the board's sensor when due, then up to
  // `wait` for chain bytes. A link or board error is returned (the chain is then down).
  Error Step(std::chrono::milliseconds wait);
  // Steps until mining, failed, or `limit`; an error unless mining.
  Error RunUntilMining(std::chrono::milliseconds limit);

  protocol::ChainController& chain() { return chain_; }
  const protocol::ChainController& chain() const { return chain_; }
  protocol::Bm13xxDriver& driver() { return driver_; }
  const protocol::Bm13xxDriver& driver() const { return driver_; }
  ByteLink& link() { return *link_; }
  const ByteLink& link() const { return *link_; }
  // The board's core-voltage regulator as last read (once a second); empty: none.
  const std::optional<CoreReading>& core() const { return core_; }
  BoardPeripherals* board() { return board_.get(); }
  const BoardPeripherals* board() const { return board_.get(); }
  protocol::Micros Now() const;

 private:
  Error Perform(const protocol::Operation& op);

  std::unique_ptr<ByteLink> link_;
  std::unique_ptr<BoardPeripherals> board_;
  protocol::Bm13xxDriver driver_;
  protocol::ChainController chain_;
  std::chrono::steady_clock::time_point epoch_;
  std::optional<CoreReading> core_;
  protocol::Micros core_read_at_{-1'000'000'000};
};

}  // namespace hashrig::hal
