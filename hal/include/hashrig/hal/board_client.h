// The host's side of the board link (docs/board-link.md) over any ByteLink: a thin
// blocking driver around the I/O-free BoardSession (hal/protocol/board_link/session.h).
// Requests wait for their answer; Post sends without waiting; Pump keeps what the board
// sends on its own — nonces, the latest Telemetry, the per-chip pages — in between. Used
// by `hashrig run` for boards running hashrig firmware, and by `hashrig flash`.
#pragma once

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hashrig/hal/link.h"
#include "hashrig/hal/protocol/board_link/session.h"

namespace hashrig::hal {

namespace link = protocol::link;

class BoardClient {
 public:
  explicit BoardClient(std::unique_ptr<ByteLink> link);

  // Is a hashrig board on the other end? Asks Hello and waits at most `timeout`. A link
  // to a bare chain gets no reply (the chips skip the bytes): kNotFound.
  Expected<link::HelloReply> Hello(std::chrono::milliseconds timeout);

  // Sends a request and waits for its answer: Ack or the request's reply is ok (its
  // frame), Error becomes kFailedPrecondition naming the board's error code.
  template <typename M>
  Expected<link::Frame> Request(const M& message, std::chrono::milliseconds timeout) {
    const link::Encoded e = session_.Send(message, Now(), timeout);
    if (Error s = link_->Write(e.span()); !s.ok()) {
      return s;
    }
    return AwaitAnswer(session_.last_sequence(), timeout);
  }
  // Sends without waiting; the answer is collected (and dropped) by Pump.
  template <typename M>
  Error Post(const M& message) {
    return link_->Write(session_.Send(message, Now()).span());
  }

  // Reads what arrived within `wait`: nonces and telemetry are kept, refusals counted.
  Error Pump(std::chrono::milliseconds wait);

  std::deque<link::Nonce>& nonces() { return nonces_; }
  const std::optional<link::Telemetry>& telemetry() const { return telemetry_; }
  std::uint32_t board_errors() const { return session_.refusals(); }
  std::uint32_t bad_frames() const { return session_.bad_frames(); }
  std::uint32_t skipped_bytes() const { return session_.skipped_bytes(); }
  std::uint32_t unanswered() const { return session_.unanswered(); }
  // Per-chip counters from the ChipStats pages received so far.
  const std::vector<link::ChipEntry>& chips() const { return chips_; }
  ByteLink& byte_link() { return *link_; }
  // Hands the link back (a probe that found no board gives it to the direct driver).
  std::unique_ptr<ByteLink> Release() { return std::move(link_); }

 private:
  link::Micros Now() const;
  Expected<link::Frame> AwaitAnswer(std::uint8_t sequence, std::chrono::milliseconds timeout);
  void Collect(const link::BoardEvent& event);

  std::unique_ptr<ByteLink> link_;
  link::BoardSession session_;
  std::chrono::steady_clock::time_point epoch_ = std::chrono::steady_clock::now();
  // Posted frames' answers are not awaited: they are dropped after the session's default.
  std::deque<link::Nonce> nonces_;
  std::optional<link::Telemetry> telemetry_;
  std::vector<link::ChipEntry> chips_;
  std::deque<link::BoardEvent> answers_;  // answers seen while pumping, for AwaitAnswer
};

// A fixed text field of the protocol (board model, serial), up to its first NUL.
std::string FieldText(const std::array<char, 16>& field);

}  // namespace hashrig::hal
