// DirectChain, the host's loop over one chain (link ⇄ controller ⇄ driver), against the
// chain simulator on a real clock: what a starved host finds waiting in its link.
#include "hashrig/hal/direct_chain.h"

#include <thread>

#include <gtest/gtest.h>

#include "hashrig/hal/sim_link.h"

namespace hashrig::hal {
namespace {

using namespace std::chrono_literals;

// The simulated chain behind a link whose answers become readable only `lag` after the
// write that asked for them: a host thread that ran again only later finds them all
// waiting at once, as the chips' answers wait in a UART's buffer on a loaded board.
class LateLink final : public ByteLink {
 public:
  LateLink(std::unique_ptr<ByteLink> inner, std::chrono::milliseconds lag)
      : inner_(std::move(inner)), lag_(lag) {}
  Error Write(std::span<const std::uint8_t> bytes) override {
    written_at_ = std::chrono::steady_clock::now();
    return inner_->Write(bytes);
  }
  Error ReadFor(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout,
                std::size_t& received) override {
    if (std::chrono::steady_clock::now() - written_at_ < lag_) {
      received = 0;  // not there yet
      return {};
    }
    return inner_->ReadFor(buffer, timeout, received);
  }
  Error SetBaud(std::uint32_t baud) override { return inner_->SetBaud(baud); }
  Error SetReset(bool asserted) override { return inner_->SetReset(asserted); }
  std::string Describe() const override { return "late " + inner_->Describe(); }

 private:
  std::unique_ptr<ByteLink> inner_;
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

}  // namespace
}  // namespace hashrig::hal
