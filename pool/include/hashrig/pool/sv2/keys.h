// The secp256k1 pieces Stratum V2's handshake needs (sv2-spec 4.3-4.4, 4.7):
//   - ElligatorSwift (BIP324): a public key travels as 64 bytes u‖t that look random;
//     XSwiftEC decodes them to an X coordinate, XSwiftECInv finds a t for a chosen u;
//   - x-only ECDH and BIP324's v2_ecdh, the spec's ECDH();
//   - BIP340 Schnorr signatures over the pool's certificate;
//   - the authority key's base58check text (4.7.1).
// Curve arithmetic, ECDH and Schnorr are Debian's libsecp256k1 0.2; it has no
// ElligatorSwift (0.4 has), so XSwiftEC and its inverse are written here, on OpenSSL's
// BIGNUM field arithmetic (variable time: the ellswift encoding of a key is public, and
// the one secret-dependent step, x = X(secret·G), is libsecp256k1's). Byte order: every
// 32-byte number (secret keys, X coordinates, u, t) is big-endian, as BIP324/BIP340 write
// them. Thread-safe: the libsecp256k1 context is created once and only read.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "hashrig/base/error.h"

namespace hashrig::pool::sv2 {

using Key32 = std::array<std::uint8_t, 32>;      // a secret key, an X coordinate, a hash
using EllSwift = std::array<std::uint8_t, 64>;   // u ‖ t, BIP324's encoding of a public key
using Signature = std::array<std::uint8_t, 64>;  // BIP340
using RandomSource = std::function<void(std::span<std::uint8_t>)>;

// OpenSSL's RAND_bytes (aborts the process if the system has no entropy to give).
void SystemRandom(std::span<std::uint8_t> out);

// BIP324 XSwiftEC(u, t): the X coordinate an encoding stands for. Every 64 bytes decode
// (u or t = 0 or ≥ p included), so this cannot fail.
Key32 XSwiftEc(const EllSwift& encoding);
// BIP324 XSwiftECInv(x, u, case), case 0..7: a t with XSwiftEC(u, t) = x, or none.
std::optional<Key32> XSwiftEcInv(const Key32& x, const Key32& u, int branch);

// A key pair as the handshake uses it: the secret and the 64-byte encoding sent for its
// public key (any valid encoding works; Generate draws a random one).
struct KeyPair {
  Key32 secret{};
  EllSwift ellswift{};

  // A random secret and encoding from `random` (SystemRandom unless a test fixes it).
  static KeyPair Generate(const RandomSource& random = SystemRandom);
  // The encoding of this secret's public key with a random u; an Error for a secret
  // that is 0 or ≥ the group order.
  static Expected<KeyPair> FromSecret(const Key32& secret,
                                      const RandomSource& random = SystemRandom);
};

// X(secret·G), and whether its Y is odd; an Error for a secret out of range.
Expected<Key32> XOnlyPublicKey(const Key32& secret);
// X(secret·P) for the P whose X the encoding gives (ellswift_ecdh_xonly).
Expected<Key32> XOnlyEcdh(const EllSwift& theirs, const Key32& secret);
// BIP324 v2_ecdh = sv2-spec 4.4.2 ECDH(): the tagged hash "bip324_ellswift_xonly_ecdh"
// of ell_initiator ‖ ell_responder ‖ x-only shared secret.
Expected<Key32> V2Ecdh(const Key32& secret, const EllSwift& theirs, const EllSwift& ours,
                       bool initiating);

// BIP340 over a message of any length; `aux_rand` as BIP340 defines it.
Expected<Signature> SchnorrSign(const Key32& secret, std::span<const std::uint8_t> message,
                                const Key32& aux_rand);
bool SchnorrVerify(const Key32& xonly_public_key, std::span<const std::uint8_t> message,
                   const Signature& signature);

// sv2-spec 4.7.1: base58check of version U16 LE (1) ‖ the 32-byte x-only key, checksum
// sha256d[:4]. Decoding names what is wrong (character, checksum, version, length).
std::string EncodeAuthorityKey(const Key32& xonly);
Expected<Key32> DecodeAuthorityKey(std::string_view text);

}  // namespace hashrig::pool::sv2
