// What the scheduler sees of a board (DESIGN.md): a chain that takes work and gives back
// checked nonces, whether the host drives the chips itself (sim, serial, usb, tcp,
// bitaxe), the CPU hashes, or a board running our firmware does. Every chain runs on its
// own thread (ThreadedChain, or the CPU's workers); the scheduler and every report live
// on the daemon's I/O thread and never wait for a chain.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hashrig/base/units.h"
#include "hashrig/host/report/snapshot.h"
#include "hashrig/pool/job.h"
#include "hashrig/sha256/stream.h"

namespace hashrig::host {

struct ChainWork {
  WorkToken token{};                      // the scheduler's id for this work
  std::array<std::uint8_t, 80> header{};  // nonce field zero; version = the job's
  std::uint32_t version_mask = 0;         // bits the chain may roll
  double difficulty = 1;                  // the job's share difficulty
  // Chains that roll extranonce2 and ntime themselves (HashChain::RollsExtranonce2: Canaan's
  // MM modules) take the job and the extranonce2 values [first, first + count) instead of
  // a header; `pool` numbers it for them.
  std::shared_ptr<const pool::Job> job;
  std::uint64_t extranonce2_first = 0;
  std::uint64_t extranonce2_count = 0;
  std::uint16_t pool = 0;
};

// A nonce a chain found, already checked against its work: `hash` is the sha256d of the
// header it completes (little-endian number), `meets_ticket` false for a hardware error.
struct FoundNonce {
  WorkToken token{};
  int chip = 0;
  Nonce nonce{};
  Version version{};
  double ticket_difficulty = 1;  // every good nonce counts as this much work
  sha256::Digest hash{};
  bool meets_ticket = true;
  // A chain that rolls extranonce2 and ntime: the values it used (extranonce2 as the
  // little-endian number the module wrote, §4.4 of avalon-protocol.md).
  std::optional<std::uint64_t> extranonce2;
  std::uint32_t ntime = 0;
};

// Where a chain hands its nonces: called on the chain's thread, with a batch.
using NonceSink = std::function<void(std::vector<FoundNonce>&& batch)>;

class HashChain {
 public:
  virtual ~HashChain() = default;
  virtual const std::string& name() const = 0;
  // What it is, for the log ("a hashrig board …, firmware 3"); empty until known.
  virtual std::string description() const = 0;
  // Starts the chain's thread(s); nonces go to `sink` from then on until Stop.
  virtual void Start(NonceSink sink) = 0;
  // Stops and joins; the chain's chips are idled (reset held) on the way out.
  virtual void Stop() = 0;
  // Re-initialises the chain (API `restart`). Thread-safe.
  virtual void Restart() = 0;
  // New work replaces the old at once (clean jobs reach every chain this way). Thread-safe.
  virtual void SetWork(const ChainWork& work) = 0;
  // A snapshot of the chain's state. Thread-safe, never waits on the hardware.
  virtual ChainStatus status() const = 0;
  // An operator's change (within status().limits: checked by the API before). Applied
  // on the chain's thread soon after; a new clock restarts the chain. Thread-safe.
  virtual void Tune(const ChainTuning& tuning) { (void)tuning; }
  // Builds its own headers from the job (ChainWork::job), rolling extranonce2 and ntime.
  virtual bool RollsExtranonce2() const { return false; }
};

}  // namespace hashrig::host
