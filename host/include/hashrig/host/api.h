// The cgminer API as fleet tools speak it (reference stratum-and-ecosystem.md §3): one
// request per TCP connection, plain `cmd|param` or JSON `{"command":..,"parameter":..}`,
// `cmd1+cmd2` joins, a STATUS envelope, both MHS and GHS keys, bmminer-style STATS, a
// trailing NUL; privileged commands only from `--api-allow W:` networks. Pure: a request
// string and the peer's address in, the reply bytes and at most one action out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace hashrig::host {

struct ApiRequest {
  std::vector<std::string> commands;  // more than one: a `+` join (report commands only)
  std::string parameter;
};
// Empty with `error` set on anything that is not a request.
std::optional<ApiRequest> ParseApiRequest(std::string_view text, std::string& error);

enum class ApiAccess { kNone, kRead, kWrite };
struct AllowRule {
  bool write = false;
  std::uint32_t network = 0;  // IPv4, host order
  int prefix = 32;
};
// "W:192.168.1.0/24,R:10.0.0.0/8,127.0.0.1" (cgminer syntax; no prefix = read).
std::optional<std::vector<AllowRule>> ParseApiAllow(std::string_view spec, std::string& error);
// First match wins; no rules: read-only from loopback only.
ApiAccess AccessFor(std::uint32_t ipv4, const std::vector<AllowRule>& rules);

// What the API reports, taken from the miner when a request comes.
struct ApiPool {
  std::string url;
  std::string user;
  bool alive = false;
  bool active = false;
  bool enabled = true;
  std::uint64_t accepted = 0;
  std::uint64_t rejected = 0;
  std::uint64_t stale = 0;
  double difficulty_accepted = 0;
  double difficulty_rejected = 0;
  double last_share_difficulty = 0;
  double work_difficulty = 0;
  std::int64_t last_share_time = 0;
};
struct ApiChip {
  std::uint8_t address = 0;
  std::uint64_t nonces = 0;
  std::uint64_t hardware_errors = 0;
  bool alive = true;
};
struct ApiChain {
  std::string name;
  std::string status;  // "Alive" / "Dead" / "Initialising"
  int chips = 0;
  double mhs_5s = 0;
  double mhs_av = 0;
  double temperature = 0;
  int fan_percent = 0;
  double frequency_mhz = 0;
  std::uint64_t accepted = 0;
  std::uint64_t hardware_errors = 0;
  double diff1_work = 0;
  std::vector<ApiChip> chip_stats;
};
struct ApiSnapshot {
  std::string version = "0.1.0";
  double elapsed_s = 0;
  double mhs_5s = 0, mhs_1m = 0, mhs_5m = 0, mhs_15m = 0, mhs_av = 0;
  std::uint64_t accepted = 0, rejected = 0, stale = 0, lost = 0, hardware_errors = 0,
                found_blocks = 0;
  double difficulty_accepted = 0, difficulty_rejected = 0, difficulty_stale = 0;
  double best_share = 0, diff1_work = 0;
  std::vector<ApiPool> pools;
  std::vector<ApiChain> chains;
};

struct ApiAction {
  enum class Kind {
    kNone,
    kAddPool,
    kSwitchPool,
    kEnablePool,
    kDisablePool,
    kRemovePool,
    kRestart,
    kQuit
  };
  Kind kind = Kind::kNone;
  int pool = -1;
  std::string url, user, password;
};

struct ApiReply {
  std::string bytes;  // JSON text and the trailing NUL
  ApiAction action;
};

// Answers one request. Privileged commands need kWrite; everything needs kRead.
ApiReply AnswerApi(std::string_view request, ApiAccess access, const ApiSnapshot& snapshot,
                   std::int64_t now_epoch);

}  // namespace hashrig::host
