#include "hashrig/pool/stratum.h"

#include <algorithm>

#include "hashrig/base/hex.h"

namespace hashrig::pool {
namespace {

using nlohmann::json;

// Deep nesting is never valid Stratum and costs memory to build; refuse it before parsing.
constexpr int kMaxDepth = 32;

bool NestingWithin(std::string_view line, int limit) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : line) {
    if (in_string) {
      escaped = !escaped && c == '\\';
      in_string = escaped || c != '"';
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) {
        return false;
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

std::string Describe(const json& value) {
  std::string text = JsonText(value);
  if (text.size() > 80) {
    text = text.substr(0, 77) + "...";
  }
  return text;
}

Error FieldError(std::string_view what, const json& value, std::string_view expected) {
  return Error(
      StatusCode::kInvalidArgument,
      std::string(what) + ": expected " + std::string(expected) + ", got " + Describe(value));
}

Expected<std::vector<std::uint8_t>> HexField(std::string_view what, const json& value,
                                             std::size_t max_bytes) {
  if (!value.is_string()) {
    return FieldError(what, value, "a hex string");
  }
  const auto& text = value.get_ref<const std::string&>();
  auto bytes = DecodeHex(text);
  if (!bytes) {
    return Error(StatusCode::kInvalidArgument,
                 std::string(what) + ": not hex (" + std::to_string(text.size()) + " chars)");
  }
  if (bytes->size() > max_bytes) {
    return Error(StatusCode::kInvalidArgument, std::string(what) + ": " +
                                                   std::to_string(bytes->size()) + " bytes, over " +
                                                   std::to_string(max_bytes));
  }
  return std::move(*bytes);
}

Expected<std::uint32_t> Hex32Field(std::string_view what, const json& value) {
  if (value.is_string()) {
    if (auto v = ParseHex32(value.get_ref<const std::string&>())) {
      return *v;
    }
  }
  return FieldError(what, value, "8 hex characters");
}

Expected<std::string> TextField(std::string_view what, const json& value) {
  if (!value.is_string()) {
    return FieldError(what, value, "a string");
  }
  return value.get<std::string>();
}

Expected<std::size_t> Extranonce2Size(const json& value) {
  if (!value.is_number_integer()) {
    return FieldError("extranonce2_size", value, "an integer");
  }
  const auto size = value.get<std::int64_t>();
  if (size < static_cast<std::int64_t>(kMinExtranonce2Size) ||
      size > static_cast<std::int64_t>(kMaxExtranonce2Size)) {
    return Error(StatusCode::kInvalidArgument,
                 "extranonce2_size " + std::to_string(size) + " outside 1..16");
  }
  return static_cast<std::size_t>(size);
}

Expected<std::vector<Hash256>> BranchField(const json& value) {
  if (!value.is_array()) {
    return FieldError("merkle_branch", value, "an array");
  }
  if (value.size() > kMaxMerkleBranch) {
    return Error(StatusCode::kInvalidArgument, "merkle_branch: " + std::to_string(value.size()) +
                                                   " hashes, over " +
                                                   std::to_string(kMaxMerkleBranch));
  }
  std::vector<Hash256> branch;
  for (const json& item : value) {
    std::optional<Hash256> hash;
    if (item.is_string()) {
      hash = DecodeHexArray<32>(item.get_ref<const std::string&>());
    }
    if (!hash) {
      return FieldError("merkle_branch entry", item, "64 hex characters");
    }
    branch.push_back(*hash);
  }
  return branch;
}

Expected<json> ParamsArray(const json& params, std::size_t at_least, std::string_view method) {
  if (!params.is_array() || params.size() < at_least) {
    return Error(StatusCode::kInvalidArgument, std::string(method) + ": expected at least " +
                                                   std::to_string(at_least) + " params, got " +
                                                   Describe(params));
  }
  return params;
}

}  // namespace

Expected<Message> ParseLine(std::string_view line) {
  if (line.size() > kMaxLineSize) {
    return Error(StatusCode::kInvalidArgument, "line of " + std::to_string(line.size()) +
                                                   " bytes is over the " +
                                                   std::to_string(kMaxLineSize) + "-byte limit");
  }
  if (!NestingWithin(line, kMaxDepth)) {
    return Error(StatusCode::kInvalidArgument,
                 "JSON nested deeper than " + std::to_string(kMaxDepth) + " levels");
  }
  json doc = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    // Quoted printable: bytes outside ASCII's printable range as \xNN, so binary (a
    // Stratum V2 port answering, TLS, anything) never reaches the log raw.
    std::string shown;
    bool binary = false;
    for (const char c : line.substr(0, 80)) {
      const auto u = static_cast<unsigned char>(c);
      if (u >= 0x20 && u < 0x7f) {
        shown.push_back(c);
      } else {
        binary = binary || (u != '\t' && u != '\r');
        shown += "\\x" + EncodeHex(std::span(&u, 1));
      }
    }
    return Error(StatusCode::kInvalidArgument,
                 "not JSON: " + shown +
                     (binary ? " (binary data: a Stratum V2 or TLS port? V2 URLs are "
                               "stratum2+tcp://HOST:PORT/KEY, TLS ones stratum+ssl://)"
                             : ""));
  }
  if (!doc.is_object()) {
    return Error(StatusCode::kInvalidArgument, "not a JSON object: " + Describe(doc));
  }
  Message m;
  if (auto it = doc.find("id"); it != doc.end()) {
    m.id = *it;
  }
  if (auto it = doc.find("method"); it != doc.end() && !it->is_null()) {
    if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
      return FieldError("method", *it, "a method name");
    }
    m.method = it->get<std::string>();
  }
  if (auto it = doc.find("params"); it != doc.end() && !it->is_null()) {
    m.params = *it;
  }
  if (auto it = doc.find("result"); it != doc.end()) {
    m.result = *it;
  }
  if (auto it = doc.find("error"); it != doc.end()) {
    m.error = *it;
  }
  if (auto it = doc.find("reject-reason"); it != doc.end() && it->is_string()) {
    m.reject_reason = it->get<std::string>();
  }
  if (!m.is_request() && doc.find("result") == doc.end() && doc.find("error") == doc.end()) {
    return Error(StatusCode::kInvalidArgument,
                 "neither a request nor a response: " + Describe(doc));
  }
  return m;
}

Expected<Notify> ParseNotify(const json& params) {
  auto p = ParamsArray(params, 9, "mining.notify");
  if (!p) {
    return p.error();
  }
  Notify n;
  auto job_id = TextField("job_id", params[0]);
  auto prevhash = params[1].is_string()
                      ? ParsePrevhash(params[1].get_ref<const std::string&>())
                      : Expected<Hash256>(FieldError("prevhash", params[1], "64 hex characters"));
  auto coinb1 = HexField("coinb1", params[2], kMaxLineSize / 2);
  auto coinb2 = HexField("coinb2", params[3], kMaxLineSize / 2);
  auto branch = BranchField(params[4]);
  auto version = Hex32Field("version", params[5]);
  auto nbits = Hex32Field("nbits", params[6]);
  auto ntime = Hex32Field("ntime", params[7]);
  // Some pools put extension fields before clean_jobs: read the last element.
  const json& clean = params.back();
  for (const Error* e : {job_id ? nullptr : &job_id.error(), prevhash ? nullptr : &prevhash.error(),
                         coinb1 ? nullptr : &coinb1.error(), coinb2 ? nullptr : &coinb2.error(),
                         branch ? nullptr : &branch.error(), version ? nullptr : &version.error(),
                         nbits ? nullptr : &nbits.error(), ntime ? nullptr : &ntime.error()}) {
    if (e != nullptr) {
      return Error(StatusCode::kInvalidArgument, "mining.notify: " + e->message());
    }
  }
  if (!clean.is_boolean()) {
    return FieldError("mining.notify: clean_jobs", clean, "a boolean");
  }
  if (job_id->empty()) {
    return Error(StatusCode::kInvalidArgument, "mining.notify: empty job_id");
  }
  n.job_id = std::move(*job_id);
  n.prevhash = *prevhash;
  n.coinb1 = std::move(*coinb1);
  n.coinb2 = std::move(*coinb2);
  n.merkle_branch = std::move(*branch);
  n.version = *version;
  n.nbits = *nbits;
  n.ntime = *ntime;
  n.clean_jobs = clean.get<bool>();
  return n;
}

Expected<SubscribeResult> ParseSubscribeResult(const json& result) {
  if (!result.is_array() || result.size() < 3) {
    return FieldError("mining.subscribe result", result, "[subscriptions, extranonce1, size]");
  }
  SubscribeResult out;
  auto en1 = HexField("extranonce1", result[1], 32);
  if (!en1) {
    return en1.error();
  }
  auto size = Extranonce2Size(result[2]);
  if (!size) {
    return size.error();
  }
  out.extranonce1 = std::move(*en1);
  out.extranonce2_size = *size;
  // [[method, id], ...] or, from some pools, a single [method, id] pair.
  const json& subs = result[0];
  auto take = [&out](const json& pair) {
    if (pair.is_array() && pair.size() >= 2 && pair[0] == "mining.notify" && pair[1].is_string()) {
      out.session_id = pair[1].get<std::string>();
    }
  };
  if (subs.is_array() && !subs.empty() && subs[0].is_string()) {
    take(subs);
  } else if (subs.is_array()) {
    std::for_each(subs.begin(), subs.end(), take);
  }
  return out;
}

Expected<sha256::Difficulty> ParseSetDifficulty(const json& params) {
  if (!params.is_array() || params.empty() || !params[0].is_number()) {
    return FieldError("mining.set_difficulty", params, "[number]");
  }
  if (auto d = sha256::Difficulty::From(params[0].get<double>())) {
    return *d;
  }
  return FieldError("mining.set_difficulty", params, "a positive difficulty");
}

Expected<std::uint32_t> ParseSetVersionMask(const json& params) {
  if (!params.is_array() || params.empty()) {
    return FieldError("mining.set_version_mask", params, "[mask]");
  }
  auto mask = Hex32Field("mining.set_version_mask", params[0]);
  if (!mask) {
    return mask.error();
  }
  return *mask;
}

Expected<ExtranonceUpdate> ParseSetExtranonce(const json& params) {
  if (!params.is_array() || params.empty()) {
    return FieldError("mining.set_extranonce", params, "[extranonce1, size]");
  }
  ExtranonceUpdate out;
  auto en1 = HexField("mining.set_extranonce extranonce1", params[0], 32);
  if (!en1) {
    return en1.error();
  }
  out.extranonce1 = std::move(*en1);
  if (params.size() >= 2 && !params[1].is_null()) {
    auto size = Extranonce2Size(params[1]);
    if (!size) {
      return Error(StatusCode::kInvalidArgument,
                   "mining.set_extranonce: " + size.error().message());
    }
    out.extranonce2_size = *size;
  }
  return out;
}

Expected<ReconnectRequest> ParseReconnect(const json& params) {
  ReconnectRequest out;
  if (!params.is_array()) {
    return FieldError("client.reconnect", params, "[host, port, wait]");
  }
  if (!params.empty() && !params[0].is_null()) {
    auto host = TextField("client.reconnect host", params[0]);
    if (!host) {
      return host.error();
    }
    out.host = std::move(*host);
  }
  if (params.size() >= 2 && !params[1].is_null()) {
    std::int64_t port = -1;
    if (params[1].is_number_integer()) {
      port = params[1].get<std::int64_t>();
    } else if (params[1].is_string()) {
      const auto& text = params[1].get_ref<const std::string&>();
      if (!text.empty() && text.size() <= 5 && std::all_of(text.begin(), text.end(), ::isdigit)) {
        port = std::stoll(text);
      }
    }
    if (port < 1 || port > 65535) {
      return FieldError("client.reconnect port", params[1], "a port 1..65535");
    }
    out.port = static_cast<std::uint16_t>(port);
  }
  if (params.size() >= 3 && params[2].is_number_integer()) {
    out.wait =
        std::chrono::seconds(std::clamp<std::int64_t>(params[2].get<std::int64_t>(), 0, 3600));
  }
  return out;
}

Expected<ConfigureResult> ParseConfigureResult(const json& result) {
  if (!result.is_object()) {
    return FieldError("mining.configure result", result, "an object");
  }
  ConfigureResult out;
  auto it = result.find("version-rolling");
  if (it == result.end()) {
    out.refusal = "no version-rolling in the answer";
    return out;
  }
  if (it->is_string()) {
    out.refusal = it->get<std::string>();
    return out;
  }
  if (!it->is_boolean() || !it->get<bool>()) {
    out.refusal = "version-rolling: " + Describe(*it);
    return out;
  }
  auto mask_it = result.find("version-rolling.mask");
  if (mask_it == result.end()) {
    return Error(StatusCode::kInvalidArgument,
                 "mining.configure: version-rolling true without a mask");
  }
  auto mask = Hex32Field("version-rolling.mask", *mask_it);
  if (!mask) {
    return mask.error();
  }
  out.version_rolling = true;
  out.mask = *mask;
  return out;
}

std::optional<int> ErrorCode(const Message& message) {
  const json& e = message.error;
  if (e.is_array() && !e.empty() && e[0].is_number_integer()) {
    return e[0].get<int>();
  }
  if (e.is_object()) {
    if (auto it = e.find("code"); it != e.end() && it->is_number_integer()) {
      return it->get<int>();
    }
  }
  return std::nullopt;
}

std::optional<std::string> ErrorText(const Message& message) {
  const json& e = message.error;
  if (e.is_array() && e.size() >= 2 && e[1].is_string()) {
    return e[1].get<std::string>();
  }
  if (e.is_string()) {
    return e.get<std::string>();
  }
  if (e.is_object()) {
    if (auto it = e.find("message"); it != e.end() && it->is_string()) {
      return it->get<std::string>();
    }
  }
  if (!e.is_null()) {
    return Describe(e);
  }
  if (!message.reject_reason.empty()) {
    return message.reject_reason;
  }
  return std::nullopt;
}

std::string JsonText(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string RequestLine(std::uint64_t id, std::string_view method, const json& params) {
  return JsonText(json{{"id", id}, {"method", method}, {"params", params}}) + "\n";
}

std::string NotificationLine(std::string_view method, const json& params) {
  return JsonText(json{{"id", nullptr}, {"method", method}, {"params", params}}) + "\n";
}

std::string ReplyLine(const json& id, const json& result, const json& error) {
  return JsonText(json{{"id", id}, {"result", result}, {"error", error}}) + "\n";
}

json SubmitParams(const std::string& worker, const Share& share, std::uint32_t version_mask) {
  json params = {worker, share.job_id, EncodeHex(share.extranonce2), FormatHex32(share.ntime),
                 FormatHex32(share.nonce)};
  if (version_mask != 0) {
    // BIP310: the bits inside the mask. Equal to the XOR delta other miners send while
    // the job's own version has no bits inside the mask (the usual 0x20000000).
    params.push_back(FormatHex32(share.version & version_mask));
  }
  return params;
}

Expected<SubmitRequest> ParseSubmitParams(const json& params) {
  auto p = ParamsArray(params, 5, "mining.submit");
  if (!p) {
    return p.error();
  }
  SubmitRequest out;
  auto worker = TextField("worker", params[0]);
  auto job_id = TextField("job_id", params[1]);
  auto en2 = HexField("extranonce2", params[2], kMaxExtranonce2Size);
  auto ntime = Hex32Field("ntime", params[3]);
  auto nonce = Hex32Field("nonce", params[4]);
  for (const Error* e : {worker ? nullptr : &worker.error(), job_id ? nullptr : &job_id.error(),
                         en2 ? nullptr : &en2.error(), ntime ? nullptr : &ntime.error(),
                         nonce ? nullptr : &nonce.error()}) {
    if (e != nullptr) {
      return Error(StatusCode::kInvalidArgument, "mining.submit: " + e->message());
    }
  }
  out.worker = std::move(*worker);
  out.job_id = std::move(*job_id);
  out.extranonce2 = std::move(*en2);
  out.ntime = *ntime;
  out.nonce = *nonce;
  if (params.size() >= 6 && !params[5].is_null()) {
    auto bits = Hex32Field("version_bits", params[5]);
    if (!bits) {
      return Error(StatusCode::kInvalidArgument, "mining.submit: " + bits.error().message());
    }
    out.version_bits = *bits;
  }
  return out;
}

Expected<Hash256> ParsePrevhash(std::string_view hex) {
  auto bytes = DecodeHexArray<32>(hex);
  if (!bytes) {
    return Error(StatusCode::kInvalidArgument, "prevhash: expected 64 hex characters");
  }
  for (std::size_t word = 0; word < 32; word += 4) {
    std::reverse(bytes->begin() + static_cast<std::ptrdiff_t>(word),
                 bytes->begin() + static_cast<std::ptrdiff_t>(word + 4));
  }
  return *bytes;
}

std::string FormatPrevhash(const Hash256& prevhash) {
  Hash256 wire = prevhash;
  for (std::size_t word = 0; word < 32; word += 4) {
    std::reverse(wire.begin() + static_cast<std::ptrdiff_t>(word),
                 wire.begin() + static_cast<std::ptrdiff_t>(word + 4));
  }
  return EncodeHex(wire);
}

}  // namespace hashrig::pool
