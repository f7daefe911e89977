#include "hashrig/pool/sv2/keys.h"

#include <openssl/bn.h>
#include <openssl/rand.h>
#include <secp256k1.h>
#include <secp256k1_ecdh.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "hashrig/sha256/sha256.h"

namespace hashrig::pool::sv2 {
namespace {

// ---- GF(p) on OpenSSL BIGNUM ---------------------------------------------------------

struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;

Bn New() {
  Bn b(BN_new());
  if (!b) {
    std::abort();  // out of memory
  }
  return b;
}

// The field of secp256k1, p = 2^256 - 2^32 - 977, and the few operations XSwiftEC needs.
// Every result is reduced to [0, p).
class Field {
 public:
  Field() : ctx_(BN_CTX_new(), BN_CTX_free) {
    BIGNUM* p = nullptr;
    BN_hex2bn(&p, "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F");
    p_.reset(p);
    sqrt_exp_ = New();
    BN_copy(sqrt_exp_.get(), p_.get());
    BN_add_word(sqrt_exp_.get(), 1);
    BN_rshift(sqrt_exp_.get(), sqrt_exp_.get(), 2);  // (p+1)/4: p ≡ 3 (mod 4)
    c0_ = *Sqrt(*Int(-3));                           // sqrt(-3), BIP324's MINUS_3_SQRT
  }

  Bn FromBytes(std::span<const std::uint8_t> be) const {
    Bn b = New();
    BN_bin2bn(be.data(), static_cast<int>(be.size()), b.get());
    BN_nnmod(b.get(), b.get(), p_.get(), ctx_.get());
    return b;
  }
  static Key32 ToBytes(const BIGNUM& b) {
    Key32 out{};
    BN_bn2binpad(&b, out.data(), static_cast<int>(out.size()));
    return out;
  }
  Bn Int(long v) const {
    Bn b = New();
    BN_set_word(b.get(), static_cast<BN_ULONG>(v < 0 ? -v : v));
    return v < 0 ? Neg(*b) : std::move(b);
  }
  Bn Add(const BIGNUM& a, const BIGNUM& b) const {
    Bn r = New();
    BN_mod_add(r.get(), &a, &b, p_.get(), ctx_.get());
    return r;
  }
  Bn Sub(const BIGNUM& a, const BIGNUM& b) const {
    Bn r = New();
    BN_mod_sub(r.get(), &a, &b, p_.get(), ctx_.get());
    return r;
  }
  Bn Mul(const BIGNUM& a, const BIGNUM& b) const {
    Bn r = New();
    BN_mod_mul(r.get(), &a, &b, p_.get(), ctx_.get());
    return r;
  }
  Bn Neg(const BIGNUM& a) const { return Sub(*Int(0), a); }
  // a / b; b is never 0 where XSwiftEC divides (BIP324 shows why).
  Bn Div(const BIGNUM& a, const BIGNUM& b) const {
    Bn inv = New();
    BN_mod_inverse(inv.get(), &b, p_.get(), ctx_.get());
    return Mul(a, *inv);
  }
  Bn Cube(const BIGNUM& a) const { return Mul(*Mul(a, a), a); }
  std::optional<Bn> Sqrt(const BIGNUM& a) const {
    Bn r = New();
    BN_mod_exp(r.get(), &a, sqrt_exp_.get(), p_.get(), ctx_.get());
    if (BN_cmp(Mul(*r, *r).get(), &a) != 0) {
      return std::nullopt;
    }
    return r;
  }
  // x is the X coordinate of a point: x³ + 7 is a square.
  bool ValidX(const BIGNUM& x) const { return Sqrt(*Add(*Cube(x), *Int(7))).has_value(); }
  static bool IsZero(const BIGNUM& a) { return BN_is_zero(&a) == 1; }
  static bool Equal(const BIGNUM& a, const BIGNUM& b) { return BN_cmp(&a, &b) == 0; }
  const BIGNUM& SqrtMinus3() const { return *c0_; }

 private:
  std::unique_ptr<BN_CTX, decltype(&BN_CTX_free)> ctx_;
  Bn p_;
  Bn sqrt_exp_;
  Bn c0_;
};

// ---- libsecp256k1 --------------------------------------------------------------------

const secp256k1_context* Context() {
  static secp256k1_context* const kContext = [] {
    secp256k1_context* c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    std::array<std::uint8_t, 32> seed{};
    SystemRandom(seed);
    if (secp256k1_context_randomize(c, seed.data()) != 1) {  // side-channel blinding
      std::abort();                                          // cannot fail on a new context
    }
    return c;
  }();
  return kContext;
}

Error BadSecret() {
  return Error(StatusCode::kInvalidArgument, "secret key is 0 or not below the group order");
}

Key32 TaggedHash(std::string_view tag, std::span<const std::uint8_t> data) {
  const auto tag_hash =
      sha256::Hash(std::span(reinterpret_cast<const std::uint8_t*>(tag.data()), tag.size()));
  sha256::Sha256 h;
  h.Update(tag_hash).Update(tag_hash).Update(data);
  return h.Finalize();
}

int CopyX(unsigned char* out, const unsigned char* x32, const unsigned char* /*y32*/,
          void* /*data*/) {
  std::memcpy(out, x32, 32);
  return 1;
}

constexpr std::string_view kBase58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

}  // namespace

void SystemRandom(std::span<std::uint8_t> out) {
  if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
    std::abort();  // no entropy: no key may be made
  }
}

Key32 XSwiftEc(const EllSwift& encoding) {
  const Field f;
  Bn u = f.FromBytes(std::span(encoding).first<32>());
  Bn t = f.FromBytes(std::span(encoding).last<32>());
  if (Field::IsZero(*u)) {
    u = f.Int(1);
  }
  if (Field::IsZero(*t)) {
    t = f.Int(1);
  }
  const Bn u3_7 = f.Add(*f.Cube(*u), *f.Int(7));
  if (Field::IsZero(*f.Add(*u3_7, *f.Mul(*t, *t)))) {
    t = f.Add(*t, *t);
  }
  const Bn big_x = f.Div(*f.Sub(*u3_7, *f.Mul(*t, *t)), *f.Add(*t, *t));
  const Bn big_y = f.Div(*f.Add(*big_x, *t), *f.Mul(f.SqrtMinus3(), *u));
  const Bn x1 = f.Add(*u, *f.Mul(*f.Int(4), *f.Mul(*big_y, *big_y)));
  if (f.ValidX(*x1)) {
    return Field::ToBytes(*x1);
  }
  const Bn x_over_y = f.Div(*big_x, *big_y);
  const Bn x2 = f.Div(*f.Sub(*f.Neg(*x_over_y), *u), *f.Int(2));
  if (f.ValidX(*x2)) {
    return Field::ToBytes(*x2);
  }
  const Bn x3 = f.Div(*f.Sub(*x_over_y, *u), *f.Int(2));
  return Field::ToBytes(*x3);  // BIP324: one of the three always is
}

std::optional<Key32> XSwiftEcInv(const Key32& x_bytes, const Key32& u_bytes, int branch) {
  const Field f;
  const Bn x = f.FromBytes(x_bytes);
  const Bn u = f.FromBytes(u_bytes);
  const Bn u3_7 = f.Add(*f.Cube(*u), *f.Int(7));
  Bn v;
  Bn s;
  if ((branch & 2) == 0) {
    const Bn minus_x_u = f.Sub(*f.Neg(*x), *u);
    if (f.ValidX(*minus_x_u)) {
      return std::nullopt;
    }
    v = (branch & 1) == 0 ? f.Add(*x, *f.Int(0)) : f.Add(*minus_x_u, *f.Int(0));
    const Bn denominator = f.Add(*f.Add(*f.Mul(*u, *u), *f.Mul(*u, *v)), *f.Mul(*v, *v));
    s = f.Neg(*f.Div(*u3_7, *denominator));
  } else {
    s = f.Sub(*x, *u);
    if (Field::IsZero(*s)) {
      return std::nullopt;
    }
    const Bn inner = f.Add(*f.Mul(*f.Int(4), *u3_7), *f.Mul(*f.Mul(*f.Int(3), *s), *f.Mul(*u, *u)));
    auto r = f.Sqrt(*f.Neg(*f.Mul(*s, *inner)));
    if (!r) {
      return std::nullopt;
    }
    if ((branch & 1) != 0) {
      if (Field::IsZero(**r)) {
        return std::nullopt;
      }
      *r = f.Neg(**r);
    }
    v = f.Div(*f.Add(*f.Neg(*u), *f.Div(**r, *s)), *f.Int(2));
  }
  auto w = f.Sqrt(*s);
  if (!w) {
    return std::nullopt;
  }
  if ((branch & 4) != 0) {
    *w = f.Neg(**w);
  }
  // t = w · (u·(c0 - 1)/2 - v)
  const Bn half = f.Div(*f.Sub(f.SqrtMinus3(), *f.Int(1)), *f.Int(2));
  return Field::ToBytes(*f.Mul(**w, *f.Sub(*f.Mul(*u, *half), *v)));
}

Expected<Key32> XOnlyPublicKey(const Key32& secret) {
  secp256k1_keypair keypair;
  if (secp256k1_keypair_create(Context(), &keypair, secret.data()) != 1) {
    return BadSecret();
  }
  secp256k1_xonly_pubkey pub;
  Key32 out{};
  if (secp256k1_keypair_xonly_pub(Context(), &pub, nullptr, &keypair) != 1 ||
      secp256k1_xonly_pubkey_serialize(Context(), out.data(), &pub) != 1) {
    return BadSecret();  // not reached for a keypair libsecp256k1 made
  }
  return out;
}

Expected<KeyPair> KeyPair::FromSecret(const Key32& secret, const RandomSource& random) {
  auto x = XOnlyPublicKey(secret);
  if (!x) {
    return x.error();
  }
  KeyPair out{secret, {}};
  // BIP324's XElligatorSwift: a random u and branch until the inverse exists (about
  // one try in four).
  for (;;) {
    Key32 u{};
    std::array<std::uint8_t, 1> branch{};
    random(u);
    random(branch);
    if (Field::IsZero(*Field().FromBytes(u))) {
      continue;
    }
    if (auto t = XSwiftEcInv(*x, u, branch[0] & 7)) {
      std::copy(u.begin(), u.end(), out.ellswift.begin());
      std::copy(t->begin(), t->end(), out.ellswift.begin() + 32);
      return out;
    }
  }
}

KeyPair KeyPair::Generate(const RandomSource& random) {
  for (;;) {
    Key32 secret{};
    random(secret);
    if (secp256k1_ec_seckey_verify(Context(), secret.data()) == 1) {
      return *FromSecret(secret, random);
    }
  }
}

Expected<Key32> XOnlyEcdh(const EllSwift& theirs, const Key32& secret) {
  const Key32 x = XSwiftEc(theirs);
  std::array<std::uint8_t, 33> compressed{0x02};
  std::copy(x.begin(), x.end(), compressed.begin() + 1);
  secp256k1_pubkey point;
  if (secp256k1_ec_pubkey_parse(Context(), &point, compressed.data(), compressed.size()) != 1) {
    return Error(StatusCode::kInvalidArgument, "decoded X is not on the curve");  // never
  }
  Key32 out{};
  if (secp256k1_ecdh(Context(), out.data(), &point, secret.data(), CopyX, nullptr) != 1) {
    return BadSecret();
  }
  return out;
}

Expected<Key32> V2Ecdh(const Key32& secret, const EllSwift& theirs, const EllSwift& ours,
                       bool initiating) {
  auto x = XOnlyEcdh(theirs, secret);
  if (!x) {
    return x.error();
  }
  std::array<std::uint8_t, 64 + 64 + 32> data{};
  const EllSwift& first = initiating ? ours : theirs;
  const EllSwift& second = initiating ? theirs : ours;
  std::copy(first.begin(), first.end(), data.begin());
  std::copy(second.begin(), second.end(), data.begin() + 64);
  std::copy(x->begin(), x->end(), data.begin() + 128);
  return TaggedHash("bip324_ellswift_xonly_ecdh", data);
}

Expected<Signature> SchnorrSign(const Key32& secret, std::span<const std::uint8_t> message,
                                const Key32& aux_rand) {
  secp256k1_keypair keypair;
  if (secp256k1_keypair_create(Context(), &keypair, secret.data()) != 1) {
    return BadSecret();
  }
  secp256k1_schnorrsig_extraparams extra = SECP256K1_SCHNORRSIG_EXTRAPARAMS_INIT;
  Key32 aux = aux_rand;
  extra.ndata = aux.data();
  Signature sig{};
  if (secp256k1_schnorrsig_sign_custom(Context(), sig.data(), message.data(), message.size(),
                                       &keypair, &extra) != 1) {
    return Error(StatusCode::kInvalidArgument, "BIP340 signing failed");
  }
  return sig;
}

bool SchnorrVerify(const Key32& xonly_public_key, std::span<const std::uint8_t> message,
                   const Signature& signature) {
  secp256k1_xonly_pubkey pub;
  if (secp256k1_xonly_pubkey_parse(Context(), &pub, xonly_public_key.data()) != 1) {
    return false;
  }
  return secp256k1_schnorrsig_verify(Context(), signature.data(), message.data(), message.size(),
                                     &pub) == 1;
}

std::string EncodeAuthorityKey(const Key32& xonly) {
  std::vector<std::uint8_t> data{0x01, 0x00};  // version 1, U16 little-endian
  data.insert(data.end(), xonly.begin(), xonly.end());
  const auto check = sha256::DoubleHash(data);
  data.insert(data.end(), check.begin(), check.begin() + 4);
  // Base58: repeated division of the big-endian number by 58; leading zero bytes are '1's.
  std::vector<std::uint8_t> digits;
  for (const std::uint8_t byte : data) {
    int carry = byte;
    for (auto& d : digits) {
      carry += d * 256;
      d = static_cast<std::uint8_t>(carry % 58);
      carry /= 58;
    }
    for (; carry > 0; carry /= 58) {
      digits.push_back(static_cast<std::uint8_t>(carry % 58));
    }
  }
  std::string out(
      static_cast<std::size_t>(
          std::find_if(data.begin(), data.end(), [](auto b) { return b != 0; }) - data.begin()),
      '1');
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    out.push_back(kBase58[*it]);
  }
  return out;
}

Expected<Key32> DecodeAuthorityKey(std::string_view text) {
  auto fail = [&](const std::string& why) {
    return Error(StatusCode::kInvalidArgument,
                 "authority public key '" + std::string(text.substr(0, 80)) + "': " + why);
  };
  if (text.empty() || text.size() > 64) {
    return fail("expected about 51 base58 characters");
  }
  std::vector<std::uint8_t> bytes;  // little-endian while accumulating
  for (const char c : text) {
    const auto digit = kBase58.find(c);
    if (digit == std::string_view::npos) {
      return fail(std::string("'") + c + "' is not a base58 character");
    }
    int carry = static_cast<int>(digit);
    for (auto& b : bytes) {
      carry += b * 58;
      b = static_cast<std::uint8_t>(carry & 0xff);
      carry >>= 8;
    }
    for (; carry > 0; carry >>= 8) {
      bytes.push_back(static_cast<std::uint8_t>(carry & 0xff));
    }
  }
  for (const char c : text) {
    if (c != '1') {
      break;
    }
    bytes.push_back(0);
  }
  std::reverse(bytes.begin(), bytes.end());
  if (bytes.size() != 2 + 32 + 4) {
    return fail("decodes to " + std::to_string(bytes.size()) + " bytes, not 38");
  }
  const auto check = sha256::DoubleHash(std::span(bytes).first(34));
  if (!std::equal(check.begin(), check.begin() + 4, bytes.begin() + 34)) {
    return fail("bad checksum (a mistyped character?)");
  }
  if (bytes[0] != 0x01 || bytes[1] != 0x00) {
    return fail("version " + std::to_string(bytes[0] | (bytes[1] << 8)) + ", expected 1");
  }
  Key32 key{};
  std::copy(bytes.begin() + 2, bytes.begin() + 34, key.begin());
  secp256k1_xonly_pubkey pub;
  if (secp256k1_xonly_pubkey_parse(Context(), &pub, key.data()) != 1) {
    return fail("not a point on secp256k1");
  }
  return key;
}

}  // namespace hashrig::pool::sv2
