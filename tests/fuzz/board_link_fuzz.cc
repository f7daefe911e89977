// libFuzzer: arbitrary bytes into the board-link decoder, every payload decoder and the
// firmware image header; decoded frames must re-encode to frames that decode again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "hashrig/firmware/image.h"
#include "hashrig/hal/protocol/board_link/messages.h"

namespace link = hashrig::hal::protocol::link;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  link::Decoder decoder;
  for (std::size_t i = 0; i < size; ++i) {
    decoder.Push(data[i]);
    while (auto f = decoder.Next()) {
      (void)link::DecodeHelloReply(f->body());
      (void)link::DecodeConfigure(f->body());
      (void)link::DecodeWork(f->body());
      (void)link::DecodeNonce(f->body());
      (void)link::DecodeTelemetry(f->body());
      (void)link::DecodeFlashWrite(f->body());
      if (const auto page = link::DecodeChipStats(f->body())) {
        if (link::DecodeChipStats(link::EncodeChipStats(0, *page).span().subspan(7, f->size))
                ->count != page->count) {
          std::abort();
        }
      }
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
  for (std::size_t cut = 0; cut <= size && cut < 512; ++cut) {  // payload decoders on raw slices
    (void)link::DecodeWork({data, cut});
    (void)link::DecodeFlashWrite({data, cut});
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
