// A self-signed certificate for "localhost" / 127.0.0.1, made with OpenSSL at test time
// (no key material in the repository).
#pragma once

#include <filesystem>
#include <string>

namespace hashrig::testing {

struct TlsFiles {
  std::filesystem::path cert;  // PEM; also the CA file a client trusts
  std::filesystem::path key;
  // SHA-256 of the certificate's DER bytes as `openssl x509 -fingerprint -sha256` prints
  // it: "AB:CD:…" (what --tls-fingerprint pins).
  std::string fingerprint;
};

// Writes a fresh key and certificate under `dir`.
TlsFiles MakeSelfSignedCertificate(const std::filesystem::path& dir);

}  // namespace hashrig::testing
