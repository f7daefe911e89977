// libFuzzer: arbitrary bytes as cgminer API requests, at every access level. The reply
// must always be one JSON document followed by exactly one NUL.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "hashrig/host/report/api.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view request(reinterpret_cast<const char*>(data), size);
  hashrig::host::MinerSnapshot snapshot;
  snapshot.pools.resize(2);
  snapshot.chains.resize(1);
  for (auto access : {hashrig::host::ApiAccess::kNone, hashrig::host::ApiAccess::kRead,
                      hashrig::host::ApiAccess::kWrite}) {
    const auto reply = hashrig::host::AnswerApi(request, access, snapshot, 0);
    if (reply.bytes.empty() || reply.bytes.back() != '\0' ||
        nlohmann::json::parse(reply.bytes.substr(0, reply.bytes.size() - 1), nullptr, false)
            .is_discarded()) {
      std::abort();
    }
  }
  (void)hashrig::host::ParseApiAllow(request);
  return 0;
}
