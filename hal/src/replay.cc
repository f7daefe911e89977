#include "hashrig/hal/replay.h"

#include <array>
#include <cstdint>
#include <cstdio>
#include <map>
#include <set>
#include <tuple>
#include <variant>

#include "hashrig/hal/protocol/bm13xx/driver.h"
#include "hashrig/hal/protocol/bm13xx/nonce.h"
#include "hashrig/hal/protocol/bm13xx/registers.h"
#include "hashrig/hal/protocol/le.h"
#include "hashrig/hal/sim/chain.h"
#include "hashrig/hal/sim/sim_registers.h"
#include "hashrig/sha256/scan.h"
#include "hashrig/sha256/sha256.h"
#include "hashrig/sha256/target.h"

namespace hashrig::hal {
namespace {

namespace p = protocol;

std::string Printf(const char* format, auto... values) {
  std::array<char, 256> text{};
  std::snprintf(text.data(), text.size(), format, values...);
  return text.data();
}

// The ticket the recorded host set last (mask register, or the simulator's sub-1 one).
struct RecordedTicket {
  double mask = 1;
  double sub_one = 0;
  double value() const { return sub_one > 0 ? sub_one : mask; }
  void OnWrite(std::uint8_t reg, std::uint32_t value) {
    if (reg == p::reg::kTicketMask) {
      mask = p::TicketDifficulty(value);
    }
    if (reg == sim::kSimTicketTopWord) {
      sub_one = value != 0 ? sim::SimTicketDifficulty(value) : 0;
    }
  }
};

struct Replayer {
  explicit Replayer(const Capture& c) : capture(c) {
    PowerOn();
    if (c.start_baud != 0) {
      chips_baud = c.start_baud;
      return;
    }
    for (const CaptureBurst& b : c.bursts) {  // a capture cut from a session
      if (b.to_chips && !b.reset) {
        chips_baud = b.baud;
        return;
      }
    }
  }

  void PowerOn() {
    decoder = p::ResponseDecoder(9);
    host = p::HostFrameDecoder();
    chips_baud = p::PowerOnHostBaud(capture.model);
  }

  void ToChips(const CaptureBurst& burst) {
    if (burst.reset) {
      PowerOn();
      Line(burst.micros, '!', Printf("nRST released: the chips at power-on, %u baud", chips_baud));
      return;
    }
    for (const std::uint8_t b : burst.bytes) {
      if (burst.baud != chips_baud) {  // per byte: a baud write switches the rest
        ++report.unheard;
        continue;
      }
      host.Push(b);
      while (auto frame = host.Next()) {
        ++report.frames_to_chips;
        OnHostFrame(*frame, burst.micros);
      }
    }
  }

  void FromChips(const CaptureBurst& burst) {
    for (const std::uint8_t b : burst.bytes) {
      decoder.Push(b);
      while (auto r = decoder.Next()) {
        ++report.responses;
        r->nonce ? OnNonce(*r, burst.micros) : OnRegister(*r, burst.micros);
      }
    }
  }

  void OnHostFrame(const p::HostFrame& f, std::uint64_t at) {
    const auto body = f.body();
    if (f.is_job()) {
      OnJob(f, at);
      return;
    }
    if (const auto write = p::RegisterWriteOf(f)) {
      if (write->reg == p::reg::kVersionRolling && capture.model != p::ChipModel::kBm1397) {
        decoder.set_frame_size(11);  // as the chips switch their response format
      }
      ticket.OnWrite(write->reg, write->value);
      Line(at, '>',
           Printf("write 0x%02X = 0x%08X (%s)", write->reg, write->value,
                  f.broadcast() ? "all chips" : Printf("chip 0x%02X", write->chip).c_str()));
      if (p::SwitchesBaud(capture.model, write->reg, write->value)) {
        chips_baud = p::HostBaudFor(p::ChipBaud(capture.model, write->value));
        Line(at, '>', Printf("  the chips now listen at %u baud", chips_baud));
      }
      return;
    }
    if (f.command() == p::type::kChainInactive) {
      report.configured = 0;  // an enumeration begins
      Line(at, '>', "chain inactive");
      return;
    }
    if (f.command() == p::type::kSetAddress && body.size() >= 1) {
      ++report.addresses;
      ++report.configured;
      Line(at, '>', Printf("set address 0x%02X", body[0]));
      return;
    }
    if (f.command() == p::type::kRead && body.size() >= 2) {
      Line(at, '>',
           Printf("read 0x%02X (%s)", body[1],
                  f.broadcast() ? "all chips" : Printf("chip 0x%02X", body[0]).c_str()));
      return;
    }
    Line(at, '>', Printf("command 0x%02X", f.type));
  }

  void OnJob(const p::HostFrame& f, std::uint64_t at) {
    ++report.jobs;
    serial[JobIdOf(f)] = report.jobs;  // a reused job id is new work
    if (capture.model == p::ChipModel::kBm1397) {
      const p::MidstateJob job = p::DecodeMidstateJobBody(f.body());
      jobs[job.job_id] = job;
      Line(at, '>',
           Printf("job 0x%02X: %d midstates, starting nonce %08x", job.job_id, job.midstate_count,
                  job.starting_nonce));
      return;
    }
    const p::HeaderJob job = p::DecodeHeaderJobBody(f.body());
    jobs[job.job_id] = job;
    Line(at, '>',
         Printf("job 0x%02X: version %08x, ntime %08x, nbits %08x", job.job_id, job.version,
                job.ntime, job.nbits));
  }

  void OnRegister(const p::Response& r, std::uint64_t at) {
    Line(at, '<',
         Printf("register 0x%02X = 0x%08X from chip 0x%02X", r.byte7, r.register_value(), r.byte6));
  }

  void OnNonce(const p::Response& r, std::uint64_t at) {
    const p::NonceReport n = p::DecodeNonce(capture.model, r);
    ReplayedNonce out;
    out.micros = at;
    out.nonce = n.nonce;
    out.job_id = n.job_id;
    out.small_core = n.small_core;
    out.core = n.core;
    out.ticket = ticket.value();
    out.rolled = capture.model == p::ChipModel::kBm1397 ? n.small_core != 0 : n.version_bits != 0;
    const auto job = jobs.find(n.job_id);
    out.known_job = job != jobs.end();
    if (!seen.insert({serial[n.job_id], n.version_bits | n.small_core, n.nonce}).second) {
      ++report.duplicates;
    }
    if (out.known_job) {
      const auto hash = Rehash(job->second, n, out.version);
      out.difficulty = sha256::Difficulty::OfHash(hash).value();
      const auto ticket_difficulty = sha256::Difficulty::From(out.ticket);
      out.meets_ticket = ticket_difficulty && ticket_difficulty->IsMetBy(hash);
    }
    Line(
        at, '<',
        out.known_job
            ? Printf("nonce %08x job 0x%02X core %u small core %u: version %08x, difficulty "
                     "%.2f, ticket %g %s",
                     out.nonce, out.job_id, out.core, out.small_core, out.version, out.difficulty,
                     out.ticket, out.meets_ticket ? "met" : "NOT MET")
            : Printf("nonce %08x for job 0x%02X, which no job frame named", out.nonce, out.job_id));
    report.nonces.push_back(out);
  }

  // The sha256d of what the nonce completes, and the header version it implies.
  sha256::Digest Rehash(const std::variant<p::HeaderJob, p::MidstateJob>& job,
                        const p::NonceReport& n, std::uint32_t& version) {
    std::vector<sha256::Hit> hits;
    const auto any = sha256::Target::FromLittleEndian(std::array<std::uint8_t, 32>{
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF});
    if (const auto* h = std::get_if<p::HeaderJob>(&job)) {
      version = h->version | n.version_bits;
      const auto header = p::ReconstructHeader(*h, version, n.nonce);
      sha256::HeaderScanner(std::span<const std::uint8_t, 80>(header))
          .Scan({n.nonce, std::uint64_t{n.nonce} + 1}, any, hits);
    } else {
      const auto& m = std::get<p::MidstateJob>(job);
      std::array<std::uint8_t, 12> tail{};
      p::StoreLe32(&tail[0], m.merkle_tail);
      p::StoreLe32(&tail[4], m.ntime);
      p::StoreLe32(&tail[8], m.nbits);
      version = 0;  // a midstate job does not carry the version itself
      sha256::HeaderScanner(sha256::State{m.midstates[n.small_core % 4]}, tail)
          .Scan({n.nonce, std::uint64_t{n.nonce} + 1}, any, hits);
    }
    return hits.empty() ? sha256::Digest{} : hits.front().hash;
  }

  void Line(std::uint64_t at, char direction, const std::string& what) {
    report.lines.push_back(Printf("%10.6f %c ", static_cast<double>(at) / 1e6, direction) + what);
  }

  std::uint8_t JobIdOf(const p::HostFrame& f) const { return f.body().empty() ? 0 : f.body()[0]; }

  const Capture& capture;
  std::map<std::uint8_t, int> serial;  // job id -> which job frame
  std::set<std::tuple<int, std::uint32_t, std::uint32_t>> seen;
  p::HostFrameDecoder host;
  p::ResponseDecoder decoder;
  std::map<std::uint8_t, std::variant<p::HeaderJob, p::MidstateJob>> jobs;
  RecordedTicket ticket;
  std::uint32_t chips_baud = 0;  // the host rate the chips hear
  ReplayReport report;
};

}  // namespace

int ReplayReport::failed() const {
  int n = 0;
  for (const ReplayedNonce& r : nonces) {
    n += r.known_job && !r.meets_ticket ? 1 : 0;
  }
  return n;
}

int ReplayReport::rolled() const {
  int n = 0;
  for (const ReplayedNonce& r : nonces) {
    n += r.known_job && r.rolled ? 1 : 0;
  }
  return n;
}

ReplayReport Replay(const Capture& capture) {
  Replayer replayer(capture);
  for (const CaptureBurst& burst : capture.bursts) {
    burst.to_chips ? replayer.ToChips(burst) : replayer.FromChips(burst);
  }
  ReplayReport report = std::move(replayer.report);
  report.final_baud = replayer.chips_baud;
  // From the chips only: the host's own non-BM13xx bytes (a board-link Hello probe) are
  // not damage.
  report.damaged = static_cast<int>(replayer.decoder.bad_crc() + replayer.decoder.skipped_bytes());
  return report;
}

namespace {

// Brings `driver` up on a simulated chain with a fake clock; the time it took.
std::uint64_t BringUp(p::Bm13xxDriver& driver, const Capture& capture) {
  sim::Chain chain({capture.model, capture.chips, 1e9, 1});
  p::Micros now{0};
  driver.Start(now);
  while (now < p::Micros(120'000'000) && driver.state() != p::ChainState::kMining &&
         driver.state() != p::ChainState::kFailed) {
    const p::Operation op = driver.Poll(now);
    if (op.kind == p::Operation::Kind::kWrite) {
      chain.Receive(op.data(), driver.host_baud());
    } else if (op.kind == p::Operation::Kind::kReset && op.reset_asserted) {
      chain.HardwareReset();
    }
    chain.Advance(std::chrono::microseconds(1000));
    driver.OnBytes(chain.TakeOutput(driver.host_baud()), now);
    now += p::Micros(1000);
  }
  return static_cast<std::uint64_t>(now.count());
}

}  // namespace

DriverReplayReport ReplayThroughDriver(const Capture& capture) {
  DriverReplayReport report;
  if (p::InfoOf(capture.model).midstate_jobs) {
    report.supported = false;
    return report;
  }
  p::DriverConfig config;
  config.model = capture.model;
  config.expected_chips = capture.chips;
  config.frequency = p::InfoOf(capture.model).default_frequency;
  config.reset_hold = p::Micros(1000);
  config.enumeration_silence = p::Micros(20'000);
  config.ramp_step_delay = p::Micros(0);
  config.dead_after = p::Micros(INT64_MAX / 2);  // the recording decides when chips speak
  p::Bm13xxDriver driver(config);
  const std::uint64_t start = BringUp(driver, capture);
  report.mining = driver.state() == p::ChainState::kMining;
  if (!report.mining) {
    return report;
  }
  report.per_chip.assign(static_cast<std::size_t>(driver.chips_found()), 0);
  p::HostFrameDecoder host;
  RecordedTicket ticket;
  std::map<std::uint32_t, std::array<std::uint8_t, 80>> headers;  // token -> work
  for (const CaptureBurst& burst : capture.bursts) {
    const p::Micros now(static_cast<std::int64_t>(start + burst.micros));
    if (!burst.to_chips) {
      driver.OnBytes(burst.bytes, now);
    }
    for (const std::uint8_t b : burst.to_chips ? burst.bytes : std::vector<std::uint8_t>{}) {
      host.Push(b);
      while (auto f = host.Next()) {
        const auto body = f->body();
        if (!f->is_job() && f->command() == p::type::kWrite && body.size() >= 6) {
          ticket.OnWrite(body[1], static_cast<std::uint32_t>(body[2]) << 24 | body[3] << 16 |
                                      body[4] << 8 | body[5]);
          continue;
        }
        if (!f->is_job()) {
          continue;
        }
        const p::HeaderJob job = p::DecodeHeaderJobBody(body);
        const auto token = static_cast<std::uint32_t>(++report.jobs);
        const auto id = driver.SendJob(job, WorkToken{token});
        report.jobs_matched += id.ok() && *id == job.job_id ? 1 : 0;
        headers[token] = p::ReconstructHeader(job, job.version, 0);
        while (driver.Poll(now).kind != p::Operation::Kind::kNone) {
        }
      }
    }
    p::NonceEvent e;
    while (driver.NextNonce(e)) {
      ++report.nonces;
      if (e.chip >= 0 && static_cast<std::size_t>(e.chip) < report.per_chip.size()) {
        ++report.per_chip[static_cast<std::size_t>(e.chip)];
      }
      const auto work = headers.find(e.token.value);
      if (work == headers.end()) {
        continue;
      }
      const auto header = driver.HeaderFor({e.token, work->second}, e);
      const auto wanted = sha256::Difficulty::From(ticket.value());
      report.verified += wanted && wanted->IsMetBy(sha256::DoubleHash(header)) ? 1 : 0;
    }
  }
  return report;
}

}  // namespace hashrig::hal
