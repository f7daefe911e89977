#include "support/shared_data.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <fstream>
#include <sstream>

#include "hashrig/base/hex.h"
#include "hashrig/sha256/backend.h"

namespace hashrig::testing {

std::filesystem::path SharedData(std::string_view relative) {
  return std::filesystem::path(HASHRIG_SHARED_DATA_DIR) / relative;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

nlohmann::json ReadJson(std::string_view relative) {
  return nlohmann::json::parse(ReadFile(SharedData(relative)));
}

std::vector<std::uint8_t> FromHex(std::string_view hex) {
  auto bytes = DecodeHex(hex);
  if (!bytes) {
    ADD_FAILURE() << "not hex: " << hex;
    return {};
  }
  return *bytes;
}

std::string ToHex(std::span<const std::uint8_t> bytes) { return EncodeHex(bytes); }

std::vector<std::uint8_t> FromSpacedHex(std::string spaced) {
  std::erase(spaced, ' ');
  return FromHex(spaced);
}

std::vector<std::uint8_t> OpenSslSha256(const std::vector<std::uint8_t>& data) {
  std::vector<std::uint8_t> out(32);
  unsigned int len = 0;
  EXPECT_EQ(EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr), 1);
  return out;
}

std::vector<std::uint8_t> OpenSslSha256d(const std::vector<std::uint8_t>& data) {
  return OpenSslSha256(OpenSslSha256(data));
}

int CheckPoolShares(const std::string& pool_log, double difficulty) {
  int checked = 0;
  for (std::size_t at = pool_log.find(" header "); at != std::string::npos;
       at = pool_log.find(" header ", at + 1)) {
    const auto hash = OpenSslSha256d(FromHex(pool_log.substr(at + 8, 160)));
    double value = 0;  // the hash as a little-endian number
    for (std::size_t i = hash.size(); i-- > 0;) {
      value = value * 256 + hash[i];
    }
    EXPECT_LE(value, 65535.0 * 0x1p208 / difficulty) << pool_log.substr(at + 8, 160);
    ++checked;
  }
  return checked;
}

std::vector<std::string> BackendNames() {
  std::vector<std::string> names;
  for (const sha256::BackendInfo& b : sha256::Backend::List()) {
    names.emplace_back(b.name);
  }
  return names;
}

}  // namespace hashrig::testing
