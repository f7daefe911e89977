#include "hashrig/hal/board_client.h"

#include <array>

namespace hashrig::hal {

std::string FieldText(const std::array<char, 16>& field) {
  std::size_t n = 0;
  while (n < field.size() && field[n] != '\0') {
    ++n;
  }
  return {field.data(), n};
}

const char* Describe(link::ErrorCode code) {
  switch (code) {
    case link::ErrorCode::kBadPayload:
      return "bad payload";
    case link::ErrorCode::kUnknownType:
      return "unknown message type";
    case link::ErrorCode::kBusy:
      return "busy (the board is protecting the chain)";
    case link::ErrorCode::kFlash:
      return "flash operation failed";
    case link::ErrorCode::kVerifyFailed:
      return "verification failed";
  }
  return "unknown error";
}

std::uint8_t BoardClient::NextSequence() {
  sequence_ = static_cast<std::uint8_t>(sequence_ == 255 ? 1 : sequence_ + 1);  // 0: unsolicited
  return sequence_;
}

Error BoardClient::Post(link::Type type, std::span<const std::uint8_t> payload) {
  const link::Encoded e = link::Encode(type, NextSequence(), payload);
  return link_->Write(e.span());
}

Error BoardClient::Post(const link::Encoded& encoded) {
  link::Encoded e = encoded;
  if (e.size >= link::kOverhead) {  // restamp the sequence and its CRC
    return Post(static_cast<link::Type>(e.bytes[3]),
                std::span(e.bytes).subspan(7, e.size - link::kOverhead));
  }
  return {StatusCode::kInvalidArgument, "empty frame"};
}

void BoardClient::Collect(const link::Frame& frame) {
  switch (frame.type) {
    case link::Type::kNonce:
      if (const auto n = link::DecodeNonce(frame.body())) {
        nonces_.push_back(*n);
      }
      return;
    case link::Type::kTelemetry:
      if (const auto t = link::DecodeTelemetry(frame.body())) {
        telemetry_ = *t;
      }
      if (frame.sequence == 0) {
        return;  // unsolicited
      }
      break;
    case link::Type::kChipStats:
      if (const auto page = link::DecodeChipStats(frame.body())) {
        chips_.resize(page->total);
        for (std::size_t i = 0; i < page->count && page->first + i < chips_.size(); ++i) {
          chips_[page->first + i] = page->chips[i];
        }
      }
      break;
    default:
      break;
  }
  if (frame.type == link::Type::kError) {
    ++errors_;
  }
  replies_.push_back(frame);
  if (replies_.size() > 64) {
    replies_.pop_front();  // answers to posted frames nobody waits for
  }
}

Error BoardClient::Pump(std::chrono::milliseconds wait) {
  std::array<std::uint8_t, 4096> buffer{};
  std::size_t n = 0;
  Error status = link_->ReadFor(buffer, wait, n);
  for (std::size_t i = 0; i < n; ++i) {
    decoder_.Push(buffer[i]);
    while (auto frame = decoder_.Next()) {
      Collect(*frame);
    }
  }
  const auto now = std::chrono::steady_clock::now();
  if (n > 0) {
    last_rx_ = now;
  } else if (decoder_.pending() > 0 && now - last_rx_ > kFrameTimeout) {
    while (decoder_.pending() > 0) {  // quiet mid-frame: give the cut frame up
      decoder_.Expire();
      while (auto frame = decoder_.Next()) {
        Collect(*frame);
      }
    }
  }
  return status;
}

Error BoardClient::Request(link::Type type, std::span<const std::uint8_t> payload,
                           std::chrono::milliseconds timeout, link::Frame* reply) {
  const std::uint8_t sequence = NextSequence();
  const link::Encoded e = link::Encode(type, sequence, payload);
  if (Error s = link_->Write(e.span()); !s.ok()) {
    return s;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    for (auto it = replies_.begin(); it != replies_.end(); ++it) {
      if (it->sequence != sequence) {
        continue;
      }
      const link::Frame f = *it;
      replies_.erase(it);
      if (f.type == link::Type::kError) {
        const auto code =
            f.size >= 2 ? static_cast<link::ErrorCode>(f.payload[1]) : link::ErrorCode::kBadPayload;
        return {StatusCode::kFailedPrecondition,
                std::string("the board refused it: ") + Describe(code)};
      }
      if (reply != nullptr) {
        *reply = f;
      }
      return {};
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return {StatusCode::kTimeout, "no answer from the board"};
    }
    if (Error s = Pump(std::min(left, std::chrono::milliseconds(20))); !s.ok()) {
      return s;
    }
  }
}

Error BoardClient::Hello(std::chrono::milliseconds timeout, link::HelloReply& out) {
  const std::uint8_t version[] = {link::kVersion};
  link::Frame reply;
  Error s = Request(link::Type::kHello, version, timeout, &reply);
  if (s.code() == StatusCode::kTimeout) {
    return {StatusCode::kNotFound, "no hashrig board answered (a bare chain?)"};
  }
  if (!s.ok()) {
    return s;
  }
  const auto hello = link::DecodeHelloReply(reply.body());
  if (reply.type != link::Type::kHelloReply || !hello) {
    return {StatusCode::kMismatch, "the board's hello reply does not parse"};
  }
  out = *hello;
  return {};
}

}  // namespace hashrig::hal
