// libFuzzer: arbitrary bytes into the BM13xx decoders (both directions) and into the
// chain driver in every state, and into the chain simulator. Nothing may crash or hang;
// decoded frames must re-encode to the bytes they came from.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "hashrig/hal/protocol/bm13xx/driver.h"
#include "hashrig/hal/protocol/bm13xx/frames.h"
#include "hashrig/hal/protocol/bm13xx/nonce.h"
#include "hashrig/hal/protocol/chain/controller.h"
#include "hashrig/hal/sim/chain.h"

namespace p = hashrig::hal::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  for (std::size_t frame_size : {9u, 11u}) {
    p::ResponseDecoder decoder(frame_size);
    for (std::uint8_t b : input) {
      decoder.Push(b);
      while (auto r = decoder.Next()) {
        const auto again = p::EncodeResponse(*r, frame_size);
        p::ResponseDecoder check(frame_size);
        for (std::uint8_t c : again.span()) {
          check.Push(c);
        }
        if (!check.Next()) {
          std::abort();  // what decoded must encode to something that decodes
        }
        (void)p::DecodeNonce(p::ChipModel::kBm1370, *r);
        (void)p::DecodeNonce(p::ChipModel::kBm1397, *r);
      }
    }
  }
  p::HostFrameDecoder host;
  for (std::uint8_t b : input) {
    host.Push(b);
    while (auto f = host.Next()) {
      if (f->is_job()) {
        (void)p::DecodeHeaderJobBody(f->body());
        (void)p::DecodeMidstateJobBody(f->body());
      }
    }
  }
  // The driver, fed the input as chain bytes at every step of its life.
  p::DriverConfig config;
  config.expected_chips = 3;
  config.reset_hold = p::Micros(1);
  config.enumeration_silence = p::Micros(10);
  config.ramp_step_delay = p::Micros(1);
  // The chain controller around the driver (the loop firmware and host share): the input
  // as chain bytes at every step of its life, and as temperature readings.
  p::Bm13xxDriver driver(config);
  p::ChainController controller(driver, {});
  p::Micros now{0};
  (void)controller.Start(now);
  std::size_t at = 0;
  for (int round = 0; round < 400; ++round) {
    (void)controller.Poll(now);
    const std::size_t chunk = std::min<std::size_t>(16, input.size() - at);
    controller.OnBytes(input.subspan(at, chunk), now);
    if (controller.ThermalDue(now) && !input.empty()) {
      const std::uint8_t t = input[at % input.size()];
      controller.OnTemperature(
          t == 0xFF ? std::nullopt : std::optional<hashrig::Celsius>(hashrig::Celsius{t - 40.0}),
          now);
    }
    if (round % 50 == 0) {
      p::ChainWork work{hashrig::WorkToken{static_cast<std::uint32_t>(round)}, {}};
      for (std::size_t i = 0; i < work.header.size() && i < input.size(); ++i) {
        work.header[i] = input[i];
      }
      controller.SetWork(work);
    }
    at = (at + chunk) % (input.empty() ? 1 : input.size());
    p::CheckedNonce n;
    while (controller.NextNonce(n)) {
    }
    now += p::Micros(50'000);
  }
  // The simulator, fed the input as host bytes.
  hashrig::hal::sim::Chain chain({p::ChipModel::kBm1370, 2, 1e5, 1});
  chain.Receive(input, 115'200);
  chain.Advance(std::chrono::milliseconds(1));
  (void)chain.TakeOutput(115'200);
  return 0;
}
