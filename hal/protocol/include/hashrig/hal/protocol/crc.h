// The CRCs of the chip protocols: BM13xx (reference bm13xx-protocol.md §1.4, §1.5), Avalon.
//   CRC5: poly x^5+x^2+1, init 0x1F, MSB first, no reflection, no final XOR. Commands carry
//         it over bytes 2..n-2; responses over everything after the preamble including
//         the 3 TYPE bits of the last byte, so a valid response leaves residual 0.
//   CRC16: CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF), over bytes 2..n-3 of a job,
//          appended MSB first.
//   CRC-16/XMODEM: the same polynomial with init 0x0000 (check "123456789" = 0x31C3): Canaan's
//          Avalon MM packets over their 32 data bytes, and Avalon's job tag over the Stratum
//          job id (reference avalon-protocol.md §3.2).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace hashrig::hal::protocol {

// CRC5 over the first `bits` bits of `data` (MSB first).
std::uint8_t Crc5Bits(std::span<const std::uint8_t> data, std::size_t bits);
inline std::uint8_t Crc5(std::span<const std::uint8_t> data) {
  return Crc5Bits(data, data.size() * 8);
}
std::uint16_t Crc16False(std::span<const std::uint8_t> data);
std::uint16_t Crc16Xmodem(std::span<const std::uint8_t> data);

}  // namespace hashrig::hal::protocol
