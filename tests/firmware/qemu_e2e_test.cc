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

TEST(QemuFirmwareTest, TheMcuImageMinesIdlesWithoutAHostAndExitsOnReboot) {
  ChildProcess sim({HASHRIG_BINARY, "sim", "--listen", "127.0.0.1:0", "--model", "BM1368",
                    "--chips", "2", "--cpu-rate", "1e7"});
  const auto listening = sim.ReadLine(10s);
  ASSERT_TRUE(listening.has_value()) << sim.Stderr();
  const std::string chain = listening->substr(13, listening->find(' ', 13) - 13);
  const std::uint16_t host_port = FreePort();
  const std::string host = "127.0.0.1:" + std::to_string(host_port);
  ChildProcess qemu({HASHRIG_QEMU, "-M", "mps2-an386", "-nographic", "-monitor", "none", "-kernel",
                     HASHRIG_FW_MPS2_ELF, "-semihosting-config", "enable=on,target=native",
                     "-serial", "stdio", "-serial", "tcp:" + host + ",server=on,wait=off",
                     "-serial", "tcp:" + chain});
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
  ASSERT_TRUE(WaitForConsole(qemu, "host silent: chain idled", 15s, console)) << console;
  EXPECT_LT(Clock::now() - killed, 5s + 2s);
  EXPECT_GT(Clock::now() - killed, 3500ms);  // the host polls once a second
  run.reset();

  pool.Signal(SIGTERM);
  ASSERT_EQ(pool.Wait(10s), 0);
  const std::string log = pool.Stderr();
  EXPECT_GE(CheckPoolShares(log, 0.001), 1) << log;

  // A host asks it to reboot: under QEMU the firmware ends the run with code 0.
  hal::LinkStatus status;
  auto link = hal::ConnectTcp("127.0.0.1", host_port, 5s, status);
  ASSERT_TRUE(link) << status.message();
  hal::BoardClient board(std::move(link));
  hal::link::HelloReply hello;
  ASSERT_TRUE(board.Hello(2s, hello).ok());
  EXPECT_EQ(hal::FieldText(hello.board_model), "mps2-an386");
  EXPECT_EQ(hello.chips, 2);
  const auto telemetry = board.Request(hal::link::Type::kTelemetryRequest, 2s);
  EXPECT_TRUE(telemetry.ok()) << telemetry.message();
  ASSERT_TRUE(board.telemetry().has_value());
  EXPECT_TRUE(board.telemetry()->flags & hal::link::kFlagHostSilence);
  EXPECT_GT(board.telemetry()->nonces, 0u);
  (void)board.Request(hal::link::Type::kReboot, 2s);
  EXPECT_EQ(qemu.Wait(10s), 0) << console;
}

}  // namespace
}  // namespace hashrig::testing
