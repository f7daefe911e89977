// The Noise handshake and transport against ../shared/data/sv2/noise_vectors.json: two
// handshakes with every intermediate value (h, ck, k after each step, both ECDHs, the
// certificate, both acts, the split keys) and six transport frames (one payload in two
// chunks, one of exactly a full chunk); then each way a handshake or a frame is refused.
#include <algorithm>

#include <gtest/gtest.h>

#include "hashrig/pool/sv2/messages.h"
#include "hashrig/pool/sv2/noise.h"
#include "support/shared_data.h"

namespace hashrig::pool::sv2 {
namespace {

using nlohmann::json;
using testing::FromHex;
using testing::OpenSslSha256;
using testing::ReadJson;
using testing::ToHex;

template <std::size_t N>
std::array<std::uint8_t, N> Fixed(const json& hex) {
  const auto bytes = FromHex(hex.get<std::string>());
  std::array<std::uint8_t, N> out{};
  EXPECT_EQ(bytes.size(), N);
  std::copy_n(bytes.begin(), std::min(N, bytes.size()), out.begin());
  return out;
}

std::uint64_t Number(const json& j) {
  return j.is_string() ? std::stoull(j.get<std::string>()) : j.get<std::uint64_t>();
}

struct Parties {
  KeyPair initiator_e;
  KeyPair responder_e;
  KeyPair responder_s;
  Key32 authority_secret{};
  Key32 authority{};
  Certificate certificate;
};

Parties PartiesOf(const json& v) {
  Parties p;
  p.initiator_e = {Fixed<32>(v["initiator_ephemeral_secret"]),
                   Fixed<64>(v["initiator_ephemeral_ellswift"])};
  p.responder_e = {Fixed<32>(v["responder_ephemeral_secret"]),
                   Fixed<64>(v["responder_ephemeral_ellswift"])};
  p.responder_s = {Fixed<32>(v["responder_static_secret"]),
                   Fixed<64>(v["responder_static_ellswift"])};
  p.authority_secret = Fixed<32>(v["authority_secret"]);
  p.authority = Fixed<32>(v["authority_xonly_pubkey"]);
  const json& c = v["certificate"];
  auto cert = Certificate::Sign(p.authority_secret, XSwiftEc(p.responder_s.ellswift),
                                static_cast<std::uint32_t>(Number(c["valid_from"])),
                                static_cast<std::uint32_t>(Number(c["not_valid_after"])),
                                Fixed<32>(c["aux_rand"]));
  EXPECT_TRUE(cert);
  p.certificate = *cert;
  return p;
}

TEST(Sv2NoiseTest, HandshakesReproduceEveryIntermediateValue) {
  const json handshakes = ReadJson("sv2/noise_vectors.json")["handshakes"];
  ASSERT_EQ(handshakes.size(), 2u);
  for (const auto& v : handshakes) {
    SCOPED_TRACE(v["id"].get<std::string>());
    const json& x = v["expected"];
    const Parties p = PartiesOf(v);
    EXPECT_EQ(testing::ToHex(p.certificate.signature),
              v["certificate"]["signature"].get<std::string>());
    EXPECT_EQ(testing::ToHex(p.certificate.Encode()),
              x["signature_noise_message"].get<std::string>());
    EXPECT_EQ(testing::ToHex(p.certificate.MessageHash(XSwiftEc(p.responder_s.ellswift))),
              x["certificate_message_hash"].get<std::string>());

    // Step by step, with the SymmetricState alone.
    SymmetricState s;
    EXPECT_EQ(testing::ToHex(s.h()), x["h0"].get<std::string>());
    EXPECT_EQ(testing::ToHex(s.ck()), x["ck0"].get<std::string>());
    s.MixHash(p.initiator_e.ellswift);
    (void)s.EncryptAndHash({});
    EXPECT_EQ(testing::ToHex(s.h()), x["h1"].get<std::string>());
    s.MixHash(p.responder_e.ellswift);
    auto ee = V2Ecdh(p.initiator_e.secret, p.responder_e.ellswift, p.initiator_e.ellswift, true);
    ASSERT_TRUE(ee);
    EXPECT_EQ(testing::ToHex(*ee), x["ecdh_ee"].get<std::string>());
    s.MixKey(*ee);
    EXPECT_EQ(testing::ToHex(s.ck()), x["ck_after_ee"].get<std::string>());
    EXPECT_EQ(testing::ToHex(s.k()->key()), x["k_after_ee"].get<std::string>());
    (void)s.EncryptAndHash(p.responder_s.ellswift);
    auto es = V2Ecdh(p.responder_s.secret, p.initiator_e.ellswift, p.responder_s.ellswift, false);
    ASSERT_TRUE(es);
    EXPECT_EQ(testing::ToHex(*es), x["ecdh_es"].get<std::string>());
    s.MixKey(*es);
    EXPECT_EQ(testing::ToHex(s.ck()), x["ck_after_es"].get<std::string>());
    EXPECT_EQ(testing::ToHex(s.k()->key()), x["k_after_es"].get<std::string>());

    // And as the two roles run it.
    NoiseInitiator miner(p.authority, p.initiator_e);
    NoiseResponder pool(p.responder_s, p.certificate, p.responder_e);
    const auto act1 = miner.Act1();
    EXPECT_EQ(testing::ToHex(act1), x["act1_message"].get<std::string>());
    EXPECT_EQ(testing::ToHex(miner.state().h()), x["h1"].get<std::string>());
    auto act2 = pool.Act2(act1);
    ASSERT_TRUE(act2) << act2.error().message();
    EXPECT_EQ(testing::ToHex(*act2), x["act2_message"].get<std::string>());
    EXPECT_EQ(act2->size(), kAct2Size);
    EXPECT_EQ(testing::ToHex(pool.state().h()), x["h_final"].get<std::string>());
    auto transport = miner.Finish(*act2, p.certificate.valid_from + 1);
    ASSERT_TRUE(transport) << transport.error().message();
    EXPECT_EQ(testing::ToHex(miner.state().h()), x["h_final"].get<std::string>());
    EXPECT_EQ(testing::ToHex(transport->sending().key()),
              x["k_initiator_to_responder"].get<std::string>());
    EXPECT_EQ(testing::ToHex(transport->receiving().key()),
              x["k_responder_to_initiator"].get<std::string>());
    ASSERT_TRUE(pool.transport());
    EXPECT_EQ(pool.transport()->sending().key(), transport->receiving().key());
    EXPECT_EQ(pool.transport()->receiving().key(), transport->sending().key());
  }
}

// The plaintext of a transport vector: given, or generated (README: byte i = start + i).
Bytes PlaintextOf(const json& t) {
  if (t.contains("plaintext_frame_hex")) {
    return FromHex(t["plaintext_frame_hex"].get<std::string>());
  }
  const json& g = t["plaintext_generator"];
  Bytes frame = FromHex(g["header_hex"].get<std::string>());
  const auto start = Number(g["start"]);
  for (std::uint64_t i = 0; i < Number(g["payload_len"]); ++i) {
    frame.push_back(static_cast<std::uint8_t>((start + i) & 0xff));
  }
  return frame;
}

TEST(Sv2NoiseTest, TransportFramesAsTheVectorsEncryptThem) {
  const json doc = ReadJson("sv2/noise_vectors.json");
  const json& keys = doc["handshakes"][0]["expected"];
  const Key32 i2r = Fixed<32>(keys["k_initiator_to_responder"]);
  const Key32 r2i = Fixed<32>(keys["k_responder_to_initiator"]);
  Transport miner(i2r, r2i);
  Transport pool(r2i, i2r);
  ASSERT_EQ(doc["transport"].size(), 6u);
  for (const auto& t : doc["transport"]) {
    SCOPED_TRACE(t["id"].get<std::string>());
    const bool from_miner = t["direction"] == "k_initiator_to_responder";
    Transport& sender = from_miner ? miner : pool;
    Transport& receiver = from_miner ? pool : miner;
    EXPECT_EQ(testing::ToHex(sender.sending().key()), t["key"].get<std::string>());
    EXPECT_EQ(sender.sending().nonce(), Number(t["nonce_before"]));
    const Bytes frame = PlaintextOf(t);
    auto wire = sender.Encrypt(frame);
    ASSERT_TRUE(wire) << wire.error().message();
    EXPECT_EQ(wire->size(), Number(t["ciphertext_len"]));  // 22-byte header included
    EXPECT_EQ(wire->size(), kEncryptedHeaderSize + EncryptedPayloadSize(frame.size() - 6));
    EXPECT_EQ(ToHex(OpenSslSha256(*wire)), t["ciphertext_sha256"].get<std::string>());
    if (t.contains("ciphertext_hex")) {
      EXPECT_EQ(ToHex(*wire), t["ciphertext_hex"].get<std::string>());
    }
    EXPECT_EQ(sender.sending().nonce(), Number(t["nonce_after"]));
    // The other side reads it back whole, fed in uneven pieces.
    for (std::size_t at = 0; at < wire->size();) {
      const std::size_t n = std::min<std::size_t>(wire->size() - at, 1 + (at % 977));
      ASSERT_TRUE(receiver.Feed(std::span(*wire).subspan(at, n)).ok());
      at += n;
    }
    auto got = receiver.Next();
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, frame);
    EXPECT_FALSE(receiver.Next());
  }
}

TEST(Sv2NoiseTest, SpecFigures) {
  const json spec = ReadJson("sv2/spec_vectors.json")["vectors"];
  for (const auto& v : spec) {
    if (v["kind"] == "pt_len_to_ct_len") {
      for (const auto& pair : v["pairs"]) {
        EXPECT_EQ(EncryptedPayloadSize(pair[0].get<std::size_t>()), pair[1].get<std::size_t>())
            << pair;
      }
    } else if (v["kind"] == "protocol_name_hash") {
      EXPECT_EQ(v["protocol_name"].get<std::string>(), kNoiseProtocolName);
      const auto expected = v["sha256_bytes"].get<std::vector<std::uint8_t>>();
      EXPECT_EQ(testing::ToHex(SymmetricState().ck()), ToHex(expected));
    }
  }
}

// What the miner must refuse: a certificate from another authority, outside its
// validity, an answer tampered with or cut short; and what the pool must refuse.
TEST(Sv2NoiseTest, HandshakeRefusals) {
  const json v = ReadJson("sv2/noise_vectors.json")["handshakes"][0];
  const Parties p = PartiesOf(v);
  auto attempt = [&](const Key32& authority, std::uint32_t now, auto&& tamper) {
    NoiseInitiator miner(authority, p.initiator_e);
    NoiseResponder pool(p.responder_s, p.certificate, p.responder_e);
    auto act2 = pool.Act2(miner.Act1());
    EXPECT_TRUE(act2);
    tamper(*act2);
    auto t = miner.Finish(*act2, now);
    return t ? std::string("accepted") : t.error().message();
  };
  auto none = [](Bytes&) {};
  const std::uint32_t now = p.certificate.valid_from + 10;
  EXPECT_EQ(attempt(p.authority, now, none), "accepted");
  const Key32 other = *XOnlyPublicKey(p.responder_s.secret);
  EXPECT_NE(attempt(other, now, none).find("not signed by the authority key"), std::string::npos);
  EXPECT_NE(attempt(p.authority, p.certificate.valid_from - 1, none).find("not valid yet"),
            std::string::npos);
  EXPECT_NE(attempt(p.authority, p.certificate.not_valid_after + 1, none).find("expired"),
            std::string::npos);
  EXPECT_NE(attempt(p.authority, now, [](Bytes& b) { b[70] ^= 1; }).find("static key does not"),
            std::string::npos);
  EXPECT_NE(attempt(p.authority, now, [](Bytes& b) { b[200] ^= 1; }).find("certificate does not"),
            std::string::npos);
  EXPECT_NE(attempt(p.authority, now, [](Bytes& b) { b.pop_back(); }).find("233 bytes, not 234"),
            std::string::npos);
  // A replaced ephemeral key gives other keys: the static key's MAC fails.
  EXPECT_NE(attempt(p.authority, now, [](Bytes& b) { b[5] ^= 1; }).find("does not decrypt"),
            std::string::npos);

  // A certificate the authority signed for a different server key.
  const KeyPair impostor = KeyPair::Generate();
  NoiseInitiator miner(p.authority, p.initiator_e);
  NoiseResponder fake(impostor, p.certificate, p.responder_e);
  auto act2 = fake.Act2(miner.Act1());
  ASSERT_TRUE(act2);
  auto t = miner.Finish(*act2, now);
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().message().find("not signed by the authority key"), std::string::npos);

  NoiseResponder pool(p.responder_s, p.certificate);
  auto short_act1 = pool.Act2(Bytes(63, 0));
  ASSERT_FALSE(short_act1);
  EXPECT_NE(short_act1.error().message().find("63 bytes, not 64"), std::string::npos);
}

TEST(Sv2NoiseTest, TransportRefusesTamperedAndOversizedFrames) {
  const KeyPair a = KeyPair::Generate();
  const Key32 k1 = a.secret;
  const Key32 k2 = *XOnlyPublicKey(a.secret);
  Transport sender(k1, k2);
  Transport receiver(k2, k1, /*max_payload=*/100);
  SetTarget target;
  target.channel_id = 3;
  auto frame = *EncodeFrame(target);
  auto wire = *sender.Encrypt(frame);
  ASSERT_TRUE(receiver.Feed(wire).ok());
  EXPECT_EQ(*receiver.Next(), frame);

  auto tampered = *sender.Encrypt(frame);
  tampered[30] ^= 0x80;  // in the payload's ciphertext
  const Error e = receiver.Feed(tampered);
  EXPECT_NE(e.message().find("frame payload: message authentication failed"), std::string::npos)
      << e.message();
  EXPECT_FALSE(receiver.Feed(wire).ok());  // final: the connection is done

  Transport small(k2, k1, 100);
  Transport big_sender(k1, k2);
  NewExtendedMiningJob job;
  job.coinbase_tx_prefix.assign(200, 1);
  const Error big = small.Feed(*big_sender.Encrypt(*EncodeFrame(job)));
  EXPECT_NE(big.message().find("over the limit of 100"), std::string::npos) << big.message();
  EXPECT_FALSE(big_sender.Encrypt(Bytes(5, 0)));
}

}  // namespace
}  // namespace hashrig::pool::sv2
