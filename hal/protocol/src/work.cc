#include "hashrig/hal/protocol/work.h"

#include "hashrig/hal/protocol/le.h"
#include "hashrig/hal/protocol/nonce.h"

namespace hashrig::hal::protocol {

MidstateJob MidstateJobFrom(const std::array<std::uint8_t, 80>& header, std::uint32_t version_mask,
                            int count, MidstateFn midstate) {
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
    midstate(block.data(), job.midstates[k]);
  }
  return job;
}

Result<std::uint8_t> SendWork(ChainDriver& driver, const std::array<std::uint8_t, 80>& header,
                              std::uint32_t token, MidstateFn midstate) {
  if (!InfoOf(driver.config().model).midstate_jobs) {
    return driver.SendJob(HeaderJobFrom(header), token);
  }
  const std::uint32_t mask = driver.config().version_mask;
  return driver.SendJob(MidstateJobFrom(header, mask, 4, midstate), LoadLe32(&header[0]), token);
}

}  // namespace hashrig::hal::protocol
