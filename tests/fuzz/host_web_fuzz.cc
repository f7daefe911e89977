// libFuzzer: arbitrary HTTP requests to the dashboard's WebApp (issue 15, point 7), from an
// address that may write and with a live session, so the change paths are reached too.
// Input: METHOD '\n' TARGET '\n' X-CSRF-TOKEN-SELECTOR '\n' BODY. Every answer has a
// status 200-599; a JSON answer parses; an error changes nothing (no action).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "hashrig/host/report/password.h"
#include "hashrig/host/report/web.h"

namespace {

using hashrig::host::WebApp;

std::string_view Field(std::string_view& input) {
  const auto end = input.find('\n');
  const std::string_view field = input.substr(0, end);
  input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
  return field;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string kHash = *hashrig::host::HashPassword("pw", 1);
  hashrig::host::WebConfig config;
  config.password_hash = kHash;
  config.allow = {{true, 0x7F000001, 32}};
  WebApp app(config);
  hashrig::host::MinerSnapshot snapshot;
  snapshot.pools.resize(2);
  snapshot.pools[1].id = 1;
  snapshot.pools[0].active = true;
  snapshot.chains.resize(1);
  const auto now = WebApp::Clock::now();
  hashrig::host::WebRequest login{"POST", "/api/v1/login", R"({"password":"pw"})", "",
                                  "",     0x7F000001};
  const auto session = app.Handle(login, snapshot, {}, now);
  std::string cookie;
  for (const auto& [name, value] : session.headers) {
    if (name == "Set-Cookie") {
      cookie = value.substr(0, value.find(';'));
    }
  }
  const std::string csrf = nlohmann::json::parse(session.body)["csrf"];

  std::string_view input(reinterpret_cast<const char*>(data), size);
  hashrig::host::WebRequest request;
  request.method = std::string(Field(input));
  request.target = std::string(Field(input));
  request.csrf = Field(input) == "t" ? csrf : "";
  request.cookie = cookie;
  request.body = std::string(input);
  request.peer = 0x7F000001;
  const auto response = app.Handle(request, snapshot, {"a"}, now);
  if (response.status < 200 || response.status > 599) {
    std::abort();
  }
  if (response.content_type == "application/json" &&
      nlohmann::json::parse(response.body, nullptr, false).is_discarded()) {
    std::abort();
  }
  if (response.status >= 400 && response.action.kind != hashrig::host::ApiAction::Kind::kNone) {
    std::abort();
  }
  return 0;
}
