#include "hashrig/hal/board_client.h"

#include <array>

namespace hashrig::hal {

std::string FieldText(const std::array<char, 16>& field) {
  std::string out;
  for (const char c : field) {
    if (c == '\0') {
      break;
    }
    out += c;
  }
  return out;
}

BoardClient::BoardClient(std::unique_ptr<ByteLink> link) : link_(std::move(link)) {}

link::Micros BoardClient::Now() const {
  return std::chrono::duration_cast<link::Micros>(std::chrono::steady_clock::now() - epoch_);
}

void BoardClient::Collect(const link::BoardEvent& event) {
  if (const auto* n = std::get_if<link::Nonce>(&event)) {
    nonces_.push_back(*n);
  } else if (const auto* t = std::get_if<link::Telemetry>(&event)) {
    telemetry_ = *t;
  } else if (const auto* page = std::get_if<link::ChipStats>(&event)) {
    chips_.resize(page->total);
    for (std::size_t i = 0; i < page->count && page->first + i < chips_.size(); ++i) {
      chips_[page->first + i] = page->chips[i];
    }
  } else if (!std::holds_alternative<link::HelloReply>(event)) {
    answers_.push_back(event);
    if (answers_.size() > 64) {
      answers_.pop_front();  // answers to posted frames nobody waits for
    }
  }
}

Error BoardClient::Pump(std::chrono::milliseconds wait) {
  std::array<std::uint8_t, 4096> buffer{};
  std::size_t n = 0;
  Error status = link_->ReadFor(buffer, wait, n);
  session_.OnBytes(std::span(buffer.data(), n), Now());
  session_.OnTime(Now());
  while (auto event = session_.Next()) {
    Collect(*event);
  }
  return status;
}

Expected<link::Frame> BoardClient::AwaitAnswer(std::uint8_t sequence,
                                               std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    for (auto it = answers_.begin(); it != answers_.end(); ++it) {
      if (const auto* a = std::get_if<link::event::Answered>(&*it); a && a->sequence == sequence) {
        const link::Frame reply = a->reply;
        answers_.erase(it);
        return reply;
      }
      if (const auto* u = std::get_if<link::event::Unanswered>(&*it);
          u && u->sequence == sequence) {
        answers_.erase(it);
        return Error(StatusCode::kTimeout, "no answer from the board");
      }
      if (const auto* r = std::get_if<link::event::Refused>(&*it); r && r->sequence == sequence) {
        const link::ErrorCode code = r->code;
        answers_.erase(it);
        return Error(StatusCode::kFailedPrecondition,
                     std::string("the board refused it: ") + link::ToString(code));
      }
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return Error(StatusCode::kTimeout, "no answer from the board");
    }
    if (Error s = Pump(std::min(left, std::chrono::milliseconds(20))); !s.ok()) {
      return s;
    }
  }
}

Expected<link::HelloReply> BoardClient::Hello(std::chrono::milliseconds timeout) {
  auto reply = Request(link::Hello{}, timeout);
  if (!reply) {
    if (reply.error().code() == StatusCode::kTimeout) {
      return Error(StatusCode::kNotFound, "no hashrig board answered (a bare chain?)");
    }
    return reply.error();
  }
  const auto hello = link::DecodeMessage<link::HelloReply>(reply->body());
  if (reply->type != link::Type::kHelloReply || !hello) {
    return Error(StatusCode::kMismatch, "the board's hello reply does not parse");
  }
  return *hello;
}

}  // namespace hashrig::hal
