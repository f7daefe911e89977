// The ticket policy (hal/protocol/policy/ticket.h, issue 11 point 9): a steady nonce rate
// per chain from the expected and then the measured hashrate, a power of two, never above
// the pool's difficulty nor below the chips' floor; and the driver taking a new ticket
// while it mines without a false hardware error.
#include "hashrig/hal/protocol/policy/ticket.h"

#include <gtest/gtest.h>

#include "hashrig/hal/protocol/bm13xx/chip.h"

namespace hashrig::hal::protocol {
namespace {

double Expected(ChipModel model, double mhz, int chips) {
  return mhz * 1e6 * InfoOf(model).small_cores * chips;
}

TEST(TicketPolicyTest, FromTheExpectedHashrateAPowerOfTwoNearTheAim) {
  const TicketPolicy policy;  // 64 nonces/s per chain, floor 1
  // S21 hashboard: 108 x BM1368 at 490 MHz, 67.5 TH/s: 245 -> 128 (about 123 nonces/s).
  EXPECT_EQ(TicketFor(policy, Expected(ChipModel::kBm1368, 490, 108), 0), 128);
  // Bitaxe Gamma: 1 x BM1370 at 525 MHz, 1.07 TH/s: 3.9 -> 2.
  EXPECT_EQ(TicketFor(policy, Expected(ChipModel::kBm1370, 525, 1), 0), 2);
  // Slower than 64 difficulty-1 hashes a second: the chips' floor.
  EXPECT_EQ(TicketFor(policy, 1e9, 0), 1);
  // A simulated board's floor is lower: 20 MH/s -> 2^-14.
  TicketPolicy sim;
  sim.floor = 0x1p-24;
  EXPECT_EQ(TicketFor(sim, 20e6, 0), 0x1p-14);
}

TEST(TicketPolicyTest, NeverAboveThePoolsDifficulty) {
  const TicketPolicy policy;
  EXPECT_EQ(TicketFor(policy, Expected(ChipModel::kBm1368, 490, 108), 100), 64);
  EXPECT_EQ(TicketFor(policy, Expected(ChipModel::kBm1368, 490, 108), 0.5), 1) << "the floor";
  // The pool's difficulty falls below the chain's ticket: retuned at once, without a window.
  EXPECT_EQ(RetuneTicket(policy, 128, 0, 0, 16), 16);
}

TEST(TicketPolicyTest, RetunedFromWhatTheChainDidOnlyWhenFarOff) {
  const TicketPolicy policy;
  // Within 4x of 64/s either way: left alone (noise, short stalls).
  EXPECT_EQ(RetuneTicket(policy, 128, 30 * 20, 30, 0), 128);
  EXPECT_EQ(RetuneTicket(policy, 128, 30 * 200, 30, 0), 128);
  // A chain doing 1/100 of its clock's promise (a slow or partly dead chain, a CPU
  // simulator behind a UART): 0.64 nonces/s at 128 -> 1.
  EXPECT_EQ(RetuneTicket(policy, 128, 30 * 0.64, 30, 0), 1);
  // Silent for the whole window: at most half a nonce's worth -> the floor here.
  EXPECT_EQ(RetuneTicket(policy, 256, 0, 30, 0), 1);
  // Far too many: up (1000 nonces/s at 1 -> 8).
  EXPECT_EQ(RetuneTicket(policy, 1, 30 * 1000, 30, 0), 8);
  // No window yet: nothing to judge.
  EXPECT_EQ(RetuneTicket(policy, 1, 30 * 1000, 0, 0), 1);
}

}  // namespace
}  // namespace hashrig::hal::protocol
