#include "hashrig/host/boards/board_kinds.h"

#include <charconv>

#include "chain_session.h"
#include "hashrig/hal/protocol/policy/ticket.h"
#include "hashrig/hal/sim/sim_registers.h"

namespace hashrig::host {

std::optional<unsigned long long> ParseWhole(std::string_view text) {
  unsigned long long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

ChainStatus ControllerStatus(const hal::protocol::ChainController& c) {
  namespace p = hal::protocol;
  const p::ChipDriver& d = c.driver();
  ChainStatus s;
  s.state = c.state();
  s.thermal = c.thermal_state();
  s.stop = c.stop_reason();
  s.problem = d.status().ok() ? "" : d.status().message();
  s.chips = d.chips_found();
  s.expected_chips = d.expected_chips();
  s.has_sensor = c.has_sensor();
  s.temperature = c.temperature();
  s.frequency = c.frequency();
  if (c.has_sensor()) {
    s.fan = c.fan();
    const p::ThermalConfig& thermal = c.thermal_config();
    s.limits.thermal_target = true;
    s.limits.min_target_c = p::ThermalController::kMinTarget;
    s.limits.max_target_c = thermal.hot_c - 5;
    s.limits.target_c = thermal.target_c;
  }
  return s;
}

FoundNonce ToFound(const hal::protocol::CheckedNonce& n, bool rolled) {
  FoundNonce f{n.event.token,
               n.event.chip,
               n.event.nonce,
               n.event.version,
               n.event.ticket_difficulty,
               n.hash,
               n.meets_ticket,
               std::nullopt,
               0};
  if (rolled) {
    f.extranonce2 = n.event.nonce2;
    f.ntime = n.event.ntime;
  }
  return f;
}

Error ParseCountInto(std::string_view rest, int fallback, std::string_view what, BoardSpec& spec) {
  const auto n = rest.empty() ? std::optional<unsigned long long>(fallback) : ParseWhole(rest);
  if (!n || *n < 1 || *n > 256) {
    return {StatusCode::kInvalidArgument, std::string(what) + " must be 1..256"};
  }
  spec.count = static_cast<int>(*n);
  return {};
}

std::string BoardSyntaxList() {
  std::string out;
  for (const BoardKind& kind : kBoardKinds) {
    out += out.empty() ? "" : ", ";
    out += kind.syntax;
  }
  return out;
}

const BoardKind* FindBoardKind(std::string_view name) {
  for (const BoardKind& kind : kBoardKinds) {
    if (kind.name == name) {
      return &kind;
    }
  }
  return nullptr;
}

Expected<BoardSpec> ParseBoardSpec(std::string_view text) {
  const auto colon = text.find(':');
  const BoardKind* kind = FindBoardKind(text.substr(0, colon));
  if (kind == nullptr) {
    return Error(StatusCode::kInvalidArgument,
                 "--board " + std::string(text) + ": expected " + BoardSyntaxList());
  }
  BoardSpec spec;
  spec.kind = kind;
  spec.text = std::string(text);
  const std::string_view rest = colon == std::string_view::npos ? "" : text.substr(colon + 1);
  if (Error e = kind->parse(rest, spec); !e.ok()) {
    return Error(StatusCode::kInvalidArgument, "--board " + std::string(text) + ": " + e.message() +
                                                   " (expected " + std::string(kind->syntax) + ")");
  }
  return spec;
}

hal::protocol::DriverConfig SimDriver(const BoardSettings& settings, int chips) {
  hal::protocol::DriverConfig driver = settings.driver;
  driver.expected_chips = chips;
  if (!settings.ticket_given) {
    // The ticket policy's steady 64 nonces/s from the board's real rate: a 5 s hashrate
    // reading then rests on ~320 nonces (±6 %), where a fixed 1/1024 gave 24 at 20 MH/s.
    hal::protocol::TicketPolicy policy;
    policy.floor = kSimTicketFloor;
    driver.ticket_difficulty = hal::protocol::TicketFor(policy, settings.sim_cpu_rate, 0);
  }
  driver.sub_one_ticket = &hal::sim::kSubOneTicket;
  driver.enumeration_silence = std::chrono::milliseconds(50);
  driver.ramp_step_delay = std::chrono::milliseconds(2);
  driver.reset_hold = std::chrono::milliseconds(5);
  return driver;
}

}  // namespace hashrig::host
