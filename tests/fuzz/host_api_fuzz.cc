// libFuzzer: arbitrary bytes as cgminer API requests, at every access level. The reply
// must always end in exactly one NUL; before it, one JSON document when the request is
// JSON (its first non-blank byte is '{'), else cgminer's text form (STATUS item first,
// each item ended by '|'; or BYE / RESTART).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "hashrig/host/report/api.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view request(reinterpret_cast<const char*>(data), size);
  hashrig::host::MinerSnapshot snapshot;
  snapshot.pools.resize(2);
  snapshot.chains.resize(1);
  const auto start = request.find_first_not_of(" \t\r\n");
  const bool json = start != std::string_view::npos && request[start] == '{';
  std::string checked;  // the last reply found well-formed (levels often answer alike)
  for (auto access : {hashrig::host::ApiAccess::kNone, hashrig::host::ApiAccess::kRead,
                      hashrig::host::ApiAccess::kWrite}) {
    const auto reply = hashrig::host::AnswerApi(request, access, snapshot, 0);
    if (reply.bytes.empty() || reply.bytes.find('\0') != reply.bytes.size() - 1) {
      std::abort();
    }
    if (reply.bytes == checked) {
      continue;
    }
    const std::string text = reply.bytes.substr(0, reply.bytes.size() - 1);
    const bool plain_ok =
        text == "BYE" || text == "RESTART" || (text.rfind("STATUS=", 0) == 0 && text.back() == '|');
    if (json ? !nlohmann::json::accept(text) : !plain_ok) {
      std::abort();
    }
    checked = reply.bytes;
  }
  (void)hashrig::host::ParseApiAllow(request);
  return 0;
}
