// libFuzzer: arbitrary pool lines into the Stratum parsers and the client session (after
// a real handshake), and arbitrary miner lines into the local pool's server session.
// Nothing may crash, hang or grow without bound; the session must stay usable.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hashrig/pool/server_session.h"
#include "hashrig/pool/session.h"
#include "hashrig/pool/stratum.h"

namespace {

using hashrig::pool::Clock;

void ParseEverything(std::string_view line) {
  auto m = hashrig::pool::ParseLine(line);
  if (!m) {
    return;
  }
  (void)hashrig::pool::ParseNotify(m->params);
  (void)hashrig::pool::ParseSubscribeResult(m->result);
  (void)hashrig::pool::ParseSetDifficulty(m->params);
  (void)hashrig::pool::ParseSetVersionMask(m->params);
  (void)hashrig::pool::ParseSetExtranonce(m->params);
  (void)hashrig::pool::ParseReconnect(m->params);
  (void)hashrig::pool::ParseConfigureResult(m->result);
  (void)hashrig::pool::ParseSubmitParams(m->params);
  (void)hashrig::pool::ErrorText(*m);
  (void)hashrig::pool::ErrorCode(*m);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  hashrig::pool::SessionConfig config;
  config.user = "fuzz";
  config.host = "pool.example.com";
  const Clock::time_point t0{};
  hashrig::pool::ClientSession session(config, t0);
  session.OnLine(R"({"id":1,"result":{"version-rolling":true,"version-rolling.mask":"1fffe000"}})",
                 t0);
  session.OnLine(R"({"id":2,"result":[[],"01020304",4],"error":null})", t0);
  session.OnLine(R"({"id":3,"result":true,"error":null})", t0);

  hashrig::pool::LocalPoolSettings settings;
  hashrig::pool::PoolLedger ledger;
  hashrig::pool::ServerSession server(settings, {1, 2, 3, 4}, ledger);

  std::size_t start = 0;
  int n = 0;
  while (start <= input.size()) {
    std::size_t end = input.find('\n', start);
    if (end == std::string_view::npos) {
      end = input.size();
    }
    const std::string_view line = input.substr(start, end - start);
    ParseEverything(line);
    const auto now = t0 + std::chrono::seconds(++n);
    session.OnLine(line, now);
    if (auto job = session.current_job()) {
      (void)session.Submit({job->notify.job_id, std::vector<std::uint8_t>(job->extranonce2_size),
                            job->notify.ntime, static_cast<std::uint32_t>(n), job->notify.version},
                           now);
    }
    session.OnTime(now);
    (void)session.TakeOutgoing();
    (void)session.TakeEvents();
    bool block_found = false;
    (void)server.OnLine(line, block_found);
    start = end + 1;
  }
  return 0;
}
