// libFuzzer: arbitrary bytes on the firmware's host link, into the whole app (board-link
// server, chain controller, flash operations through a bootloader) on the fake board with
// a simulated chain. Whatever arrives, the app must not crash, must keep the running
// slot bootable, and must keep feeding the watchdog.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "../firmware/fake_bsp.h"
#include "hashrig/firmware/app.h"
#include "hashrig/firmware/flash.h"
#include "hashrig/sha256/stream.h"

namespace fw = hashrig::firmware;
namespace p = hashrig::hal::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fw::SimFlash flash(2 + 2 * 4, 1024);
  constexpr fw::Layout kLayout{4};
  std::array<std::uint8_t, 100> body{};
  fw::ImageHeader h;
  h.board_id = 1;
  h.version = 1;
  h.size = body.size();
  hashrig::sha256::StreamHasher hasher(hashrig::sha256::ScalarCompress);
  h.sha256 = hasher.Update(body).Finalize();
  const auto head = fw::EncodeImageHeader(h);
  (void)flash.Program(kLayout.SlotOffset(0, 1024), head);
  (void)flash.Program(kLayout.SlotOffset(0, 1024) + head.size(), body);
  fw::Boot boot(flash, kLayout, 1);
  if (!boot.Choose().ok()) {
    std::abort();
  }
  fw::FakeBsp bsp(hashrig::hal::sim::ChainConfig{p::ChipModel::kBm1368, 1, 1e5, 1});
  fw::AppConfig config;
  config.driver.model = p::ChipModel::kBm1368;
  config.driver.reset_hold = p::Micros(1000);
  config.driver.enumeration_silence = p::Micros(5000);
  config.driver.ramp_step_delay = p::Micros(100);
  fw::App app(bsp, config, &boot);
  // The input as pieces: a control byte, then either a well-framed message (any type,
  // any payload, valid CRC: reaches every handler) or raw bytes; time passes between.
  namespace link = hashrig::hal::protocol::link;
  std::size_t at = 0;
  while (at + 2 <= size) {
    const std::uint8_t control = data[at];
    const std::size_t length = std::min<std::size_t>(data[at + 1], size - at - 2);
    const std::uint8_t* piece = data + at + 2;
    at += 2 + length;
    if ((control & 1) == 0 && length >= 1) {
      const auto frame =
          link::Encode(static_cast<link::Type>(piece[0]), control, {piece + 1, length - 1});
      bsp.to_board.insert(bsp.to_board.end(), frame.bytes.begin(),
                          frame.bytes.begin() + static_cast<std::ptrdiff_t>(frame.size));
    } else {
      bsp.to_board.insert(bsp.to_board.end(), piece, piece + length);
    }
    app.Step();
    bsp.now += p::Micros(control * 500);
    bsp.from_board.clear();
  }
  for (int i = 0; i < 20; ++i) {
    app.Step();
    bsp.now += p::Micros(2000);
  }
  fw::Boot again(flash, kLayout, 1);
  if (bsp.feeds == 0 || !again.Choose().ok()) {
    std::abort();
  }
  return 0;
}
