#include "hashrig/hal/sim/chain.h"

#include <algorithm>
#include <array>
#include <bit>
#include <deque>
#include <map>
#include <tuple>

#include "hashrig/hal/protocol/bm13xx/nonce.h"
#include "hashrig/hal/protocol/bm13xx/registers.h"
#include "hashrig/hal/protocol/le.h"
#include "hashrig/hal/sim/sim_registers.h"
#include "hashrig/sha256/scan.h"

namespace hashrig::hal::sim {
namespace {

namespace p = protocol;
namespace reg = protocol::reg;

constexpr double kPowerUpMhz = 50.0;

// A byte as a UART at the wrong rate sees it: nothing like what was sent.
std::uint8_t Garble(std::uint8_t b) {
  return static_cast<std::uint8_t>(((b << 3) | (b >> 5)) ^ 0x96);
}

// Spreads the low bits of `index` over the set bits of `mask` (a software pdep).
std::uint32_t Deposit(std::uint32_t index, std::uint32_t mask) {
  std::uint32_t out = 0;
  for (std::uint32_t bit = 1; mask != 0 && index != 0; bit <<= 1) {
    if ((mask & bit) != 0) {
      if ((index & 1u) != 0) {
        out |= bit;
      }
      index >>= 1;
      mask &= ~bit;
    }
  }
  return out;
}

int LeadingZeroBits(const sha256::Digest& hash) {
  int zeros = 0;
  for (std::size_t i = hash.size(); i-- > 0;) {
    if (hash[i] == 0) {
      zeros += 8;
      continue;
    }
    for (int b = 7; b >= 0 && ((hash[i] >> b) & 1) == 0; --b) {
      ++zeros;
    }
    break;
  }
  return zeros;
}

// How a chip searches (hal/sim/README.md "The silicon schedule"): every core and every
// small core at once. One step is one value of the per-core counter for all cores and
// the small cores' version slots of the current batch; a batch lasts kStepsPerBatch
// steps (a short version epoch, as stock firmware's HASH_COUNTING_NUMBER gives), then the
// next batch of rolled versions. The counter never repeats within a job until the chip's
// sweep (HCN) is exhausted, so no nonce is reported twice.
constexpr std::uint64_t kStepsPerBatch = 64;
constexpr std::uint32_t kCounterBits = 25;  // n_be bits 24-0, below the core id
constexpr std::uint32_t kCounterSpace = 1u << kCounterBits;
constexpr std::uint32_t kHalf = 1u << 24;  // counter bit 24 = the nonce's lowest bit (LE)

struct SimChip {
  int position = 0;
  bool dead = false;
  bool bad_nonces = false;
  std::uint8_t address = 0;
  bool addressed = false;
  std::array<std::uint32_t, 256> regs{};
  std::size_t response_size = 9;
  // The job being mined (chips switch to each new job at once).
  bool has_job = false;
  bool midstate_job = false;
  p::HeaderJob header_job;
  p::MidstateJob midstate;
  std::uint64_t job_serial = 0;  // which broadcast job: chips with the same one share blocks
  // Search position in the silicon schedule.
  std::uint32_t batch = 0;  // batch of version slots within the version space
  std::uint64_t steps = 0;  // counter steps done on this job
  // The current batch's scanners: one over every slot's version (header jobs) or one per
  // midstate (BM1397), and the version of each slot.
  std::vector<sha256::HeaderScanner> scanners;
  std::vector<std::uint32_t> slot_versions;
  double credit = 0;
  std::uint64_t hashes_since_reset = 0;  // what the counter registers count
  ChipCounters counters;
};

}  // namespace

// One step's block, scanned once for every chip of the chain at that point of the same
// work: two chips whose counters differ only in bit 24 (chip i and i + n/2 under the
// driver's split) own the two halves of one 256-nonce block.
struct BlockKey {
  std::uint64_t job_serial;
  std::uint32_t batch;
  std::uint32_t block;
  std::uint32_t version_register;
  std::uint32_t ticket_register;
  std::uint32_t sim_ticket_register;
  // (Not a defaulted <=>: clang-tidy 14 misreads its synthesized 0 as a null pointer.)
  bool operator<(const BlockKey& o) const {
    return std::tie(job_serial, batch, block, version_register, ticket_register,
                    sim_ticket_register) < std::tie(o.job_serial, o.batch, o.block,
                                                    o.version_register, o.ticket_register,
                                                    o.sim_ticket_register);
  }
};

struct BlockHits {
  std::vector<std::pair<std::uint32_t, sha256::Hit>> hits;  // (scanner index, hit)
};

struct Chain::State {
  explicit State(ChainConfig c) : config(c), random(c.seed) {
    chips.resize(static_cast<std::size_t>(std::max(1, config.chips)));
    for (std::size_t i = 0; i < chips.size(); ++i) {
      chips[i].position = static_cast<int>(i);
    }
    Reset();
  }

  void Reset();
  void ResetChip(SimChip& chip);
  void OnFrame(const p::HostFrame& frame);
  // How many leading `bytes` went at `or_baud`: through the first frame that switches the
  // chips' rate, if the chips listen at `or_baud` (0 if none does).
  std::size_t SentBeforeTheSwitch(std::span<const std::uint8_t> bytes, std::uint32_t or_baud) const;
  void OnWrite(SimChip& chip, std::uint8_t reg, std::uint32_t value);
  void OnRead(const SimChip& chip, std::uint8_t reg);
  void OnJob(const p::HostFrame& frame);
  void Emit(const p::Response& response, std::size_t size);
  void Hash();
  void PrepareBatch(SimChip& chip);
  std::uint64_t Step(SimChip& chip);
  void Report(SimChip& chip, const sha256::Hit& hit, std::uint32_t slot, int required_zero_bits);
  sha256::Target TicketTarget(const SimChip& chip, int& required_zero_bits) const;
  std::uint32_t VersionCount(const SimChip& chip) const;
  std::uint32_t Slots(const SimChip& chip) const;
  std::uint64_t CounterSteps(const SimChip& chip) const;
  std::uint32_t CounterBase(const SimChip& chip) const;
  double NominalRate(const SimChip& chip) const;
  std::uint32_t RegisterValue(const SimChip& chip, std::uint8_t reg) const;
  std::uint64_t CounterUnit(const SimChip& chip) const;

  ChainConfig config;
  Faults faults;
  std::mt19937_64 random;
  p::HostFrameDecoder decoder;
  std::vector<SimChip> chips;
  bool addressing_mode = false;
  std::uint32_t chip_baud = 0;
  std::chrono::nanoseconds now{0};
  struct Pending {
    std::vector<std::uint8_t> bytes;
    std::chrono::nanoseconds ready;
    std::uint32_t chip_baud;
  };
  std::deque<Pending> output;
  std::uint64_t jobs_received = 0;
  std::map<BlockKey, BlockHits> blocks;  // this round's scanned blocks
};

void Chain::State::Reset() {
  decoder = p::HostFrameDecoder();
  addressing_mode = false;
  chip_baud = p::ChipBaud(config.model, p::ResetBaudRegister(config.model));
  output.clear();
  for (SimChip& chip : chips) {
    ResetChip(chip);
  }
}

void Chain::State::ResetChip(SimChip& chip) {
  const int position = chip.position;
  const bool dead = chip.dead;
  const bool bad = chip.bad_nonces;
  const ChipCounters counters = chip.counters;
  chip = SimChip{};
  chip.position = position;
  chip.dead = dead;
  chip.bad_nonces = bad;
  chip.counters = counters;
  const auto pll = p::SolvePll(config.model, {kPowerUpMhz});
  chip.regs[reg::kPll0] = pll.ok() ? p::PllRegister(config.model, *pll) : 0;
  chip.regs[reg::kVersionRolling] = 0x0000FFFF;
  chip.regs[reg::kMiscControl] = config.model == ChipModel::kBm1397 ? 0x00003A01 : 0x0000C100;
  chip.regs[reg::kFastUart] = config.model == ChipModel::kBm1397 ? 0x0600000F : 0x01301A00;
  chip.regs[reg::kSoftReset] = 0x00070000;
  chip.response_size = 9;
}

void Chain::State::OnFrame(const p::HostFrame& frame) {
  if (frame.is_job()) {
    return OnJob(frame);
  }
  const auto body = frame.body();
  const std::uint8_t target = body.empty() ? 0 : body[0];
  auto live = [](const SimChip& c) { return !c.dead; };
  switch (frame.command()) {
    case p::type::kSetAddress:
      if (!addressing_mode) {
        return;
      }
      // The first chip not yet addressed takes it and stops it; the others pass it on.
      for (SimChip& chip : chips) {
        if (live(chip) && !chip.addressed) {
          chip.address = target;
          chip.addressed = true;
          return;
        }
      }
      return;
    case p::type::kWrite:
      if (const auto write = p::RegisterWriteOf(frame)) {
        for (SimChip& chip : chips) {
          if (live(chip) && (frame.broadcast() || chip.address == write->chip)) {
            OnWrite(chip, write->reg, write->value);
          }
        }
      }
      return;
    case p::type::kRead:
      if (body.size() < 2) {
        return;
      }
      for (const SimChip& chip : chips) {
        if (live(chip) && (frame.broadcast() || chip.address == target)) {
          OnRead(chip, body[1]);
        }
      }
      return;
    case p::type::kChainInactive:
      addressing_mode = true;
      for (SimChip& chip : chips) {
        chip.addressed = false;
      }
      return;
    default:
      return;
  }
}

void Chain::State::OnWrite(SimChip& chip, std::uint8_t reg, std::uint32_t value) {
  chip.regs[reg] = value;
  if (reg == reg::kVersionRolling && config.model != ChipModel::kBm1397) {
    chip.response_size = 11;  // the version-rolling enable switches the response format
    chip.scanners.clear();
  }
  if (p::SwitchesBaud(config.model, reg, value) && !faults.rate_switch_ignored) {
    chip_baud = p::ChipBaud(config.model, value);
  }
  if (reg == reg::kVersionRolling) {
    chip.scanners.clear();  // the slots' versions change with the mask
  }
}

std::uint64_t Chain::State::CounterUnit(const SimChip& chip) const {
  // Real chips count difficulty-1 units of work (2^32 hashes). Under the simulator's
  // sub-1 ticket the unit shrinks with the ticket (2^32 x its difficulty, see
  // sim_registers.h), so the counters advance about once per nonce, as the host's ticket
  // accounting expects; the register's value then counts tickets' worth of hashes.
  const std::uint32_t sim_top = chip.regs[kSimTicketTopWord];
  return sim_top != 0 ? (std::uint64_t{1} << 32) / (std::uint64_t{sim_top} + 1)
                      : std::uint64_t{1} << 32;
}

std::uint32_t Chain::State::RegisterValue(const SimChip& chip, std::uint8_t reg) const {
  switch (reg) {
    case reg::kChipId:
      return p::ChipIdRegister(config.model, chip.address);
    case reg::kTotalCounter:
      return static_cast<std::uint32_t>(chip.hashes_since_reset / CounterUnit(chip));
    case reg::kDomainCounter0:
    case reg::kDomainCounter0 + 1:
    case reg::kDomainCounter0 + 2:
    case reg::kDomainCounter0 + 3:
      // Four hash domains of equal cores, every core hashing each step.
      return static_cast<std::uint32_t>(chip.hashes_since_reset / 4 / CounterUnit(chip));
    case reg::kHashRate:
      if (config.model == ChipModel::kBm1397) {
        return static_cast<std::uint32_t>(chip.hashes_since_reset * 256 / CounterUnit(chip));
      }
      return chip.regs[reg];
    case reg::kPll0: {
      return chip.regs[reg] | 0x80000000u;  // LOCKED
    }
    default:
      return chip.regs[reg];
  }
}

void Chain::State::OnRead(const SimChip& chip, std::uint8_t reg) {
  p::Response r;
  const std::uint32_t v = RegisterValue(chip, reg);
  r.data = {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
            static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
  r.byte6 = chip.address;
  r.byte7 = reg;
  Emit(r, chip.response_size);
}

void Chain::State::OnJob(const p::HostFrame& frame) {
  const bool midstate = config.model == ChipModel::kBm1397;
  if ((midstate && frame.payload_size < 146) || (!midstate && frame.payload_size < 82)) {
    return;
  }
  for (SimChip& chip : chips) {
    if (chip.dead) {
      continue;
    }
    chip.has_job = true;
    chip.job_serial = jobs_received + 1;
    chip.midstate_job = midstate;
    if (midstate) {
      chip.midstate = p::DecodeMidstateJobBody(frame.body());
    } else {
      chip.header_job = p::DecodeHeaderJobBody(frame.body());
    }
    chip.batch = 0;
    chip.steps = 0;
    chip.scanners.clear();
  }
  ++jobs_received;
}

void Chain::State::Emit(const p::Response& response, std::size_t size) {
  std::uniform_real_distribution<double> coin(0, 1);
  if (faults.drop_response_rate > 0 && coin(random) < faults.drop_response_rate) {
    return;
  }
  const p::ResponseFrame frame = p::EncodeResponse(response, size);
  Pending pending{{frame.bytes.begin(), frame.bytes.begin() + frame.size},
                  now + faults.response_delay,
                  chip_baud};
  if (faults.corrupt_byte_rate > 0) {
    for (auto& b : pending.bytes) {
      if (coin(random) < faults.corrupt_byte_rate) {
        b ^= static_cast<std::uint8_t>(1u << (random() % 8));
      }
    }
  }
  output.push_back(std::move(pending));
}

double Chain::State::NominalRate(const SimChip& chip) const {
  return p::NominalHashrate(config.model,
                            p::PllFromRegister(config.model, chip.regs[reg::kPll0]).frequency(), 1);
}

std::uint32_t Chain::State::VersionCount(const SimChip& chip) const {
  if (chip.midstate_job) {
    return std::max<std::uint32_t>(1, std::min<std::uint32_t>(4, chip.midstate.midstate_count));
  }
  if ((chip.regs[reg::kVersionRolling] & 0x80000000u) == 0) {
    return 1;
  }
  const std::uint32_t bits = static_cast<std::uint32_t>(
      std::popcount(p::PoolMaskFromVersionRegister(chip.regs[reg::kVersionRolling])));
  return bits >= 16 ? 65536u : (1u << bits);
}

std::uint32_t Chain::State::Slots(const SimChip& chip) const {
  if (chip.midstate_job) {
    return VersionCount(chip);
  }
  return std::min(VersionCount(chip), 1u << p::InfoOf(config.model).small_core_bits);
}

std::uint64_t Chain::State::CounterSteps(const SimChip& chip) const {
  // HASH_COUNTING_NUMBER: each core sweeps 2 x HCN x f/25MHz nonces per version batch;
  // without it (BM1397, or never written) its whole counter.
  const std::uint64_t counter_space = std::uint64_t{1} << p::CounterBits(config.model);
  const std::uint32_t hcn = chip.regs[reg::kHashCountingNumber];
  if (hcn == 0 || chip.midstate_job) {
    return counter_space;
  }
  const double mhz = p::PllFromRegister(config.model, chip.regs[reg::kPll0]).frequency().value;
  const double per_core = 2.0 * hcn * mhz / p::kCrystalMhz;
  return std::clamp<std::uint64_t>(static_cast<std::uint64_t>(per_core), 1, counter_space);
}

std::uint32_t Chain::State::CounterBase(const SimChip& chip) const {
  // p::StampsAddress: BM1366/BM1397 stamp their address above a 17-bit counter.
  // BM1368/BM1370 start their 25-bit counter at an enabled CHIP_NONCE_OFFSET << 9;
  // without one (ESP never writes it) at the address in bits 24-17 — our choice, ESP's
  // decode for every model, so a chain's chips never search the same nonces.
  const std::uint32_t offset = chip.regs[reg::kChipNonceOffset];
  if (!p::StampsAddress(config.model) && (offset & 0x80000000u) != 0) {
    return (offset & 0xFFFFu) << 9;
  }
  return static_cast<std::uint32_t>(chip.address) << 17;
}

sha256::Target Chain::State::TicketTarget(const SimChip& chip, int& required_zero_bits) const {
  std::array<std::uint8_t, 32> bytes{};
  bytes.fill(0xFF);
  const std::uint32_t sim_top = chip.regs[kSimTicketTopWord];
  if (sim_top != 0) {  // simulation-only sub-1 ticket
    for (int i = 0; i < 4; ++i) {
      bytes[28 + i] = static_cast<std::uint8_t>(sim_top >> (8 * i));
    }
    required_zero_bits = std::countl_zero(sim_top);
    return sha256::Target::FromLittleEndian(bytes);
  }
  required_zero_bits = p::TicketZeroBits(chip.regs[reg::kTicketMask]);
  for (int bit = 255; bit >= 256 - required_zero_bits; --bit) {
    bytes[static_cast<std::size_t>(bit / 8)] &= static_cast<std::uint8_t>(~(1u << (bit % 8)));
  }
  return sha256::Target::FromLittleEndian(bytes);
}

void Chain::State::PrepareBatch(SimChip& chip) {
  chip.scanners.clear();
  chip.slot_versions.clear();
  const std::uint32_t slots = Slots(chip);
  if (chip.midstate_job) {
    const p::MidstateJob& m = chip.midstate;
    std::array<std::uint8_t, 12> tail{};
    p::StoreLe32(&tail[0], m.merkle_tail);
    p::StoreLe32(&tail[4], m.ntime);
    p::StoreLe32(&tail[8], m.nbits);
    for (std::uint32_t k = 0; k < slots; ++k) {
      chip.scanners.emplace_back(sha256::State{m.midstates[k % 4]}, tail);
      chip.slot_versions.push_back(k);
    }
    return;
  }
  const p::HeaderJob& j = chip.header_job;
  const std::uint32_t mask = (chip.regs[reg::kVersionRolling] & 0x80000000u) != 0
                                 ? p::PoolMaskFromVersionRegister(chip.regs[reg::kVersionRolling])
                                 : 0;
  for (std::uint32_t k = 0; k < slots; ++k) {
    chip.slot_versions.push_back(j.version | Deposit(chip.batch * slots + k, mask));
  }
  const auto header = p::ReconstructHeader(j, j.version, 0);
  chip.scanners.emplace_back(std::span<const std::uint8_t, 80>(header), chip.slot_versions);
}

std::uint64_t Chain::State::Step(SimChip& chip) {
  if (chip.scanners.empty()) {
    PrepareBatch(chip);
  }
  const std::uint64_t steps = CounterSteps(chip);
  // Counter bit 24 is the nonce's lowest bit: a step hashes the 256 nonces of one aligned
  // block, which holds both halves of the counter when the chip's sweep spans them.
  const std::uint32_t halves = steps > kHalf && !p::StampsAddress(config.model) ? 2 : 1;
  // Past the end of its sweep the chip starts it again (the host sends work long before).
  const std::uint64_t counter = chip.steps % std::min<std::uint64_t>(steps, kHalf);
  const std::uint32_t starting =
      chip.midstate_job ? chip.midstate.starting_nonce : chip.header_job.starting_nonce;
  // Nonces are counted MSB first (n_be); the header holds the wire bytes (LE value).
  const std::uint32_t start_be = p::ByteSwap32(starting);
  std::array<std::uint32_t, 2> first_be{};
  for (std::uint32_t h = 0; h < halves; ++h) {
    const std::uint32_t c =
        (CounterBase(chip) + static_cast<std::uint32_t>(counter) + h * kHalf) & (kCounterSpace - 1);
    first_be[h] = start_be + c;  // core 0; core k adds k << 25
  }
  const std::uint32_t block = p::ByteSwap32(first_be[0]) & 0xFFFFFF00u;
  int required = 32;
  const sha256::Target target = TicketTarget(chip, required);
  const std::uint32_t cores = std::min<std::uint32_t>(p::InfoOf(config.model).cores, 128);
  const BlockKey key{chip.job_serial,
                     chip.batch,
                     block,
                     chip.regs[reg::kVersionRolling],
                     chip.regs[reg::kTicketMask],
                     chip.regs[kSimTicketTopWord]};
  auto [at, fresh] = blocks.try_emplace(key);
  if (fresh) {
    std::vector<sha256::Hit> hits;
    for (std::size_t k = 0; k < chip.scanners.size(); ++k) {
      hits.clear();
      (void)chip.scanners[k].Scan({block, std::uint64_t{block} + 256}, target, hits);
      for (const sha256::Hit& hit : hits) {
        at->second.hits.emplace_back(static_cast<std::uint32_t>(k), hit);
      }
    }
  }
  for (const auto& [k, hit] : at->second.hits) {
    const std::uint32_t w0 = hit.nonce & 0xFF;  // n_be bits 31-24: core id and bit 24
    for (std::uint32_t h = 0; h < halves; ++h) {
      const std::uint32_t delta = (w0 - (first_be[h] >> 24)) & 0xFF;
      if ((delta & 1) == 0 && delta / 2 < cores) {
        const std::uint32_t slot =
            chip.midstate_job
                ? k
                : static_cast<std::uint32_t>(
                      std::find(chip.slot_versions.begin(), chip.slot_versions.end(), hit.version) -
                      chip.slot_versions.begin());
        Report(chip, hit, slot, required);
      }
    }
  }
  const std::uint64_t own = std::uint64_t{cores} * halves * chip.scanners.size() *
                            (chip.midstate_job ? 1 : chip.slot_versions.size());
  chip.counters.hashes += own;
  chip.hashes_since_reset += own;
  if (++chip.steps % kStepsPerBatch == 0) {  // the batch is over
    const std::uint32_t batches = (VersionCount(chip) + Slots(chip) - 1) / Slots(chip);
    if (batches > 1) {
      chip.scanners.clear();
      chip.batch = (chip.batch + 1) % batches;
    }
  }
  return own;
}

void Chain::State::Hash() {
  // The chips step in turn, so chips at the same point of the same work share a block.
  // A chip's credit is its own hashes; a step taken on credit is repaid from the next.
  for (bool any = true; any;) {
    any = false;
    blocks.clear();
    for (SimChip& chip : chips) {
      if (!chip.dead && chip.has_job && chip.credit > 0) {
        chip.credit -= static_cast<double>(Step(chip));
        any = true;
      }
    }
  }
  blocks.clear();
}

void Chain::State::Report(SimChip& chip, const sha256::Hit& hit, std::uint32_t slot,
                          int required_zero_bits) {
  const p::ChipInfo& info = p::InfoOf(config.model);
  p::Response r;
  r.nonce = true;
  const std::uint32_t nonce = chip.bad_nonces ? hit.nonce ^ 0x00010000u : hit.nonce;
  r.data = {static_cast<std::uint8_t>(nonce), static_cast<std::uint8_t>(nonce >> 8),
            static_cast<std::uint8_t>(nonce >> 16), static_cast<std::uint8_t>(nonce >> 24)};
  const int excess = (LeadingZeroBits(hit.hash) - required_zero_bits) * 2;
  r.byte6 = static_cast<std::uint8_t>(std::clamp(excess, 0, 255));
  const std::uint8_t job_id = chip.midstate_job ? chip.midstate.job_id : chip.header_job.job_id;
  const auto small_core = static_cast<std::uint8_t>(slot & ((1u << info.small_core_bits) - 1));
  r.byte7 = p::ResultHeader(config.model, job_id, small_core);
  if (!chip.midstate_job) {
    const std::uint32_t rolled = hit.version & ~chip.header_job.version;
    r.version_field = static_cast<std::uint16_t>(rolled >> 13);
  }
  ++chip.counters.nonces;
  Emit(r, chip.response_size);
}

Chain::Chain(ChainConfig config) : state_(std::make_unique<State>(config)) {}
Chain::~Chain() = default;
Chain::Chain(Chain&&) noexcept = default;
Chain& Chain::operator=(Chain&&) noexcept = default;

std::size_t Chain::State::SentBeforeTheSwitch(std::span<const std::uint8_t> bytes,
                                              std::uint32_t or_baud) const {
  if (or_baud != p::HostBaudFor(chip_baud)) {
    return 0;  // the chips could not have heard them at that rate anyway
  }
  p::HostFrameDecoder probe = decoder;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    probe.Push(bytes[i]);
    while (const auto frame = probe.Next()) {
      const auto write = p::RegisterWriteOf(*frame);
      if (write && p::SwitchesBaud(config.model, write->reg, write->value)) {
        return i + 1;
      }
    }
  }
  return 0;
}

std::vector<HeardRun> Chain::Receive(std::span<const std::uint8_t> bytes, std::uint32_t host_baud,
                                     std::uint32_t or_baud) {
  State& s = *state_;
  const std::size_t early =
      or_baud != 0 && or_baud != host_baud ? s.SentBeforeTheSwitch(bytes, or_baud) : 0;
  std::vector<HeardRun> runs;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const std::uint32_t sent = i < early ? or_baud : host_baud;
    if (runs.empty() || runs.back().baud != sent) {
      runs.push_back({sent, 0});
    }
    ++runs.back().bytes;
    // Per byte: a baud write in the middle of `bytes` switches the chips for the rest.
    const bool garbled = sent != p::HostBaudFor(s.chip_baud);
    s.decoder.Push(garbled ? Garble(bytes[i]) : bytes[i]);
    while (auto frame = s.decoder.Next()) {
      s.OnFrame(*frame);
    }
  }
  return runs;
}

void Chain::Advance(std::chrono::nanoseconds elapsed) {
  State& s = *state_;
  s.now += elapsed;
  const double seconds = std::chrono::duration<double>(
                             std::min<std::chrono::nanoseconds>(elapsed, s.config.max_catch_up))
                             .count();
  std::size_t mining = 0;
  for (const SimChip& chip : s.chips) {
    mining += (!chip.dead && chip.has_job) ? 1 : 0;
  }
  if (mining == 0) {
    return;
  }
  const double cpu_share = s.config.cpu_hashes_per_second / static_cast<double>(mining);
  for (SimChip& chip : s.chips) {
    if (chip.dead || !chip.has_job) {
      continue;
    }
    chip.credit += std::min(s.NominalRate(chip), cpu_share) * seconds;
  }
  s.Hash();
}

std::vector<std::uint8_t> Chain::TakeOutput(std::uint32_t host_baud, std::uint32_t or_baud) {
  State& s = *state_;
  std::vector<std::uint8_t> out;
  while (!s.output.empty() && s.output.front().ready <= s.now) {
    // Each response at the rate the chips sent it with.
    const std::uint32_t sent = p::HostBaudFor(s.output.front().chip_baud);
    const bool garbled = host_baud != sent && (or_baud == 0 || or_baud != sent);
    for (std::uint8_t b : s.output.front().bytes) {
      out.push_back(garbled ? Garble(b) : b);
    }
    s.output.pop_front();
  }
  return out;
}

void Chain::HardwareReset() { state_->Reset(); }

void Chain::SetFaults(Faults faults) {
  State& s = *state_;
  for (SimChip& chip : s.chips) {
    chip.dead = std::find(faults.dead_chips.begin(), faults.dead_chips.end(), chip.position) !=
                faults.dead_chips.end();
    chip.bad_nonces = std::find(faults.bad_nonce_chips.begin(), faults.bad_nonce_chips.end(),
                                chip.position) != faults.bad_nonce_chips.end();
  }
  s.faults = std::move(faults);
}

std::uint32_t Chain::host_baud() const { return p::HostBaudFor(state_->chip_baud); }
int Chain::chip_count() const { return static_cast<int>(state_->chips.size()); }
bool Chain::hashing(int position) const {
  const auto& chip = state_->chips.at(static_cast<std::size_t>(position));
  return chip.has_job && !chip.dead;
}
ChipCounters Chain::counters(int position) const {
  return state_->chips.at(static_cast<std::size_t>(position)).counters;
}
std::uint8_t Chain::address(int position) const {
  return state_->chips.at(static_cast<std::size_t>(position)).address;
}
Megahertz Chain::frequency(int position) const {
  const auto& chip = state_->chips.at(static_cast<std::size_t>(position));
  return p::PllFromRegister(state_->config.model, chip.regs[reg::kPll0]).frequency();
}
std::uint32_t Chain::bad_crc_frames() const { return state_->decoder.bad_crc(); }
const ChainConfig& Chain::config() const { return state_->config; }

}  // namespace hashrig::hal::sim
