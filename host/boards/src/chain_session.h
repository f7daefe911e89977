// Inside a link chain (link_chain.cc): the chain on an open link, driven either by the
// host itself (DirectSession: the chain controller on the link) or through a board
// running hashrig firmware (FirmwareSession: the board link). The link chain owns
// opening, probing, retrying and the thread; a session owns one open board.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hashrig/base/error.h"
#include "hashrig/hal/board_client.h"
#include "hashrig/hal/protocol/chain/controller.h"
#include "hashrig/host/boards/board_kinds.h"
#include "hashrig/host/boards/retry_when_failed.h"

namespace hashrig::host {

class ChainSession {
 public:
  virtual ~ChainSession() = default;
  // What it is, for the log.
  virtual std::string Describe() const = 0;
  // Does what is due and takes what the board sent (checked nonces into `found`); how long
  // the session can rest before its next step. An error means the board is gone (the link
  // chain marks it down and opens it again).
  virtual Expected<std::chrono::milliseconds> Step(std::vector<FoundNonce>& found) = 0;
  virtual void SetWork(const ChainWork& work) = 0;
  virtual void Restart() = 0;
  // An operator's change (HashChain::Tune), within Status().limits; an error says why
  // it could not be applied.
  virtual Error Tune(const ChainTuning& tuning) = 0;
  // Idle the chips before the link is closed (best effort).
  virtual void Shutdown() = 0;
  virtual ChainStatus Status() const = 0;
};

// How often a mining chain's link is read: what the chips send waits in the link's
// buffer meanwhile (an S21 chain's nonces are ~700 bytes a second). Nonces reach the pool
// at most this much later; new work is sent at once (it wakes the chain's thread).
inline constexpr std::chrono::milliseconds kMiningCadence{50};

// The lowest ticket a simulated board is given (its sub-1 register, hal/sim/README.md).
inline constexpr double kSimTicketFloor = 0x1p-24;

std::unique_ptr<ChainSession> MakeDirectSession(OpenedBoard board, const BoardSettings& settings);
// Canaan MM modules on the link (OpenedBoard::avalon): the Avalon driver in the chain
// controller; Stratum jobs in, the nonce2 and ntime the modules rolled out.
std::unique_ptr<ChainSession> MakeAvalonSession(OpenedBoard board, const BoardSettings& settings);
std::unique_ptr<ChainSession> MakeFirmwareSession(std::unique_ptr<hal::BoardClient> client,
                                                  const hal::link::HelloReply& hello,
                                                  const BoardSettings& settings);

// What every chain driven through the chain controller says alike: state, thermal state
// and stop, the driver's problem, chips, the sensor's reading and fan, the clock, and the
// fan target's limits where the controller runs the thermal policy.
ChainStatus ControllerStatus(const hal::protocol::ChainController& c);

// A nonce the chain controller checked, as the scheduler takes it; `rolled`: the chain
// rolled extranonce2 and ntime itself (their values ride along).
FoundNonce ToFound(const hal::protocol::CheckedNonce& n, bool rolled);

// A whole number, all of `text`.
std::optional<unsigned long long> ParseWhole(std::string_view text);
// `rest` (or `fallback` when empty) as 1..256 of `what` into spec.count.
Error ParseCountInto(std::string_view rest, int fallback, std::string_view what, BoardSpec& spec);

}  // namespace hashrig::host
