// Private to avalon/: a packet of a kind checked against the generation's type table,
// and BE32 words at data[4 x i].
#pragma once

#include <cstddef>
#include <cstdint>

#include "hashrig/base/status.h"
#include "hashrig/hal/protocol/avalon/generation.h"
#include "hashrig/hal/protocol/avalon/packet.h"
#include "hashrig/hal/protocol/le.h"

namespace hashrig::hal::protocol::avalon::detail {

inline constexpr Status kNoSuchType{StatusCode::kInvalidArgument,
                                    "this Avalon generation has no such packet"};
inline constexpr Status kWrongType{StatusCode::kMismatch, "not the Avalon packet expected"};

// A zeroed packet of `kind`, or empty if `generation` has no such packet.
inline std::optional<Packet> Blank(Generation generation, Kind kind, std::uint8_t idx = 1,
                                   std::uint8_t cnt = 1) {
  const auto type = TypeOf(generation, kind);
  if (!type) {
    return std::nullopt;
  }
  Packet p;
  p.type = *type;
  p.idx = idx;
  p.cnt = cnt;
  return p;
}

// Whether `packet` is a `kind` of `generation`.
inline bool Is(Generation generation, Kind kind, const Packet& packet) {
  const auto type = TypeOf(generation, kind);
  return type && *type == packet.type;
}

inline std::uint32_t Word(const Packet& p, std::size_t i) { return LoadBe32(&p.data[4 * i]); }
inline void SetWord(Packet& p, std::size_t i, std::uint32_t v) { StoreBe32(&p.data[4 * i], v); }

}  // namespace hashrig::hal::protocol::avalon::detail
