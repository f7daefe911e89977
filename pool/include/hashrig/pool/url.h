// Pool URLs as miners write them: stratum+tcp://host:port, stratum+ssl:// or
// stratum+tls:// for TLS, a bare host:port meaning TCP, and cgminer's "#xnsub" suffix
// asking for mining.extranonce.subscribe. Stratum V2: stratum2+tcp://host:port/KEY, KEY
// being the pool's authority public key in base58check (sv2-spec 4.7.1), checked here.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "hashrig/base/error.h"

namespace hashrig::pool {

// Stratum V2's port when the URL names none (the one SRI's pools and proxies use).
inline constexpr std::uint16_t kDefaultSv2Port = 34254;

struct PoolUrl {
  std::string host;
  std::uint16_t port = 3333;
  bool tls = false;
  bool extranonce_subscribe = false;
  bool sv2 = false;           // stratum2+tcp: Stratum V2 over Noise
  std::string authority_key;  // sv2: the base58check text, as given

  std::string ToString() const;
};

Expected<PoolUrl> ParsePoolUrl(std::string_view text);

// A pinned TLS certificate: the SHA-256 of the pool certificate's DER bytes, as
// `openssl x509 -noout -fingerprint -sha256` prints it (64 hex digits; colons and case
// as you like). Errors: kInvalidArgument naming the text.
using CertificateFingerprint = std::array<std::uint8_t, 32>;
Expected<CertificateFingerprint> ParseCertificateFingerprint(std::string_view text);

}  // namespace hashrig::pool
