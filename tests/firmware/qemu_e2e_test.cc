// The MCU build end to end: the Cortex-M4 firmware image boots in qemu-system-arm
// (MPS2-AN386) with its host UART and chain UART on TCP sockets; `hashrig pool` ⇄
// `hashrig run` ⇄ board link ⇄ firmware ⇄ `hashrig sim`. Shares are re-hashed here; the
// host is killed and the firmware idles the chain by itself; a Reboot request ends the
// run through semihosting with the firmware's exit code.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>

#include <gtest/gtest.h>

#include "hashrig/hal/board_client.h"
#include "support/child_process.h"
#include "support/shared_data.h"

namespace hashrig::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A port nothing listens on now (QEMU's socket server takes it next).
std::uint16_t FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return 0;
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// Console lines until one contains `text`; false after `limit`.
bool WaitForConsole(ChildProcess& qemu, const std::string& text, std::chrono::milliseconds limit,
                    std::string& console) {
  const auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    const auto line = qemu.ReadLine(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
    if (!line) {
      return false;
    }
    console += *line + "\n";
    if (line->find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

// A `hashrig sim` chain on TCP; its address.
std::string StartChain(std::unique_ptr<ChildProcess>& sim) {
  sim = std::make_unique<ChildProcess>(
      std::vector<std::string>{HASHRIG_BINARY, "sim", "--listen", "127.0.0.1:0", "--model",
                               "BM1368", "--chips", "2", "--cpu-rate", "1e7"});
  const auto listening = sim->ReadLine(10s);
  return listening ? listening->substr(13, listening->find(' ', 13) - 13) : "";
}

TEST(QemuFirmwareTest, TheMcuImageMinesIdlesWithoutAHostAndExitsOnReboot) {
  std::unique_ptr<ChildProcess> sim;
  const std::string chain = StartChain(sim);
  ASSERT_FALSE(chain.empty());
  const std::uint16_t host_port = FreePort();
  const std::string host = "127.0.0.1:" + std::to_string(host_port);
  ChildProcess qemu({HASHRIG_QEMU, "-M", "mps2-an386", "-nographic", "-monitor", "none", "-kernel",
                     std::string(HASHRIG_FW_MPS2_DIR) + "/hashrig-fw-mps2.elf",
                     "-semihosting-config", "enable=on,target=native", "-serial", "stdio",
                     "-serial", "tcp:" + host + ",server=on,wait=off", "-serial", "tcp:" + chain});
  std::string console;
  ASSERT_TRUE(WaitForConsole(qemu, "ready", 10s, console)) << console << qemu.Stderr();

  ChildProcess pool({HASHRIG_BINARY, "pool", "--listen", "127.0.0.1:0", "--difficulty", "0.001"});
  const auto pool_line = pool.ReadLine(10s);
  ASSERT_TRUE(pool_line.has_value());
  const std::string pool_address = pool_line->substr(13, pool_line->find(' ', 13) - 13);
  auto run = std::make_unique<ChildProcess>(std::vector<std::string>{
      HASHRIG_BINARY, "run", "-o", "stratum+tcp://" + pool_address, "-u", "qemu.rig", "--board",
      "tcp:" + host, "--ticket-difficulty", "0.0005", "--status-interval", "2"});
  ASSERT_TRUE(WaitForConsole(qemu, "chain mining", 30s, console)) << console << run->Stderr();
  const auto until = Clock::now() + 40s;
  while (Clock::now() < until && pool.Stderr().find(" header ") == std::string::npos) {
    std::this_thread::sleep_for(100ms);
  }
  std::this_thread::sleep_for(3s);  // a few more shares
  EXPECT_NE(run->Stderr().find("hashrig board mps2-an386"), std::string::npos) << run->Stderr();

  // Kill the host: the firmware's host-silence watchdog (5 s on this build) idles the chain.
  run->Signal(SIGKILL);
  const auto killed = Clock::now();
  ASSERT_TRUE(WaitForConsole(qemu, "host silent: chain idled", 30s, console)) << console;
  // Generous above (a loaded machine delays what we see, not the decision); exact below.
  EXPECT_LT(Clock::now() - killed, 5s + 15s);
  EXPECT_GT(Clock::now() - killed, 3500ms);  // the host polls once a second
  run.reset();

  pool.Signal(SIGTERM);
  ASSERT_EQ(pool.Wait(10s), 0);
  const std::string log = pool.Stderr();
  EXPECT_GE(CheckPoolShares(log, 0.001), 1) << log;

  // A host asks it to reboot: under QEMU the firmware ends the run with code 0.
  auto link = hal::ConnectTcp("127.0.0.1", host_port, 5s);
  ASSERT_TRUE(link) << link.error().message();
  hal::BoardClient board(std::move(*link));
  const auto hello = board.Hello(2s);
  ASSERT_TRUE(hello.ok()) << hello.error().message();
  EXPECT_EQ(hal::FieldText(hello->board_model), "mps2-an386");
  EXPECT_EQ(hello->chips, 2);
  const auto telemetry = board.Request(hal::link::TelemetryRequest{}, 2s);
  EXPECT_TRUE(telemetry.ok()) << telemetry.error().message();
  ASSERT_TRUE(board.telemetry().has_value());
  EXPECT_TRUE(board.telemetry()->flags & hal::link::kFlagHostSilence);
  EXPECT_GT(board.telemetry()->nonces, 0u);
  (void)board.Request(hal::link::Reboot{}, 2s);
  EXPECT_EQ(qemu.Wait(10s), 0) << console;
}

// `hashrig run` against the built-in pool until its first accepted share; its log.
std::string MineOneShare(const std::string& board) {
  ChildProcess run({HASHRIG_BINARY, "run", "--board", board, "--ticket-difficulty", "0.0005",
                    "--duration", "300"});
  EXPECT_EQ(StopAfter(run, "share: Accepted", 1, 120s), 0) << run.Stderr();
  return run.Stderr();
}

// The bootloader image: it installs its factory app, runs it; `hashrig flash` puts a new
// version in slot B through the running app; the board reboots into it on trial, the
// host confirms it, it mines. An image that cannot run is rolled back by the bootloader
// and `hashrig flash` says so.
TEST(QemuFirmwareTest, FlashANewImageThroughTheBootloaderAndMineAgain) {
  std::unique_ptr<ChildProcess> sim;
  const std::string chain = StartChain(sim);
  ASSERT_FALSE(chain.empty());
  const std::string host = "127.0.0.1:" + std::to_string(FreePort());
  const std::string dir = HASHRIG_FW_MPS2_DIR;
  ChildProcess qemu({HASHRIG_QEMU, "-M", "mps2-an386", "-nographic", "-monitor", "none", "-kernel",
                     dir + "/hashrig-fw-mps2-boot.elf", "-semihosting-config",
                     "enable=on,target=native", "-serial", "stdio", "-serial",
                     "tcp:" + host + ",server=on,wait=off", "-serial", "tcp:" + chain});
  std::string console;
  ASSERT_TRUE(WaitForConsole(qemu, "ready", 10s, console)) << console << qemu.Stderr();
  EXPECT_NE(console.find("factory app installed in slot A"), std::string::npos) << console;
  std::string log = MineOneShare("tcp:" + host);
  EXPECT_NE(log.find("firmware 1,"), std::string::npos) << log;
  EXPECT_NE(log.find("share: Accepted"), std::string::npos) << log;

  const std::string v2 = ::testing::TempDir() + "qemu-v2.img";
  ChildProcess pack({HASHRIG_BINARY, "image", "create", "--board-id", "M386", "--version", "2",
                     "-o", v2, dir + "/hashrig-fw-mps2-app.bin"});
  ASSERT_EQ(pack.Wait(10s), 0) << pack.Stderr();
  ChildProcess flash({HASHRIG_BINARY, "flash", "--board", "tcp:" + host, v2});
  ASSERT_EQ(flash.Wait(60s), 0) << flash.Stderr() << console;
  EXPECT_NE(flash.ReadLine(1s).value_or("").find("runs version 2 from slot B, confirmed"),
            std::string::npos);
  ASSERT_TRUE(WaitForConsole(qemu, "image confirmed", 10s, console)) << console;
  EXPECT_NE(console.find("bootloader: slot B, version 2, on trial"), std::string::npos) << console;
  log = MineOneShare("tcp:" + host);
  EXPECT_NE(log.find("firmware 2,"), std::string::npos) << log;
  EXPECT_NE(log.find("share: Accepted"), std::string::npos) << log;

  // Not a program at all, but a well-formed image for this board: the bootloader refuses
  // to start it (it went to slot A) and rolls back to version 2; flash reports it.
  const std::string junk_body = ::testing::TempDir() + "qemu-junk.bin";
  {
    std::FILE* f = std::fopen(junk_body.c_str(), "wb");
    for (int i = 0; i < 5000; ++i) {
      std::fputc((i * 7919) & 0xFF, f);
    }
    std::fclose(f);
  }
  const std::string junk = ::testing::TempDir() + "qemu-junk.img";
  ChildProcess pack_junk({HASHRIG_BINARY, "image", "create", "--board-id", "M386", "--version", "3",
                          "-o", junk, junk_body});
  ASSERT_EQ(pack_junk.Wait(10s), 0);
  ChildProcess bad({HASHRIG_BINARY, "flash", "--board", "tcp:" + host, junk});
  EXPECT_EQ(bad.Wait(60s), 1) << bad.Stderr();
  EXPECT_NE(bad.Stderr().find("rolled back"), std::string::npos) << bad.Stderr();
  ASSERT_TRUE(WaitForConsole(qemu, "bootloader: slot B, version 2", 10s, console)) << console;
  log = MineOneShare("tcp:" + host);
  EXPECT_NE(log.find("firmware 2,"), std::string::npos) << log;
  qemu.Signal(SIGTERM);
  EXPECT_TRUE(qemu.Wait(10s).has_value());
}

}  // namespace
}  // namespace hashrig::testing
