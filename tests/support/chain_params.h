// The grid the driver suites run on — every BM13xx model × chains of 1, 2, 6, 65 and 126
// chips (one chip, a pair, a Bitaxe Hex, just past 64, a full S19-class chain) — and its
// test names, e.g. "BM1370_65chips".
#pragma once

#include <string>
#include <tuple>

#include <gtest/gtest.h>

#include "hashrig/hal/protocol/bm13xx/chip.h"

namespace hashrig::testing {

using ModelAndChips = std::tuple<hal::protocol::ChipModel, int>;

inline auto ModelsAndChainLengths() {
  using hal::protocol::ChipModel;
  return ::testing::Combine(::testing::Values(ChipModel::kBm1397, ChipModel::kBm1366,
                                              ChipModel::kBm1368, ChipModel::kBm1370),
                            ::testing::Values(1, 2, 6, 65, 126));
}

inline std::string ModelAndChipsName(const ::testing::TestParamInfo<ModelAndChips>& info) {
  return std::string(hal::protocol::InfoOf(std::get<0>(info.param)).name) + "_" +
         std::to_string(std::get<1>(info.param)) + "chips";
}

}  // namespace hashrig::testing
