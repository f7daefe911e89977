// Stratum V1 lines: lenient about what real pools send (ids of any type, every error
// shape, extra notify fields before clean_jobs) and strict about what the work depends
// on (hex, lengths, counts). Every parser here is fuzzed (tests/fuzz/stratum_fuzz.cc).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hashrig/base/error.h"
#include "hashrig/pool/job.h"
#include "hashrig/sha256/target.h"

namespace hashrig::pool {

// Lines longer than this are refused, never truncated. Coinbases of several KB are
// common (BCH pools send 9 KB notifies); 1 MiB leaves room for any real one.
inline constexpr std::size_t kMaxLineSize = std::size_t{1} << 20;
// ESP-Miner caps the branch at 32; a 2^32-transaction block needs 32.
inline constexpr std::size_t kMaxMerkleBranch = 32;

// One line, decoded. A message with a method is a request or notification whatever its
// id; one without is a response.
struct Message {
  nlohmann::json id;  // as sent (null when missing)
  std::string method;
  nlohmann::json params = nlohmann::json::array();
  nlohmann::json result;
  nlohmann::json error;  // null when missing
  // reject-reason, which some pools send beside result:false instead of an error
  std::string reject_reason;

  bool is_request() const { return !method.empty(); }
};

Expected<Message> ParseLine(std::string_view line);

struct SubscribeResult {
  std::vector<std::uint8_t> extranonce1;
  std::size_t extranonce2_size = 0;
  std::string session_id;  // the mining.notify subscription id, for resuming
};
struct ExtranonceUpdate {
  std::vector<std::uint8_t> extranonce1;
  std::optional<std::size_t> extranonce2_size;  // some pools leave it out
};
struct ReconnectRequest {
  std::string host;  // empty: the same host
  std::optional<std::uint16_t> port;
  std::chrono::seconds wait{0};
};
struct ConfigureResult {
  bool version_rolling = false;
  std::uint32_t mask = 0;  // as the pool sent it (not yet ANDed with ours)
  std::string refusal;     // the pool's words when it refused
};

Expected<Notify> ParseNotify(const nlohmann::json& params);
Expected<SubscribeResult> ParseSubscribeResult(const nlohmann::json& result);
Expected<sha256::Difficulty> ParseSetDifficulty(const nlohmann::json& params);
Expected<std::uint32_t> ParseSetVersionMask(const nlohmann::json& params);
Expected<ExtranonceUpdate> ParseSetExtranonce(const nlohmann::json& params);
Expected<ReconnectRequest> ParseReconnect(const nlohmann::json& params);
Expected<ConfigureResult> ParseConfigureResult(const nlohmann::json& result);

// The error of a response in words, whatever its shape: [code, "msg", trace], "msg",
// {"code":..,"message":..}, or result false with reject-reason. Empty when none.
std::optional<std::string> ErrorText(const Message& message);
// The numeric code of an error when the pool sent one (21 stale, 22 duplicate, ...).
std::optional<int> ErrorCode(const Message& message);

// JSON text of a value. Pools control every byte: invalid UTF-8 in their strings is
// replaced (U+FFFD), never an exception.
std::string JsonText(const nlohmann::json& value);

// Lines we send. Requests carry an int id; replies echo the pool's id unchanged and
// always include "error" (NiceHash requires it).
std::string RequestLine(std::uint64_t id, std::string_view method, const nlohmann::json& params);
std::string NotificationLine(std::string_view method, const nlohmann::json& params);
std::string ReplyLine(const nlohmann::json& id, const nlohmann::json& result,
                      const nlohmann::json& error = nullptr);

// mining.submit params: worker, job id, extranonce2, ntime, nonce and, when rolling,
// the version bits inside the mask.
nlohmann::json SubmitParams(const std::string& worker, const Share& share,
                            std::uint32_t version_mask);
// The inverse, as a pool reads it.
struct SubmitRequest {
  std::string worker;
  std::string job_id;
  std::vector<std::uint8_t> extranonce2;
  std::uint32_t ntime = 0;
  std::uint32_t nonce = 0;
  std::optional<std::uint32_t> version_bits;
};
Expected<SubmitRequest> ParseSubmitParams(const nlohmann::json& params);

// The prevhash of a notify: the wire's word-swapped hex <-> header byte order.
Expected<Hash256> ParsePrevhash(std::string_view hex);
std::string FormatPrevhash(const Hash256& prevhash);

}  // namespace hashrig::pool
