// DirectChain, the host's loop over one chain (link ⇄ controller ⇄ driver), against the
// chain simulator on a real clock: what a starved host finds waiting in its link.
#include "hashrig/hal/direct_chain.h"

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "hashrig/hal/sim_link.h"
#include "support/forwarding_link.h"

namespace hashrig::hal {
namespace {

using namespace std::chrono_literals;

// The simulated chain behind a link whose answers become readable only `lag` after the
// write that asked for them: a host thread that ran again only later finds them all
// waiting at once, as the chips' answers wait in a UART's buffer on a loaded board.
class LateLink final : public testing::ForwardingLink {
 public:
  LateLink(std::unique_ptr<ByteLink> inner, std::chrono::milliseconds lag)
      : ForwardingLink(std::move(inner)), lag_(lag) {}
  Error Write(std::span<const std::uint8_t> bytes) override {
    written_at_ = std::chrono::steady_clock::now();
    return ForwardingLink::Write(bytes);
  }
  Error ReadFor(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout,
                std::size_t& received) override {
    if (std::chrono::steady_clock::now() - written_at_ < lag_) {
      received = 0;  // not there yet
      return {};
    }
    return ForwardingLink::ReadFor(buffer, timeout, received);
  }

 private:
  std::chrono::milliseconds lag_;
  std::chrono::steady_clock::time_point written_at_{};
};

// Found in the ASan suite on a busy machine: `board-test` of a 4-chip board with one dead
// chip listed 6 chips, the conformance case noisy-2 configured 7 of 4. The loop polled
// the driver before reading what had arrived, so after a pause longer than the
// enumeration's silence the CHIP_ID answers waiting in the link counted as silence: the
// read ended with none, and its answers were counted with the next read's.
TEST(DirectChainTest, AnswersWaitingForAStarvedHostCountOnceForTheirRead) {
  for (const int dead : {-1, 3}) {
    sim::BoardConfig board;
    board.chain = {protocol::ChipModel::kBm1368, 4, 4e6, 7};
    if (dead >= 0) {
      board.faults.dead_chips = {dead};
    }
    protocol::DriverConfig config;
    config.model = protocol::ChipModel::kBm1368;
    config.expected_chips = 4;
    config.reset_hold = 1ms;
    config.enumeration_silence = 20ms;
    config.ramp_step_delay = 1ms;
    DirectChain chain(std::make_unique<LateLink>(std::make_unique<SimLink>(board), 5ms), config);
    ASSERT_TRUE(chain.Start().ok());
    const int answering = dead >= 0 ? 3 : 4;
    // The host thread runs every 60 ms (three times the silence) and never waits on the
    // link: every answer is found only on the next round.
    for (int i = 0; i < 400 && chain.chain().state() != protocol::ChainState::kMining &&
                    chain.chain().state() != protocol::ChainState::kFailed;
         ++i) {
      ASSERT_TRUE(chain.Step(0ms).ok());
      EXPECT_LE(chain.driver().chips_found(), answering) << "round " << i;
      std::this_thread::sleep_for(60ms);
    }
    EXPECT_EQ(chain.chain().state(), protocol::ChainState::kMining) << "dead chip " << dead;
    EXPECT_EQ(chain.driver().chips_found(), answering) << "dead chip " << dead;
  }
}

// A board's peripherals whose every transfer takes `transfer` (bitaxe-raw on a busy USB
// bus, or a loaded host: up to BitaxeRawControl::kReplyTimeout each), recording which
// thread made each call. While hung, a temperature read does not return until released
// or `hang_limit` has passed.
class SlowBoard final : public BoardPeripherals {
 public:
  struct Shared {
    std::mutex mutex;
    std::condition_variable released;
    bool hang = false;
    std::thread::id chain_thread;
    std::atomic<int> sensor_calls_on_chain_thread{0};
    std::atomic<int> temperature_reads{0};
    std::atomic<int> fan_writes{0};
    std::atomic<int> fan_failures_left{0};
    std::atomic<int> hung_reads_returned{0};
    std::atomic<int> hung_reads_before_reset{-1};  // at the last nRST asserted
  };
  SlowBoard(std::shared_ptr<Shared> shared, std::chrono::milliseconds transfer)
      : shared_(std::move(shared)), transfer_(transfer) {}
  std::optional<Celsius> Temperature() override {
    Transfer();
    ++shared_->temperature_reads;
    std::unique_lock lock(shared_->mutex);
    if (shared_->hang) {
      shared_->released.wait_for(lock, kHangLimit, [this] { return !shared_->hang; });
      ++shared_->hung_reads_returned;
      return std::nullopt;
    }
    return Celsius{45};
  }
  Error SetFan(Percent) override {
    Transfer();
    ++shared_->fan_writes;
    if (shared_->fan_failures_left > 0) {
      --shared_->fan_failures_left;
      return Error(StatusCode::kTimeout, "fan: bitaxe-raw I2C write: no reply within 1 s");
    }
    return {};
  }
  std::optional<Rpm> FanSpeed() override { return std::nullopt; }
  Error SetReset(bool asserted) override {  // nRST: the chain's own, on its thread
    if (asserted) {
      shared_->hung_reads_before_reset = shared_->hung_reads_returned.load();
    }
    return {};
  }
  std::optional<CoreReading> ReadCore() override {
    Transfer();
    return std::nullopt;
  }
  std::string Describe() const override { return "slow board"; }
  static constexpr std::chrono::seconds kHangLimit{8};

 private:
  void Transfer() {
    if (std::this_thread::get_id() == shared_->chain_thread) {
      ++shared_->sensor_calls_on_chain_thread;
    }
    std::this_thread::sleep_for(transfer_);
  }
  std::shared_ptr<Shared> shared_;
  std::chrono::milliseconds transfer_;
};

sim::BoardConfig OneChipBoard() {
  sim::BoardConfig board;
  board.chain = {protocol::ChipModel::kBm1370, 1, 4e6, 7};
  return board;
}

protocol::DriverConfig OneChipConfig() {
  protocol::DriverConfig config;
  config.model = protocol::ChipModel::kBm1370;
  config.expected_chips = 1;
  config.reset_hold = 1ms;
  config.enumeration_silence = 50ms;
  config.ramp_step_delay = 10ms;  // ~76 steps to the default clock
  return config;
}

// Found in conformance `sensor-glitch` on a loaded machine: a Bitaxe-class chain sat in
// "configuring" for a whole 20 s session. Its ramp is ~76 steps paced by the driver's
// delays, and the chain's loop read the temperature (every 250 ms) and the regulator
// (4 transfers a second) itself between them: with the control port's replies slowed to
// a few hundred milliseconds, the ramp advanced a step per read. The board is now read on
// a thread of its own: the chain's loop makes no sensor or fan transfer.
TEST(DirectChainTest, ASlowControlPortNeverHoldsUpTheChainsLoop) {
  const sim::BoardConfig sim_board = OneChipBoard();
  auto shared = std::make_shared<SlowBoard::Shared>();
  shared->chain_thread = std::this_thread::get_id();
  DirectChain chain(std::make_unique<SimLink>(sim_board), OneChipConfig(),
                    std::make_unique<SlowBoard>(shared, 200ms));
  ASSERT_TRUE(chain.Start().ok());
  ASSERT_TRUE(chain.RunUntilMining(120s).ok()) << chain.driver().status().message();
  // Readings came meanwhile (from the monitor), none on this thread.
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (shared->temperature_reads < 3 && std::chrono::steady_clock::now() < deadline) {
    ASSERT_TRUE(chain.Step(10ms).ok());
  }
  EXPECT_GE(shared->temperature_reads, 3);
  EXPECT_TRUE(chain.chain().temperature().has_value());
  EXPECT_EQ(shared->sensor_calls_on_chain_thread, 0);
}

// The other side of reading on a thread: a monitor that brings no reading at all (its
// transfer hung) must not leave the chain unwatched. After the policy's stale_after
// without a reading, each due reading is a failed one, and after the failed-sensor grace
// the chain stops, as it would on a sensor that answers with faults — decided while the
// first hung read is still hung (its nRST then goes before the monitor's next transfer).
TEST(DirectChainTest, NoReadingForStaleAfterStopsTheChainForAFailedSensor) {
  const sim::BoardConfig sim_board = OneChipBoard();
  auto shared = std::make_shared<SlowBoard::Shared>();
  protocol::ThermalConfig thermal;
  thermal.stale_after = 300ms;
  thermal.failed_sensor_grace = 300ms;
  DirectChain chain(std::make_unique<SimLink>(sim_board), OneChipConfig(),
                    std::make_unique<SlowBoard>(shared, 0ms), thermal);
  ASSERT_TRUE(chain.Start().ok());
  ASSERT_TRUE(chain.RunUntilMining(120s).ok()) << chain.driver().status().message();
  {
    const std::lock_guard lock(shared->mutex);
    shared->hang = true;
  }
  // The stop's nRST waits for the hung transfer to give up (kHangLimit, far beyond
  // stale_after + grace: a step that ran late is not a missed verdict).
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (chain.chain().stop_reason() == protocol::StopReason::kNone &&
         std::chrono::steady_clock::now() < deadline) {
    ASSERT_TRUE(chain.Step(10ms).ok());
  }
  {
    const std::lock_guard lock(shared->mutex);
    shared->hang = false;
    shared->released.notify_all();
  }
  EXPECT_EQ(chain.chain().stop_reason(), protocol::StopReason::kSensorFailed);
  EXPECT_EQ(shared->hung_reads_before_reset, 1);
}

// Found in the suite under load: one fan write that got no reply in time took the
// Bitaxe board down ("down: fan: … no reply within 1 s"), and opening it again took the
// rest of the session. A failed write is tried again after a period; only
// BoardMonitor::kFanAttempts failures in a row take the chain down.
TEST(DirectChainTest, AFanWriteThatFailsIsTriedAgainBeforeTheBoardIsDown) {
  const sim::BoardConfig sim_board = OneChipBoard();
  for (const int failures : {BoardMonitor::kFanAttempts - 1, 1000}) {
    auto shared = std::make_shared<SlowBoard::Shared>();
    shared->fan_failures_left = failures;
    DirectChain chain(std::make_unique<SimLink>(sim_board), OneChipConfig(),
                      std::make_unique<SlowBoard>(shared, 0ms));
    ASSERT_TRUE(chain.Start().ok());
    Error status;
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (status.ok() && shared->fan_writes < BoardMonitor::kFanAttempts &&
           std::chrono::steady_clock::now() < deadline) {
      status = chain.Step(10ms);
    }
    // The last write's verdict reaches the next step.
    for (int i = 0; i < 100 && status.ok(); ++i) {
      status = chain.Step(10ms);
    }
    EXPECT_GE(shared->fan_writes, BoardMonitor::kFanAttempts) << failures << " failures";
    if (failures < BoardMonitor::kFanAttempts) {
      EXPECT_TRUE(status.ok()) << status.message();
    } else {
      EXPECT_EQ(status.code(), StatusCode::kTimeout) << status.message();
    }
  }
}

}  // namespace
}  // namespace hashrig::hal
