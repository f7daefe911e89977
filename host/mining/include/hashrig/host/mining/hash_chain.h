// What the scheduler sees of a board (DESIGN.md): a chain that takes work and gives back
// checked nonces, whether the host drives the chips itself (sim, serial, usb, tcp,
// bitaxe), the CPU hashes, or a board running our firmware does. Every chain runs on its
// own thread (ThreadedChain, or the CPU's workers); the scheduler and every report live
// on the daemon's I/O thread and never wait for a chain.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "hashrig/base/units.h"
#include "hashrig/host/report/snapshot.h"
#include "hashrig/sha256/stream.h"

namespace hashrig::host {

struct ChainWork {
  WorkToken token{};                      // the scheduler's id for this work
  std::array<std::uint8_t, 80> header{};  // nonce field zero; version = the job's
  std::uint32_t version_mask = 0;         // bits the chain may roll
  double difficulty = 1;                  // the job's share difficulty
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
};

}  // namespace hashrig::host
