// A Stratum job as Avalon packets, and a module's nonce back as the fields of
// mining.submit (reference avalon-protocol.md §4.1, §4.4, §4.5). I/O-free and
// freestanding: the job's byte strings are spans the caller keeps alive while it uses the
// JobPackets made from them (hal does not see pool/, so StratumJob is this layer's own
// description of a job; the host fills it from pool::Job).
//
//   StratumJob job{...};
//   auto packets = JobPackets::Make(Generation::kAvalon8, job, {});
//   for (std::size_t i = 0; i < packets->size(); ++i) send(Encode(packets->at(i)));
//   ...
//   auto reports = DecodeNonce(Generation::kAvalon8, reply);
//   auto submit = SubmitFor(Generation::kAvalon8, job, reports->reports[0]);
//   auto header = HeaderFor(job, *submit);  // sha256d it to check the share
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "hashrig/base/status.h"
#include "hashrig/hal/protocol/avalon/generation.h"
#include "hashrig/hal/protocol/avalon/job.h"
#include "hashrig/hal/protocol/avalon/packet.h"
#include "hashrig/hal/protocol/avalon/replies.h"
#include "hashrig/hal/protocol/chain/stratum_job.h"
#include "hashrig/sha256/stream.h"
#include "hashrig/sha256/target.h"

namespace hashrig::hal::protocol::avalon {

// The job's description is the chain layer's (chain/stratum_job.h): the host fills it from
// pool::Job; TARGET sends min(its difficulty, the generation's cap); at most 30 branches;
// extranonce2 3..16 bytes; version_mask used by A10 only.
using protocol::Hash32;
using protocol::StratumJob;

struct SplitOptions {
  // The nonce2 space is split between host devices (AUCs): range = 0xFFFFFF (3-byte
  // extranonce2) or 0xFFFFFFFF, / device_count; start = range x device_index.
  std::uint32_t device_index = 0;
  std::uint32_t device_count = 1;
  // A range of its own instead (nonce2_range non-zero): a host that splits the extranonce2
  // space between its chains gives each module chain [start, start + range).
  std::uint32_t nonce2_start = 0;
  std::uint32_t nonce2_range = 0;
  // JOB_ID is re-sent only when (job tag, pool) changed since the last one (§3.6).
  bool send_job_id = true;
};

inline constexpr std::size_t kMaxMerkles = 30;
inline constexpr std::size_t kMaxCoinbaseTail = 6 * 1024;  // bytes after the midstate
inline constexpr std::size_t kMinExtranonce2 = 3;
inline constexpr std::size_t kMaxExtranonce2 = 16;

// The job tag of JOB_ID and NONCE: CRC-16/XMODEM of the job id's characters.
std::uint16_t JobTag(std::string_view job_id);

// The four versions VMASK sends for `version` and the pool's `mask` (§4.5): L = the
// mask's lowest non-zero hex digit in place, H = mask - L; {v, v|L, v|H, v|mask}; all v
// without a mask.
std::array<std::uint32_t, 4> VersionsFor(std::uint32_t version, std::uint32_t mask);

// The packet sequence of one job hand-off (§4.1), in order: STATIC, VMASK (A10), TARGET,
// JOB_ID (unless suppressed), COINBASE x (1 + ceil(tail / 32)) — the SHA-256 state after
// coinbase[0 : nonce2_offset rounded down to 64], then the rest in 32-byte chunks, the
// last zero-padded —, MERKLES x branches, HEADER x 4 (the 80-byte header with every 4-byte
// word byte-reversed, merkle root and nonce zero, then cgminer's word-swapped padding),
// JOB_FIN. The extranonce2 bytes inside the coinbase are sent as zeros. Through an AUC the
// host sends INFO to the AUC before JOB_FIN (not an MM packet, not in this list).
class JobPackets {
 public:
  JobPackets() = default;
  // kInvalidArgument: extranonce2 size outside 3..16, more than 30 branches, a coinbase
  // tail over kMaxCoinbaseTail, device_index >= device_count.
  static Result<JobPackets> Make(Generation generation, const StratumJob& job,
                                 const SplitOptions& options);

  std::size_t size() const;
  // Packet `i` (< size()); OPT 0.
  Packet at(std::size_t i) const;
  const Static& fields() const { return static_; }
  std::uint16_t job_tag() const { return job_tag_; }
  const sha256::Target& target() const { return target_; }
  const std::array<std::uint8_t, 128>& header_template() const { return header_; }

 private:
  Generation generation_ = Generation::kAvalon8;
  StratumJob job_;
  bool send_job_id_ = true;
  Static static_;
  std::uint16_t job_tag_ = 0;
  sha256::Target target_;
  sha256::State midstate_ = sha256::kInitialState;
  std::size_t prehash_ = 0;
  std::size_t coinbase_packets_ = 0;
  std::array<std::uint8_t, 128> header_{};
};

// A nonce as mining.submit wants it (§4.4 step 5, §4.5).
struct Submit {
  std::array<std::uint8_t, kMaxExtranonce2> extranonce2{};  // nonce2 little-endian
  std::size_t extranonce2_size = 0;
  std::uint32_t ntime = 0;    // job ntime + offset
  Nonce nonce{};              // the header's; submitted as its 8 hex digits
  std::uint32_t version = 0;  // the full version that was hashed
  // A10 with a pool mask: the version bits field (hashed version & mask: L, H or the mask
  // for micro jobs 1..3, 0 for 0, when the job's version has no bit in the mask). Empty
  // without a mask: no version field is submitted.
  std::optional<std::uint32_t> version_bits;
  std::span<const std::uint8_t> extranonce_bytes() const {
    return {extranonce2.data(), extranonce2_size};
  }
};

// The submit fields of `report` on `job`. kMismatch: the report's job tag or pool is not
// this job's. kInvalidArgument: a micro job the generation has not (A7/A8/LC3: only 0;
// A10: 0..3), a nonce2 wider than the extranonce2.
Result<Submit> SubmitFor(Generation generation, const StratumJob& job, const NonceReport& report);

// The 80-byte block header `submit` names on `job` (coinbase with the extranonce2, its
// sha256d folded with the branches, version, prevhash, root, ntime, nbits, nonce; all
// little-endian fields): sha256d it and compare with the share target to verify the nonce.
std::array<std::uint8_t, 80> HeaderFor(const StratumJob& job, const Submit& submit);

}  // namespace hashrig::hal::protocol::avalon
