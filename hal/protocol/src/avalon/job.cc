#include "hashrig/hal/protocol/avalon/job.h"

#include "fields.h"

namespace hashrig::hal::protocol::avalon {

using detail::Blank;
using detail::Is;
using detail::kNoSuchType;
using detail::kWrongType;
using detail::SetWord;
using detail::Word;

Result<Packet> Encode(Generation generation, const Static& fields) {
  auto p = Blank(generation, Kind::kStatic);
  if (!p) {
    return kNoSuchType;
  }
  const std::uint32_t words[] = {fields.coinbase_length, fields.nonce2_offset, fields.nonce2_size,
                                 fields.merkle_offset,   fields.merkle_count,  fields.nonce2_start,
                                 fields.nonce2_range,    fields.work_restart};
  for (std::size_t i = 0; i < 8; ++i) {
    SetWord(*p, i, words[i]);
  }
  return *p;
}

Result<Static> DecodeStatic(Generation generation, const Packet& packet) {
  if (!Is(generation, Kind::kStatic, packet)) {
    return kWrongType;
  }
  return Static{Word(packet, 0), Word(packet, 1), Word(packet, 2), Word(packet, 3),
                Word(packet, 4), Word(packet, 5), Word(packet, 6), Word(packet, 7)};
}

Result<Packet> Encode(Generation generation, const JobId& job_id) {
  auto p = Blank(generation, Kind::kJobId);
  if (!p) {
    return kNoSuchType;
  }
  StoreBe16(&p->data[0], job_id.job_tag);
  StoreLe16(&p->data[2], job_id.pool);
  return *p;
}

Result<JobId> DecodeJobId(Generation generation, const Packet& packet) {
  if (!Is(generation, Kind::kJobId, packet)) {
    return kWrongType;
  }
  return JobId{LoadBe16(&packet.data[0]), LoadLe16(&packet.data[2])};
}

Result<Packet> Encode(Generation generation, const sha256::Target& target) {
  auto p = Blank(generation, Kind::kTarget);
  if (!p) {
    return kNoSuchType;
  }
  p->data = target.bytes();
  return *p;
}

Result<sha256::Target> DecodeTarget(Generation generation, const Packet& packet) {
  if (!Is(generation, Kind::kTarget, packet)) {
    return kWrongType;
  }
  return sha256::Target::FromLittleEndian(packet.data);
}

Result<Packet> Encode(Generation generation, const Vmask& vmask) {
  auto p = Blank(generation, Kind::kVmask);
  if (!p) {
    return kNoSuchType;
  }
  for (std::size_t i = 0; i < vmask.versions.size(); ++i) {
    SetWord(*p, i, vmask.versions[i]);
  }
  return *p;
}

Result<Vmask> DecodeVmask(Generation generation, const Packet& packet) {
  if (!Is(generation, Kind::kVmask, packet)) {
    return kWrongType;
  }
  return Vmask{{Word(packet, 0), Word(packet, 1), Word(packet, 2), Word(packet, 3)}};
}

}  // namespace hashrig::hal::protocol::avalon
