// The curve pieces of Stratum V2's handshake against BIP324's and BIP340's own vectors
// (../shared/data/sv2/bip324, bip340, copied unmodified from bitcoin/bips) and the spec's
// authority-key example (spec_vectors.json).
#include <algorithm>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "hashrig/pool/sv2/keys.h"
#include "support/shared_data.h"

namespace hashrig::pool::sv2 {
namespace {

using testing::FromHex;
using testing::ReadFile;
using testing::ReadJson;
using testing::SharedData;
using testing::ToHex;

// Rows of a CSV file as name → value maps (these files quote nothing; a comment column
// may hold commas, so the last column takes the rest of the line).
std::vector<std::map<std::string, std::string>> Csv(std::string_view relative) {
  std::istringstream in(ReadFile(SharedData(relative)));
  std::string line;
  auto next = [&] {
    const bool ok = static_cast<bool>(std::getline(in, line));
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    return ok;
  };
  next();
  std::vector<std::string> names;
  for (std::size_t at = 0; at <= line.size();) {
    const auto comma = std::min(line.find(',', at), line.size());
    names.push_back(line.substr(at, comma - at));
    at = comma + 1;
  }
  std::vector<std::map<std::string, std::string>> rows;
  while (next()) {
    auto& row = rows.emplace_back();
    std::size_t at = 0;
    for (std::size_t i = 0; i < names.size(); ++i) {
      const auto comma =
          i + 1 == names.size() ? line.size() : std::min(line.find(',', at), line.size());
      row[names[i]] = line.substr(at, comma - at);
      at = std::min(comma + 1, line.size());
    }
  }
  return rows;
}

template <std::size_t N>
std::array<std::uint8_t, N> Fixed(const std::string& hex) {
  const auto bytes = FromHex(hex);
  std::array<std::uint8_t, N> out{};
  EXPECT_EQ(bytes.size(), N) << hex;
  std::copy_n(bytes.begin(), std::min(N, bytes.size()), out.begin());
  return out;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

TEST(Sv2KeysTest, EllSwiftDecodesEveryBip324Vector) {
  const auto rows = Csv("sv2/bip324/ellswift_decode_test_vectors.csv");
  ASSERT_EQ(rows.size(), 76u);
  for (const auto& row : rows) {
    SCOPED_TRACE(row.at("comment"));
    EXPECT_EQ(testing::ToHex(XSwiftEc(Fixed<64>(row.at("ellswift")))), row.at("x"));
  }
}

TEST(Sv2KeysTest, EllSwiftInverseGivesEveryBip324CaseAndItDecodesBack) {
  const auto rows = Csv("sv2/bip324/xswiftec_inv_test_vectors.csv");
  ASSERT_EQ(rows.size(), 32u);
  int found = 0;
  for (const auto& row : rows) {
    SCOPED_TRACE(row.at("comment"));
    const auto u = Fixed<32>(row.at("u"));
    const auto x = Fixed<32>(row.at("x"));
    for (int branch = 0; branch < 8; ++branch) {
      SCOPED_TRACE(branch);
      const std::string& expected = row.at("case" + std::to_string(branch) + "_t");
      const auto t = XSwiftEcInv(x, u, branch);
      if (expected.empty()) {
        EXPECT_FALSE(t.has_value());
        continue;
      }
      ASSERT_TRUE(t.has_value());
      EXPECT_EQ(testing::ToHex(*t), expected);
      EllSwift encoding{};
      std::copy(u.begin(), u.end(), encoding.begin());
      std::copy(t->begin(), t->end(), encoding.begin() + 32);
      EXPECT_EQ(testing::ToHex(XSwiftEc(encoding)), row.at("x"));
      ++found;
    }
  }
  EXPECT_EQ(found, 98);  // the non-empty case cells of the file
}

// BIP324's packet vectors, the columns SV2 uses (README): x(priv·G), both encodings'
// X, the x-only ECDH and v2_ecdh = the spec's ECDH().
TEST(Sv2KeysTest, Bip324EcdhVectors) {
  const auto rows = Csv("sv2/bip324/packet_encoding_test_vectors.csv");
  ASSERT_EQ(rows.size(), 7u);
  for (const auto& row : rows) {
    SCOPED_TRACE(row.at("in_idx"));
    const auto secret = Fixed<32>(row.at("in_priv_ours"));
    const auto ours = Fixed<64>(row.at("in_ellswift_ours"));
    const auto theirs = Fixed<64>(row.at("in_ellswift_theirs"));
    auto x = XOnlyPublicKey(secret);
    ASSERT_TRUE(x);
    EXPECT_EQ(testing::ToHex(*x), row.at("mid_x_ours"));
    EXPECT_EQ(testing::ToHex(XSwiftEc(ours)), row.at("mid_x_ours"));
    EXPECT_EQ(testing::ToHex(XSwiftEc(theirs)), row.at("mid_x_theirs"));
    auto shared = XOnlyEcdh(theirs, secret);
    ASSERT_TRUE(shared);
    EXPECT_EQ(testing::ToHex(*shared), row.at("mid_x_shared"));
    auto secret_hash = V2Ecdh(secret, theirs, ours, row.at("in_initiating") == "1");
    ASSERT_TRUE(secret_hash);
    EXPECT_EQ(testing::ToHex(*secret_hash), row.at("mid_shared_secret"));
  }
}

TEST(Sv2KeysTest, Bip340Vectors) {
  const auto rows = Csv("sv2/bip340/test-vectors.csv");
  ASSERT_EQ(rows.size(), 19u);
  for (const auto& row : rows) {
    SCOPED_TRACE(row.at("index") + " " + row.at("comment"));
    const auto message = FromHex(row.at("message"));
    const auto signature = Fixed<64>(row.at("signature"));
    if (!row.at("secret key").empty()) {
      const auto secret = Fixed<32>(row.at("secret key"));
      auto x = XOnlyPublicKey(secret);
      ASSERT_TRUE(x);
      EXPECT_EQ(testing::ToHex(*x), Lower(row.at("public key")));
      auto sig = SchnorrSign(secret, message, Fixed<32>(row.at("aux_rand")));
      ASSERT_TRUE(sig);
      EXPECT_EQ(testing::ToHex(*sig), Lower(row.at("signature")));
    }
    const auto key = FromHex(row.at("public key"));
    Key32 xonly{};
    std::copy_n(key.begin(), 32, xonly.begin());
    EXPECT_EQ(SchnorrVerify(xonly, message, signature), row.at("verification result") == "TRUE");
  }
}

TEST(Sv2KeysTest, AuthorityKeyBase58CheckAsTheSpecPrintsIt) {
  const auto spec = ReadJson("sv2/spec_vectors.json")["vectors"][0];
  ASSERT_EQ(spec["id"], "spec_4_7_1_authority_key");
  Key32 key{};
  const auto raw = spec["raw_ca_public_key"].get<std::vector<std::uint8_t>>();
  std::copy_n(raw.begin(), 32, key.begin());
  const std::string text = spec["prefixed_base58check"];
  EXPECT_EQ(EncodeAuthorityKey(key), text);
  auto decoded = DecodeAuthorityKey(text);
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(*decoded, key);

  const auto handshake = ReadJson("sv2/noise_vectors.json")["handshakes"][0];
  const std::string pool_text = handshake["authority_pubkey_base58check"];
  auto pool_key = DecodeAuthorityKey(pool_text);
  ASSERT_TRUE(pool_key) << pool_key.error().message();
  EXPECT_EQ(testing::ToHex(*pool_key), handshake["authority_xonly_pubkey"].get<std::string>());
  EXPECT_EQ(EncodeAuthorityKey(*pool_key), pool_text);
  auto from_secret = XOnlyPublicKey(Fixed<32>(handshake["authority_secret"]));
  ASSERT_TRUE(from_secret);
  EXPECT_EQ(*from_secret, *pool_key);

  // Every way the text can be wrong is named.
  auto error_of = [](const std::string& s) {
    auto k = DecodeAuthorityKey(s);
    return k ? std::string("accepted") : k.error().message();
  };
  std::string typo = pool_text;
  typo[10] = typo[10] == 'a' ? 'b' : 'a';
  EXPECT_NE(error_of(typo).find("bad checksum"), std::string::npos);
  EXPECT_NE(error_of(pool_text.substr(0, 40)).find("not 38"), std::string::npos);
  EXPECT_NE(error_of(pool_text + "0").find("'0' is not a base58 character"), std::string::npos);
  EXPECT_NE(error_of("").find("expected about 51"), std::string::npos);
  Key32 not_on_curve{};
  not_on_curve[31] = 5;  // x = 5: 5³ + 7 = 132 is not a square mod p
  EXPECT_NE(error_of(EncodeAuthorityKey(not_on_curve)).find("not a point on secp256k1"),
            std::string::npos);
}

TEST(Sv2KeysTest, GeneratedKeysEncodeTheirPublicKey) {
  std::uint64_t state = 42;
  const RandomSource fixed = [&](std::span<std::uint8_t> out) {
    for (auto& b : out) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      b = static_cast<std::uint8_t>(state >> 56);
    }
  };
  for (int i = 0; i < 8; ++i) {
    const KeyPair k = KeyPair::Generate(i % 2 == 0 ? fixed : RandomSource(SystemRandom));
    auto x = XOnlyPublicKey(k.secret);
    ASSERT_TRUE(x);
    EXPECT_EQ(XSwiftEc(k.ellswift), *x);
  }
  EXPECT_FALSE(KeyPair::FromSecret(Key32{}));
  // Both sides of an ECDH agree.
  const KeyPair a = KeyPair::Generate();
  const KeyPair b = KeyPair::Generate();
  EXPECT_EQ(*V2Ecdh(a.secret, b.ellswift, a.ellswift, true),
            *V2Ecdh(b.secret, a.ellswift, b.ellswift, false));
}

}  // namespace
}  // namespace hashrig::pool::sv2
