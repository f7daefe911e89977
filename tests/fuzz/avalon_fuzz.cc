// libFuzzer: arbitrary bytes into the Avalon codec (hal/protocol/avalon) — the CN stream
// decoder, every typed decoder of every generation, the AUC request and reply decoders,
// and a job made of the input split into packets and a nonce mapped back. Nothing may
// crash or hang; a packet that decodes must re-encode to itself, and every typed value that
// decodes must encode to a packet that decodes to the same value.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "hashrig/hal/protocol/avalon/auc.h"
#include "hashrig/hal/protocol/avalon/config.h"
#include "hashrig/hal/protocol/avalon/generation.h"
#include "hashrig/hal/protocol/avalon/job.h"
#include "hashrig/hal/protocol/avalon/packet.h"
#include "hashrig/hal/protocol/avalon/replies.h"
#include "hashrig/hal/protocol/avalon/work.h"

namespace avalon = hashrig::hal::protocol::avalon;
using avalon::Generation;
using avalon::Packet;

namespace {

void Check(bool ok) {
  if (!ok) {
    std::abort();
  }
}

// decode(packet) ok => encode(value) ok and decode(encode(value)) == value.
template <typename Decode, typename Encode>
void RoundTrip(const Packet& packet, Decode decode, Encode encode) {
  const auto value = decode(packet);
  if (!value.ok()) {
    return;
  }
  const auto again = encode(*value);
  Check(again.ok());
  const auto back = decode(*again);
  Check(back.ok() && *back == *value);
}

void TypedDecoders(Generation g, const Packet& p) {
  auto enc = [g](const auto& v) { return avalon::Encode(g, v); };
  RoundTrip(
      p, [g](const Packet& q) { return avalon::DecodeDetect(g, q); }, enc);
  RoundTrip(
      p, [g](const Packet& q) { return avalon::DecodeSync(g, q); }, enc);
  RoundTrip(
      p, [g](const Packet& q) { return avalon::DecodeSet(g, q); }, enc);
  RoundTrip(
      p, [g](const Packet& q) { return avalon::DecodeSetVolt(g, q); }, enc);
  RoundTrip(
      p, [g](const Packet& q) { return avalon::DecodeSmartSpeed(g, q); }, enc);
  RoundTrip(
      p, [g](const Packet& q) { return avalon::DecodePolling(g, q); }, enc);
  RoundTrip(
      p, [g](const Packet& q) { return avalon::DecodeAdjustVolt(g, q); }, enc);
  RoundTrip(
      p, [g](const Packet& q) { return avalon::DecodeStatic(g, q); }, enc);
  RoundTrip(
      p, [g](const Packet& q) { return avalon::DecodeJobId(g, q); }, enc);
  RoundTrip(
      p, [g](const Packet& q) { return avalon::DecodeVmask(g, q); }, enc);
  RoundTrip(
      p, [g](const Packet& q) { return avalon::DecodeAckDetect(g, q); }, enc);
  for (auto kind : {avalon::Kind::kSetAsicOtp, avalon::Kind::kSetHashOd}) {
    RoundTrip(
        p, [g, kind](const Packet& q) { return avalon::DecodePerMiner(g, kind, q); }, enc);
  }
  RoundTrip(
      p, [g](const Packet& q) { return avalon::DecodeStatus(g, q); },
      [g, &p](const auto& v) { return avalon::Encode(g, v, p.opt); });
  if (const auto pll = avalon::DecodeSetPll(g, p); pll.ok()) {
    if (const auto again = avalon::Encode(g, *pll); again.ok()) {
      Check(*avalon::DecodeSetPll(g, *again) == *pll);
    }
  }
  if (const auto nonces = avalon::DecodeNonce(g, p); nonces.ok() && nonces->count > 0) {
    const auto again = avalon::Encode(g, nonces->span(), p.opt);
    Check(again.ok());
    const auto back = avalon::DecodeNonce(g, *again);
    Check(back.ok() && back->count == nonces->count);
    for (std::size_t i = 0; i < back->count; ++i) {
      Check(back->reports[i] == nonces->reports[i]);
    }
  }
  (void)avalon::DecodeTarget(g, p);
  (void)avalon::DecodeStatusVolt(g, p);
  (void)avalon::DecodeStatusPmu(g, p);
  (void)avalon::DecodeStatusPower(g, p);
  (void)avalon::DecodeStatusPll(g, p);
  (void)avalon::DecodeStatusAsic(g, p);
  (void)avalon::DecodeStatusPvt(g, p);
  for (auto kind : {avalon::Kind::kStatusFac, avalon::Kind::kStatusOc}) {
    (void)avalon::DecodeStatusValue(g, kind, p);
  }
  (void)avalon::KindOf(g, p.type);
}

// A job whose byte strings are slices of the input, split into packets that must all
// decode, and a nonce made of the input mapped back to a header.
void JobFromInput(Generation g, std::span<const std::uint8_t> in) {
  if (in.size() < 8) {
    return;
  }
  std::array<avalon::Hash32, 3> branch{};
  avalon::StratumJob job;
  job.job_id = {reinterpret_cast<const char*>(in.data()),
                std::min<std::size_t>(in[0] % 16u, in.size())};
  const std::size_t cut1 = in[1] % in.size();
  const std::size_t cut2 = cut1 + (in.size() - cut1) / 2;
  job.coinb1 = in.subspan(0, cut1);
  job.extranonce1 = in.subspan(cut1, (cut2 - cut1) % 9);
  job.coinb2 = in.subspan(cut2);
  job.extranonce2_size = 2 + in[2] % 16u;
  job.merkle_branch = std::span(branch).first(in[3] % 4u);
  job.version = in[4] * 0x01010101u;
  job.version_mask = (in[5] & 1) != 0 ? 0x1fffe000 : 0;
  job.difficulty = *hashrig::sha256::Difficulty::From(1.0 + in[6]);
  job.clean_jobs = (in[7] & 1) != 0;
  const auto packets = avalon::JobPackets::Make(g, job, {in[6] % 3u, 3, (in[7] & 2) != 0});
  if (!packets.ok()) {
    return;
  }
  for (std::size_t i = 0; i < packets->size(); ++i) {
    const auto wire = avalon::Encode(packets->at(i));
    Check(avalon::Decode(wire).ok());
  }
  avalon::NonceReport report;
  report.nonce2 = in[2] * 0x00010203u;
  report.micro_job = in[5] % 4u;
  report.job_tag = packets->job_tag();
  report.nonce = hashrig::Nonce{in[4] * 0x04030201u};
  if (const auto submit = avalon::SubmitFor(g, job, report); submit.ok()) {
    (void)avalon::HeaderFor(job, *submit);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  avalon::PacketDecoder decoder;
  for (std::uint8_t b : input) {
    decoder.Push(b);
    while (auto packet = decoder.Next()) {
      const auto wire = avalon::Encode(*packet);
      const auto again = avalon::Decode(wire);
      Check(again.ok() && *again == *packet);
      for (const auto& info : avalon::kGenerations) {
        TypedDecoders(info.generation, *packet);
      }
    }
  }
  (void)avalon::DecodeAucRequest(input);
  (void)avalon::DecodeAucReply(input.first(input.size() < 64 ? input.size() : 64));
  if (const auto reply = avalon::DecodeAucReply(input); reply.ok()) {
    (void)avalon::DecodeAucInfo(reply->body_span());
    const auto bytes = avalon::EncodeAucReply(*reply);
    Check(bytes.span().size() == input.size());
  }
  if (input.size() >= 2) {
    (void)avalon::AucTemperature(static_cast<std::uint16_t>(input[0] | input[1] << 8));
  }
  for (const auto& info : avalon::kGenerations) {
    JobFromInput(info.generation, input);
  }
  return 0;
}
