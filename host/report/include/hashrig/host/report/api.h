// The cgminer API as fleet tools speak it (reference stratum-and-ecosystem.md §3): one
// request per TCP connection, JSON `{"command":..,"parameter":..}` answered in JSON, plain
// `cmd|param` answered in cgminer's text form (`STATUS=S,When=..,Code=11,Msg=Summary,
// Description=hashrig 0.1.0|SUMMARY,Elapsed=..,...|`), `cmd1+cmd2` joins (JSON only, as
// cgminer), a STATUS envelope, both MHS and GHS keys, bmminer-style STATS (and Antminer's
// `new_api` STATS with a `chain` array), a trailing NUL; privileged commands only from
// `--api-allow W:` networks. Pure: a request string and the peer's address in, the reply
// bytes and at most one action out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hashrig/base/error.h"
#include "hashrig/host/report/snapshot.h"

namespace hashrig::host {

struct ApiRequest {
  std::vector<std::string> commands;  // more than one: a `+` join (report commands only)
  std::string parameter;
  bool json = false;     // a JSON request gets a JSON reply, a plain one cgminer's text form
  bool new_api = false;  // {"command":"stats","new_api":true}: Antminer's newer reply shape
};
// An error (kInvalidArgument, saying what) on anything that is not a request.
Expected<ApiRequest> ParseApiRequest(std::string_view text);

enum class ApiAccess { kNone, kRead, kWrite };
struct AllowRule {
  bool write = false;
  std::uint32_t network = 0;  // IPv4, host order
  int prefix = 32;
};
// "W:192.168.1.0/24,R:10.0.0.0/8,127.0.0.1" (cgminer syntax; no prefix = read).
Expected<std::vector<AllowRule>> ParseApiAllow(std::string_view spec);
// First match wins; no rules: read-only from loopback only.
ApiAccess AccessFor(std::uint32_t ipv4, const std::vector<AllowRule>& rules);

struct ApiAction {
  enum class Kind {
    kNone,
    kAddPool,
    kSwitchPool,
    kEnablePool,
    kDisablePool,
    kRemovePool,
    kRestart,
    kQuit,
    kTune,  // ascset: a chain's clock, core voltage or fan target
  };
  Kind kind = Kind::kNone;
  int pool = -1;
  std::string url, user, password;
  int chain = -1;  // kTune: the chain's position in devs
  ChainTuning tuning;
};

struct ApiReply {
  std::string bytes;  // JSON or cgminer text, and the trailing NUL
  ApiAction action;
};

// Whether a request that came in pieces is whole: a JSON request when it parses, a plain
// one ("summary|", "pools|0") at its '|' or end of line. (A bare "summary" is answered
// once the client has been quiet a moment, see api_server.h.)
bool ApiRequestComplete(std::string_view request);

// A privileged command ("addpool", "switchpool", "ascset"...) run without the wire's text
// form: the dashboard's changes take the same checks as AnswerApi with write access, with
// no request to serialise and parse back. ok: the API took it; message: its STATUS Msg.
struct ApiOutcome {
  bool ok = false;
  std::string message;
  ApiAction action;
};
ApiOutcome RunPrivileged(std::string_view command, const std::string& parameter,
                         const MinerSnapshot& snapshot);

// Answers one request. Privileged commands need kWrite; everything needs kRead.
ApiReply AnswerApi(std::string_view request, ApiAccess access, const MinerSnapshot& snapshot,
                   std::int64_t now_epoch);

}  // namespace hashrig::host
