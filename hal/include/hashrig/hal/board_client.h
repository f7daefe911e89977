// The host's side of the board link (docs/board-link.md) over any ByteLink: requests
// that wait for their Ack, Error or reply (by sequence number), and a pump that collects
// what the board sends on its own — nonces and telemetry — in between. Used by
// `hashrig run` for boards running hashrig firmware, and by `hashrig flash`.
#pragma once

#include <array>
#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hashrig/hal/link.h"
#include "hashrig/hal/protocol/board_link.h"

namespace hashrig::hal {

namespace link = protocol::link;

class BoardClient {
 public:
  explicit BoardClient(std::unique_ptr<ByteLink> link) : link_(std::move(link)) {}

  // Is a hashrig board on the other end? Asks Hello and waits at most `timeout`. A link
  // to a bare chain gets no reply (the chips skip the bytes): kNotFound.
  Error Hello(std::chrono::milliseconds timeout, link::HelloReply& out);

  // Sends a request and waits for its answer: Ack or the request's reply is ok (the
  // frame in `reply` if given), Error becomes a status naming the board's error code.
  Error Request(link::Type type, std::span<const std::uint8_t> payload,
                std::chrono::milliseconds timeout, link::Frame* reply = nullptr);
  Error Request(link::Type type, std::chrono::milliseconds timeout) {
    return Request(type, {}, timeout);
  }
  // Sends without waiting; the answer is collected (and dropped) by Pump.
  Error Post(link::Type type, std::span<const std::uint8_t> payload = {});
  Error Post(const link::Encoded& encoded);  // a frame encoded by the caller (seq ignored)

  // Reads what arrived within `wait`: nonces and telemetry are kept, errors counted.
  Error Pump(std::chrono::milliseconds wait);

  std::deque<link::Nonce>& nonces() { return nonces_; }
  const std::optional<link::Telemetry>& telemetry() const { return telemetry_; }
  std::uint32_t board_errors() const { return errors_; }  // Error replies to posted frames
  std::uint32_t bad_frames() const { return decoder_.bad_frames(); }
  // Per-chip counters from the ChipStats pages received so far.
  const std::vector<link::ChipEntry>& chips() const { return chips_; }
  ByteLink& byte_link() { return *link_; }
  // Hands the link back (a probe that found no board gives it to the direct driver).
  std::unique_ptr<ByteLink> Release() { return std::move(link_); }

 private:
  std::uint8_t NextSequence();
  void Collect(const link::Frame& frame);

  std::unique_ptr<ByteLink> link_;
  link::Decoder decoder_;
  std::uint8_t sequence_ = 0;
  std::deque<link::Nonce> nonces_;
  std::optional<link::Telemetry> telemetry_;
  std::vector<link::ChipEntry> chips_;
  std::deque<link::Frame> replies_;  // answers seen while pumping, for Request
  std::uint32_t errors_ = 0;
  std::chrono::steady_clock::time_point last_rx_{};
  // A frame whose bytes stop coming for this long is given up (slow links, such as an
  // emulated UART, deliver a frame in pieces milliseconds apart).
  static constexpr std::chrono::milliseconds kFrameTimeout{200};
};

// A fixed text field of the protocol (board model, serial), up to its first NUL.
std::string FieldText(const std::array<char, 16>& field);

// "bad payload", "busy", …: the board's error code in words.
const char* Describe(link::ErrorCode code);

}  // namespace hashrig::hal
