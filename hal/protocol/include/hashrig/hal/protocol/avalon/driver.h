// Canaan Avalon modules as a chain: an I/O-free driver (a ChipDriver, chain/chip_driver.h)
// that the same chain controller runs as the BM13xx chains' (one loop: the controller
// keeps the recent work, checks every nonce with sha256d and runs the thermal policy on
// the modules' own temperature). Bytes and time in, operations out; no heap.
//
// One driver is one AUC (or one raw byte stream, reference avalon-protocol.md §8b.1) with
// up to six MM modules behind it. Sequence (§2.2, §5.1, §3.5):
//   AUC only: RESET, DEINIT, INIT(speed, xdelay), its version kept;
//   detection: DETECT(id) for the lowest free id until nothing answers, SYNC(DNA) to each
//     new id (a DNA already known keeps its slot: a module lost and found again);
//   configuration of each new module: SET, (A10 SET_HASH_OD), SET_VOLT, (A8/LC3
//     SET_ASIC_OTP), SET_PLL per miner, SET_SS, SET_FIN — then it mines;
//   work: a Stratum job per SendWork (chain/stratum_job.h), broadcast as JobPackets
//     (avalon/work.h) with this chain's nonce2 range, then (AUC) INFO and JOB_FIN;
//   polling: each module every poll_period; the reply is a NONCE (mapped to its job by
//     the job tag, the last four jobs kept, §4.4) or telemetry; a poll that fails is
//     followed by RSTMMTX, `lost_after` failures in a row lose the module; detection runs
//     again every detect_period (at once when no module is left).
//
// An Avalon chain's "chips" for counters are its miners (hash boards): position = module
// slot x 4 + miner. Nonces carry the nonce2 and ntime the module rolled (NonceEvent), the
// version its micro job used (A10). The generation comes from the first ACKDETECT's
// version string ("851…" Avalon 8, "LC3…", "1041…" Avalon 10, "7…" Avalon 7) unless set.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "hashrig/base/status.h"
#include "hashrig/base/units.h"
#include "hashrig/hal/protocol/avalon/auc.h"
#include "hashrig/hal/protocol/avalon/config.h"
#include "hashrig/hal/protocol/avalon/generation.h"
#include "hashrig/hal/protocol/avalon/packet.h"
#include "hashrig/hal/protocol/avalon/replies.h"
#include "hashrig/hal/protocol/avalon/work.h"
#include "hashrig/hal/protocol/chain/chip_driver.h"

namespace hashrig::hal::protocol::avalon {

// How the modules are reached: Canaan's AUC (its request/reply framing on the link, every
// MM packet in an XFER to the module's I2C address) or a raw stream of MM packets whose
// OPT names the module (§8b.1: `hashrig sim --avalon` on a PTY or TCP).
enum class Transport : std::uint8_t { kRaw, kAuc };
inline constexpr EnumName<Transport> kTransportNames[] = {{Transport::kRaw, "raw"},
                                                          {Transport::kAuc, "auc"}};

inline constexpr int kMaxModules = 6;  // one AUC: I2C ids 1..6 (§1.1)
inline constexpr int kMaxJobs = 4;     // the current job and three before it (§4.4)
inline constexpr int kMinersPerSlot = static_cast<int>(kMaxMiners);

// The public host's defaults for one generation (§3.5, §5.5): the model its rig profile
// is (A7 741, A8 851, LC3, A10 1041).
struct ModelDefaults {
  Generation generation;
  std::string_view model;
  Set set;
  SmartSpeed smart_speed;
  int voltage_level;
  std::array<Megahertz, kMaxPllPoints> pll;  // the generation's pll_points used, top last
};
const ModelDefaults& DefaultsFor(Generation generation);
// The generation a version string names (§3.5: "851…", "LC3…", "1041…", "7…").
std::optional<Generation> GenerationOfVersion(std::string_view version);

struct DriverConfig {
  Transport transport = Transport::kRaw;
  std::optional<Generation> generation;  // empty: from the first ACKDETECT
  int max_modules = kMaxModules;
  Megahertz frequency{};                 // the top PLL point; 0: the model's default
  std::optional<int> voltage_level;      // empty: the model's default
  std::uint8_t target_temperature = 65;  // A10: °C the MM's own fan loop holds
  std::uint32_t auc_speed = kAucDefaultSpeed;
  std::uint32_t auc_xdelay = kAucDefaultXdelay;
  Micros reply_timeout{200'000};  // an AUC reply or a module's answer
  Micros poll_period{20'000};     // per module (A10: 10 ms, §4.3)
  Micros detect_period{30'000'000};
  Micros fan_period{2'000'000};  // A7/A8/LC3: the fan word at most this often (§5.4)
  int lost_after = 10;           // failed polls in a row
  int empty_scans_to_fail = 3;   // detections finding no module before kFailed
};

// What the host knows of one module (estats, §5.2).
struct ModuleInfo {
  bool present = false;
  bool configured = false;
  std::uint8_t id = 0;  // I2C address / raw-stream OPT, 1..6
  Dna dna{};
  std::array<char, 21> version{};
  std::uint32_t asic_count = 0;
  std::array<std::uint32_t, kMaxMiners> local_works{};
  std::array<std::uint32_t, kMaxMiners> hw_errors{};
  std::array<std::uint32_t, kMaxMiners> miner_error{};
  std::optional<Celsius> temperature;
  std::array<std::uint32_t, 2> fan_rpm{};
  std::uint32_t fan_duty = 0;
  std::uint32_t module_error = 0;
  std::uint32_t crc_errors = 0;
  std::optional<std::uint32_t> voltage_raw;        // STATUS_VOLT (unit per model, §3.7)
  std::optional<PowerSupply> power;                // LC3/A10 STATUS_POWER
  std::array<std::uint32_t, 4> frequencies_mhz{};  // A8/LC3 STATUS_PLL, else the set ones
  std::uint32_t polls = 0;
  std::uint32_t failed_polls = 0;  // in a row
  std::uint32_t lost = 0;          // times lost
  std::uint32_t nonces = 0;
  std::string_view version_string() const;
  // The top PLL point in MHz (STATUS_PLL, or the one it was configured with); 0: none yet.
  std::uint32_t top_mhz() const;
  // Hardware errors of all its miners, as the module counted them (estats' HW).
  std::uint64_t hardware_errors() const;
};

class AvalonDriver final : public ChipDriver {
 public:
  explicit AvalonDriver(const DriverConfig& config);

  // ChipDriver.
  void Start(Micros now) override;
  void Idle() override;
  void Apply(const ChainSettings& settings) override;
  Operation Poll(Micros now) override;
  void OnBytes(std::span<const std::uint8_t> bytes, Micros now) override;
  // Job work only (work.job set): kInvalidArgument for header work or a job the
  // generation cannot take (extranonce2 under 3 bytes, over 30 branches, §4.1).
  Status SendWork(const ChainWork& work) override;
  void SetTicket(double difficulty) override;  // the cap on TARGET (DRV_DIFFMAX)
  bool NextNonce(NonceEvent& out) override;
  void RecordVerdict(int chip, bool meets_ticket) override;
  std::array<std::uint8_t, 80> HeaderFor(const ChainWork& work,
                                         const NonceEvent& nonce) const override;
  ChainState state() const override { return state_; }
  // kInvalidArgument: a setting (DriverConfig's frequency or voltage level) the modules'
  // generation does not take; the chain stays failed until it is changed.
  Status status() const override { return status_; }
  int chips_found() const override;  // ASICs of the modules present
  // The ASICs of every module found since Start: a lost module's chips are missing.
  int expected_chips() const override;
  ChipCounters chip(int position) const override;
  ChainSettings settings() const override;

  // The fan duty the chain controller's thermal policy wants (A7/A8/LC3: sent in POLLING
  // at most every fan_period; A10: its MM runs the fan itself).
  void SetFan(Percent duty);
  // The hottest module's temperature (the controller's sensor); empty before any STATUS.
  std::optional<Celsius> temperature() const;

  std::optional<Generation> generation() const { return generation_; }
  const DriverConfig& config() const { return config_; }
  const ModuleInfo& module(int slot) const { return modules_[static_cast<std::size_t>(slot)]; }
  int modules_present() const;
  // The first detection scan since Start is over: every module there was has its id (jobs
  // wait for this; scan and board-test too).
  bool scan_done() const { return !first_scan_; }
  // The AUC's firmware version ("AUC-20151208") and temperature; empty on a raw stream.
  std::string_view auc_version() const;
  std::optional<Celsius> auc_temperature() const { return auc_temperature_; }
  double ticket_difficulty() const;  // what TARGET carries: min(pool, cap)
  // Packets refused (CRC, layout, garbage before an AUC reply) and other counters a
  // tester or an operator reads.
  // Raw stream: packets whose CRC failed and bytes that were no packet, as the decoder
  // counted them (kept over restarts).
  std::uint32_t bad_packets() const { return bad_packets_ + decoder_.bad_crc(); }
  std::uint32_t skipped_bytes() const { return skipped_bytes_ + decoder_.skipped_bytes(); }
  std::uint32_t unknown_job_nonces() const { return unknown_job_; }
  std::uint32_t failed_polls() const { return failed_polls_total_; }
  std::uint32_t opt_mismatches() const { return opt_mismatches_; }
  std::uint32_t dropped_nonces() const { return dropped_nonces_; }

 private:
  // What answers the request in flight: an AUC reply only (kAuc), or a module's packet.
  enum class Await : std::uint8_t { kNone, kAuc, kDetect, kPoll, kSync };
  struct Request {
    Packet packet;
    std::uint8_t module_id = 0;  // 0: every module
    bool reply = false;          // a module answers it
  };
  struct JobSlot {
    bool valid = false;
    WorkToken token{};
    StratumJob job{};
    std::uint16_t tag = 0;
    double difficulty = 0;  // what TARGET carried
    std::uint32_t nonce2_start = 0;
    std::uint32_t nonce2_range = 0;
  };
  enum class Phase : std::uint8_t { kAucReset, kAucDeinit, kAucInit, kDetect, kRun };

  Generation Gen() const { return generation_.value_or(Generation::kAvalon8); }
  Megahertz TopFrequency() const;
  Status CheckSettings() const;
  // PLL point `i` of `points` in MHz: the model's, never above the top one; the top last.
  Megahertz PointFrequency(std::size_t i, std::size_t points) const;
  decltype(ModuleInfo::frequencies_mhz) SetFrequencies() const;
  Packet RebootPacket() const;
  Result<std::array<std::uint32_t, kMaxPllPoints>> PllWords() const;
  Micros PollPeriod() const;
  // Requests (driver_poll.cc).
  Operation Issue(const Request& request, Await await, Micros now);
  Operation IssueAuc(const AucTransfer& transfer, Micros now);
  Operation NextAucStep(Micros now);
  Operation NextDetect(Micros now);
  std::optional<Operation> NextJobPacket(Micros now);
  std::optional<Operation> NextConfig(Micros now);
  std::optional<Operation> NextReboot(Micros now);
  std::optional<Operation> NextPoll(Micros now);
  bool ConfigPacket(int slot, int step, Packet& out) const;
  void OnTimeout(Micros now);
  void OnAucFailure(Micros now);
  void PollFailed(int slot, Micros now);
  void EndScan(Micros now);
  void StartOver(Micros now);
  void UpdateState();
  int SlotOfId(std::uint8_t id) const;
  int FreeId() const;
  // Work and answers (driver_work.cc, driver_answers.cc).
  std::size_t Newest() const;
  const JobSlot* FindJob(std::uint16_t tag, std::uint16_t pool) const;
  Status Prepare(const JobSlot& slot, bool send_job_id);
  void ResendJob(int slot);
  void ResendWaiting();
  void OnAucBytes(std::span<const std::uint8_t> bytes, Micros now);
  void OnAucReply(const AucReply& reply, Micros now);
  void AdvanceAucInit(const AucReply& reply);
  void OnFailedAnswer(Await await, Micros now);
  void OnAnswer(const Packet& packet, Await await, int slot, Micros now);
  int SlotOfOpt(std::uint8_t opt) const;
  void OnAckDetect(const Packet& packet, Micros now);
  void Adopt(const AckDetect& ack, Micros now);
  void OnNonce(const Packet& packet, int slot);
  void Queue(const NonceEvent& e);
  void OnTelemetry(const Packet& packet, Kind kind, ModuleInfo& m);

  DriverConfig config_;
  ChainSettings settings_;
  std::optional<Generation> generation_;
  ChainState state_ = ChainState::kIdle;
  Status status_ = Status::Ok();
  Phase phase_ = Phase::kDetect;

  // The request in flight and what answers it.
  Await await_ = Await::kNone;
  int await_slot_ = -1;
  Micros await_deadline_{0};
  std::array<std::uint8_t, kAucPacketSize> auc_in_{};
  std::size_t auc_in_size_ = 0;
  PacketDecoder decoder_;

  // Modules, by slot (a module found again keeps its slot).
  std::array<ModuleInfo, kMaxModules> modules_{};
  std::array<int, kMaxModules> config_step_{};
  std::array<Micros, kMaxModules> next_poll_{};
  std::array<bool, kMaxModules> reset_tx_{};
  std::array<bool, kMaxModules> fan_due_{};
  std::array<Micros, kMaxModules> next_fan_{};
  std::array<bool, kMaxModules> resend_due_{};
  std::array<ChipCounters, kMaxModules * kMinersPerSlot> counters_{};
  std::size_t poll_cursor_ = 0;
  std::uint8_t detect_id_ = 0;
  int pending_slot_ = -1;  // answered DETECT, to SYNC
  // Of decoders before the last Start, and garbage before AUC replies.
  std::uint32_t skipped_bytes_ = 0;
  int mismatches_in_a_row_ = 0;  // poll replies with another DNA's OPT
  static constexpr int kMismatchesToStartOver = 3;
  int reboot_next_ = 0;  // the next id to reboot (0: none)
  Micros next_detect_{0};
  int empty_scans_ = 0;
  bool first_scan_ = true;  // jobs wait until it has found every module there is

  // Jobs: the newest and three before it; the hand-off in progress.
  std::array<JobSlot, kMaxJobs> jobs_{};
  std::size_t job_next_ = 0;
  JobPackets packets_;
  std::size_t packet_index_ = 0;
  static constexpr std::uint8_t kBroadcast = 0;  // the module id every module hears
  std::uint8_t job_target_ = kBroadcast;
  bool job_due_ = false;
  bool info_due_ = false;
  double ticket_cap_ = 0;  // 0: the generation's DRV_DIFFMAX
  std::optional<Percent> fan_;

  std::array<NonceEvent, 64> nonces_{};
  std::size_t nonce_head_ = 0;
  std::size_t nonce_count_ = 0;

  std::array<char, 13> auc_version_{};
  std::optional<Celsius> auc_temperature_;
  std::uint32_t auc_failures_ = 0;
  std::uint32_t bad_packets_ = 0;
  std::uint32_t unknown_job_ = 0;
  std::uint32_t failed_polls_total_ = 0;
  std::uint32_t opt_mismatches_ = 0;
  std::uint32_t dropped_nonces_ = 0;
};

}  // namespace hashrig::hal::protocol::avalon
