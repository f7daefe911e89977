// The bus of simulated Avalon modules: host bytes framed as CN packets (raw stream, OPT =
// module id, §8b.1) or as AUC requests (§2.2), routed to the modules; their replies out
// with the configured faults; time shared out as a CPU budget.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <random>

#include "avalon_module.h"
#include "hashrig/hal/protocol/avalon/auc.h"
#include "hashrig/hal/protocol/avalon/packet.h"
#include "hashrig/hal/sim/avalon.h"

namespace hashrig::hal::sim {
namespace {

namespace av = protocol::avalon;
using av::Kind;
using avalon_detail::SimModule;

constexpr std::string_view kAucVersion = "AUC-20151208";  // §2.2's example firmware
constexpr std::uint8_t kMaxAddress = 0x7F;                // 7-bit I2C addresses
constexpr std::uint8_t kIdleBus = 0xFF;                   // SDA pulled up, nobody driving

// The INFO ADC reading whose conversion (AucTemperature) is nearest `celsius`: the NTC's
// curve inverted, then the readings beside it compared (the host's arithmetic truncates).
// The same reading as trying all 1,022 (-40 to 120 °C in 0.25 °C steps), without 1,022
// logarithms for every bus made (a fuzz target makes four per input).
std::uint16_t AdcFor(double celsius) {
  const double ratio = std::exp(3500 * (1 / (25 + 273.15) - 1 / (celsius + 273.15)));
  const auto centre = static_cast<int>(std::lround(1023 / (ratio + 1)));
  std::uint16_t best = 0x0200;
  double error = 1e9;
  for (int reading = std::max(1, centre - 2); reading <= std::min(1022, centre + 2); ++reading) {
    const auto adc = static_cast<std::uint16_t>(reading);
    const auto t = av::AucTemperature(adc);
    if (t.ok() && std::abs(t->value - celsius) < error) {
      error = std::abs(t->value - celsius);
      best = adc;
    }
  }
  return best;
}

bool ToModule(Kind kind) {
  for (const av::TypeRow& row : av::kTypes) {
    if (row.kind == kind) {
      return row.direction == av::Direction::kToModule;
    }
  }
  return false;
}

std::uint64_t SplitMix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

}  // namespace

struct AvalonBus::State {
  explicit State(AvalonConfig c) : config(std::move(c)), rng(config.seed) {
    config.modules = std::clamp(config.modules, 1, kAvalonMaxModules);
    for (int i = 0; i < config.modules; ++i) {
      modules.push_back(std::make_unique<SimModule>(config, i));
    }
    auc_adc = AdcFor(config.ambient_c);
  }

  std::vector<av::Packet> Route(const av::Packet& packet, std::uint8_t address);
  std::optional<av::Packet> Detect(const av::Packet& packet, std::uint8_t address);
  void ReceiveRaw(std::span<const std::uint8_t> bytes);
  void ReceiveAuc(std::span<const std::uint8_t> bytes);
  av::AucReply Serve(const av::AucRequestView& request);
  av::AucReply Xfer(const av::AucRequestView& request);
  void EmitRaw(const av::Packet& reply);
  void Emit(std::span<const std::uint8_t> bytes) {
    output.insert(output.end(), bytes.begin(), bytes.end());
  }
  bool Chance(double p) { return p > 0 && std::uniform_real_distribution<>(0, 1)(rng) < p; }
  void Corrupt(av::Wire& wire) {
    const auto at = std::uniform_int_distribution<std::size_t>(0, av::kDataSize - 1)(rng);
    wire[av::kDataOffset + at] ^= 0x5A;
  }
  void Outages();

  AvalonConfig config;
  std::vector<std::unique_ptr<SimModule>> modules;
  av::PacketDecoder decoder;
  std::vector<std::uint8_t> auc_in;
  std::vector<std::uint8_t> output;
  std::mt19937_64 rng;
  AvalonBusCounters counters;
  std::uint64_t auc_skipped = 0;
  std::uint64_t auc_bad_crc = 0;
  std::uint16_t auc_adc = 0;
  std::chrono::nanoseconds now{0};
  std::vector<int> outage_phase;  // 0 before, 1 inside, 2 after
};

// One host packet to `address` (0 = every module); the replies of the modules that answer.
std::vector<av::Packet> AvalonBus::State::Route(const av::Packet& packet, std::uint8_t address) {
  const auto kind = av::KindOf(config.generation, packet.type);
  std::vector<av::Packet> replies;
  if (!kind || !ToModule(*kind)) {
    ++counters.refused;  // no such type here, or a reply kind sent to the modules
    return replies;
  }
  if (*kind == Kind::kDetect) {
    if (auto ack = Detect(packet, address)) {
      replies.push_back(*ack);
    }
    return replies;
  }
  if (*kind == Kind::kSync) {
    const auto sync = av::DecodeSync(config.generation, packet);
    for (const auto& m : modules) {
      auto reply = sync.ok() ? m->Sync(address, sync->dna) : std::nullopt;
      if (reply) {
        replies.push_back(*reply);
      }
    }
    counters.refused += sync.ok() ? 0 : 1;
    counters.unaddressed += sync.ok() && replies.empty() ? 1 : 0;
    return replies;
  }
  bool heard = false;
  for (const auto& m : modules) {
    if (m->Hears(address)) {
      heard = true;
      if (auto reply = m->Handle(*kind, packet, address != 0)) {
        replies.push_back(*reply);
      }
    }
  }
  counters.unaddressed += heard ? 0 : 1;
  return replies;
}

// DETECT, broadcast: the present module without an id whose DNA is lowest answers (as
// I2C arbitration would pick among several slaves sending at once: a 0 bit wins).
std::optional<av::Packet> AvalonBus::State::Detect(const av::Packet& packet, std::uint8_t address) {
  const auto detect = av::DecodeDetect(config.generation, packet);
  if (!detect.ok() || address != 0 || detect->module_id == 0 || detect->module_id > kMaxAddress) {
    ++counters.refused;
    return std::nullopt;
  }
  SimModule* fresh = nullptr;
  for (const auto& m : modules) {
    if (m->present() && m->id() == 0 && (fresh == nullptr || m->dna() < fresh->dna())) {
      fresh = m.get();
    }
  }
  if (fresh == nullptr) {
    return std::nullopt;
  }
  return fresh->AnswerDetect(static_cast<std::uint8_t>(detect->module_id));
}

void AvalonBus::State::ReceiveRaw(std::span<const std::uint8_t> bytes) {
  for (const std::uint8_t b : bytes) {  // byte by byte: the decoder holds two packets
    decoder.Push(b);
    while (const auto packet = decoder.Next()) {
      for (const av::Packet& reply : Route(*packet, packet->opt)) {
        EmitRaw(reply);
      }
    }
  }
}

// A reply on the raw stream, through the faults.
void AvalonBus::State::EmitRaw(const av::Packet& reply) {
  if (Chance(config.faults.drop_rate)) {
    ++counters.faults;
    return;
  }
  if (Chance(config.faults.garbage_rate)) {
    ++counters.faults;
    const auto n = std::uniform_int_distribution<int>(1, 16)(rng);
    for (int i = 0; i < n; ++i) {
      output.push_back(static_cast<std::uint8_t>(rng()));
    }
  }
  av::Wire wire = av::Encode(reply);
  if (Chance(config.faults.corrupt_rate)) {
    ++counters.faults;
    Corrupt(wire);
  }
  Emit(wire);
}

// AUC requests on the stream: XFER (and WRITE/READ) are as long as their length byte,
// RESET/INIT/DEINIT/INFO are cgminer's 64 zero-padded bytes (§8b.1). A byte that cannot
// start a request is skipped.
void AvalonBus::State::ReceiveAuc(std::span<const std::uint8_t> bytes) {
  auc_in.insert(auc_in.end(), bytes.begin(), bytes.end());
  std::size_t at = 0;
  while (auc_in.size() - at >= av::kAucHeaderSize) {
    const std::uint8_t length = auc_in[at];
    const std::uint8_t code = auc_in[at + 3];
    if (length < av::kAucHeaderSize || length > av::kAucPacketSize || code < 0xA0 || code > 0xA6) {
      ++auc_skipped;
      ++at;
      continue;
    }
    const bool sized = code == 0xA3 || code == 0xA4 || code == 0xA5;
    const std::size_t need = sized ? length : av::kAucPacketSize;
    if (auc_in.size() - at < need) {
      break;
    }
    ++counters.auc_requests;
    const auto request = av::DecodeAucRequest(std::span(auc_in).subspan(at, need));
    av::AucReply reply;
    reply.result = av::AucResult::kInvalidCommand;
    if (request.ok()) {
      reply = Serve(*request);
    } else {
      ++counters.auc_refused;
    }
    reply.transaction = auc_in[at + 1];
    reply.session = auc_in[at + 2];
    Emit(av::EncodeAucReply(reply).span());
    at += need;
  }
  auc_in.erase(auc_in.begin(), auc_in.begin() + static_cast<std::ptrdiff_t>(at));
}

av::AucReply AvalonBus::State::Serve(const av::AucRequestView& request) {
  av::AucReply reply;
  switch (request.request) {
    case av::AucRequest::kInit:
      std::copy(kAucVersion.begin(), kAucVersion.end(), reply.body.begin());
      reply.body_size = kAucVersion.size();
      return reply;
    case av::AucRequest::kInfo:
      reply.body[0] = static_cast<std::uint8_t>(auc_adc & 0xFF);
      reply.body[1] = static_cast<std::uint8_t>(auc_adc >> 8);
      reply.body_size = 7;  // queues empty, no tx flags, state 0
      return reply;
    case av::AucRequest::kXfer:
      return Xfer(request);
    case av::AucRequest::kWrite:
    case av::AucRequest::kRead:
      ++counters.auc_refused;  // cgminer never sends them; not modelled
      reply.result = av::AucResult::kInvalidCommand;
      return reply;
    default:
      return reply;  // RESET, DEINIT: OK, no body
  }
}

// XFER: the tx bytes to slave `request.slave` (a CN packet when 40 bytes; OPT is not an
// address here), then `rx_length` bytes read back. Nobody at the address: slave NAK, no
// body. A module there with nothing to say: the idle bus (0xFF bytes). A lost reply (the
// drop fault): timeout. tx 0 bytes re-reads the module's last reply (cgminer's retry).
av::AucReply AvalonBus::State::Xfer(const av::AucRequestView& request) {
  std::vector<av::Packet> replies;
  if (request.tx_size == av::kPacketSize) {
    const auto packet = av::Decode(request.tx_span());
    if (packet.ok()) {
      replies = Route(*packet, request.slave);
    } else {
      ++auc_bad_crc;
      for (const auto& m : modules) {
        if (request.slave != 0 && m->Hears(request.slave)) {
          m->NoteBadCrc();
        }
      }
    }
  } else if (request.tx_size == 0) {
    for (const auto& m : modules) {
      if (request.slave != 0 && m->Hears(request.slave) && m->last_reply()) {
        replies.push_back(*m->last_reply());
      }
    }
  } else {
    ++auc_skipped;  // not a packet: the MM's receiver drops it
  }
  av::AucReply reply;
  if (request.rx_length == 0) {
    return reply;
  }
  const bool someone = std::any_of(modules.begin(), modules.end(), [&](const auto& m) {
    return request.slave != 0 && m->Hears(request.slave);
  });
  if (replies.empty() && !someone) {
    reply.result = av::AucResult::kSlaveNak;
    return reply;
  }
  if (!replies.empty() && Chance(config.faults.drop_rate)) {
    ++counters.faults;
    reply.result = av::AucResult::kTimeout;
    return reply;
  }
  av::Wire wire{};
  wire.fill(kIdleBus);
  if (!replies.empty()) {
    wire = av::Encode(replies.front());
    if (Chance(config.faults.garbage_rate)) {
      ++counters.faults;
      std::generate(wire.begin(), wire.end(), [this] { return static_cast<std::uint8_t>(rng()); });
    } else if (Chance(config.faults.corrupt_rate)) {
      ++counters.faults;
      Corrupt(wire);
    }
  }
  reply.body_size = request.rx_length;
  for (std::size_t i = 0; i < reply.body_size; ++i) {
    reply.body[i] = i < wire.size() ? wire[i] : kIdleBus;
  }
  return reply;
}

// Scheduled outages begin and end as time passes them (each once).
void AvalonBus::State::Outages() {
  outage_phase.resize(config.faults.outages.size());
  for (std::size_t i = 0; i < outage_phase.size(); ++i) {
    const AvalonOutage& o = config.faults.outages[i];
    if (o.module < 0 || o.module >= static_cast<int>(modules.size())) {
      continue;
    }
    if (outage_phase[i] == 0 && now >= o.from) {
      modules[o.module]->SetPresent(false);
      outage_phase[i] = 1;
    }
    if (outage_phase[i] == 1 && now >= o.until) {
      modules[o.module]->SetPresent(true);
      outage_phase[i] = 2;
    }
  }
}

AvalonBus::AvalonBus(AvalonConfig config) : state_(std::make_unique<State>(std::move(config))) {}
AvalonBus::~AvalonBus() = default;
AvalonBus::AvalonBus(AvalonBus&&) noexcept = default;
AvalonBus& AvalonBus::operator=(AvalonBus&&) noexcept = default;

void AvalonBus::Receive(std::span<const std::uint8_t> bytes) {
  if (state_->config.auc) {
    state_->ReceiveAuc(bytes);
  } else {
    state_->ReceiveRaw(bytes);
  }
}

void AvalonBus::Advance(std::chrono::nanoseconds elapsed) {
  State& s = *state_;
  s.now += elapsed;
  s.Outages();
  const auto worked = std::min<std::chrono::nanoseconds>(elapsed, s.config.max_catch_up);
  const double budget =
      std::chrono::duration<double>(worked).count() * s.config.cpu_hashes_per_second;
  const auto hashing =
      std::count_if(s.modules.begin(), s.modules.end(), [](const auto& m) { return m->hashing(); });
  for (const auto& m : s.modules) {
    m->Hash(hashing > 0 ? budget / static_cast<double>(hashing) : 0);
    m->Heat(elapsed);
  }
}

std::vector<std::uint8_t> AvalonBus::TakeOutput() { return std::exchange(state_->output, {}); }

void AvalonBus::SetPresent(int position, bool present) {
  if (position >= 0 && position < module_count()) {
    state_->modules[position]->SetPresent(present);
  }
}

const AvalonConfig& AvalonBus::config() const { return state_->config; }
int AvalonBus::module_count() const { return static_cast<int>(state_->modules.size()); }

AvalonModuleView AvalonBus::module(int position) const {
  return state_->modules.at(position)->view();
}

AvalonModuleCounters AvalonBus::counters(int position) const {
  return state_->modules.at(position)->counters();
}

AvalonBusCounters AvalonBus::bus_counters() const {
  AvalonBusCounters c = state_->counters;
  c.bad_crc = state_->decoder.bad_crc() + state_->auc_bad_crc;
  c.skipped_bytes = state_->decoder.skipped_bytes() + state_->auc_skipped;
  return c;
}

// §6's example DNA for position 0 of seed 1; byte 4 grows with the position (so the lowest
// DNA, which answers DETECT first, is the lowest position), bytes 5-6 follow the seed and
// the last bytes differ (the reply's OPT, §3.1).
Dna AvalonBus::DnaFor(std::uint64_t seed, int position) {
  Dna dna = {0x02, 0x01, 0x00, 0x00, 0x2c, 0x2a, 0xf6, 0x18};
  dna[4] = static_cast<std::uint8_t>(0x2c + position);
  if (seed != 1) {
    const std::uint64_t mix = SplitMix(seed);
    dna[5] = static_cast<std::uint8_t>(mix);
    dna[6] = static_cast<std::uint8_t>(mix >> 8);
  }
  dna[7] = static_cast<std::uint8_t>(0x18 + 0x25 * position + (seed - 1));
  return dna;
}

std::optional<Generation> AvalonGenerationByName(std::string_view name) {
  std::string n;
  for (const char c : name) {
    n += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (n.rfind("avalon", 0) == 0) {
    n = n.substr(6);
  }
  constexpr std::pair<std::string_view, Generation> kNames[] = {
      {"7", Generation::kAvalon7},     {"711", Generation::kAvalon7},
      {"721", Generation::kAvalon7},   {"741", Generation::kAvalon7},
      {"761", Generation::kAvalon7},   {"8", Generation::kAvalon8},
      {"821", Generation::kAvalon8},   {"831", Generation::kAvalon8},
      {"841", Generation::kAvalon8},   {"851", Generation::kAvalon8},
      {"lc3", Generation::kLc3},       {"10", Generation::kAvalon10},
      {"1041", Generation::kAvalon10}, {"a10", Generation::kAvalon10},
  };
  for (const auto& [key, generation] : kNames) {
    if (n == key) {
      return generation;
    }
  }
  return std::nullopt;
}

std::string_view AvalonDefaultModel(Generation generation) {
  return avalon_detail::ModelOf(generation).model;
}

}  // namespace hashrig::hal::sim
