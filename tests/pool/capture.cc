#include "pool/capture.h"

#include <gtest/gtest.h>

#include "hashrig/pool/work.h"
#include "support/shared_data.h"

namespace hashrig::testing {

pool::Job JobFromCapture(const nlohmann::json& notify, const std::string& extranonce1_hex,
                         std::size_t extranonce2_size, std::uint32_t version_mask) {
  auto parsed = pool::ParseNotify(notify.at("params"));
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message());
  pool::Job job;
  if (parsed.ok()) {
    job.notify = *parsed;
  }
  job.extranonce1 = FromHex(extranonce1_hex);
  job.extranonce2_size = extranonce2_size;
  job.version_mask = version_mask;
  return job;
}

pool::Share ShareFromSubmit(const nlohmann::json& submit_params, const pool::Job& job) {
  auto request = pool::ParseSubmitParams(submit_params);
  EXPECT_TRUE(request.ok()) << (request.ok() ? "" : request.error().message());
  pool::Share share;
  if (!request.ok()) {
    return share;
  }
  share.job_id = request->job_id;
  share.extranonce2 = request->extranonce2;
  share.ntime = request->ntime;
  share.nonce = request->nonce;
  share.version =
      request->version_bits
          ? pool::RollVersion(job.notify.version, *request->version_bits, job.version_mask)
          : job.notify.version;
  return share;
}

}  // namespace hashrig::testing
