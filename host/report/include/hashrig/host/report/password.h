// The dashboard's password, kept only as a salted hash in the configuration
// (`hashrig passwd` writes it): PBKDF2-HMAC-SHA256 (OpenSSL), 16 random salt bytes,
// 200,000 iterations, stored as text "pbkdf2-sha256$ITERATIONS$SALT_HEX$HASH_HEX".
// Session tokens come from OpenSSL's RAND_bytes.
#pragma once

#include <string>
#include <string_view>

#include "hashrig/base/error.h"

namespace hashrig::host {

inline constexpr int kPasswordIterations = 200'000;

// The stored form of `password`. Errors: kInvalidArgument for an empty password.
Expected<std::string> HashPassword(std::string_view password, int iterations = kPasswordIterations);
// Whether `password` matches `stored` (compared in constant time). A `stored` text that is
// not in the form above matches nothing.
bool CheckPassword(std::string_view password, std::string_view stored);
// Whether `stored` is in the form above (a config file's value is checked at start).
bool ValidPasswordHash(std::string_view stored);
// `bytes` random bytes from OpenSSL as lower-case hex.
std::string RandomHex(std::size_t bytes);

}  // namespace hashrig::host
