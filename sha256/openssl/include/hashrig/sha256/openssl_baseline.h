#pragma once
// OpenSSL's SHA-256 (EVP interface, OpenSSL 3) hashing a block header one nonce at a time:
// the yardstick `hashrig bench` and bench/sha256_bench measure our backends against
// (issue 17, point 2). Driven as `openssl speed -evp sha256` drives it: contexts allocated
// once and reused, the header's first 64 bytes hashed once and that midstate context
// copied per nonce. A baseline for the hash core, not a miner. Host only (links libcrypto).
#include <array>
#include <cstdint>
#include <span>

struct evp_md_ctx_st;

namespace hashrig::sha256 {

class OpenSslNonceHasher {
 public:
  // `header`: the 80-byte block header as serialised on the wire.
  explicit OpenSslNonceHasher(std::span<const std::uint8_t, 80> header);
  ~OpenSslNonceHasher();
  OpenSslNonceHasher(const OpenSslNonceHasher&) = delete;
  OpenSslNonceHasher& operator=(const OpenSslNonceHasher&) = delete;

  // sha256d of the header with `nonce` written at bytes 76..79 (little-endian, as on the
  // wire): the 32-byte digest in hash byte order (the block hash reversed for display).
  std::array<std::uint8_t, 32> Hash(std::uint32_t nonce);

 private:
  evp_md_ctx_st* midstate_;
  evp_md_ctx_st* ctx_;
  std::array<std::uint8_t, 16> tail_{};
};

}  // namespace hashrig::sha256
