// Test data shared by the Avalon tests: the reference's hex as printed, and the job of
// ../shared/data/blocks/jobs/ job_542213.json (real block 542213) as the chain layer's StratumJob,
// its byte strings owned here.
#pragma once

#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "hashrig/hal/protocol/chain/stratum_job.h"
#include "support/shared_data.h"

namespace hashrig::testing {

// Hex as avalon_examples.py prints it: spaces and '|' between the parts are ignored.
inline std::vector<std::uint8_t> Hex(std::string_view text) {
  std::string hex;
  for (char c : text) {
    if (c != ' ' && c != '|') {
      hex += c;
    }
  }
  return FromHex(hex);
}

struct Job542213 {
  using Bytes = std::vector<std::uint8_t>;
  nlohmann::json file = ReadJson("blocks/jobs/job_542213.json");
  const nlohmann::json& params = file["notify"]["params"];
  std::string job_id = params[0];
  Bytes coinb1 = FromHex(params[2].get<std::string>());
  Bytes extranonce1 = FromHex(file["subscribe_result"]["extranonce1"].get<std::string>());
  Bytes coinb2 = FromHex(params[3].get<std::string>());
  std::vector<hal::protocol::Hash32> branch;
  hal::protocol::StratumJob job;

  Job542213() {
    for (const auto& hex : params[4]) {
      const Bytes b = FromHex(hex.get<std::string>());
      std::copy(b.begin(), b.end(), branch.emplace_back().begin());
    }
    const Bytes notify_prevhash = FromHex(params[1].get<std::string>());
    for (std::size_t i = 0; i < 32; ++i) {  // the notify's words byte-reversed back
      job.prevhash[i] = notify_prevhash[i / 4 * 4 + 3 - i % 4];
    }
    job.job_id = job_id;
    job.coinb1 = coinb1;
    job.extranonce1 = extranonce1;
    job.extranonce2_size = file["subscribe_result"]["extranonce2_size"];
    job.coinb2 = coinb2;
    job.merkle_branch = branch;
    job.version = static_cast<std::uint32_t>(std::stoul(params[5].get<std::string>(), nullptr, 16));
    job.nbits = static_cast<std::uint32_t>(std::stoul(params[6].get<std::string>(), nullptr, 16));
    job.ntime = static_cast<std::uint32_t>(std::stoul(params[7].get<std::string>(), nullptr, 16));
    job.clean_jobs = params[8];
    job.difficulty = *sha256::Difficulty::From(1024);
  }
  Job542213(const Job542213&) = delete;
  Job542213& operator=(const Job542213&) = delete;
};

}  // namespace hashrig::testing
