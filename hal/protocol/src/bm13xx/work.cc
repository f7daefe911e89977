#include "hashrig/hal/protocol/bm13xx/work.h"

#include "hashrig/hal/protocol/bm13xx/nonce.h"
#include "hashrig/hal/protocol/le.h"
#include "hashrig/sha256/stream.h"

namespace hashrig::hal::protocol {

MidstateJob MidstateJobFrom(const std::array<std::uint8_t, 80>& header, std::uint32_t version_mask,
                            int count) {
  MidstateJob job;
  job.midstate_count = static_cast<std::uint8_t>(version_mask == 0 || count < 1 ? 1
                                                 : count > 4                    ? 4
                                                                                : count);
  job.merkle_tail = LoadLe32(&header[64]);
  job.ntime = LoadLe32(&header[68]);
  job.nbits = LoadLe32(&header[72]);
  std::array<std::uint8_t, 64> block{};
  for (std::size_t i = 0; i < block.size(); ++i) {
    block[i] = header[i];
  }
  std::uint32_t version = LoadLe32(&header[0]);
  for (std::size_t k = 0; k < job.midstate_count; ++k) {
    if (k > 0) {
      version = IncrementVersion(version, version_mask);
    }
    StoreLe32(block.data(), version);
    job.midstates[k] = sha256::kInitialState.words;
    sha256::ScalarCompress(job.midstates[k].data(), block.data(), 1);
  }
  return job;
}

}  // namespace hashrig::hal::protocol
