// The MPS2-AN386 bootloader: chooses the slot to run (firmware/boot.h: the newest valid
// image, a new one once on trial, rollback of one that never confirmed), copies its body
// to the app's link address, tells the app what it started, and jumps. A board whose
// flash holds no valid image at all is given the factory app built into this loader.
#include <cstdint>

#include "board.h"
#include "hashrig/firmware/boot.h"
#include "hashrig/hal/protocol/le.h"
#include "hashrig/sha256/stream.h"
#include "ram_flash.h"

extern "C" const std::uint8_t kFactoryApp[];
extern "C" const std::uint8_t kFactoryAppEnd[];

namespace {

namespace fw = hashrig::firmware;
namespace board = hashrig::mps2;

constexpr fw::Layout kLayout{board::kSlotSectors};

// Slot A gets the factory app: header (version 1, SHA-256 of the body) and body.
bool InstallFactoryApp(fw::Flash& flash, fw::Boot& boot) {
  const std::span<const std::uint8_t> body(kFactoryApp,
                                           static_cast<std::size_t>(kFactoryAppEnd - kFactoryApp));
  fw::ImageHeader h;
  h.board_id = board::kBoardId;
  h.version = 1;
  h.size = static_cast<std::uint32_t>(body.size());
  hashrig::sha256::StreamHasher hasher(hashrig::sha256::ScalarCompress);
  h.sha256 = hasher.Update(body).Finalize();
  const std::size_t at = kLayout.SlotOffset(0, flash.sector_size());
  // SRAM powers up as zeros, not as erased flash: erase the records and slot A first.
  for (std::size_t s = 0; s < 2 + kLayout.slot_sectors; ++s) {
    (void)flash.Erase(s);
  }
  return flash.Program(at, fw::EncodeImageHeader(h)).ok() &&
         flash.Program(at + fw::kImageHeaderSize, body).ok() &&
         boot.WriteRecord({1, 0, 0xFF, 0}).ok();
}

// A runnable app image starts with a vector table for this board: its stack in the app's
// RAM and its reset handler (Thumb) inside the image. Anything else is not started.
bool Runnable(const std::uint8_t* image, std::uint32_t size) {
  if (size < 8) {
    return false;
  }
  const std::uint32_t sp = hashrig::hal::protocol::LoadLe32(image);
  const std::uint32_t reset = hashrig::hal::protocol::LoadLe32(image + 4);
  return sp > 0x20010000 && sp <= board::kFlashBase - 0x100 && (reset & 1) != 0 &&
         reset >= board::kAppBase && reset < board::kAppBase + size;
}

[[noreturn]] void Jump(std::uint32_t base) {
  const auto* vectors = reinterpret_cast<const std::uint32_t*>(base);
  *reinterpret_cast<volatile std::uint32_t*>(0xE000E010) = 0;           // SysTick off
  *reinterpret_cast<volatile std::uint32_t*>(0xE000E180) = 0xFFFFFFFF;  // NVIC: all off
  *reinterpret_cast<volatile std::uint32_t*>(0xE000E280) = 0xFFFFFFFF;  // nothing pending
  *reinterpret_cast<volatile std::uint32_t*>(0xE000ED08) = base;        // VTOR
  asm volatile(
      "msr msp, %0\n"
      "bx %1\n" ::"r"(vectors[0]),
      "r"(vectors[1]));
  __builtin_unreachable();
}

// Tells the app what it runs, then starts it. An image that hangs before it feeds the
// watchdog is reset out of, and the next Choose() rolls it back.
[[noreturn]] void Start(const fw::BootChoice& choice) {
  *board::HandoffBlock() = {board::kHandoffMagic, static_cast<std::uint32_t>(choice.slot),
                            choice.trial ? 1u : 0u, choice.version};
  board::FlushConsole();
  board::WatchdogStart(2000);
  Jump(board::kAppBase);
}

}  // namespace

int main() {
  board::Init();
  static board::RamFlash flash;
  static fw::Boot boot(flash, kLayout, board::kBoardId);
  if (!boot.SlotValid(0) && !boot.SlotValid(1)) {
    board::Log(InstallFactoryApp(flash, boot) ? "bootloader: factory app installed in slot A"
                                              : "bootloader: factory install failed");
  }
  // At most two choices: a new image that cannot run is rolled back at once (the second
  // Choose() sees it ran once on trial without confirming).
  for (int attempt = 0;; ++attempt) {
    const auto choice = boot.Choose();
    if (!choice.ok()) {
      board::Fatal(choice.status().message());
    }
    char version[12];
    board::Log(choice->slot == 0 ? "bootloader: slot A" : "bootloader: slot B", ", version ",
               board::Decimal(choice->version, version), choice->trial ? ", on trial" : "");
    const auto header = boot.SlotHeader(choice->slot);
    const std::size_t body =
        kLayout.SlotOffset(choice->slot, flash.sector_size()) + fw::kImageHeaderSize;
    auto* target = reinterpret_cast<std::uint8_t*>(board::kAppBase);
    if (!flash.Read(body, std::span(target, header->size)).ok() ||
        !Runnable(target, header->size)) {
      board::Log("bootloader: not a runnable image for this board");
      if (attempt == 0) {
        continue;
      }
      board::Fatal("no runnable image");
    }
    Start(*choice);
  }
}
