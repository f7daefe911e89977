// A/B boot and update over a simulated flash with real erase/program semantics. The
// power-cut sweep: cut the power at every single flash operation of an update (every
// erase, every write, the commit, the trial boot, the confirm) and check that the board
// then boots a valid image — and that a second try completes the update.
#include "hashrig/firmware/boot.h"

#include <random>

#include <gtest/gtest.h>

#include "hashrig/sha256/sha256.h"
#include "test_image.h"

namespace hashrig::firmware {
namespace {

constexpr std::size_t kSector = 1024;
constexpr Layout kLayout{8};                  // 8 KiB slots
constexpr std::uint32_t kBoard = 0x4D505332;  // "MPS2"

std::vector<std::uint8_t> Image(std::uint32_t version, std::size_t body_size,
                                std::uint32_t board = kBoard) {
  std::mt19937 random(version);
  std::vector<std::uint8_t> body(body_size);
  for (auto& b : body) {
    b = static_cast<std::uint8_t>(random());
  }
  return MakeImage(board, version, body);
}

// A board that runs version 1 from slot A.
SimFlash FreshBoard() {
  SimFlash flash(2 + 2 * kLayout.slot_sectors, kSector);
  const auto v1 = Image(1, 5000);
  EXPECT_TRUE(flash.Program(kLayout.SlotOffset(0, kSector), v1).ok());
  Boot boot(flash, kLayout, kBoard);
  EXPECT_TRUE(boot.WriteRecord({1, 0, 0xFF, 0}).ok());
  return flash;
}

// A fresh board whose inactive slot was just erased for an update.
struct ErasedForUpdate {
  ErasedForUpdate() {
    EXPECT_TRUE(boot.Choose().ok());
    EXPECT_TRUE(boot.EraseInactive().ok());
  }
  SimFlash flash = FreshBoard();
  Boot boot{flash, kLayout, kBoard};
};

// The whole update as the host drives it: boot, erase, write in 256-byte pieces, commit,
// reboot into the trial, confirm. Stops at the first failure (the power cut).
bool Update(SimFlash& flash, const std::vector<std::uint8_t>& image) {
  Boot boot(flash, kLayout, kBoard);
  if (!boot.Choose().ok() || !boot.EraseInactive().ok()) {
    return false;
  }
  for (std::size_t at = 0; at < image.size(); at += 256) {
    const std::size_t n = std::min<std::size_t>(256, image.size() - at);
    if (!boot.WriteInactive(at, std::span(image).subspan(at, n)).ok()) {
      return false;
    }
  }
  if (!boot.CommitInactive().ok()) {
    return false;
  }
  Boot rebooted(flash, kLayout, kBoard);
  const auto choice = rebooted.Choose();
  return choice.ok() && choice->trial && rebooted.Confirm().ok();
}

TEST(BootTest, UpdateBootsOnTrialThenConfirms) {
  SimFlash flash = FreshBoard();
  ASSERT_TRUE(Update(flash, Image(2, 6000)));
  Boot boot(flash, kLayout, kBoard);
  const auto choice = boot.Choose();
  ASSERT_TRUE(choice.ok());
  EXPECT_EQ(choice->version, 2u);
  EXPECT_EQ(choice->slot, 1);
  EXPECT_FALSE(choice->trial);
}

TEST(BootTest, AnUnconfirmedImageIsRolledBack) {
  ErasedForUpdate board;
  SimFlash& flash = board.flash;
  Boot& boot = board.boot;
  const auto v2 = Image(2, 3000);
  ASSERT_TRUE(boot.WriteInactive(0, v2).ok());
  ASSERT_TRUE(boot.CommitInactive().ok());
  Boot trial(flash, kLayout, kBoard);
  EXPECT_EQ(trial.Choose()->version, 2u);  // runs once on trial, then "crashes"
  Boot after(flash, kLayout, kBoard);
  const auto choice = after.Choose();
  EXPECT_EQ(choice->version, 1u);  // rolled back
  EXPECT_FALSE(choice->trial);
}

TEST(BootTest, CorruptOrForeignImagesAreRefused) {
  ErasedForUpdate board;
  Boot& boot = board.boot;
  auto corrupt = Image(2, 3000);
  corrupt[kImageHeaderSize + 100] ^= 0x10;
  ASSERT_TRUE(boot.WriteInactive(0, corrupt).ok());
  EXPECT_FALSE(boot.VerifyInactive());
  EXPECT_FALSE(boot.CommitInactive().ok());
  ASSERT_TRUE(boot.EraseInactive().ok());
  ASSERT_TRUE(boot.WriteInactive(0, Image(3, 3000, 0x12345678)).ok());  // another board's
  EXPECT_FALSE(boot.CommitInactive().ok());
  Boot again(board.flash, kLayout, kBoard);
  EXPECT_EQ(again.Choose()->version, 1u);
}

TEST(BootTest, PowerCutAtEveryFlashOperationLeavesABootableBoard) {
  const auto v2 = Image(2, 6000);
  SimFlash counting = FreshBoard();
  const std::size_t before = counting.operations();
  ASSERT_TRUE(Update(counting, v2));
  const std::size_t operations = counting.operations() - before;
  ASSERT_GT(operations, 30u);  // erases, writes, commit, trial count, confirm

  for (std::size_t cut = 0; cut < operations; ++cut) {
    SCOPED_TRACE("power cut at operation " + std::to_string(cut) + " of " +
                 std::to_string(operations));
    SimFlash flash = FreshBoard();
    flash.CutPowerAt(flash.operations() + cut);
    EXPECT_FALSE(Update(flash, v2));
    flash.PowerOn();
    Boot boot(flash, kLayout, kBoard);
    const auto choice = boot.Choose();
    ASSERT_TRUE(choice.ok()) << choice.status().message();
    EXPECT_TRUE(boot.SlotValid(choice->slot));
    EXPECT_TRUE(choice->version == 1 || choice->version == 2) << choice->version;
    // The operator tries again: the update completes and v2 runs, confirmed.
    if (choice->trial) {
      ASSERT_TRUE(boot.Confirm().ok());
    }
    if (choice->version != 2 || choice->trial) {
      Boot now(flash, kLayout, kBoard);
      if (now.Choose()->version != 2) {
        ASSERT_TRUE(Update(flash, v2));
      }
    }
    Boot final_boot(flash, kLayout, kBoard);
    const auto final_choice = final_boot.Choose();
    ASSERT_TRUE(final_choice.ok());
    EXPECT_EQ(final_choice->version, 2u);
    EXPECT_FALSE(final_choice->trial);
  }
}

TEST(FlashTest, ProgramOnlyClearsBitsAndEraseSetsThem) {
  SimFlash flash(2, 16);
  const std::uint8_t a[] = {0xF0, 0x0F};
  const std::uint8_t b[] = {0xFF, 0x00};
  ASSERT_TRUE(flash.Program(0, a).ok());
  ASSERT_TRUE(flash.Program(0, b).ok());
  std::array<std::uint8_t, 2> out{};
  ASSERT_TRUE(flash.Read(0, out).ok());
  EXPECT_EQ(out[0], 0xF0);
  EXPECT_EQ(out[1], 0x00);
  ASSERT_TRUE(flash.Erase(0).ok());
  ASSERT_TRUE(flash.Read(0, out).ok());
  EXPECT_EQ(out[0], 0xFF);
  flash.CutPowerAt(flash.operations());
  EXPECT_FALSE(flash.Erase(1).ok());
  EXPECT_FALSE(flash.Program(0, a).ok());  // power stays off
  flash.PowerOn();
  EXPECT_TRUE(flash.Program(0, a).ok());
}

}  // namespace
}  // namespace hashrig::firmware
