#include "hashrig/sha256/openssl_baseline.h"

#include <openssl/evp.h>

#include <algorithm>

namespace hashrig::sha256 {

OpenSslNonceHasher::OpenSslNonceHasher(std::span<const std::uint8_t, 80> header)
    : midstate_(EVP_MD_CTX_new()), ctx_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(midstate_, EVP_sha256(), nullptr);
  EVP_DigestUpdate(midstate_, header.data(), 64);
  std::copy(header.begin() + 64, header.end(), tail_.begin());
}

OpenSslNonceHasher::~OpenSslNonceHasher() {
  EVP_MD_CTX_free(ctx_);
  EVP_MD_CTX_free(midstate_);
}

std::array<std::uint8_t, 32> OpenSslNonceHasher::Hash(std::uint32_t nonce) {
  for (int i = 0; i < 4; ++i) {
    tail_[12 + i] = static_cast<std::uint8_t>(nonce >> (8 * i));
  }
  std::array<std::uint8_t, 32> first{};
  std::array<std::uint8_t, 32> second{};
  unsigned size = 0;
  EVP_MD_CTX_copy_ex(ctx_, midstate_);
  EVP_DigestUpdate(ctx_, tail_.data(), tail_.size());
  EVP_DigestFinal_ex(ctx_, first.data(), &size);
  EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr);
  EVP_DigestUpdate(ctx_, first.data(), first.size());
  EVP_DigestFinal_ex(ctx_, second.data(), &size);
  return second;
}

}  // namespace hashrig::sha256
