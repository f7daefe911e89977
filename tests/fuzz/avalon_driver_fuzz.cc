// libFuzzer: arbitrary answers to the Avalon driver (hal/protocol/avalon/driver.h) in the
// chain controller, on a raw CN stream and through the AUC, and arbitrary host bytes into
// the Avalon module simulator (hal/sim/avalon.h) of every generation, raw and behind its
// AUC. The input is cut into answers (a length byte, then that many bytes) given after
// each write the driver makes. Nothing may crash or hang; the driver mines only with a
// module present, and every nonce the controller checks names a job it was given.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "hashrig/hal/protocol/avalon/driver.h"
#include "hashrig/hal/protocol/chain/controller.h"
#include "hashrig/hal/sim/avalon.h"

namespace p = hashrig::hal::protocol;
namespace avalon = hashrig::hal::protocol::avalon;

namespace {

void Check(bool ok) {
  if (!ok) {
    std::abort();
  }
}

constexpr std::array<std::uint8_t, 4> kCoinb1 = {1, 0, 0, 0};
constexpr std::array<std::uint8_t, 4> kExtranonce1 = {0xdb, 0x25, 0, 0};
constexpr std::array<std::uint8_t, 8> kCoinb2 = {0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0};

void DriveDriver(avalon::Transport transport, std::span<const std::uint8_t> input) {
  avalon::DriverConfig config;
  config.transport = transport;
  avalon::AvalonDriver driver(config);
  p::ChainController chain(driver, p::ControllerConfig{});
  p::StratumJob job;
  job.job_id = "fuzz";
  job.coinb1 = kCoinb1;
  job.extranonce1 = kExtranonce1;
  job.coinb2 = kCoinb2;
  job.difficulty = *hashrig::sha256::Difficulty::From(0.001);
  p::ChainWork work;
  work.token = hashrig::WorkToken{1};
  work.job = &job;
  work.nonce2_range = 1000;
  (void)chain.Start(p::Micros{0});
  chain.SetWork(work);
  p::Micros now{0};
  std::size_t at = 0;
  for (int step = 0; step < 4000 && at < input.size(); ++step) {
    now += p::Micros{5000};
    (void)chain.Poll(now);
    const std::size_t n = input[at++] % 80;
    const auto answer = input.subspan(at, n < input.size() - at ? n : input.size() - at);
    at += answer.size();
    chain.OnBytes(answer, now);
    p::CheckedNonce nonce;
    while (chain.NextNonce(nonce)) {
      Check(nonce.event.token == work.token);
    }
    Check(driver.state() != p::ChainState::kMining || driver.modules_present() > 0);
  }
}

void DriveSim(avalon::Generation generation, bool auc, std::span<const std::uint8_t> input) {
  hashrig::hal::sim::AvalonConfig config;
  config.generation = generation;
  config.modules = 2;
  config.auc = auc;
  config.cpu_hashes_per_second = 1e5;
  hashrig::hal::sim::AvalonBus bus(config);
  bus.Receive(input);
  bus.Advance(std::chrono::milliseconds(20));
  (void)bus.TakeOutput();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  DriveDriver(avalon::Transport::kRaw, input);
  DriveDriver(avalon::Transport::kAuc, input);
  for (const auto& info : avalon::kGenerations) {
    DriveSim(info.generation, size > 0 && (data[0] & 1) != 0, input);
  }
  return 0;
}
