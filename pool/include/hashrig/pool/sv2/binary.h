// Stratum V2's binary encoding (binary_sv2): the data types of sv2-spec 3.3 and the frame
// header of 3.4. Every integer is little-endian on the wire, a U256 included (so a target
// people write as 0000ffff00…00 is sent ending …ffff0000). Field values live in plain C++
// types; the wire type is a tag passed beside each field (messages.h), so one description
// of a message serves encoding, decoding and the check against the spec's field tables.
//
// Decoding never trusts a length: a field that runs past the payload, a BOOL other than
// 0/1, an OPTION flag other than 0/1, a B0_32 longer than 32, bytes left after the last
// field: each is an Error naming the field, and nothing is read past the input.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hashrig/base/error.h"

namespace hashrig::pool::sv2 {

using U256 = std::array<std::uint8_t, 32>;  // as on the wire: little-endian
using Bytes = std::vector<std::uint8_t>;

// Wire-type tags (sv2-spec 3.3). kName is the spec's spelling, which the tests compare
// with its field tables; kMax is the largest length or count the type can carry.
namespace wire {
struct U8 {
  static constexpr std::string_view kName = "U8";
};
struct U16 {
  static constexpr std::string_view kName = "U16";
};
struct U24 {
  static constexpr std::string_view kName = "U24";
};
struct U32 {
  static constexpr std::string_view kName = "U32";
};
struct U64 {
  static constexpr std::string_view kName = "U64";
};
struct F32 {
  static constexpr std::string_view kName = "F32";
};
struct Bool {
  static constexpr std::string_view kName = "BOOL";
};
struct U256 {
  static constexpr std::string_view kName = "U256";
};
struct Str255 {
  static constexpr std::string_view kName = "STR0_255";
  static constexpr std::size_t kMax = 255;
};
// B0_N: a length prefix of `kPrefix` bytes, then up to kMax bytes.
template <std::size_t Max, std::size_t Prefix>
struct B {
  static constexpr std::size_t kMax = Max;
  static constexpr std::size_t kPrefix = Prefix;
};
struct B32 : B<32, 1> {
  static constexpr std::string_view kName = "B0_32";
};
struct B255 : B<255, 1> {
  static constexpr std::string_view kName = "B0_255";
};
struct B64K : B<65535, 2> {
  static constexpr std::string_view kName = "B0_64K";
};
struct B16M : B<16777215, 3> {
  static constexpr std::string_view kName = "B0_16M";
};
// SEQ0_255[T] (a 1-byte count) and SEQ0_64K[T] (a 2-byte count) of elements of type T.
template <typename T>
struct Seq255 {
  static constexpr std::size_t kMax = 255;
  static constexpr std::size_t kPrefix = 1;
  using Element = T;
};
template <typename T>
struct Seq64K {
  static constexpr std::size_t kMax = 65535;
  static constexpr std::size_t kPrefix = 2;
  using Element = T;
};
// OPTION[T]: a 0/1 byte, then T when 1.
template <typename T>
struct Option {
  using Element = T;
};
}  // namespace wire

// The spec's name of a wire type, "SEQ0_255[U256]" and "OPTION[U32]" included.
template <typename Tag>
std::string WireName() {
  if constexpr (requires { Tag::kName; }) {
    return std::string(Tag::kName);
  } else if constexpr (
      requires { typename Tag::Element; } && requires { Tag::kMax; }) {
    return std::string(Tag::kMax == 255 ? "SEQ0_255[" : "SEQ0_64K[") +
           WireName<typename Tag::Element>() + "]";
  } else {
    return "OPTION[" + WireName<typename Tag::Element>() + "]";
  }
}

// Appends fields to a payload.
class Writer {
 public:
  void Put(std::uint8_t v, wire::U8) { out_.push_back(v); }
  void Put(std::uint16_t v, wire::U16) { Le(v, 2); }
  void Put(std::uint32_t v, wire::U24) { Le(v, 3); }
  void Put(std::uint32_t v, wire::U32) { Le(v, 4); }
  void Put(std::uint64_t v, wire::U64) { Le(v, 8); }
  void Put(float v, wire::F32);
  void Put(bool v, wire::Bool) { out_.push_back(v ? 1 : 0); }
  void Put(const sv2::U256& v, wire::U256) { out_.insert(out_.end(), v.begin(), v.end()); }
  // Lengths over the type's maximum are the caller's bug: encoding refuses them with an
  // Error (Encode in messages.h), it never truncates.
  void Put(const std::string& v, wire::Str255);
  template <std::size_t Max, std::size_t Prefix>
  void Put(const Bytes& v, wire::B<Max, Prefix>) {
    Length(v.size(), Max, Prefix);
    out_.insert(out_.end(), v.begin(), v.end());
  }
  template <typename Seq, typename T>
  requires requires {
    typename Seq::Element;
    Seq::kPrefix;
  }
  void Put(const std::vector<T>& v, Seq) {
    Length(v.size(), Seq::kMax, Seq::kPrefix);
    for (const auto& e : v) {
      Put(e, typename Seq::Element{});
    }
  }
  template <typename T, typename Tag>
  void Put(const std::optional<T>& v, wire::Option<Tag>) {
    out_.push_back(v ? 1 : 0);
    if (v) {
      Put(*v, Tag{});
    }
  }

  const Bytes& bytes() const { return out_; }
  Bytes Take() { return std::move(out_); }
  // The first field that did not fit its type, or success.
  const Error& error() const { return error_; }
  void set_field(std::string_view name) { field_ = name; }

 private:
  void Le(std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) {
      out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }
  }
  void Length(std::size_t size, std::size_t max, std::size_t prefix);

  Bytes out_;
  Error error_;
  std::string_view field_;
};

// Reads fields from a payload; the first failure sticks and is reported with the field.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> in) : in_(in) {}

  void Get(std::uint8_t& v, wire::U8) { v = static_cast<std::uint8_t>(Le(1)); }
  void Get(std::uint16_t& v, wire::U16) { v = static_cast<std::uint16_t>(Le(2)); }
  void Get(std::uint32_t& v, wire::U24) { v = static_cast<std::uint32_t>(Le(3)); }
  void Get(std::uint32_t& v, wire::U32) { v = static_cast<std::uint32_t>(Le(4)); }
  void Get(std::uint64_t& v, wire::U64) { v = Le(8); }
  void Get(float& v, wire::F32);
  void Get(bool& v, wire::Bool);
  void Get(sv2::U256& v, wire::U256);
  void Get(std::string& v, wire::Str255);
  template <std::size_t Max, std::size_t Prefix>
  void Get(Bytes& v, wire::B<Max, Prefix>) {
    const std::size_t n = Le(Prefix);
    if (n > Max) {
      return Fail("length " + std::to_string(n) + ", at most " + std::to_string(Max));
    }
    const auto bytes = Take(n);
    v.assign(bytes.begin(), bytes.end());
  }
  template <typename Seq, typename T>
  requires requires {
    typename Seq::Element;
    Seq::kPrefix;
  }
  void Get(std::vector<T>& v, Seq) {
    const std::size_t n = Le(Seq::kPrefix);
    v.clear();
    // Each element takes at least one byte: a count beyond what is left is refused
    // before anything is reserved for it.
    if (!error_.ok() || n > remaining()) {
      return Fail("a count of " + std::to_string(n) + " with " + std::to_string(remaining()) +
                  " bytes left");
    }
    v.resize(n);
    for (auto& e : v) {
      Get(e, typename Seq::Element{});
    }
  }
  template <typename T, typename Tag>
  void Get(std::optional<T>& v, wire::Option<Tag>) {
    const auto flag = Le(1);
    if (flag > 1) {
      return Fail("OPTION flag " + std::to_string(flag) + " (0 or 1)");
    }
    v.reset();
    if (flag == 1) {
      T value{};
      Get(value, Tag{});
      v = value;
    }
  }

  std::size_t remaining() const { return in_.size() - at_; }
  const Error& error() const { return error_; }
  void set_field(std::string_view name) { field_ = name; }
  // After the last field: bytes left over are an error too.
  Error Finish(std::string_view message);

 private:
  std::uint64_t Le(std::size_t n);
  std::span<const std::uint8_t> Take(std::size_t n);
  void Fail(const std::string& what);

  std::span<const std::uint8_t> in_;
  std::size_t at_ = 0;
  Error error_;
  std::string_view field_;
};

// The frame header (sv2-spec 3.4): extension_type U16 whose bit 15 says the message is
// for a channel (channel_msg), msg_type U8, msg_length U24 = the payload's length.
struct FrameHeader {
  static constexpr std::size_t kSize = 6;
  static constexpr std::uint16_t kChannelBit = 0x8000;
  static constexpr std::uint32_t kMaxLength = 0xFFFFFF;

  std::uint16_t extension_type = 0;  // without the channel bit
  bool channel_msg = false;
  std::uint8_t msg_type = 0;
  std::uint32_t msg_length = 0;

  std::array<std::uint8_t, kSize> Encode() const;
  static FrameHeader Decode(std::span<const std::uint8_t, kSize> bytes);
  friend bool operator==(const FrameHeader&, const FrameHeader&) = default;
};

}  // namespace hashrig::pool::sv2
