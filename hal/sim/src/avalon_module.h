// Private to hal/sim: one simulated Avalon MM module (hal/sim/README.md "Avalon"): its
// identity and address, the host's configuration, its job and work, its nonce queue, its
// heat, and the replies it sends. The bus (avalon_bus.cc) routes packets to it.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <string_view>
#include <utility>
#include <vector>

#include "avalon_work.h"
#include "hashrig/hal/protocol/avalon/config.h"
#include "hashrig/hal/protocol/avalon/replies.h"
#include "hashrig/hal/sim/avalon.h"
#include "hashrig/hal/sim/thermal.h"

namespace hashrig::hal::sim::avalon_detail {

// What a generation's module is made of, and its spec-sheet figures (power and heat only:
// the hashing itself is bounded by the CPU budget).
struct ModuleModel {
  Generation generation;
  std::string_view model;  // ACKDETECT's version string starts with it
  int chips_per_miner;
  double default_mhz;  // the model's highest default PLL point (§5.5)
  int default_volt_level;
  double nominal_ths;
  double nominal_watts;
  ThermalConstants thermal;  // the module's miners as one body (ambient from the config)
};
const ModuleModel& ModelOf(Generation generation);

inline constexpr std::size_t kNonceQueue = 64;  // §8b.5
inline constexpr std::size_t kJobHistory = 4;

class SimModule {
 public:
  SimModule(const AvalonConfig& config, int position);

  void SetPresent(bool present);  // true: at power-on
  bool present() const { return present_; }
  std::uint8_t id() const { return id_; }
  const Dna& dna() const { return dna_; }
  // Whether a packet to `address` (0 = every module) reaches it.
  bool Hears(std::uint8_t address) const { return present_ && (address == 0 || address == id_); }
  // DETECT(id) while it has no id: ACKDETECT, and it waits for SYNC to `proposed`.
  av::Packet AnswerDetect(std::uint8_t proposed);
  // SYNC to `address` carrying `dna`: adopts the address if it is this module's.
  std::optional<av::Packet> Sync(std::uint8_t address, const Dna& dna);
  // Any other host packet; the reply when the module answers (POLLING to its id).
  std::optional<av::Packet> Handle(av::Kind kind, const av::Packet& packet, bool addressed);
  void NoteBadCrc() { ++crc_errors_; }
  // What it last answered (an AUC XFER without tx reads it again), until RSTMMTX.
  const std::optional<av::Packet>& last_reply() const { return last_reply_; }

  // Simulated time: hashes `budget` hashes' worth (fractions carry over) and heats.
  void Hash(double budget);
  void Heat(std::chrono::nanoseconds elapsed);
  bool hashing() const { return present_ && id_ != 0 && has_job_; }

  const AvalonModuleCounters& counters() const { return counters_; }
  AvalonModuleView view() const;

 private:
  void PowerOn();
  bool Configure(av::Kind kind, const av::Packet& packet);
  bool TakeJobPacket(av::Kind kind, const av::Packet& packet);
  void InstallJob();
  void Queue(const Found& found);
  std::optional<av::Packet> Poll(const av::Polling& polling, bool addressed);
  std::optional<av::Packet> NoncePacket();
  bool SetPll(const av::SetPll& pll);
  double PowerWatts() const;
  double FanPercent() const;
  std::pair<std::uint16_t, std::uint16_t> MinerChipOf(std::uint32_t nonce) const;
  // avalon_telemetry.cc: the next packet of the telemetry rotation (§8b.4).
  av::Packet Telemetry();
  av::Packet StatusOf(std::uint8_t miner) const;
  av::Packet VoltagePacket() const;
  av::Packet PowerPacket() const;
  av::Packet PllPacket(std::uint8_t miner) const;
  av::Packet AsicPacket(std::uint32_t index) const;
  std::optional<av::Packet> PvtPacket(std::uint32_t chip) const;
  double ChipVolts(int miner) const;

  const AvalonConfig& config_;
  const ModuleModel& model_;
  const Dna dna_;
  const bool bad_nonces_;
  const int miners_;
  bool present_ = true;
  std::uint8_t id_ = 0;
  std::uint8_t pending_id_ = 0;  // answered DETECT for it, waiting for SYNC
  bool configured_ = false;
  av::Set set_;
  std::array<int, av::kMaxMiners> volt_levels_{};
  std::array<double, av::kMaxMiners> mhz_{};
  std::optional<std::uint16_t> fan_pwm_;  // A7/A8/LC3: the host's; A10 runs its own
  JobAssembler assembler_;
  AvalonJob job_;
  bool has_job_ = false;
  std::optional<WorkCursor> cursor_;
  std::deque<std::pair<std::uint16_t, std::uint16_t>> history_;  // (job tag, pool), newest last
  std::deque<av::NonceReport> queue_;
  std::optional<av::Packet> last_reply_;
  double credit_ = 0;
  std::uint64_t rotation_ = 0;
  std::uint32_t crc_errors_ = 0;
  std::array<std::uint32_t, av::kMaxMiners> miner_nonces_{};
  std::array<std::uint32_t, av::kMaxMiners> miner_bad_{};
  ThermalModel thermal_;
  AvalonModuleCounters counters_;
  std::vector<Found> found_;  // scratch
};

}  // namespace hashrig::hal::sim::avalon_detail
