// The controller firmware on the MPS2 AN386: firmware/app, unchanged, over this board's
// UARTs, clock and watchdog. serial0 is the console, serial1 the host link, serial2 the
// chain. The AN386 has no chain temperature sensor, fan or core regulator: the BSP
// reports a fixed reading and accepts fan and voltage settings (a production board maps
// them to its EMC2101 and TPS546, hal/protocol/peripherals.h). Started by the bootloader
// (bootloader.cc) it serves updates into the other slot of its RAM-backed flash and a
// Reboot resets the board into the bootloader; started alone (the plain image) it has no
// flash and a Reboot ends the QEMU run through semihosting with code 0.
#include <cmath>

#include "board.h"
#include "hashrig/firmware/app.h"
#include "hashrig/hal/sim/sim_registers.h"
#include "ram_flash.h"

#ifndef HASHRIG_FIRMWARE_VERSION
#define HASHRIG_FIRMWARE_VERSION 1
#endif
#ifndef HASHRIG_CHAIN_CHIPS
#define HASHRIG_CHAIN_CHIPS 2
#endif

namespace {

namespace fw = hashrig::firmware;
namespace p = hashrig::hal::protocol;
namespace board = hashrig::mps2;

class Mps2Bsp final : public fw::Bsp {
 public:
  fw::Micros Now() override { return fw::Micros(static_cast<std::int64_t>(board::Micros())); }
  std::size_t HostRead(std::span<std::uint8_t> out) override {
    return board::UartRead(board::kHostUart, out);
  }
  bool HostWrite(std::span<const std::uint8_t> bytes) override {
    return board::UartWrite(board::kHostUart, bytes);
  }
  std::size_t ChainRead(std::span<std::uint8_t> out) override {
    return board::UartRead(board::kChainUart, out);
  }
  void ChainWrite(std::span<const std::uint8_t> bytes) override {
    board::UartWriteBlocking(board::kChainUart, bytes);
  }
  void ChainSetBaud(std::uint32_t) override {}  // the model has no baud rate
  void ChainReset(bool) override {}             // no reset line wired on the AN386
  std::optional<hashrig::Celsius> Temperature() override {
    return hashrig::Celsius{40.0};  // no sensor on the AN386
  }
  void SetFan(hashrig::Percent duty) override { fan_ = duty.value; }
  hashrig::Rpm FanSpeed() override { return hashrig::Rpm{fan_ * 60}; }
  bool SetCoreVoltage(hashrig::Volts v) override { return v.value >= 1.0 && v.value <= 1.5; }
  fw::PowerReading ReadPower() override { return {}; }
  void FeedWatchdog() override { board::WatchdogFeed(); }
  void Reboot() override {
    board::Log("reboot requested by the host");
    board::FlushConsole();
    if (bootloaded_) {
      board::Reset();  // into the bootloader, which may start a new image on trial
    }
    board::Exit(0);  // alone under QEMU with semihosting: the run ends here, code 0
  }
  void set_bootloaded(bool b) { bootloaded_ = b; }
  void WaitForEvent(fw::Micros) override { board::WaitForInterrupt(); }

 private:
  double fan_ = 100;
  bool bootloaded_ = false;
};

template <std::size_t N>
std::array<char, N> Text(const char* s) {
  std::array<char, N> out{};
  for (std::size_t i = 0; i + 1 < N && s[i] != '\0'; ++i) {
    out[i] = s[i];
  }
  return out;
}

}  // namespace

int main() {
  board::Init();
  static Mps2Bsp bsp;
  static fw::AppConfig config;
  // Started by the bootloader: the slot it chose, on trial or not, and that image's version.
  board::Handoff* handoff = board::HandoffBlock();
  static board::RamFlash flash;
  static fw::Boot boot(flash, fw::Layout{board::kSlotSectors}, board::kBoardId);
  fw::Boot* bootloader = nullptr;
  std::uint32_t version = HASHRIG_FIRMWARE_VERSION;
  if (handoff->magic == board::kHandoffMagic && handoff->slot <= 1) {
    boot.Adopt(static_cast<int>(handoff->slot), handoff->trial != 0);
    bootloader = &boot;
    version = handoff->version;
    handoff->magic = 0;  // a plain reset must not look like a handoff
    bsp.set_bootloaded(true);
    board::SetResetOnFatal(true);
  }
  char digits[12];
  board::Log("hashrig firmware mps2-an386 version ", board::Decimal(version, digits),
             bootloader != nullptr ? " (from the bootloader)" : "", " (board link v1)");
  config.board_model = Text<16>("mps2-an386");
  config.serial = Text<16>("QEMU-0001");
  config.firmware_version = version;
  config.driver.model = p::ChipModel::kBm1368;
  config.driver.expected_chips = HASHRIG_CHAIN_CHIPS;
  config.driver.frequency = p::InfoOf(p::ChipModel::kBm1368).default_frequency;
  config.driver.ramp_step_delay = fw::Micros(5'000);
  config.driver.enumeration_silence = fw::Micros(300'000);
  // This board's chain is always a simulator (`hashrig sim` on the third UART): it takes
  // the simulator's sub-1 tickets.
  config.driver.sub_one_ticket = &hashrig::hal::sim::kSubOneTicket;
  config.host_silence = fw::Micros(5'000'000);
  static fw::App app(bsp, config, bootloader);
  board::WatchdogStart(1000);
  board::Log("ready: host link on serial1, chain on serial2");
  p::ChainState state = app.chain_state();
  bool silent = false;
  bool trial = bootloader != nullptr && bootloader->on_trial();
  for (;;) {
    app.Step();
    if (trial && !bootloader->on_trial()) {
      trial = false;
      board::Log("image confirmed");
    }
    if (app.chain_state() != state) {
      state = app.chain_state();
      board::Log(state == p::ChainState::kMining ? "chain mining" : p::ToString(state));
    }
    if (app.host_silent() != silent) {
      silent = app.host_silent();
      board::Log(silent ? "host silent: chain idled" : "host back");
    }
  }
}
