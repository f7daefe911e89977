#include "hashrig/hal/protocol/board_link/session.h"

namespace hashrig::hal::protocol::link {

std::uint8_t BoardSession::NextSequence() {
  sequence_ = static_cast<std::uint8_t>(sequence_ == 255 ? 1 : sequence_ + 1);
  return sequence_;
}

void BoardSession::Track(std::uint8_t sequence, Type type, Micros deadline) {
  Pending* slot = nullptr;
  Pending* oldest = &pending_[0];
  for (Pending& p : pending_) {
    if (!p.valid) {
      slot = &p;
      break;
    }
    if (p.deadline < oldest->deadline) {
      oldest = &p;
    }
  }
  if (slot == nullptr) {  // full: the oldest is given up
    Emit(event::Unanswered{oldest->sequence, oldest->type});
    slot = oldest;
    --pending_count_;
  }
  *slot = {sequence, type, deadline, true};
  ++pending_count_;
}

BoardSession::Pending* BoardSession::FindPending(std::uint8_t sequence) {
  for (Pending& p : pending_) {
    if (p.valid && p.sequence == sequence) {
      return &p;
    }
  }
  return nullptr;
}

void BoardSession::Emit(const BoardEvent& event) {
  if (events_size_ == events_.size()) {  // nobody takes them: the oldest goes
    events_head_ = (events_head_ + 1) % events_.size();
    --events_size_;
  }
  events_[(events_head_ + events_size_) % events_.size()] = event;
  ++events_size_;
}

std::optional<BoardEvent> BoardSession::Next() {
  if (events_size_ == 0) {
    return std::nullopt;
  }
  BoardEvent e = events_[events_head_];
  events_head_ = (events_head_ + 1) % events_.size();
  --events_size_;
  return e;
}

void BoardSession::OnBytes(std::span<const std::uint8_t> bytes, Micros now) {
  if (!bytes.empty()) {
    last_rx_ = now;
  }
  for (const std::uint8_t b : bytes) {
    decoder_.Push(b);
    while (auto frame = decoder_.Next()) {
      OnFrame(*frame);
    }
  }
}

void BoardSession::OnTime(Micros now) {
  if (decoder_.pending() > 0 && now - last_rx_ > frame_timeout_) {
    while (decoder_.pending() > 0) {  // quiet mid-frame: give the cut frame up
      decoder_.Expire();
      while (auto frame = decoder_.Next()) {
        OnFrame(*frame);
      }
    }
  }
  for (Pending& p : pending_) {
    if (p.valid && now > p.deadline) {
      p.valid = false;
      --pending_count_;
      ++unanswered_;
      Emit(event::Unanswered{p.sequence, p.type});
    }
  }
}

void BoardSession::OnFrame(const Frame& frame) {
  // What the board sends on its own: nonces, and telemetry when its thermal state changes.
  if (frame.type == Type::kNonce) {
    if (const auto n = DecodeMessage<Nonce>(frame.body())) {
      Emit(*n);
    }
    return;
  }
  if (frame.type == Type::kTelemetry) {
    if (const auto t = DecodeMessage<Telemetry>(frame.body())) {
      Emit(*t);
    }
  } else if (frame.type == Type::kChipStats) {
    if (const auto page = DecodeMessage<ChipStats>(frame.body())) {
      Emit(*page);
    }
  } else if (frame.type == Type::kHelloReply) {
    if (const auto hello = DecodeMessage<HelloReply>(frame.body())) {
      Emit(*hello);
    }
  }
  Pending* p = frame.sequence == 0 ? nullptr : FindPending(frame.sequence);
  if (p == nullptr) {
    return;  // unsolicited, or an answer to a request given up
  }
  p->valid = false;
  --pending_count_;
  if (frame.type == Type::kError) {
    ++refusals_;
    const auto refusal = DecodeMessage<Refusal>(frame.body());
    Emit(event::Refused{frame.sequence, p->type,
                        refusal ? static_cast<ErrorCode>(refusal->code) : ErrorCode::kBadPayload});
    return;
  }
  Emit(event::Answered{frame.sequence, p->type, frame});
}

}  // namespace hashrig::hal::protocol::link
