// Real Stratum data from ../shared/data turned into pool/ types, for the pool tests.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "hashrig/pool/job.h"
#include "hashrig/pool/stratum.h"

namespace hashrig::testing {

// A job from a notify message plus the session values beside it in the capture.
pool::Job JobFromCapture(const nlohmann::json& notify, const std::string& extranonce1_hex,
                         std::size_t extranonce2_size, std::uint32_t version_mask);
// The share a captured mining.submit describes on `job`.
pool::Share ShareFromSubmit(const nlohmann::json& submit_params, const pool::Job& job);

}  // namespace hashrig::testing
