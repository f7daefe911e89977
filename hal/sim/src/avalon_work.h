// Private to hal/sim: how a simulated Avalon MM assembles a job from the host's hand-off
// packets (reference §3.6, §4.1) and makes work from it as the MM does (§4.2, §8b.2).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "hashrig/hal/protocol/avalon/generation.h"
#include "hashrig/hal/protocol/avalon/job.h"
#include "hashrig/hal/protocol/avalon/packet.h"
#include "hashrig/sha256/scan.h"

namespace hashrig::hal::sim::avalon_detail {

namespace av = protocol::avalon;
using Hash32 = std::array<std::uint8_t, 32>;

// ntime offsets an MM rolls through for each nonce2 before taking the next one.
inline constexpr std::uint32_t kNtimeOffsets = 4;

// A complete job: what JOB_FIN made of the hand-off.
struct AvalonJob {
  av::Static fields;
  std::array<std::uint32_t, 4> versions{};  // VMASK (A10); else the header's version
  sha256::Target target;
  std::uint16_t job_tag = 0;
  std::uint16_t pool = 0;
  sha256::State midstate = sha256::kInitialState;
  std::size_t prehash = 0;         // coinbase bytes the midstate stands for
  std::vector<std::uint8_t> tail;  // coinbase[prehash : coinbase_length]
  std::vector<Hash32> merkles;
  std::array<std::uint8_t, 80> header{};  // the real header (template words swapped back)
};

// The hand-off as it arrives. TARGET, JOB_ID and VMASK are kept from the previous
// hand-off when not re-sent (the host suppresses an unchanged JOB_ID, §3.6).
class JobAssembler {
 public:
  explicit JobAssembler(av::Generation generation) : generation_(generation) {}

  enum class Step { kTaken, kRefused, kFinished, kBadJob };
  // One job packet of `kind` (STATIC .. JOB_FIN, VMASK). kFinished: job() is the new job.
  Step Take(av::Kind kind, const av::Packet& packet);
  const AvalonJob& job() const { return job_; }

 private:
  bool TakeChunk(std::vector<std::optional<av::Data>>& chunks, const av::Packet& packet,
                 std::size_t max_count);
  Step Finish();
  bool BuildCoinbase(AvalonJob& job) const;

  av::Generation generation_;
  std::optional<av::Static> static_;
  std::optional<sha256::Target> target_;
  std::optional<av::JobId> job_id_;
  std::optional<av::Vmask> vmask_;
  std::vector<std::optional<av::Data>> coinbase_;
  std::vector<std::optional<av::Data>> merkles_;
  std::vector<std::optional<av::Data>> header_;
  AvalonJob job_;
};

// A nonce the scan found, with what the host needs to rebuild its header.
struct Found {
  std::uint32_t nonce2 = 0;
  std::uint32_t ntime_offset = 0;
  std::uint32_t nonce = 0;  // Nonce::value: header bytes 76..79 little-endian
  std::uint8_t micro_job = 0;
  std::array<std::uint8_t, 80> header{};  // with the version hashed, nonce 0
};

// One module's walk through a job (§8b.2): nonce2 = start + index, ntime offsets 0..3
// for each, nonces upward from 0 within `sweep`; then nonce2 + kAvalonMaxModules.
class WorkCursor {
 public:
  WorkCursor() = default;
  WorkCursor(const AvalonJob& job, int index, std::uint64_t sweep);

  // Hashes at most about `budget` headers' nonces (times the versions); returns the hashes
  // computed and appends what met the target to `found`.
  std::uint64_t Scan(std::uint64_t budget, std::vector<Found>& found);
  // Headers (nonce2, ntime) begun so far: the module's "local works".
  std::uint64_t headers() const { return headers_; }

 private:
  void Begin();

  const AvalonJob* job_ = nullptr;
  int index_ = 0;
  std::uint64_t sweep_ = 0;
  std::uint64_t step_ = 0;  // which (nonce2, ntime) of the walk
  std::uint32_t nonce2_ = 0;
  std::uint32_t ntime_offset_ = 0;
  std::uint64_t next_nonce_ = 0;
  std::uint64_t headers_ = 0;
  std::array<std::uint8_t, 80> header_{};
  std::vector<std::uint32_t> versions_;   // distinct, in micro-job order
  std::vector<std::uint8_t> micro_jobs_;  // of each entry of versions_
  std::optional<sha256::HeaderScanner> scanner_;
};

// The 80-byte header of `job` for (nonce2, ntime offset): the coinbase with nonce2
// little-endian at its offset, finished from the midstate, double-hashed and folded with
// the branch, at header offset 36; ntime + offset. Version and nonce as in the template.
std::array<std::uint8_t, 80> HeaderOf(const AvalonJob& job, std::uint32_t nonce2,
                                      std::uint32_t ntime_offset);

}  // namespace hashrig::hal::sim::avalon_detail
