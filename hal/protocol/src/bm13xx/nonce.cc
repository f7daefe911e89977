#include "hashrig/hal/protocol/bm13xx/nonce.h"

#include "hashrig/hal/protocol/le.h"

namespace hashrig::hal::protocol {

NonceReport DecodeNonce(ChipModel model, const Response& response) {
  NonceReport r;
  r.nonce = response.header_nonce();
  const std::uint32_t n_be = response.register_value();
  r.core = static_cast<std::uint8_t>(n_be >> 25);
  r.address_bits = static_cast<std::uint8_t>(n_be >> 17);
  r.excess = response.byte6;
  const std::uint8_t b7 = response.byte7;
  switch (model) {
    case ChipModel::kBm1397:
      r.job_id = b7 & 0xFC;
      r.small_core = b7 & 0x03;
      break;
    case ChipModel::kBm1366:
      r.job_id = b7 & 0xF8;
      r.small_core = b7 & 0x07;
      r.version_bits = static_cast<std::uint32_t>(response.version_field) << 13;
      break;
    case ChipModel::kBm1368:
    case ChipModel::kBm1370:
      r.job_id = static_cast<std::uint8_t>((b7 & 0xF0) >> 1);
      r.small_core = b7 & 0x0F;
      r.version_bits = static_cast<std::uint32_t>(response.version_field) << 13;
      break;
  }
  return r;
}

std::uint8_t NextJobId(ChipModel model, std::uint8_t job_id) {
  return static_cast<std::uint8_t>((job_id + InfoOf(model).job_id_step) % 128);
}

int JobIdCount(ChipModel model) { return model == ChipModel::kBm1397 ? 32 : 16; }

std::uint8_t ResultHeader(ChipModel model, std::uint8_t job_id, std::uint8_t small_core) {
  switch (model) {
    case ChipModel::kBm1397:
      return static_cast<std::uint8_t>((job_id & 0xFC) | (small_core & 0x03));
    case ChipModel::kBm1366:
      return static_cast<std::uint8_t>((job_id & 0xF8) | (small_core & 0x07));
    case ChipModel::kBm1368:
    case ChipModel::kBm1370:
      return static_cast<std::uint8_t>(((job_id << 1) & 0xF0) | (small_core & 0x0F));
  }
  return 0;
}

std::array<std::uint8_t, 80> ReconstructHeader(const HeaderJob& job, std::uint32_t version,
                                               std::uint32_t nonce) {
  std::array<std::uint8_t, 80> h{};
  auto put = [&h](std::size_t at, std::uint32_t v) { StoreLe32(&h[at], v); };
  put(0, version);
  for (std::size_t i = 0; i < 32; ++i) {
    h[4 + i] = job.prev_hash[i];
    h[36 + i] = job.merkle_root[i];
  }
  put(68, job.ntime);
  put(72, job.nbits);
  put(76, nonce);
  return h;
}

HeaderJob HeaderJobFrom(const std::array<std::uint8_t, 80>& h) {
  auto le32 = [&h](std::size_t at) {
    return static_cast<std::uint32_t>(h[at]) | static_cast<std::uint32_t>(h[at + 1]) << 8 |
           static_cast<std::uint32_t>(h[at + 2]) << 16 |
           static_cast<std::uint32_t>(h[at + 3]) << 24;
  };
  HeaderJob job;
  job.version = le32(0);
  for (std::size_t i = 0; i < 32; ++i) {
    job.prev_hash[i] = h[4 + i];
    job.merkle_root[i] = h[36 + i];
  }
  job.ntime = le32(68);
  job.nbits = le32(72);
  return job;
}

std::uint32_t IncrementVersion(std::uint32_t version, std::uint32_t mask) {
  if (mask == 0) {
    return version;
  }
  const std::uint32_t lowest = mask & (~mask + 1);
  const std::uint32_t rolled = ((version & mask) + lowest) & mask;
  return (version & ~mask) | rolled;
}

}  // namespace hashrig::hal::protocol
