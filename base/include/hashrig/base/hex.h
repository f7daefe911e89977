// Hex as Stratum, the board tools and our test data write it. Decoding is strict: an
// odd length or a non-hex character is an error, never a silently shortened byte string
// (a truncated coinbase looks healthy and has every share rejected). Header-only and
// hosted (std::string, std::vector).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hashrig {

namespace hex_detail {
inline constexpr char kDigits[] = "0123456789abcdef";
constexpr int Nibble(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}
}  // namespace hex_detail

inline std::optional<std::vector<std::uint8_t>> DecodeHex(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return std::nullopt;
  }
  std::vector<std::uint8_t> out(hex.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = hex_detail::Nibble(hex[2 * i]);
    const int lo = hex_detail::Nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return std::nullopt;
    }
    out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return out;
}

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

// Exactly 8 hex characters, read as a big-endian u32 (Stratum's notify version/nbits/ntime,
// submit ntime/nonce/version bits).
inline std::optional<std::uint32_t> ParseHex32(std::string_view hex) {
  if (hex.size() != 8) {
    return std::nullopt;
  }
  std::uint32_t value = 0;
  for (const char c : hex) {
    const int n = hex_detail::Nibble(c);
    if (n < 0) {
      return std::nullopt;
    }
    value = value << 4 | static_cast<std::uint32_t>(n);
  }
  return value;
}

// Lower-case hex, two characters a byte.
inline std::string EncodeHex(std::span<const std::uint8_t> bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const std::uint8_t b : bytes) {
    out.push_back(hex_detail::kDigits[b >> 4]);
    out.push_back(hex_detail::kDigits[b & 15]);
  }
  return out;
}

// 8 lower-case hex characters of the big-endian value.
inline std::string FormatHex32(std::uint32_t value) {
  std::string out(8, '0');
  for (int i = 7; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = hex_detail::kDigits[value & 15];
    value >>= 4;
  }
  return out;
}

}  // namespace hashrig
