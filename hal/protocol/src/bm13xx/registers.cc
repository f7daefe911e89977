#include "hashrig/hal/protocol/bm13xx/registers.h"

#include <cmath>

namespace hashrig::hal::protocol {
namespace {

std::uint8_t Reverse(std::uint8_t b) {
  b = static_cast<std::uint8_t>((b & 0xF0) >> 4 | (b & 0x0F) << 4);
  b = static_cast<std::uint8_t>((b & 0xCC) >> 2 | (b & 0x33) << 2);
  return static_cast<std::uint8_t>((b & 0xAA) >> 1 | (b & 0x55) << 1);
}

std::uint32_t ReverseBytes(std::uint32_t v) {
  std::uint32_t out = 0;
  for (int i = 0; i < 4; ++i) {
    out |= static_cast<std::uint32_t>(Reverse(static_cast<std::uint8_t>(v >> (8 * i)))) << (8 * i);
  }
  return out;
}

std::uint32_t NextPow2(std::uint32_t v) {
  std::uint32_t p = 1;
  while (p < v) {
    p <<= 1;
  }
  return p;
}

}  // namespace

Megahertz Pll::frequency() const {
  return {kCrystalMhz * fbdiv / (static_cast<double>(refdiv) * postdiv1 * postdiv2)};
}

Megahertz Pll::vco() const { return {kCrystalMhz * fbdiv / refdiv}; }

Result<Pll> SolvePll(ChipModel model, Megahertz target) {
  const ChipInfo& info = InfoOf(model);
  Pll best;
  double best_error = 1e9;
  bool found = false;
  for (std::uint8_t refdiv : {2, 1}) {
    for (int pd1 = 7; pd1 >= 1; --pd1) {
      for (int pd2 = pd1 - 1; pd2 >= 1; --pd2) {
        const double ideal = target.value / kCrystalMhz * refdiv * pd1 * pd2;
        const auto fbdiv = static_cast<long>(std::lround(ideal));
        if (fbdiv < info.fbdiv_min || fbdiv > info.fbdiv_max) {
          continue;
        }
        const Pll candidate{static_cast<std::uint16_t>(fbdiv), refdiv,
                            static_cast<std::uint8_t>(pd1), static_cast<std::uint8_t>(pd2)};
        const double error = std::fabs(candidate.frequency().value - target.value);
        const bool better = !found || error < best_error - 1e-9 ||
                            (std::fabs(error - best_error) <= 1e-9 &&
                             (candidate.vco().value < best.vco().value ||
                              (candidate.vco().value == best.vco().value &&
                               pd1 * pd2 < best.postdiv1 * best.postdiv2)));
        if (better) {
          best = candidate;
          best_error = error;
          found = true;
        }
      }
    }
  }
  if (!found) {
    return Status(StatusCode::kInvalidArgument, "no PLL setting reaches that frequency");
  }
  return best;
}

std::uint32_t PllRegister(ChipModel model, const Pll& pll) {
  const bool minus_one = InfoOf(model).postdiv_minus_one;
  const std::uint32_t flag = (minus_one && pll.vco().value >= 2400) ? 0x50 : 0x40;
  const std::uint32_t postdiv =
      minus_one ? static_cast<std::uint32_t>((pll.postdiv1 - 1) << 4 | (pll.postdiv2 - 1))
                : static_cast<std::uint32_t>(pll.postdiv1 << 4 | pll.postdiv2);
  return flag << 24 | static_cast<std::uint32_t>(pll.fbdiv & 0xFF) << 16 |
         static_cast<std::uint32_t>(pll.refdiv) << 8 | postdiv;
}

Pll PllFromRegister(ChipModel model, std::uint32_t value) {
  const bool minus_one = InfoOf(model).postdiv_minus_one;
  Pll pll;
  pll.fbdiv = static_cast<std::uint16_t>((value >> 16) & 0xFF);
  pll.refdiv = static_cast<std::uint8_t>((value >> 8) & 0x3F);
  pll.postdiv1 = static_cast<std::uint8_t>(((value >> 4) & 0x7) + (minus_one ? 1 : 0));
  pll.postdiv2 = static_cast<std::uint8_t>((value & 0x7) + (minus_one ? 1 : 0));
  if (pll.refdiv == 0) {
    pll.refdiv = 1;
  }
  if (pll.postdiv1 == 0) {
    pll.postdiv1 = 1;
  }
  if (pll.postdiv2 == 0) {
    pll.postdiv2 = 1;
  }
  return pll;
}

std::uint32_t TicketMaskRegister(double difficulty) {
  const double d = std::ceil(difficulty < 1 ? 1 : difficulty);
  const int n = std::min(31, static_cast<int>(std::floor(std::log2(d))));
  const std::uint32_t mask = n == 0 ? 0 : (std::uint32_t{1} << n) - 1;
  return ReverseBytes(mask);
}

int TicketZeroBits(std::uint32_t register_value) {
  const std::uint32_t mask = ReverseBytes(register_value);
  int n = 0;
  while (n < 32 && ((mask >> n) & 1u) != 0) {
    ++n;
  }
  return 32 + n;
}

double TicketDifficulty(std::uint32_t register_value) {
  return std::ldexp(1.0, TicketZeroBits(register_value) - 32);
}

std::uint32_t VersionRollingRegister(std::uint32_t pool_mask) {
  return 0x90000000u | ((pool_mask >> 13) & 0xFFFFu);
}

std::uint32_t PoolMaskFromVersionRegister(std::uint32_t value) { return (value & 0xFFFFu) << 13; }

std::uint8_t BaudRegisterAddress(ChipModel model) {
  return model == ChipModel::kBm1397 ? reg::kMiscControl : reg::kFastUart;
}

std::uint32_t FastBaudRegister(ChipModel model) {
  return model == ChipModel::kBm1397 ? 0x00006031u : 0x11300200u;
}

std::uint32_t ResetBaudRegister(ChipModel model) {
  return model == ChipModel::kBm1397 ? 0x00003A01u : 0x01301A00u;
}

std::uint32_t SlowBaudRegister(ChipModel model) {
  return model == ChipModel::kBm1397 ? 0x00007A31u : ResetBaudRegister(model);
}

CommandFrame FastRateRequest(ChipModel model) {
  return BroadcastWriteFrame(BaudRegisterAddress(model), FastBaudRegister(model));
}

CommandFrame SlowRateRequest(ChipModel model) {
  return BroadcastWriteFrame(BaudRegisterAddress(model), SlowBaudRegister(model));
}

std::uint32_t ChipBaud(ChipModel model, std::uint32_t value) {
  const std::uint32_t divider = model == ChipModel::kBm1397
                                    ? ((value >> 8) & 0x1F) | ((value >> 19) & 0x1E0)
                                    : (value >> 8) & 0xFF;
  return static_cast<std::uint32_t>(25'000'000u / (8u * (divider + 1)));
}

std::uint32_t PowerOnHostBaud(ChipModel model) {
  return HostBaudFor(ChipBaud(model, ResetBaudRegister(model)));
}

bool SwitchesBaud(ChipModel model, std::uint8_t reg, std::uint32_t value) {
  return reg == BaudRegisterAddress(model) &&
         (model != ChipModel::kBm1397 || (value & 0xFF) == 0x31);
}

std::uint32_t HostBaudFor(std::uint32_t chip_baud) {
  // Standard rates within the ~4 % tolerance real links show (1,041,667 -> 1,000,000).
  for (std::uint32_t rate : {115'200u, 1'000'000u, 3'125'000u, 1'500'000u, 2'000'000u}) {
    const double ratio = static_cast<double>(chip_baud) / rate;
    if (ratio > 0.95 && ratio < 1.05) {
      return rate;
    }
  }
  return chip_baud;
}

std::uint32_t HashCountingNumber(ChipModel model, int chips, Megahertz frequency) {
  const ChipInfo& info = InfoOf(model);
  const double space = 4294967296.0 / NextPow2(info.cores) /
                       NextPow2(static_cast<std::uint32_t>(chips < 1 ? 1 : chips));
  double hcn = space * kCrystalMhz / frequency.value * 0.5;
  if (model == ChipModel::kBm1370) {
    hcn -= 268;
  }
  return static_cast<std::uint32_t>(hcn);
}

std::uint32_t EncodeCoreRegister(const CoreRegisterWrite& w) {
  return (w.all_cores ? 0x80000000u : 0u) | static_cast<std::uint32_t>(w.core) << 16 | 0x8000u |
         static_cast<std::uint32_t>(w.reg & 0x1F) << 8 | w.value;
}

CoreRegisterWrite DecodeCoreRegister(std::uint32_t word) {
  return {(word & 0x80000000u) != 0, static_cast<std::uint8_t>(word >> 16),
          static_cast<std::uint8_t>((word >> 8) & 0x1F), static_cast<std::uint8_t>(word)};
}

double CounterHashrate(std::uint32_t before, std::uint32_t after, double seconds) {
  if (seconds <= 0) {
    return 0;
  }
  const std::uint32_t delta = after - before;  // wraps as the counter does
  return static_cast<double>(delta) * 4294967296.0 / seconds;
}

std::uint32_t ChipIdRegister(ChipModel model, std::uint8_t address) {
  const ChipInfo& info = InfoOf(model);
  return static_cast<std::uint32_t>(info.chip_id) << 16 |
         static_cast<std::uint32_t>(info.core_num_byte) << 8 | address;
}

}  // namespace hashrig::hal::protocol
