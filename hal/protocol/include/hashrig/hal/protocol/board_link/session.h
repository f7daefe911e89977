// The host's side of the board link as an I/O-free state machine (the shape of the Stratum
// ClientSession): messages out as frames with sequence numbers; bytes and time in; what
// the board said out as events, in order — the answer to each request (matched by
// sequence), a request the board never answered, nonces, telemetry and per-chip pages.
// A thin blocking driver (hal/board_client.h) runs it over a ByteLink. Freestanding.
//
//   Encoded e = session.Send(link::TelemetryRequest{}, now);   write e.span()
//   session.OnBytes(read bytes, now);  session.OnTime(now);
//   while (auto event = session.Next()) { … }
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <variant>

#include "hashrig/hal/protocol/board_link/messages.h"

namespace hashrig::hal::protocol::link {

using Micros = std::chrono::microseconds;

namespace event {
// The board answered request `sequence` (of `request` type): Ack or its own reply.
struct Answered {
  std::uint8_t sequence = 0;
  Type request = Type::kHello;
  Frame reply;
};
// The board refused request `sequence` with `code`.
struct Refused {
  std::uint8_t sequence = 0;
  Type request = Type::kHello;
  ErrorCode code = ErrorCode::kBadPayload;
};
// No answer to request `sequence` within the request timeout.
struct Unanswered {
  std::uint8_t sequence = 0;
  Type request = Type::kHello;
};
}  // namespace event

using BoardEvent = std::variant<event::Answered, event::Refused, event::Unanswered, Nonce,
                                Telemetry, ChipStats, HelloReply>;

class BoardSession {
 public:
  static constexpr std::size_t kMaxPending = 32;

  explicit BoardSession(Micros frame_timeout = Micros(200'000),
                        Micros request_timeout = Micros(2'000'000))
      : frame_timeout_(frame_timeout), request_timeout_(request_timeout) {}

  // The message as a frame with the next sequence number (1..255; 0 is the board's own),
  // remembered until answered or timed out (after `timeout`, or the session's request
  // timeout). The oldest pending request is forgotten (reported Unanswered) when more
  // than kMaxPending wait.
  template <typename M>
  Encoded Send(const M& message, Micros now, Micros timeout = Micros(0)) {
    const std::uint8_t sequence = NextSequence();
    Track(sequence, M::kType, now + (timeout.count() > 0 ? timeout : request_timeout_));
    return EncodeMessage(sequence, message);
  }
  std::uint8_t last_sequence() const { return sequence_; }

  void OnBytes(std::span<const std::uint8_t> bytes, Micros now);
  // Gives up a frame cut short (no byte for the frame timeout) and requests the board
  // never answered (the request timeout).
  void OnTime(Micros now);
  std::optional<BoardEvent> Next();

  std::uint32_t bad_frames() const { return decoder_.bad_frames(); }
  std::uint32_t skipped_bytes() const { return decoder_.skipped_bytes(); }
  // Requests the board never answered within their timeout (each an Unanswered event).
  std::uint32_t unanswered() const { return unanswered_; }
  std::uint32_t refusals() const { return refusals_; }
  std::size_t pending() const { return pending_count_; }

 private:
  struct Pending {
    std::uint8_t sequence = 0;
    Type type = Type::kHello;
    Micros deadline{0};
    bool valid = false;
  };
  std::uint8_t NextSequence();
  void Track(std::uint8_t sequence, Type type, Micros deadline);
  void OnFrame(const Frame& frame);
  Pending* FindPending(std::uint8_t sequence);
  void Emit(const BoardEvent& event);

  Micros frame_timeout_;
  Micros request_timeout_;
  Decoder decoder_;
  Micros last_rx_{0};
  std::uint8_t sequence_ = 0;
  std::array<Pending, kMaxPending> pending_{};
  std::size_t pending_count_ = 0;
  std::array<BoardEvent, 64> events_{};
  std::size_t events_head_ = 0;
  std::size_t events_size_ = 0;
  std::uint32_t refusals_ = 0;
  std::uint32_t unanswered_ = 0;
};

}  // namespace hashrig::hal::protocol::link
