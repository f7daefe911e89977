#include "hashrig/host/report/password.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <charconv>
#include <vector>

#include "hashrig/base/hex.h"

namespace hashrig::host {
namespace {

constexpr std::string_view kScheme = "pbkdf2-sha256";
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
constexpr int kMaxIterations = 10'000'000;  // a stored value above is refused, not run

struct Stored {
  int iterations = 0;
  std::vector<std::uint8_t> salt;
  std::vector<std::uint8_t> hash;
};

std::optional<Stored> Parse(std::string_view text) {
  std::array<std::string_view, 4> parts;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto dollar = text.find('$');
    if ((dollar == std::string_view::npos) != (i == parts.size() - 1)) {
      return std::nullopt;
    }
    parts[i] = text.substr(0, dollar);
    text = dollar == std::string_view::npos ? std::string_view() : text.substr(dollar + 1);
  }
  Stored s;
  const auto [end, ec] =
      std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), s.iterations);
  auto salt = DecodeHex(parts[2]);
  auto hash = DecodeHex(parts[3]);
  if (parts[0] != kScheme || ec != std::errc() || end != parts[1].data() + parts[1].size() ||
      s.iterations < 1 || s.iterations > kMaxIterations || !salt || salt->empty() || !hash ||
      hash->size() != kHashBytes) {
    return std::nullopt;
  }
  s.salt = std::move(*salt);
  s.hash = std::move(*hash);
  return s;
}

std::array<std::uint8_t, kHashBytes> Derive(std::string_view password,
                                            std::span<const std::uint8_t> salt, int iterations) {
  std::array<std::uint8_t, kHashBytes> out{};
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt.data(),
                    static_cast<int>(salt.size()), iterations, EVP_sha256(),
                    static_cast<int>(out.size()), out.data());
  return out;
}

}  // namespace

std::string RandomHex(std::size_t bytes) {
  std::vector<std::uint8_t> random(bytes);
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    std::abort();  // no randomness: no token may be made from anything weaker
  }
  return EncodeHex(random);
}

Expected<std::string> HashPassword(std::string_view password, int iterations) {
  if (password.empty()) {
    return Error(StatusCode::kInvalidArgument, "the password is empty");
  }
  std::vector<std::uint8_t> salt(kSaltBytes);
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) {
    return Error(StatusCode::kUnavailable, "OpenSSL gave no random bytes for the salt");
  }
  return std::string(kScheme) + "$" + std::to_string(iterations) + "$" + EncodeHex(salt) + "$" +
         EncodeHex(Derive(password, salt, iterations));
}

bool CheckPassword(std::string_view password, std::string_view stored) {
  const auto parsed = Parse(stored);
  if (!parsed) {
    return false;
  }
  const auto derived = Derive(password, parsed->salt, parsed->iterations);
  return CRYPTO_memcmp(derived.data(), parsed->hash.data(), derived.size()) == 0;
}

bool ValidPasswordHash(std::string_view stored) { return Parse(stored).has_value(); }

}  // namespace hashrig::host
