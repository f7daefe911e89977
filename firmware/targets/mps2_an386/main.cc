// The controller firmware on the MPS2 AN386: firmware/app, unchanged, over this board's
// UARTs, clock and watchdog. serial0 is the console, serial1 the host link, serial2 the
// chain. The AN386 has no chain temperature sensor, fan or core regulator: the BSP
// reports a fixed reading and accepts fan and voltage settings (a production board maps
// them to its EMC2101 and TPS546, hal/protocol/peripherals.h) — and no flash controller
// in QEMU, so updates are refused here and shown on host_sim.
#include <cmath>

#include "board.h"
#include "hashrig/firmware/app.h"

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
  double TemperatureC() override { return 40.0; }
  void SetFanPercent(double percent) override { fan_ = percent; }
  std::uint16_t FanRpm() override { return static_cast<std::uint16_t>(fan_ * 60); }
  bool SetCoreMillivolts(std::uint16_t mv) override { return mv >= 1000 && mv <= 1500; }
  fw::PowerReading ReadPower() override { return {}; }
  void FeedWatchdog() override { board::WatchdogFeed(); }
  void Reboot() override {
    board::Log("reboot requested by the host");
    board::Exit(0);  // under QEMU with semihosting: the test run ends here, code 0
  }
  void WaitForEvent(fw::Micros) override { board::WaitForInterrupt(); }

 private:
  double fan_ = 100;
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
  board::Log(
      "hashrig firmware "
      "mps2-an386"
      " version "
      "1"
      " (board link v1)");
  static Mps2Bsp bsp;
  static fw::AppConfig config;
  config.board_model = Text<16>("mps2-an386");
  config.serial = Text<16>("QEMU-0001");
  config.firmware_version = HASHRIG_FIRMWARE_VERSION;
  config.driver.model = p::ChipModel::kBm1368;
  config.driver.expected_chips = HASHRIG_CHAIN_CHIPS;
  config.driver.frequency = p::InfoOf(p::ChipModel::kBm1368).default_frequency;
  config.driver.ramp_step_delay = fw::Micros(5'000);
  config.driver.enumeration_silence = fw::Micros(300'000);
  config.host_silence = fw::Micros(5'000'000);
  static fw::App app(bsp, config, nullptr);
  board::WatchdogStart(1000);
  board::Log("ready: host link on serial1, chain on serial2");
  p::ChainState state = app.chain_state();
  bool silent = false;
  for (;;) {
    app.Step();
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
