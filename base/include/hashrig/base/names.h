// Names of enum values, as one table per enum instead of a switch per enum: the table is
// the single place a value's name is written, and lookups both ways share it.
// Freestanding.
//
//   inline constexpr EnumName<ChainState> kChainStateNames[] = {{ChainState::kIdle, "idle"}, …};
//   NameOf(kChainStateNames, state)          // "idle", or "?" for a value not in the table
//   ValueOf(kChainStateNames, "idle")        // the value, or empty
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace hashrig {

template <typename E>
struct EnumName {
  E value;
  const char* name;
};

template <typename E, std::size_t N>
constexpr const char* NameOf(const EnumName<E> (&table)[N], E value, const char* unknown = "?") {
  for (const EnumName<E>& entry : table) {
    if (entry.value == value) {
      return entry.name;
    }
  }
  return unknown;
}

template <typename E, std::size_t N>
constexpr std::optional<E> ValueOf(const EnumName<E> (&table)[N], std::string_view name) {
  for (const EnumName<E>& entry : table) {
    if (name == entry.name) {
      return entry.value;
    }
  }
  return std::nullopt;
}

}  // namespace hashrig
