// The local pool's Stratum V2 side for one connection, I/O-free (plain frames in and
// out; the Noise transport around them is local_pool.cc's). It answers SetupConnection
// (Mining Protocol, version 2), opens standard and extended channels, turns the pool's
// jobs (the same BlockTemplate notifies V1 miners get) into NewMiningJob /
// NewExtendedMiningJob + SetNewPrevHash per channel, and validates every share with
// ShareValidator, answering each with SubmitShares.Success or .Error. Results go into the
// pool's PoolLedger exactly as V1 shares do.
//
// Channels: an extended channel's extranonce_prefix is the 4 bytes the pool gives each
// channel (unique in the pool) and the miner rolls LocalPoolSettings::extranonce2_size
// bytes after it; a standard channel's prefix is those 4 bytes plus 4 more of its own, the
// whole extranonce, so the pool sends it a merkle root.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hashrig/pool/job.h"
#include "hashrig/pool/server_session.h"
#include "hashrig/pool/sv2/messages.h"
#include "hashrig/pool/sv2/shares.h"

namespace hashrig::pool::sv2 {

class ServerSession {
 public:
  // `next_prefix` gives a new 4-byte extranonce prefix, unique in the pool, per channel.
  ServerSession(const LocalPoolSettings& settings, PoolLedger& ledger,
                std::function<Bytes()> next_prefix);

  // One decrypted frame (header ‖ payload) in, frames to send out. A frame that does not
  // decode is answered with nothing and counted (bad_frames); the connection goes on.
  std::vector<Bytes> OnFrame(std::span<const std::uint8_t> frame, bool& block_found);
  // The pool's newest job, to every open channel.
  std::vector<Bytes> Announce(const Notify& notify);
  // The pool's difficulty changed: SetTarget on every channel.
  std::vector<Bytes> SetDifficulty(sha256::Difficulty difficulty);

  bool set_up() const { return set_up_; }
  std::size_t channels() const { return channels_.size(); }
  std::size_t bad_frames() const { return bad_frames_; }
  const std::string& last_error() const { return last_error_; }

 private:
  struct Channel {
    bool extended = false;
    Bytes extranonce_prefix;
    ShareValidator validator;
    std::optional<Hash256> prev_hash;  // the last SetNewPrevHash sent
    sha256::Difficulty difficulty;
  };

  std::vector<Bytes> OnSetup(const SetupConnection& m);
  std::vector<Bytes> OnOpen(std::uint32_t request_id, const std::string& user, bool extended,
                            std::uint16_t min_extranonce_size);
  Bytes OnSubmit(std::uint32_t channel_id, std::uint32_t sequence, std::uint32_t job_id,
                 std::uint32_t nonce, std::uint32_t ntime, std::uint32_t version,
                 std::span<const std::uint8_t> extranonce, bool extended, bool& block_found);
  std::vector<Bytes> JobFor(std::uint32_t channel_id, Channel& c, const Notify& notify);

  const LocalPoolSettings& settings_;
  PoolLedger& ledger_;
  std::function<Bytes()> next_prefix_;
  bool set_up_ = false;
  std::map<std::uint32_t, Channel> channels_;
  std::uint32_t next_channel_ = 1;
  std::uint32_t next_job_ = 1;
  std::shared_ptr<const Notify> current_;
  std::size_t bad_frames_ = 0;
  std::string last_error_;
};

}  // namespace hashrig::pool::sv2
