// The dashboard's side of HTTP (issue 15, points 5-7), pure: a request in (method,
// target, body, the Cookie and X-CSRF-Token headers, the client's IPv4 address), a
// response out, and at most one action for the daemon (the cgminer API's ApiAction: the
// web page changes the miner only through the same privileged commands). The HTTP server
// (http_server.h) does the I/O.
//
// Routes (docs/openapi.yaml is the reference):
//   GET  /, /index.html, /app.js, /style.css, /chart.min.js   the page (embedded assets)
//   GET  /metrics                          Prometheus text format (metrics.h)
//   GET  /api/v1/summary|chains|pools|history|log|session|settings     JSON
//   POST /api/v1/login {"password":..}     a session cookie (HttpOnly, SameSite=Strict)
//                                          and its CSRF token in the body
//   POST /api/v1/logout
//   POST /api/v1/pools {"url","user","password"}; POST /api/v1/pools/N/switch|enable|
//        disable; DELETE /api/v1/pools/N  (N: the position in /api/v1/pools)
// A change needs all of: a password set (`hashrig passwd`), a live session cookie, its
// CSRF token in X-CSRF-Token, and write access for the client's address under
// --api-allow (the cgminer API's rule); only such an address may log in at all. Logins
// are rate-limited: 5 attempts from one address within 60 s (right or wrong: each costs
// a PBKDF2 run on the I/O thread) lock it out for 60 s (429), and 20 wrong ones from
// anywhere lock everyone out for 60 s. Errors are JSON {"error": "..."} with a 4xx status
// (405 with Allow); nothing changes. HEAD is answered as GET without the body.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "hashrig/host/report/api.h"
#include "hashrig/host/report/snapshot.h"

namespace hashrig::host {

struct WebRequest {
  std::string method;  // "GET", "POST", "DELETE", ...
  std::string target;  // path and query: "/api/v1/pools?x=1"
  std::string body;
  std::string cookie;  // the Cookie header
  std::string csrf;    // the X-CSRF-Token header
  std::uint32_t peer = 0;
};

struct WebResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // Set-Cookie, Cache-Control...
  ApiAction action;
};

struct WebConfig {
  std::string password_hash;  // password.h's stored form; empty: the page is read-only
  std::vector<AllowRule> allow;
  bool metrics_only = false;  // --metrics-listen: /metrics and nothing else
  std::size_t history = 720;  // hashrate samples kept for the chart (one per 5 s: 1 h)
};

class WebApp {
 public:
  using Clock = std::chrono::steady_clock;

  explicit WebApp(WebConfig config);
  // The miner's state at a status tick: one point of the hashrate chart.
  void Record(const MinerSnapshot& snapshot, std::int64_t unix_now);
  WebResponse Handle(const WebRequest& request, const MinerSnapshot& snapshot,
                     const std::vector<std::string>& log_tail, Clock::time_point now);

 private:
  struct Session {
    std::string csrf;
    Clock::time_point expires;
  };
  WebResponse Api(const WebRequest& request, std::string_view path, const MinerSnapshot& s,
                  const std::vector<std::string>& log_tail, Clock::time_point now);
  WebResponse Login(const WebRequest& request, Clock::time_point now);
  WebResponse Logout(const WebRequest& request);
  WebResponse Change(const WebRequest& request, std::string_view path, const MinerSnapshot& s,
                     Clock::time_point now);
  const Session* SessionOf(const WebRequest& request, Clock::time_point now);
  bool LockedOut(std::uint32_t peer, Clock::time_point now);

  WebConfig config_;
  struct Sample {
    std::int64_t when;  // unix seconds
    double rate_5s, rate_1m, rate_15m;
  };
  std::deque<Sample> history_;
  std::map<std::string, Session> sessions_;
  std::map<std::uint32_t, std::deque<Clock::time_point>> attempts_;
  std::deque<Clock::time_point> all_failures_;
};

// The embedded page assets by path ("/app.js"); nullptr for none. Their bytes are made
// at build time from host/report/web/ and Debian's libjs-chart.js (cmake/Embed.cmake).
struct WebAsset {
  std::string_view path;
  std::string_view content_type;
  std::string_view bytes;
};
const WebAsset* FindWebAsset(std::string_view path);

}  // namespace hashrig::host
