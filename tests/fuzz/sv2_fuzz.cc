// libFuzzer: arbitrary bytes into Stratum V2's frame decoder, both roles of the Noise
// handshake and the encrypted transport. Nothing may crash or read past its input; a
// frame that decodes must encode back to the very same bytes (decoding is strict, so
// there is exactly one encoding of each message).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "hashrig/pool/sv2/client.h"
#include "hashrig/pool/sv2/messages.h"
#include "hashrig/pool/sv2/noise.h"
#include "hashrig/pool/sv2/server.h"

namespace {

using namespace hashrig::pool::sv2;

// Fixed keys, so a run depends on its input alone.
const KeyPair& Fixed(std::uint8_t seed) {
  static const auto make = [](std::uint8_t s) {
    std::uint8_t counter = s;
    const RandomSource source = [&counter](std::span<std::uint8_t> out) {
      for (auto& b : out) {
        b = static_cast<std::uint8_t>(counter++ * 97 + 13);
      }
    };
    return KeyPair::Generate(source);
  };
  static const KeyPair keys[] = {make(1), make(2), make(3), make(4)};
  return keys[seed & 3];
}

const Certificate& PoolCertificate() {
  static const Certificate cert =
      *Certificate::Sign(Fixed(3).secret, XSwiftEc(Fixed(2).ellswift), 0, 0xffffffff, Key32{});
  return cert;
}

void Frames(std::span<const std::uint8_t> in) {
  if (in.size() < FrameHeader::kSize) {
    return;
  }
  const auto header = FrameHeader::Decode(in.first<FrameHeader::kSize>());
  const auto payload = in.subspan(FrameHeader::kSize);
  auto m = DecodeMessage(header, payload);
  if (!m) {
    return;
  }
  auto again = EncodeFrame(*m);
  if (!again || again->size() != in.size() ||
      !std::equal(again->begin() + FrameHeader::kSize, again->end(), payload.begin())) {
    std::abort();  // a decoded message must encode back to its payload
  }
}

void Responder(std::span<const std::uint8_t> in) {
  NoiseResponder pool(Fixed(2), PoolCertificate(), Fixed(1));
  auto act2 = pool.Act2(in.first(std::min<std::size_t>(in.size(), kAct1Size)));
  if (act2 && pool.transport()) {
    (void)pool.transport()->Feed(in.subspan(std::min<std::size_t>(in.size(), kAct1Size)));
    while (pool.transport()->Next()) {
    }
  }
}

void Initiator(std::span<const std::uint8_t> in) {
  NoiseInitiator miner(*XOnlyPublicKey(Fixed(3).secret), Fixed(0));
  (void)miner.Act1();
  (void)miner.Finish(in.first(std::min<std::size_t>(in.size(), kAct2Size)), 1);
}

// The miner's and the pool's sessions, each after its own handshake frames, fed frames
// cut from the input at the lengths its headers claim.
void Sessions(std::span<const std::uint8_t> in) {
  hashrig::pool::SessionConfig config;
  config.user = "fuzz";
  ClientSession miner(config, {});
  miner.OnFrame(*EncodeFrame(SetupConnectionSuccess{2, 0}), {});
  OpenExtendedMiningChannelSuccess open;
  open.channel_id = 1;
  open.extranonce_size = 4;
  miner.OnFrame(*EncodeFrame(open), {});
  static const hashrig::pool::LocalPoolSettings settings;
  hashrig::pool::PoolLedger ledger;
  ServerSession pool(settings, ledger, [] { return Bytes(4, 1); });
  bool block = false;
  (void)pool.OnFrame(*EncodeFrame(SetupConnection{0, 2, 2, 0, "", 0, "", "", "", ""}), block);
  while (in.size() >= FrameHeader::kSize) {
    const auto h = FrameHeader::Decode(in.first<FrameHeader::kSize>());
    const std::size_t n = std::min<std::size_t>(in.size(), FrameHeader::kSize + h.msg_length);
    miner.OnFrame(in.first(n), {});
    (void)pool.OnFrame(in.first(n), block);
    in = in.subspan(n);
  }
  (void)miner.TakeEvents();
  (void)miner.TakeOutgoing();
}

void Transported(std::span<const std::uint8_t> in) {
  hashrig::pool::sv2::Transport t(Fixed(0).secret, Fixed(1).secret, 4096);
  for (std::size_t at = 0; at < in.size(); at += 7) {
    if (!t.Feed(in.subspan(at, std::min<std::size_t>(7, in.size() - at))).ok()) {
      break;
    }
  }
  while (t.Next()) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  const std::span<const std::uint8_t> in(data + 1, size - 1);
  switch (data[0] & 7) {
    case 0:
      Frames(in);
      break;
    case 1:
      Responder(in);
      break;
    case 2:
      Initiator(in);
      break;
    case 3:
      Transported(in);
      break;
    default:
      Sessions(in);
      break;
  }
  return 0;
}
