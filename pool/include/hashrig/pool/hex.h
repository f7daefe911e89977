// Hex as Stratum writes it. Decoding is strict: an odd length or a non-hex character is
// an error, never a silently shortened byte string (a truncated coinbase looks healthy
// and has every share rejected).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hashrig::pool {

std::optional<std::vector<std::uint8_t>> DecodeHex(std::string_view hex);

// Exactly 2*N hex characters into N bytes.
template <std::size_t N>
std::optional<std::array<std::uint8_t, N>> DecodeHexArray(std::string_view hex) {
  if (hex.size() != 2 * N) {
    return std::nullopt;
  }
  auto bytes = DecodeHex(hex);
  if (!bytes) {
    return std::nullopt;
  }
  std::array<std::uint8_t, N> out{};
  for (std::size_t i = 0; i < N; ++i) {
    out[i] = (*bytes)[i];
  }
  return out;
}

// Exactly 8 hex characters, read as a big-endian u32 (notify version/nbits/ntime,
// submit ntime/nonce/version bits).
std::optional<std::uint32_t> ParseHex32(std::string_view hex);

std::string EncodeHex(std::span<const std::uint8_t> bytes);
// 8 lower-case hex characters of the big-endian value.
std::string FormatHex32(std::uint32_t value);

}  // namespace hashrig::pool
