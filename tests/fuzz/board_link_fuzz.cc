// libFuzzer: arbitrary bytes into the board-link decoder, every message's decoder, the
// host's BoardSession (answers, refusals, timeouts, unsolicited frames) and the firmware
// image header. Every message that decodes must encode back to the same payload (the one
// description both sides walk), and decoded frames must re-encode to frames that decode.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "hashrig/firmware/image.h"
#include "hashrig/hal/protocol/board_link/messages.h"
#include "hashrig/hal/protocol/board_link/session.h"

namespace link = hashrig::hal::protocol::link;

namespace {

// A message decoded from a payload encodes to exactly that payload again.
template <typename M>
void RoundTrip(std::span<const std::uint8_t> payload) {
  const auto m = link::DecodeMessage<M>(payload);
  if (!m) {
    return;
  }
  const auto again = link::EncodeMessage(0, *m);
  if (again.size != payload.size() + link::kOverhead ||
      (payload.size() > 0 &&
       std::memcmp(again.bytes.data() + 7, payload.data(), payload.size()) != 0)) {
    std::abort();
  }
}

void EveryMessage(std::span<const std::uint8_t> payload) {
  RoundTrip<link::Hello>(payload);
  RoundTrip<link::HelloReply>(payload);
  RoundTrip<link::Configure>(payload);
  RoundTrip<link::Work>(payload);
  RoundTrip<link::Nonce>(payload);
  RoundTrip<link::Telemetry>(payload);
  RoundTrip<link::ChipStatsRequest>(payload);
  RoundTrip<link::SetVersionMask>(payload);
  RoundTrip<link::ChipStats>(payload);
  RoundTrip<link::SetFan>(payload);
  RoundTrip<link::SetVoltage>(payload);
  RoundTrip<link::FlashErase>(payload);
  RoundTrip<link::FlashWrite>(payload);
  RoundTrip<link::FlashVerify>(payload);
  RoundTrip<link::Ack>(payload);
  RoundTrip<link::Refusal>(payload);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  link::Decoder decoder;
  for (std::size_t i = 0; i < size; ++i) {
    decoder.Push(data[i]);
    while (auto f = decoder.Next()) {
      EveryMessage(f->body());
      const auto again = link::Encode(f->type, f->sequence, f->body());
      link::Decoder check;
      for (std::uint8_t b : again.span()) {
        check.Push(b);
      }
      if (!check.Next()) {
        std::abort();
      }
    }
  }
  // The payload decoders on the raw input too (libFuzzer varies its length; decoding every
  // prefix of it here made each execution quadratic, 16 decoders x 512 prefixes).
  EveryMessage({data, size});
  // The host's session: a few requests pending, then these bytes, then time.
  link::BoardSession session;
  (void)session.Send(link::Hello{}, link::Micros(0));
  (void)session.Send(link::TelemetryRequest{}, link::Micros(0));
  (void)session.Send(link::ChipStatsRequest{0}, link::Micros(0));
  session.OnBytes({data, size}, link::Micros(1000));
  session.OnTime(link::Micros(10'000'000));
  while (session.Next()) {
  }
  if (session.pending() != 0) {
    std::abort();  // every request is answered or given up once its time is past
  }
  if (size >= hashrig::firmware::kImageHeaderSize) {
    (void)hashrig::firmware::DecodeImageHeader(
        std::span<const std::uint8_t, hashrig::firmware::kImageHeaderSize>(
            data, hashrig::firmware::kImageHeaderSize));
  }
  decoder.Expire();  // a cut frame given up: what is left still parses
  while (decoder.Next()) {
  }
  return 0;
}
