// The board link's messages (docs/board-link.md), each described once: a struct with
// its type, and one `Fields(f)` member that lists its fields in wire order. The encoder and
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
  template <typename F>
  void Fields(F& f) {
    f(protocol);
  }
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
  template <typename F>
  void Fields(F& f) {
    f(frequency_quarter_mhz), f(core_millivolts), f(ticket_difficulty), f(version_mask);
  }
};
struct Work {
  static constexpr Type kType = Type::kWork;
  std::uint32_t token = 0;
  std::array<std::uint8_t, 80> header{};
  template <typename F>
  void Fields(F& f) {
    f(token), f(header);
  }
};
// The pool's version mask changed while mining (BIP310 mining.set_version_mask, or a pool
// that never answered mining.configure: 0): the chips roll within it from the next Work on.
struct SetVersionMask {
  static constexpr Type kType = Type::kSetVersionMask;
  std::uint32_t version_mask = 0;
  template <typename F>
  void Fields(F& f) {
    f(version_mask);
  }
};
struct TelemetryRequest {
  static constexpr Type kType = Type::kTelemetryRequest;
};
struct ChipStatsRequest {
  static constexpr Type kType = Type::kChipStatsRequest;
  std::uint8_t first = 0;
  template <typename F>
  void Fields(F& f) {
    f(first);
  }
};
struct SetFan {
  static constexpr Type kType = Type::kSetFan;
  std::uint8_t percent = kAutomaticFan;
  template <typename F>
  void Fields(F& f) {
    f(percent);
  }
};
struct SetVoltage {
  static constexpr Type kType = Type::kSetVoltage;
  std::uint16_t millivolts = 0;
  template <typename F>
  void Fields(F& f) {
    f(millivolts);
  }
};
struct FlashErase {
  static constexpr Type kType = Type::kFlashErase;
  std::uint8_t slot = 0;
  template <typename F>
  void Fields(F& f) {
    f(slot);
  }
};
struct FlashWrite {
  static constexpr Type kType = Type::kFlashWrite;
  std::uint32_t offset = 0;
  std::array<std::uint8_t, 256> data{};
  std::uint16_t size = 0;  // 1..256: the rest of the payload
  template <typename F>
  void Fields(F& f) {
    f(offset), f.Rest(data, size);
  }
};
struct FlashVerify {
  static constexpr Type kType = Type::kFlashVerify;
  std::array<std::uint8_t, 32> sha256{};
  template <typename F>
  void Fields(F& f) {
    f(sha256);
  }
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
  template <typename F>
  void Fields(F& f) {
    f(protocol), f(chip_model), f(chips), f(firmware_version), f(board_model), f(serial),
        f(board_id), f(running_slot), f(slot_bytes);
  }
};
struct Nonce {
  static constexpr Type kType = Type::kNonce;
  std::uint32_t token = 0;
  std::uint8_t chip = 0;
  std::uint8_t core = 0;
  std::uint32_t nonce = 0;
  std::uint32_t version = 0;
  template <typename F>
  void Fields(F& f) {
    f(token), f(chip), f(core), f(nonce), f(version);
  }
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
  template <typename F>
  void Fields(F& f) {
    f(temperature_decidegrees), f(fan_rpm), f(fan_percent), f(millivolts), f(milliamps),
        f(thermal_state), f(chips_alive), f(nonces), f(hardware_errors), f(chain_state), f(flags),
        f(frequency_quarter_mhz), f(stop_reason);
  }
};
// Per-chip counters, a page of chips at a time (a request names the first chip).
struct ChipEntry {
  std::uint8_t address = 0;
  std::uint8_t alive = 1;
  std::uint32_t nonces = 0;
  std::uint32_t hardware_errors = 0;
  template <typename F>
  void Fields(F& f) {
    f(address), f(alive), f(nonces), f(hardware_errors);
  }
};
inline constexpr std::size_t kChipEntrySize = 10;
inline constexpr std::size_t kChipsPerPage = (kMaxPayload - 3) / kChipEntrySize;  // 29
struct ChipStats {
  static constexpr Type kType = Type::kChipStats;
  std::uint8_t first = 0;
  std::uint8_t total = 0;  // chips on the chain
  std::uint8_t count = 0;  // entries in this page
  std::array<ChipEntry, kChipsPerPage> chips{};
  template <typename F>
  void Fields(F& f) {
    f(first), f(total), f(count), f.Repeat(chips, count);
  }
};
struct Ack {
  static constexpr Type kType = Type::kAck;
  std::uint8_t acknowledged = 0;  // the Type
  template <typename F>
  void Fields(F& f) {
    f(acknowledged);
  }
};
struct Refusal {
  static constexpr Type kType = Type::kError;
  std::uint8_t refused = 0;  // the Type
  std::uint8_t code = 0;     // ErrorCode
  template <typename F>
  void Fields(F& f) {
    f(refused), f(code);
  }
};

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
    } else if constexpr (requires(T t) { t.Fields(*this); }) {
      T copy = v;
      copy.Fields(*this);
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
    } else if constexpr (requires { v.Fields(*this); }) {
      v.Fields(*this);
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
  if constexpr (requires { message.Fields(w); }) {  // messages without a payload have none
    message.Fields(w);
  }
  return w.overflow() ? Encoded{} : Encode(M::kType, sequence, w.span());
}

// Empty unless `payload` has exactly the message's layout.
template <typename M>
std::optional<M> DecodeMessage(std::span<const std::uint8_t> payload) {
  M message;
  Reader r(payload);
  if constexpr (requires { message.Fields(r); }) {
    message.Fields(r);
  }
  if (!r.Exact()) {
    return std::nullopt;
  }
  return message;
}

}  // namespace hashrig::hal::protocol::link
