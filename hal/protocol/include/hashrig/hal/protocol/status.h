// Errors as values for code that also runs on the MCU (STYLE R6): no heap, no exceptions.
// A Status is a code plus a static message; Result<T> carries a value or a Status.
#pragma once

#include <utility>

namespace hashrig::hal::protocol {

enum class StatusCode {
  kOk,
  kInvalidArgument,  // a value outside what the chip can take
  kBadCrc,
  kTimeout,
  kNotFound,     // e.g. no chip answered
  kMismatch,     // e.g. wrong chip id or chip count
  kUnavailable,  // link down, device gone
  kFailedPrecondition,
};

class [[nodiscard]] Status {
 public:
  constexpr Status() = default;
  constexpr Status(StatusCode code, const char* message) : code_(code), message_(message) {}
  static constexpr Status Ok() { return Status(); }

  constexpr bool ok() const { return code_ == StatusCode::kOk; }
  constexpr StatusCode code() const { return code_; }
  // A string literal: lives forever, safe to keep.
  constexpr const char* message() const { return message_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  const char* message_ = "ok";
};

// T must be default-constructible (it is held in place, without a union, to stay simple).
template <typename T>
class [[nodiscard]] Result {
 public:
  constexpr Result(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  constexpr Result(Status status) : status_(status) {}     // NOLINT(google-explicit-constructor)

  constexpr bool ok() const { return status_.ok(); }
  constexpr const Status& status() const { return status_; }
  constexpr const T& value() const { return value_; }
  constexpr T& value() { return value_; }
  constexpr const T& operator*() const { return value_; }
  constexpr const T* operator->() const { return &value_; }

 private:
  T value_{};
  Status status_;
};

}  // namespace hashrig::hal::protocol
