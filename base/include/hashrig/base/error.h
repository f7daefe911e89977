// The hosted error family (STYLE R6): an Error is a StatusCode plus a message made at run
// time that says what failed and where ("serial /dev/ttyUSB0: permission denied (add the
// user to group dialout)"); Expected<T> holds a value or an Error. Every hosted module
// (pool, hal's links, host) returns these; platform errors (errno, libusb, OpenSSL)
// become Errors at the boundary, and context is added on the way up with Context().
// A default Error is success, so functions with nothing to return give an Error.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "hashrig/base/status.h"

namespace hashrig {

class [[nodiscard]] Error {
 public:
  Error() = default;  // success
  Error(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  Error(const Status& status)  // NOLINT(google-explicit-constructor): freestanding → hosted
      : code_(status.code()), message_(status.ok() ? "" : status.message()) {}
  static Error Ok() { return {}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "what: message" — the caller says what it was doing.
  Error Context(std::string_view what) const {
    if (ok()) {
      return *this;
    }
    return {code_, std::string(what) + ": " + message_};
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : value_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Expected(Error error) : value_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  Expected(StatusCode code, std::string message) : value_(Error(code, std::move(message))) {}

  bool ok() const { return value_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() { return std::get<0>(value_); }
  const T& value() const { return std::get<0>(value_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { return std::get<1>(value_); }
  // The error, or success when there is a value.
  Error status() const { return ok() ? Error() : error(); }

 private:
  std::variant<T, Error> value_;
};

}  // namespace hashrig
