// Avalon job packets, host -> MM, broadcast (reference avalon-protocol.md §3.6), typed;
// work.h builds the whole sequence from a Stratum job (§4.1). Encoders for the host,
// decoders for the simulated module. Errors as in config.h.
#pragma once

#include <array>
#include <cstdint>

#include "hashrig/base/status.h"
#include "hashrig/hal/protocol/avalon/generation.h"
#include "hashrig/hal/protocol/avalon/packet.h"
#include "hashrig/sha256/target.h"

namespace hashrig::hal::protocol::avalon {

// STATIC 0x11: eight BE32, in this order.
struct Static {
  std::uint32_t coinbase_length = 0;  // bytes of coinb1 ‖ extranonce1 ‖ extranonce2 ‖ coinb2
  std::uint32_t nonce2_offset = 0;    // where extranonce2 starts in the coinbase
  std::uint32_t nonce2_size = 0;      // min(extranonce2 size, 4)
  std::uint32_t merkle_offset = 36;   // of the merkle root in the header template
  std::uint32_t merkle_count = 0;     // branch hashes (MERKLES packets)
  std::uint32_t nonce2_start = 0;
  std::uint32_t nonce2_range = 0;
  std::uint32_t work_restart = 0;  // 1: drop the old work now (a clean job)
  friend bool operator==(const Static&, const Static&) = default;
};
Result<Packet> Encode(Generation generation, const Static& fields);
Result<Static> DecodeStatic(Generation generation, const Packet& packet);

// JOB_ID 0x12: BE16 job tag (CRC-16/XMODEM of the Stratum job id string, JobTag()), LE16
// pool number. NONCE replies carry the same two fields back.
struct JobId {
  std::uint16_t job_tag = 0;
  std::uint16_t pool = 0;
  friend bool operator==(const JobId&, const JobId&) = default;
};
Result<Packet> Encode(Generation generation, const JobId& job_id);
Result<JobId> DecodeJobId(Generation generation, const Packet& packet);

// TARGET 0x16: the 32-byte little-endian share target (sha256::Target's bytes as they are).
Result<Packet> Encode(Generation generation, const sha256::Target& target);
Result<sha256::Target> DecodeTarget(Generation generation, const Packet& packet);

// VMASK 0x19 (A10 only, right after STATIC): four BE32 block versions, the micro-job ids
// 0..3 of a NONCE (work.h: VersionsFor()).
struct Vmask {
  std::array<std::uint32_t, 4> versions{};
  friend bool operator==(const Vmask&, const Vmask&) = default;
};
Result<Packet> Encode(Generation generation, const Vmask& vmask);
Result<Vmask> DecodeVmask(Generation generation, const Packet& packet);

}  // namespace hashrig::hal::protocol::avalon
