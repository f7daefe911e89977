// Stratum V2's encryption (sv2-spec 4, "Protocol Security"):
// Noise_NX_Secp256k1+EllSwift_ChaChaPoly_SHA256, I/O-free.
//
//   initiator (miner)                         responder (pool)
//   Act1()  ── e (64 B, ElligatorSwift) ──▶   Act2(act1)
//   Finish(act2) ◀── e ‖ enc(s) ‖ enc(certificate) (64 + 80 + 90 = 234 B) ──
//
// The responder proves its static key with a certificate: a BIP340 signature by the
// pool's authority key over SHA-256(version ‖ valid_from ‖ not_valid_after ‖ X(s)) (all
// little-endian, X big-endian), sent as the 74-byte SignatureNoiseMessage. The initiator
// refuses the handshake if the signature is not the authority's or `now` is outside
// [valid_from, not_valid_after]. After the handshake each side has a Transport:
// ChaCha20-Poly1305 (OpenSSL) with nonce = 4 zero bytes ‖ LE64(n), n counting from 0 per
// direction with no rekey (the current spec has none). A frame is sent as its 6-byte
// header encrypted alone (22 bytes), then its payload in chunks of at most 65519 bytes,
// each encrypted with its own nonce (+16 bytes of MAC).
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <vector>

#include "hashrig/base/error.h"
#include "hashrig/pool/sv2/binary.h"
#include "hashrig/pool/sv2/keys.h"

namespace hashrig::pool::sv2 {

inline constexpr std::string_view kNoiseProtocolName =
    "Noise_NX_Secp256k1+EllSwift_ChaChaPoly_SHA256";
inline constexpr std::size_t kMacSize = 16;
inline constexpr std::size_t kAct1Size = 64;
inline constexpr std::size_t kCertificateSize = 74;
inline constexpr std::size_t kAct2Size = 64 + (64 + kMacSize) + (kCertificateSize + kMacSize);
inline constexpr std::size_t kEncryptedHeaderSize = FrameHeader::kSize + kMacSize;
inline constexpr std::size_t kMaxChunkPlaintext = 65535 - kMacSize;  // 65519

// Bytes on the wire for a payload of `plaintext` bytes (the header's 22 not counted).
std::size_t EncryptedPayloadSize(std::size_t plaintext);

// The SignatureNoiseMessage (sv2-spec 4.5.2), times in Unix seconds.
struct Certificate {
  std::uint16_t version = 0;
  std::uint32_t valid_from = 0;
  std::uint32_t not_valid_after = 0;
  Signature signature{};

  // What the authority signs for the server key whose X is `server_x`.
  Key32 MessageHash(const Key32& server_x) const;
  static Expected<Certificate> Sign(const Key32& authority_secret, const Key32& server_x,
                                    std::uint32_t valid_from, std::uint32_t not_valid_after,
                                    const Key32& aux_rand);
  // Signed by `authority` for `server_x` and valid at `now`; otherwise the reason.
  Error Check(const Key32& authority, const Key32& server_x, std::uint32_t now) const;

  std::array<std::uint8_t, kCertificateSize> Encode() const;
  static Certificate Decode(std::span<const std::uint8_t, kCertificateSize> bytes);
};

// One direction's key and nonce.
class CipherState {
 public:
  explicit CipherState(const Key32& key, std::uint64_t nonce = 0) : key_(key), nonce_(nonce) {}
  Bytes Encrypt(std::span<const std::uint8_t> ad, std::span<const std::uint8_t> plaintext);
  // An Error when the MAC does not verify: the peer or the line is not what it claims.
  Expected<Bytes> Decrypt(std::span<const std::uint8_t> ad,
                          std::span<const std::uint8_t> ciphertext);
  std::uint64_t nonce() const { return nonce_; }
  const Key32& key() const { return key_; }

 private:
  Key32 key_;
  std::uint64_t nonce_;
};

// The handshake's running hash h, chaining key ck and key k (Noise's SymmetricState).
class SymmetricState {
 public:
  SymmetricState();  // h = HASH(protocol name); ck = h; h = HASH(h) (empty prologue)
  void MixHash(std::span<const std::uint8_t> data);
  void MixKey(const Key32& input);
  Bytes EncryptAndHash(std::span<const std::uint8_t> plaintext);
  Expected<Bytes> DecryptAndHash(std::span<const std::uint8_t> ciphertext);
  // The two transport keys: initiator→responder, responder→initiator.
  std::pair<Key32, Key32> Split() const;

  const Key32& h() const { return h_; }
  const Key32& ck() const { return ck_; }
  const std::optional<CipherState>& k() const { return k_; }

 private:
  Key32 h_{};
  Key32 ck_{};
  std::optional<CipherState> k_;
};

// After the handshake: frames in and out of one connection.
class Transport {
 public:
  // Frames above this payload size are refused when read (the spec allows 16 MiB; no
  // mining message comes near 1 MiB).
  static constexpr std::uint32_t kDefaultMaxPayload = 1 << 20;

  Transport(const Key32& send_key, const Key32& receive_key,
            std::uint32_t max_payload = kDefaultMaxPayload)
      : send_(send_key), receive_(receive_key), max_payload_(max_payload) {}

  // header ‖ payload (a plain frame, as EncodeFrame makes) → its bytes on the wire.
  Expected<Bytes> Encrypt(std::span<const std::uint8_t> frame);
  // Bytes from the wire in any pieces; complete frames come out of Next(). An Error
  // (bad MAC, a frame over max_payload) is final: the connection must be closed.
  Error Feed(std::span<const std::uint8_t> bytes);
  std::optional<Bytes> Next();

  const CipherState& sending() const { return send_; }
  const CipherState& receiving() const { return receive_; }

 private:
  Error Decode();

  CipherState send_;
  CipherState receive_;
  std::uint32_t max_payload_;
  Bytes in_;
  std::optional<FrameHeader> header_;  // decrypted, its payload not yet complete
  std::deque<Bytes> frames_;
  Error failed_;
};

// The miner's side. `authority` is the pool's authority key (from its URL or config).
class NoiseInitiator {
 public:
  explicit NoiseInitiator(const Key32& authority, KeyPair ephemeral = KeyPair::Generate());
  std::array<std::uint8_t, kAct1Size> Act1();
  // Reads the pool's answer at Unix time `now`; the certificate is checked.
  Expected<Transport> Finish(std::span<const std::uint8_t> act2, std::uint32_t now);

  const SymmetricState& state() const { return state_; }
  const Certificate& certificate() const { return certificate_; }

 private:
  Key32 authority_;
  KeyPair e_;
  SymmetricState state_;
  Certificate certificate_;
};

// The pool's side: its static key and the certificate the authority signed for it.
class NoiseResponder {
 public:
  NoiseResponder(KeyPair static_key, Certificate certificate,
                 KeyPair ephemeral = KeyPair::Generate());
  // act1 → the 234-byte answer; the transport is then ready in transport().
  Expected<Bytes> Act2(std::span<const std::uint8_t> act1);
  std::optional<Transport>& transport() { return transport_; }
  const SymmetricState& state() const { return state_; }

 private:
  KeyPair s_;
  Certificate certificate_;
  KeyPair e_;
  SymmetricState state_;
  std::optional<Transport> transport_;
};

}  // namespace hashrig::pool::sv2
