#include "hashrig/pool/sv2/noise.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "hashrig/sha256/sha256.h"

namespace hashrig::pool::sv2 {
namespace {

Key32 Hmac(const Key32& key, std::span<const std::uint8_t> data) {
  Key32 out{};
  unsigned int size = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data.data(), data.size(),
           out.data(), &size) == nullptr) {
    std::abort();  // OpenSSL out of memory
  }
  return out;
}

// Noise's HKDF with two outputs (RFC 5869 over HMAC-SHA256, salt = ck).
std::pair<Key32, Key32> Hkdf(const Key32& ck, std::span<const std::uint8_t> input) {
  const Key32 temp = Hmac(ck, input);
  const std::array<std::uint8_t, 1> one{1};
  const Key32 out1 = Hmac(temp, one);
  std::array<std::uint8_t, 33> second{};
  std::copy(out1.begin(), out1.end(), second.begin());
  second[32] = 2;
  return {out1, Hmac(temp, second)};
}

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

std::array<std::uint8_t, 12> Nonce(std::uint64_t n) {
  std::array<std::uint8_t, 12> iv{};
  for (int i = 0; i < 8; ++i) {
    iv[4 + i] = static_cast<std::uint8_t>(n >> (8 * i));
  }
  return iv;
}

// ChaCha20-Poly1305 (RFC 8439) one shot; returns false when the tag does not verify.
bool ChaChaPoly(bool encrypt, const Key32& key, std::uint64_t n, std::span<const std::uint8_t> ad,
                std::span<const std::uint8_t> in, Bytes& out) {
  std::unique_ptr<EVP_CIPHER_CTX, CtxFree> ctx(EVP_CIPHER_CTX_new());
  const auto iv = Nonce(n);
  const std::size_t body = encrypt ? in.size() : in.size() - kMacSize;
  out.assign(body + (encrypt ? kMacSize : 0), 0);
  int len = 0;
  bool ok = ctx && EVP_CipherInit_ex(ctx.get(), EVP_chacha20_poly1305(), nullptr, key.data(),
                                     iv.data(), encrypt ? 1 : 0) == 1;
  if (ok && !encrypt) {
    ok = EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, kMacSize,
                             const_cast<std::uint8_t*>(in.data() + body)) == 1;  // NOLINT
  }
  ok = ok && (ad.empty() || EVP_CipherUpdate(ctx.get(), nullptr, &len, ad.data(),
                                             static_cast<int>(ad.size())) == 1);
  ok = ok && (body == 0 || EVP_CipherUpdate(ctx.get(), out.data(), &len, in.data(),
                                            static_cast<int>(body)) == 1);
  ok = ok && EVP_CipherFinal_ex(ctx.get(), out.data() + body, &len) == 1;
  if (ok && encrypt) {
    ok = EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, kMacSize, out.data() + body) == 1;
  }
  return ok;
}

Error HandshakeError(const std::string& what) {
  return Error(StatusCode::kPermission, "Noise handshake: " + what);
}

}  // namespace

std::size_t EncryptedPayloadSize(std::size_t plaintext) {
  const std::size_t chunks = (plaintext + kMaxChunkPlaintext - 1) / kMaxChunkPlaintext;
  return plaintext + chunks * kMacSize;
}

// ---- Certificate ---------------------------------------------------------------------

Key32 Certificate::MessageHash(const Key32& server_x) const {
  Bytes m;
  Writer w;
  w.Put(version, wire::U16{});
  w.Put(valid_from, wire::U32{});
  w.Put(not_valid_after, wire::U32{});
  m = w.Take();
  m.insert(m.end(), server_x.begin(), server_x.end());
  return sha256::Hash(m);
}

Expected<Certificate> Certificate::Sign(const Key32& authority_secret, const Key32& server_x,
                                        std::uint32_t valid_from, std::uint32_t not_valid_after,
                                        const Key32& aux_rand) {
  Certificate c;
  c.valid_from = valid_from;
  c.not_valid_after = not_valid_after;
  auto sig = SchnorrSign(authority_secret, c.MessageHash(server_x), aux_rand);
  if (!sig) {
    return sig.error().Context("authority key");
  }
  c.signature = *sig;
  return c;
}

Error Certificate::Check(const Key32& authority, const Key32& server_x, std::uint32_t now) const {
  if (version != 0) {
    return HandshakeError("certificate version " + std::to_string(version) + " (we know 0)");
  }
  if (!SchnorrVerify(authority, MessageHash(server_x), signature)) {
    return HandshakeError(
        "the pool's certificate is not signed by the authority key we were given (wrong key "
        "in the URL, or not the pool we meant to reach)");
  }
  if (now < valid_from) {
    return HandshakeError("the pool's certificate is not valid yet (valid from " +
                          std::to_string(valid_from) + ", now " + std::to_string(now) +
                          "; is this clock right?)");
  }
  if (now > not_valid_after) {
    return HandshakeError("the pool's certificate expired (valid until " +
                          std::to_string(not_valid_after) + ", now " + std::to_string(now) + ")");
  }
  return {};
}

std::array<std::uint8_t, kCertificateSize> Certificate::Encode() const {
  Writer w;
  w.Put(version, wire::U16{});
  w.Put(valid_from, wire::U32{});
  w.Put(not_valid_after, wire::U32{});
  std::array<std::uint8_t, kCertificateSize> out{};
  std::copy(w.bytes().begin(), w.bytes().end(), out.begin());
  std::copy(signature.begin(), signature.end(), out.begin() + 10);
  return out;
}

Certificate Certificate::Decode(std::span<const std::uint8_t, kCertificateSize> bytes) {
  Certificate c;
  Reader r(bytes);
  r.Get(c.version, wire::U16{});
  r.Get(c.valid_from, wire::U32{});
  r.Get(c.not_valid_after, wire::U32{});
  std::copy(bytes.begin() + 10, bytes.end(), c.signature.begin());
  return c;
}

// ---- CipherState, SymmetricState -------------------------------------------------------

Bytes CipherState::Encrypt(std::span<const std::uint8_t> ad,
                           std::span<const std::uint8_t> plaintext) {
  Bytes out;
  if (!ChaChaPoly(true, key_, nonce_, ad, plaintext, out)) {
    std::abort();  // encryption cannot fail but for OpenSSL running out of memory
  }
  ++nonce_;
  return out;
}

Expected<Bytes> CipherState::Decrypt(std::span<const std::uint8_t> ad,
                                     std::span<const std::uint8_t> ciphertext) {
  Bytes out;
  if (ciphertext.size() < kMacSize || !ChaChaPoly(false, key_, nonce_, ad, ciphertext, out)) {
    return Error(StatusCode::kPermission,
                 "message authentication failed (nonce " + std::to_string(nonce_) + ")");
  }
  ++nonce_;
  return out;
}

SymmetricState::SymmetricState() {
  ck_ = sha256::Hash(std::span(reinterpret_cast<const std::uint8_t*>(kNoiseProtocolName.data()),
                               kNoiseProtocolName.size()));
  h_ = sha256::Hash(ck_);
}

void SymmetricState::MixHash(std::span<const std::uint8_t> data) {
  sha256::Sha256 hash;
  hash.Update(h_).Update(data);
  h_ = hash.Finalize();
}

void SymmetricState::MixKey(const Key32& input) {
  const auto [ck, k] = Hkdf(ck_, input);
  ck_ = ck;
  k_.emplace(k);
}

Bytes SymmetricState::EncryptAndHash(std::span<const std::uint8_t> plaintext) {
  Bytes out = k_ ? k_->Encrypt(h_, plaintext) : Bytes(plaintext.begin(), plaintext.end());
  MixHash(out);
  return out;
}

Expected<Bytes> SymmetricState::DecryptAndHash(std::span<const std::uint8_t> ciphertext) {
  Expected<Bytes> out =
      k_ ? k_->Decrypt(h_, ciphertext) : Bytes(ciphertext.begin(), ciphertext.end());
  if (out) {
    MixHash(ciphertext);
  }
  return out;
}

std::pair<Key32, Key32> SymmetricState::Split() const { return Hkdf(ck_, {}); }

// ---- Transport ------------------------------------------------------------------------

Expected<Bytes> Transport::Encrypt(std::span<const std::uint8_t> frame) {
  if (frame.size() < FrameHeader::kSize) {
    return Error(StatusCode::kInvalidArgument, "a frame is at least its 6-byte header");
  }
  const auto header = FrameHeader::Decode(frame.first<FrameHeader::kSize>());
  const auto payload = frame.subspan(FrameHeader::kSize);
  if (header.msg_length != payload.size()) {
    return Error(StatusCode::kInvalidArgument, "frame header length does not match its payload");
  }
  Bytes out = send_.Encrypt({}, frame.first(FrameHeader::kSize));
  out.reserve(kEncryptedHeaderSize + EncryptedPayloadSize(payload.size()));
  for (std::size_t at = 0; at < payload.size(); at += kMaxChunkPlaintext) {
    const auto chunk =
        send_.Encrypt({}, payload.subspan(at, std::min(kMaxChunkPlaintext, payload.size() - at)));
    out.insert(out.end(), chunk.begin(), chunk.end());
  }
  return out;
}

Error Transport::Feed(std::span<const std::uint8_t> bytes) {
  if (!failed_.ok()) {
    return failed_;
  }
  in_.insert(in_.end(), bytes.begin(), bytes.end());
  failed_ = Decode();
  return failed_;
}

Error Transport::Decode() {
  std::size_t used = 0;
  Error result;
  for (;;) {
    const auto rest = std::span(in_).subspan(used);
    if (!header_) {
      if (rest.size() < kEncryptedHeaderSize) {
        break;
      }
      auto plain = receive_.Decrypt({}, rest.first(kEncryptedHeaderSize));
      if (!plain) {
        result = plain.error().Context("frame header");
        break;
      }
      used += kEncryptedHeaderSize;
      header_ = FrameHeader::Decode(std::span(*plain).first<FrameHeader::kSize>());
      if (header_->msg_length > max_payload_) {
        result = Error(StatusCode::kResourceLimit,
                       "frame of " + std::to_string(header_->msg_length) +
                           " bytes, over the limit of " + std::to_string(max_payload_));
        break;
      }
      continue;
    }
    const std::size_t need = EncryptedPayloadSize(header_->msg_length);
    if (rest.size() < need) {
      break;
    }
    const auto head = header_->Encode();
    Bytes frame(head.begin(), head.end());
    for (std::size_t at = 0; at < need; at += kMaxChunkPlaintext + kMacSize) {
      auto chunk = receive_.Decrypt(
          {}, rest.subspan(at, std::min(kMaxChunkPlaintext + kMacSize, need - at)));
      if (!chunk) {
        return chunk.error().Context("frame payload");
      }
      frame.insert(frame.end(), chunk->begin(), chunk->end());
    }
    used += need;
    header_.reset();
    frames_.push_back(std::move(frame));
  }
  in_.erase(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(used));
  return result;
}

std::optional<Bytes> Transport::Next() {
  if (frames_.empty()) {
    return std::nullopt;
  }
  Bytes f = std::move(frames_.front());
  frames_.pop_front();
  return f;
}

// ---- the handshake ----------------------------------------------------------------------

NoiseInitiator::NoiseInitiator(const Key32& authority, KeyPair ephemeral)
    : authority_(authority), e_(ephemeral) {}

std::array<std::uint8_t, kAct1Size> NoiseInitiator::Act1() {
  state_.MixHash(e_.ellswift);
  (void)state_.EncryptAndHash({});  // no key yet: MixHash of the empty payload
  return e_.ellswift;
}

Expected<Transport> NoiseInitiator::Finish(std::span<const std::uint8_t> act2, std::uint32_t now) {
  if (act2.size() != kAct2Size) {
    return HandshakeError("the pool's answer is " + std::to_string(act2.size()) + " bytes, not " +
                          std::to_string(kAct2Size) + " (not a Stratum V2 pool?)");
  }
  EllSwift re{};
  std::copy_n(act2.begin(), 64, re.begin());
  state_.MixHash(re);
  auto ee = V2Ecdh(e_.secret, re, e_.ellswift, true);
  if (!ee) {
    return ee.error();
  }
  state_.MixKey(*ee);
  auto rs = state_.DecryptAndHash(act2.subspan(64, 64 + kMacSize));
  if (!rs) {
    return HandshakeError("the pool's static key does not decrypt: " + rs.error().message() +
                          " (not a Stratum V2 pool?)");
  }
  EllSwift rs_key{};
  std::copy_n(rs->begin(), 64, rs_key.begin());
  auto es = V2Ecdh(e_.secret, rs_key, e_.ellswift, true);
  if (!es) {
    return es.error();
  }
  state_.MixKey(*es);
  auto snm = state_.DecryptAndHash(act2.subspan(64 + 64 + kMacSize));
  if (!snm) {
    return HandshakeError("the pool's certificate does not decrypt: " + snm.error().message());
  }
  certificate_ = Certificate::Decode(std::span(*snm).first<kCertificateSize>());
  if (Error e = certificate_.Check(authority_, XSwiftEc(rs_key), now); !e.ok()) {
    return e;
  }
  const auto [to_responder, to_initiator] = state_.Split();
  return Transport(to_responder, to_initiator);
}

NoiseResponder::NoiseResponder(KeyPair static_key, Certificate certificate, KeyPair ephemeral)
    : s_(static_key), certificate_(certificate), e_(ephemeral) {}

Expected<Bytes> NoiseResponder::Act2(std::span<const std::uint8_t> act1) {
  if (act1.size() != kAct1Size) {
    return HandshakeError("the miner's first message is " + std::to_string(act1.size()) +
                          " bytes, not 64 (not a Stratum V2 client?)");
  }
  EllSwift re{};
  std::copy(act1.begin(), act1.end(), re.begin());
  state_.MixHash(re);
  (void)state_.DecryptAndHash({});
  state_.MixHash(e_.ellswift);
  auto ee = V2Ecdh(e_.secret, re, e_.ellswift, false);
  if (!ee) {
    return ee.error();
  }
  state_.MixKey(*ee);
  Bytes out(e_.ellswift.begin(), e_.ellswift.end());
  const Bytes s = state_.EncryptAndHash(s_.ellswift);
  out.insert(out.end(), s.begin(), s.end());
  auto es = V2Ecdh(s_.secret, re, s_.ellswift, false);
  if (!es) {
    return es.error();
  }
  state_.MixKey(*es);
  const auto cert = certificate_.Encode();
  const Bytes c = state_.EncryptAndHash(cert);
  out.insert(out.end(), c.begin(), c.end());
  const auto [to_responder, to_initiator] = state_.Split();
  transport_.emplace(to_initiator, to_responder);
  return out;
}

}  // namespace hashrig::pool::sv2
