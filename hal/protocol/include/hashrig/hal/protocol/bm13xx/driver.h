// The BM13xx chain driver as an I/O-free state machine (a ChipDriver, chain/chip_driver.h),
// shared by the host and the firmware through the chain controller (chain/controller.h),
// which owns the loop, the work and the checks: bytes and time in, operations out (write
// these bytes, switch the UART rate, drive the reset line), nonces and status as values.
// No heap, no exceptions: fixed tables of at most 256 chips and 128 job slots.
//
// Sequence (reference bm13xx-protocol.md §2, §3): hardware reset → response-format
// switch (0xA4) → enumeration by a broadcast CHIP_ID read (chip id checked, missing or
// surplus chips reported; a short count is read again — once on a clean line, up to
// kEnumerationAttempts while damaged replies were seen, a read that nothing answered
// waiting 1 s for late answers (a starved host); a count over the chips expected is read
// once more (late answers of an earlier read); when nothing answers, the chips may still be at
// the fast rate an earlier session left them at — no reset line, or one that did
// nothing — so the driver asks at that rate for the reset rate and enumerates again)
// → the model's pre-address writes → chain inactive → addresses
// (interval 256 / chips) → per-chip core setup and CHIP_NONCE_OFFSET → ticket mask →
// stepped frequency ramp → HASH_COUNTING_NUMBER → version mask → baud switch → a CHIP_ID
// read at the fast rate (chips silent there but answering at the reset rate are asked
// again, then mine at the reset rate) → mining.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "hashrig/base/status.h"
#include "hashrig/hal/protocol/bm13xx/chip.h"
#include "hashrig/hal/protocol/bm13xx/frames.h"
#include "hashrig/hal/protocol/chain/chip_driver.h"

namespace hashrig::hal::protocol {

inline constexpr int kJobSlots = 128;
inline constexpr int kEnumerationAttempts = 16;

// Below difficulty 1 no real chip reports: a simulator may (hal/sim/sim_registers.h, its
// documented extension). The hook writes the register for `difficulty` into `frame` and
// returns the difficulty the chain then reports at; for 1 or more it turns it off.
struct SubOneTicket {
  double (*configure)(double difficulty, CommandFrame& frame) = nullptr;
};

struct DriverConfig {
  ChipModel model = ChipModel::kBm1370;
  int expected_chips = 1;
  Megahertz frequency{525};
  // Chips report nonces at this difficulty: powers of two >= 1 on real chips; below 1
  // only with `sub_one_ticket` (a simulator), else 1.
  double ticket_difficulty = 256;
  const SubOneTicket* sub_one_ticket = nullptr;
  std::uint32_t version_mask = 0x1fffe000;  // pool mask; 0: no version rolling
  bool fast_baud = true;                    // switch to the model's fast rate at the end
  Micros reset_hold{100'000};
  Micros enumeration_silence{1'000'000};  // discovery ends after this much silence
  // How long the host keeps its rate after a frame that changes the chips' rate (the
  // configuration's switch to the fast rate, the rate recovery's request for the reset
  // rate): the frame leaves at the rate the chips are at, then they switch. A UART needs
  // ~1 ms; a simulator on a PTY learns the host's rate by sampling the PTY when it reads,
  // and on a loaded machine reads that late (docs/RELIABILITY.md).
  Micros baud_drain{100'000};
  Megahertz ramp_step{6.25};
  Micros ramp_step_delay{100'000};
  Micros dead_after{60'000'000};  // no nonce for this long: poll the chip
  int max_reinit = 3;
};

class Bm13xxDriver final : public ChipDriver {
 public:
  explicit Bm13xxDriver(const DriverConfig& config);

  // ChipDriver.
  void Start(Micros now) override;
  void Idle() override;
  void Apply(const ChainSettings& settings) override;
  Operation Poll(Micros now) override;
  void OnBytes(std::span<const std::uint8_t> bytes, Micros now) override;
  // Header work for BM1366/68/70; four midstates of rolled versions for BM1397.
  Status SendWork(const ChainWork& work) override;
  void SetTicket(double difficulty) override;
  bool NextNonce(NonceEvent& out) override;
  void RecordVerdict(int chip, bool meets_ticket) override;
  std::array<std::uint8_t, 80> HeaderFor(const ChainWork& work,
                                         const NonceEvent& nonce) const override;
  ChainState state() const override { return state_; }
  Status status() const override { return status_; }
  int chips_found() const override { return found_; }
  int expected_chips() const override { return config_.expected_chips; }
  ChipCounters chip(int position) const override {
    return chips_[static_cast<std::size_t>(position)].counters;
  }
  ChainSettings settings() const override;

  // New settings for the next Start (e.g. a lower clock after an overheat).
  void Reconfigure(const DriverConfig& config) { config_ = config; }
  // Queues a job; returns the job id used. `version` is the job's header version (for
  // BM1397 the version of midstate 0, later midstates are masked increments).
  Result<std::uint8_t> SendJob(const HeaderJob& job, WorkToken token);
  Result<std::uint8_t> SendJob(const MidstateJob& job, Version version, WorkToken token);

  // The model of chips that answered the CHIP_ID read as another than configured (a known
  // one), since Start: what an operator's setting should say instead.
  std::optional<ChipModel> other_model() const { return other_model_; }
  int missing_chips() const {
    return found_ < config_.expected_chips ? config_.expected_chips - found_ : 0;
  }
  int surplus_chips() const {
    return found_ > config_.expected_chips ? found_ - config_.expected_chips : 0;
  }
  std::uint32_t host_baud() const { return baud_; }
  std::uint32_t bad_crc() const { return decoder_.bad_crc(); }
  // The link since the driver was made (bad_crc() is since the last decoder reset: a Start,
  // a baud change): frames whose CRC failed and bytes that were no frame.
  std::uint64_t bad_frames_total() const { return bad_frames_ + decoder_.bad_crc(); }
  std::uint64_t skipped_bytes_total() const { return skipped_bytes_ + decoder_.skipped_bytes(); }
  int reinit_count() const { return reinits_; }
  // Enumeration of the last Start: CHIP_ID reads sent, and damaged replies seen (bad CRC
  // frames and stray bytes) — what a short count is logged with.
  int enumeration_attempts() const { return attempts_; }
  std::uint32_t enumeration_damage() const { return damage_; }
  // The chain answered only at the fast rate (left there by an earlier session).
  bool rate_recovered() const { return rate_recovered_; }
  // Requests for the fast rate before a chain whose chips miss them mines at the reset rate.
  static constexpr int kRateSwitchTries = 2;
  // The chips did not answer at the fast rate after kRateSwitchTries requests for it, but
  // do at the reset rate: the chain mines at 115,200 baud (host_baud()).
  bool rate_fallback() const { return rate_fallback_; }
  // Requests for the fast rate the chips missed since Start (0 on a clean line).
  int rate_switch_misses() const { return rate_switch_misses_; }
  double ticket_difficulty() const;
  const DriverConfig& config() const { return config_; }

 private:
  struct Chip {
    ChipCounters counters;
    Micros last_nonce{0};
  };
  struct JobSlot {
    bool valid = false;
    WorkToken token{};
    std::uint32_t version = 0;
    std::uint32_t starting_nonce = 0;  // chips count from here plus their offset
    std::uint32_t version_mask = 0;    // BM1397: how its midstates were rolled
    double ticket = 1;                 // the ticket in force when it was sent
  };

  Operation Write(const CommandFrame& frame) const;
  Operation ResetStep(Micros now);
  Operation EnumerateStep(Micros now);
  Operation EndAttempt(Micros now);
  Operation RecoverRateStep(Micros now);
  Operation VerifyRateStep(Micros now);
  Operation AfterResetRateRead(Micros now);
  Operation SetBaudOp(std::uint32_t baud, Micros now);
  Operation ChangeRate(std::uint32_t baud, std::size_t frame_size);
  Operation ChangeRate(std::uint32_t baud);  // frames of the size read now
  void EnterMining(Micros now);
  bool ConfigOp(std::size_t step, Operation& op, Micros& delay) const;
  void Fail(Status status);
  void OnResponse(const Response& r, Micros now);
  void OnNonce(const Response& r, Micros now);
  Operation CheckDeadChips(Micros now);
  int ChipForNonce(std::uint32_t nonce, std::uint32_t starting_nonce) const;
  int Interval() const;
  void QueueJob(std::span<const std::uint8_t> frame);
  // A fresh decoder for `frame_size`-byte responses; the old one's counts are kept.
  void NewDecoder(std::size_t frame_size);

  DriverConfig config_;
  ChainState state_ = ChainState::kIdle;
  Status status_;
  std::optional<ChipModel> other_model_;
  ResponseDecoder decoder_;
  std::uint64_t bad_frames_ = 0;  // of decoders before this one
  std::uint64_t skipped_bytes_ = 0;
  Micros next_at_{0};
  Micros last_response_{0};
  std::size_t step_ = 0;
  std::uint32_t baud_ = kResetBaud;
  int found_ = 0;  // chips counted (by the current CHIP_ID read while enumerating)
  int best_found_ = 0;
  bool recounted_ = false;  // an over-count was read again this session
  int attempts_ = 0;
  std::uint32_t damage_ = 0;
  int recovery_step_ = 0;  // > 0 while asking a chain at the fast rate to slow down
  int rate_probes_ = 0;
  bool rate_recovered_ = false;
  int verify_step_ = 0;  // > 0 while checking the chips answer at the fast rate
  int answers_ = 0;      // CHIP_ID answers to the check's read
  int rate_switch_misses_ = 0;
  int silent_rounds_ = 0;  // rate-check rounds silent at both rates
  bool rate_fallback_ = false;
  int reinits_ = 0;
  std::array<Chip, kMaxChips> chips_{};
  std::array<JobSlot, kJobSlots> slots_{};
  std::uint8_t next_job_id_ = 0;
  Operation pending_mask_;  // a new version mask, written before the job that needs it
  Operation pending_ticket_;
  Operation pending_sub_one_;  // a simulator's sub-1 ticket register, after the mask
  Operation pending_job_;
  std::array<NonceEvent, 64> events_{};
  std::size_t events_head_ = 0;
  std::size_t events_size_ = 0;
  int poll_chip_ = -1;  // a chip being checked for life
  Micros poll_sent_{0};
};

}  // namespace hashrig::hal::protocol
