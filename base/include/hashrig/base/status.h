// Errors as values for code that also runs on the MCU (STYLE R6): no heap, no exceptions.
// A Status is a code plus a static message; Result<T> carries a value or a Status. Hosted
// code wraps a Status into an Error (error.h) when it adds context.
#pragma once

#include <utility>

#include "hashrig/base/names.h"

namespace hashrig {

enum class StatusCode {
  kOk,
  kInvalidArgument,  // a value outside what the other side can take
  kBadCrc,
  kTimeout,
  kNotFound,     // e.g. no chip answered, no such file
  kMismatch,     // e.g. wrong chip id or chip count
  kUnavailable,  // link down, device gone, connection refused
  kFailedPrecondition,
  kBusy,           // refused for now (cooling down, in use)
  kPermission,     // the OS refused access
  kResourceLimit,  // a cap was hit (queue full, too many connections)
};

inline constexpr EnumName<StatusCode> kStatusCodeNames[] = {
    {StatusCode::kOk, "ok"},
    {StatusCode::kInvalidArgument, "invalid argument"},
    {StatusCode::kBadCrc, "bad CRC"},
    {StatusCode::kTimeout, "timeout"},
    {StatusCode::kNotFound, "not found"},
    {StatusCode::kMismatch, "mismatch"},
    {StatusCode::kUnavailable, "unavailable"},
    {StatusCode::kFailedPrecondition, "failed precondition"},
    {StatusCode::kBusy, "busy"},
    {StatusCode::kPermission, "permission denied"},
    {StatusCode::kResourceLimit, "resource limit"},
};
// "invalid argument", "timeout", …: the code in words.
constexpr const char* ToString(StatusCode code) { return NameOf(kStatusCodeNames, code); }

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

}  // namespace hashrig
