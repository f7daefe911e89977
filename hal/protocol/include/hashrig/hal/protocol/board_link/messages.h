// The board link's messages (docs/board-link.md), each described once: a struct with
// its type, and one `Fields(f, m)` that lists its fields in wire order. The encoder and
// the decoder both walk that one list — a layout cannot be written twice and drift.
// Integers are little-endian; a decoded payload must have exactly the described size.
//
//   Encoded e = EncodeMessage(sequence, link::Work{token, header});
//   std::optional<link::Work> w = DecodeMessage<link::Work>(frame.body());
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <type_traits>

#include "hashrig/hal/protocol/board_link/frame.h"

namespace hashrig::hal::protocol::link {

// Fields are copied as they sit in memory: every target we build for is little-endian.
static_assert(std::endian::native == std::endian::little);

inline constexpr std::uint8_t kFlagHostSilence = 1;  // the chain was idled: host went silent
inline constexpr std::uint8_t kFlagTrial = 2;        // the running image is on trial
inline constexpr std::uint8_t kAutomaticFan = 255;   // SetFan: back to the thermal loop
inline constexpr std::int16_t kNoTemperature = -32768;

// Host → board.
struct Hello {
  static constexpr Type kType = Type::kHello;
  std::uint8_t protocol = kVersion;
};
struct ChainReset {
  static constexpr Type kType = Type::kChainReset;
};
struct Configure {
  static constexpr Type kType = Type::kConfigure;
  std::uint16_t frequency_quarter_mhz = 0;
  std::uint16_t core_millivolts = 0;
  float ticket_difficulty = 256;
  std::uint32_t version_mask = 0;
};
struct Work {
  static constexpr Type kType = Type::kWork;
  std::uint32_t token = 0;
  std::array<std::uint8_t, 80> header{};
};
struct TelemetryRequest {
  static constexpr Type kType = Type::kTelemetryRequest;
};
struct ChipStatsRequest {
  static constexpr Type kType = Type::kChipStatsRequest;
  std::uint8_t first = 0;
};
struct SetFan {
  static constexpr Type kType = Type::kSetFan;
  std::uint8_t percent = kAutomaticFan;
};
struct SetVoltage {
  static constexpr Type kType = Type::kSetVoltage;
  std::uint16_t millivolts = 0;
};
struct FlashErase {
  static constexpr Type kType = Type::kFlashErase;
  std::uint8_t slot = 0;
};
struct FlashWrite {
  static constexpr Type kType = Type::kFlashWrite;
  std::uint32_t offset = 0;
  std::array<std::uint8_t, 256> data{};
  std::uint16_t size = 0;  // 1..256: the rest of the payload
};
struct FlashVerify {
  static constexpr Type kType = Type::kFlashVerify;
  std::array<std::uint8_t, 32> sha256{};
};
struct FlashCommit {
  static constexpr Type kType = Type::kFlashCommit;
};
struct Reboot {
  static constexpr Type kType = Type::kReboot;
};
struct Confirm {
  static constexpr Type kType = Type::kConfirm;
};

// Board → host.
struct HelloReply {
  static constexpr Type kType = Type::kHelloReply;
  std::uint8_t protocol = kVersion;
  std::uint8_t chip_model = 3;
  std::uint8_t chips = 1;
  std::uint32_t firmware_version = 0;
  std::array<char, 16> board_model{};
  std::array<char, 16> serial{};
  std::uint32_t board_id = 0;        // images must carry this id (firmware/image.h)
  std::uint8_t running_slot = 0xFF;  // 0 A, 1 B, 0xFF no bootloader
  std::uint32_t slot_bytes = 0;      // the largest image a slot takes
};
struct Nonce {
  static constexpr Type kType = Type::kNonce;
  std::uint32_t token = 0;
  std::uint8_t chip = 0;
  std::uint8_t core = 0;
  std::uint32_t nonce = 0;
  std::uint32_t version = 0;
};
struct Telemetry {
  static constexpr Type kType = Type::kTelemetry;
  std::int16_t temperature_decidegrees = 0;  // kNoTemperature: no reading (failed)
  std::uint16_t fan_rpm = 0;
  std::uint8_t fan_percent = 0;
  std::uint16_t millivolts = 0;
  std::uint16_t milliamps = 0;
  std::uint8_t thermal_state = 0;  // ThermalState
  std::uint8_t chips_alive = 0;
  std::uint32_t nonces = 0;
  std::uint32_t hardware_errors = 0;
  std::uint8_t chain_state = 0;  // ChainState: 0 idle … 4 mining, 5 failed
  std::uint8_t flags = 0;        // kFlag* bits
  std::uint16_t frequency_quarter_mhz = 0;
  std::uint8_t stop_reason = 0;  // StopReason (chain/controller.h): why it is not mining
};
// Per-chip counters, a page of chips at a time (a request names the first chip).
struct ChipEntry {
  std::uint8_t address = 0;
  std::uint8_t alive = 1;
  std::uint32_t nonces = 0;
  std::uint32_t hardware_errors = 0;
};
inline constexpr std::size_t kChipEntrySize = 10;
inline constexpr std::size_t kChipsPerPage = (kMaxPayload - 3) / kChipEntrySize;  // 29
struct ChipStats {
  static constexpr Type kType = Type::kChipStats;
  std::uint8_t first = 0;
  std::uint8_t total = 0;  // chips on the chain
  std::uint8_t count = 0;  // entries in this page
  std::array<ChipEntry, kChipsPerPage> chips{};
};
struct Ack {
  static constexpr Type kType = Type::kAck;
  std::uint8_t acknowledged = 0;  // the Type
};
struct Refusal {
  static constexpr Type kType = Type::kError;
  std::uint8_t refused = 0;  // the Type
  std::uint8_t code = 0;     // ErrorCode
};

// The one description of each layout.
template <typename F>
void Fields(F& f, Hello& m) {
  f(m.protocol);
}
template <typename F>
void Fields(F& f, Configure& m) {
  f(m.frequency_quarter_mhz), f(m.core_millivolts), f(m.ticket_difficulty), f(m.version_mask);
}
template <typename F>
void Fields(F& f, Work& m) {
  f(m.token), f(m.header);
}
template <typename F>
void Fields(F& f, ChipStatsRequest& m) {
  f(m.first);
}
template <typename F>
void Fields(F& f, SetFan& m) {
  f(m.percent);
}
template <typename F>
void Fields(F& f, SetVoltage& m) {
  f(m.millivolts);
}
template <typename F>
void Fields(F& f, FlashErase& m) {
  f(m.slot);
}
template <typename F>
void Fields(F& f, FlashWrite& m) {
  f(m.offset), f.Rest(m.data, m.size);
}
template <typename F>
void Fields(F& f, FlashVerify& m) {
  f(m.sha256);
}
template <typename F>
void Fields(F& f, HelloReply& m) {
  f(m.protocol), f(m.chip_model), f(m.chips), f(m.firmware_version), f(m.board_model), f(m.serial),
      f(m.board_id), f(m.running_slot), f(m.slot_bytes);
}
template <typename F>
void Fields(F& f, Nonce& m) {
  f(m.token), f(m.chip), f(m.core), f(m.nonce), f(m.version);
}
template <typename F>
void Fields(F& f, Telemetry& m) {
  f(m.temperature_decidegrees), f(m.fan_rpm), f(m.fan_percent), f(m.millivolts), f(m.milliamps),
      f(m.thermal_state), f(m.chips_alive), f(m.nonces), f(m.hardware_errors), f(m.chain_state),
      f(m.flags), f(m.frequency_quarter_mhz), f(m.stop_reason);
}
template <typename F>
void Fields(F& f, ChipEntry& m) {
  f(m.address), f(m.alive), f(m.nonces), f(m.hardware_errors);
}
template <typename F>
void Fields(F& f, ChipStats& m) {
  f(m.first), f(m.total), f(m.count), f.Repeat(m.chips, m.count);
}
template <typename F>
void Fields(F& f, Ack& m) {
  f(m.acknowledged);
}
template <typename F>
void Fields(F& f, Refusal& m) {
  f(m.refused), f(m.code);
}
// Messages without a payload.
template <typename F, typename M>
requires(std::is_empty_v<M>&& requires { M::kType; }) void Fields(F&, M&) {}

// Writes fields in wire order, little-endian.
class Writer {
 public:
  template <typename T>
  void operator()(const T& v) {
    if constexpr (requires {
                    v.size();
                    v[0];
                  }) {
      for (const auto& e : v) {
        (*this)(e);
      }
    } else if constexpr (requires(T t) { Fields(*this, t); }) {
      T copy = v;
      Fields(*this, copy);
    } else {
      std::uint8_t raw[sizeof(T)];
      std::memcpy(raw, &v, sizeof(T));
      Put(raw, sizeof(T));
    }
  }
  // Variable-length tails: the first `count` elements, or the first `size` bytes.
  template <typename A>
  void Repeat(const A& array, std::size_t count) {
    for (std::size_t i = 0; i < count && i < array.size(); ++i) {
      (*this)(array[i]);
    }
  }
  template <typename A, typename N>
  void Rest(const A& array, N size) {
    Put(array.data(), size < array.size() ? size : array.size());
  }
  std::span<const std::uint8_t> span() const { return {bytes_.data(), size_}; }
  bool overflow() const { return overflow_; }

 private:
  void Put(const void* data, std::size_t size) {
    const auto* p = static_cast<const std::uint8_t*>(data);
    for (std::size_t i = 0; i < size; ++i) {
      if (size_ == bytes_.size()) {
        overflow_ = true;
        return;
      }
      bytes_[size_++] = p[i];
    }
  }
  std::array<std::uint8_t, kMaxPayload> bytes_{};
  std::size_t size_ = 0;
  bool overflow_ = false;
};

// Reads fields in wire order; Exact() is true when the payload had exactly their size.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> data) : data_(data) {}
  template <typename T>
  void operator()(T& v) {
    if constexpr (requires {
                    v.size();
                    v[0];
                  }) {
      for (auto& e : v) {
        (*this)(e);
      }
    } else if constexpr (requires { Fields(*this, v); }) {
      Fields(*this, v);
    } else {
      std::uint8_t raw[sizeof(T)] = {};
      Take(raw, sizeof(T));
      std::memcpy(&v, raw, sizeof(T));
    }
  }
  template <typename A, typename N>
  void Repeat(A& array, N count) {
    if (count > array.size()) {
      fail_ = true;
      return;
    }
    for (std::size_t i = 0; i < count; ++i) {
      (*this)(array[i]);
    }
  }
  template <typename A, typename N>
  void Rest(A& array, N& size) {
    const std::size_t left = data_.size() - at_;
    if (left == 0 || left > array.size()) {
      fail_ = true;
      return;
    }
    size = static_cast<N>(left);
    Take(array.data(), left);
  }
  bool Exact() const { return !fail_ && at_ == data_.size(); }

 private:
  void Take(void* out, std::size_t size) {
    auto* o = static_cast<std::uint8_t*>(out);
    for (std::size_t i = 0; i < size; ++i) {
      if (at_ == data_.size()) {
        fail_ = true;
        return;
      }
      o[i] = data_[at_++];
    }
  }
  std::span<const std::uint8_t> data_;
  std::size_t at_ = 0;
  bool fail_ = false;
};

template <typename M>
Encoded EncodeMessage(std::uint8_t sequence, M message) {
  Writer w;
  Fields(w, message);
  return w.overflow() ? Encoded{} : Encode(M::kType, sequence, w.span());
}

// Empty unless `payload` has exactly the message's layout.
template <typename M>
std::optional<M> DecodeMessage(std::span<const std::uint8_t> payload) {
  M message;
  Reader r(payload);
  Fields(r, message);
  if (!r.Exact()) {
    return std::nullopt;
  }
  return message;
}

}  // namespace hashrig::hal::protocol::link
