#include "hashrig/hal/protocol/bm13xx/frames.h"

#include "hashrig/hal/protocol/crc.h"

namespace hashrig::hal::protocol {
namespace {

constexpr std::size_t kResponseTypeBits = 3;
constexpr std::uint8_t kNonceType = 4;

CommandFrame Command(std::uint8_t type_byte, std::span<const std::uint8_t> payload) {
  CommandFrame f;
  f.bytes[0] = kPreamble0;
  f.bytes[1] = kPreamble1;
  f.bytes[2] = type_byte;
  f.bytes[3] = static_cast<std::uint8_t>(payload.size() + 3);
  for (std::size_t i = 0; i < payload.size(); ++i) {
    f.bytes[4 + i] = payload[i];
  }
  const std::size_t crc_at = 4 + payload.size();
  f.bytes[crc_at] = Crc5(std::span(f.bytes).subspan(2, crc_at - 2));
  f.size = static_cast<std::uint8_t>(crc_at + 1);
  return f;
}

CommandFrame Write(std::uint8_t type_byte, std::uint8_t chip, std::uint8_t reg, std::uint32_t v) {
  const std::uint8_t payload[] = {chip,
                                  reg,
                                  static_cast<std::uint8_t>(v >> 24),
                                  static_cast<std::uint8_t>(v >> 16),
                                  static_cast<std::uint8_t>(v >> 8),
                                  static_cast<std::uint8_t>(v)};
  return Command(type_byte, payload);
}

void PutLe32(std::uint8_t* out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) {
    out[i] = static_cast<std::uint8_t>(v >> (8 * i));
  }
}

std::uint32_t GetLe32(const std::uint8_t* in) {
  return static_cast<std::uint32_t>(in[0]) | static_cast<std::uint32_t>(in[1]) << 8 |
         static_cast<std::uint32_t>(in[2]) << 16 | static_cast<std::uint32_t>(in[3]) << 24;
}

std::uint32_t GetBe32(const std::uint8_t* in) {
  return static_cast<std::uint32_t>(in[0]) << 24 | static_cast<std::uint32_t>(in[1]) << 16 |
         static_cast<std::uint32_t>(in[2]) << 8 | static_cast<std::uint32_t>(in[3]);
}

void PutBe32(std::uint8_t* out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) {
    out[i] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
  }
}

// What every job frame starts with: preamble, type, length, job id, midstate count,
// starting nonce, nbits, ntime (bytes 0-17; the body's bytes 0-13).
template <std::size_t N, typename Job>
void PutJobStart(std::array<std::uint8_t, N>& f, const Job& job, std::uint8_t midstate_count) {
  f[0] = kPreamble0;
  f[1] = kPreamble1;
  f[2] = type::kJob | type::kWrite;
  f[3] = static_cast<std::uint8_t>(N - 2);
  f[4] = job.job_id;
  f[5] = midstate_count;
  PutLe32(&f[6], job.starting_nonce);
  PutLe32(&f[10], job.nbits);
  PutLe32(&f[14], job.ntime);
}

// Reads those fields from a job body; the midstate count.
template <typename Job>
std::uint8_t GetJobStart(std::span<const std::uint8_t> body, Job& job) {
  job.job_id = body[0];
  job.starting_nonce = GetLe32(&body[2]);
  job.nbits = GetLe32(&body[6]);
  job.ntime = GetLe32(&body[10]);
  return body[1];
}

// Header-order hash <-> the wire's order: the eight 4-byte words reversed, bytes kept.
void WordReverse(const std::uint8_t* in, std::uint8_t* out) {
  for (int w = 0; w < 8; ++w) {
    for (int b = 0; b < 4; ++b) {
      out[w * 4 + b] = in[(7 - w) * 4 + b];
    }
  }
}

template <std::size_t N>
void AppendCrc16(std::array<std::uint8_t, N>& frame) {
  const std::uint16_t crc = Crc16False(std::span(frame).subspan(2, N - 4));
  frame[N - 2] = static_cast<std::uint8_t>(crc >> 8);
  frame[N - 1] = static_cast<std::uint8_t>(crc);
}

}  // namespace

CommandFrame SetAddressFrame(std::uint8_t address) {
  const std::uint8_t payload[] = {address, 0};
  return Command(type::kCommand | type::kSetAddress, payload);
}

CommandFrame WriteRegisterFrame(std::uint8_t chip, std::uint8_t reg, std::uint32_t value) {
  return Write(type::kCommand | type::kWrite, chip, reg, value);
}

CommandFrame BroadcastWriteFrame(std::uint8_t reg, std::uint32_t value) {
  return Write(type::kCommand | type::kBroadcast | type::kWrite, 0, reg, value);
}

CommandFrame ReadRegisterFrame(std::uint8_t chip, std::uint8_t reg) {
  const std::uint8_t payload[] = {chip, reg};
  return Command(type::kCommand | type::kRead, payload);
}

CommandFrame BroadcastReadFrame(std::uint8_t reg) {
  const std::uint8_t payload[] = {0, reg};
  return Command(type::kCommand | type::kBroadcast | type::kRead, payload);
}

CommandFrame ChainInactiveFrame() {
  const std::uint8_t payload[] = {0, 0};
  return Command(type::kCommand | type::kBroadcast | type::kChainInactive, payload);
}

std::array<std::uint8_t, kHeaderJobFrameSize> EncodeHeaderJob(const HeaderJob& job) {
  std::array<std::uint8_t, kHeaderJobFrameSize> f{};
  PutJobStart(f, job, 1);
  WordReverse(job.merkle_root.data(), &f[18]);
  WordReverse(job.prev_hash.data(), &f[50]);
  PutLe32(&f[82], job.version);
  AppendCrc16(f);
  return f;
}

HeaderJob DecodeHeaderJobBody(std::span<const std::uint8_t> body) {
  HeaderJob job;
  if (body.size() < 82) {
    return job;
  }
  (void)GetJobStart(body, job);
  WordReverse(&body[14], job.merkle_root.data());
  WordReverse(&body[46], job.prev_hash.data());
  job.version = GetLe32(&body[78]);
  return job;
}

std::array<std::uint8_t, kMidstateJobFrameSize> EncodeMidstateJob(const MidstateJob& job) {
  std::array<std::uint8_t, kMidstateJobFrameSize> f{};
  PutJobStart(f, job, job.midstate_count);
  PutLe32(&f[18], job.merkle_tail);
  for (std::size_t m = 0; m < 4; ++m) {
    // State words H7..H0, each word MSB first.
    for (std::size_t w = 0; w < 8; ++w) {
      PutBe32(&f[22 + m * 32 + w * 4], job.midstates[m][7 - w]);
    }
  }
  AppendCrc16(f);
  return f;
}

MidstateJob DecodeMidstateJobBody(std::span<const std::uint8_t> body) {
  MidstateJob job;
  if (body.size() < 146) {
    return job;
  }
  job.midstate_count = GetJobStart(body, job);
  job.merkle_tail = GetLe32(&body[14]);
  for (std::size_t m = 0; m < 4; ++m) {
    for (std::size_t w = 0; w < 8; ++w) {
      job.midstates[m][7 - w] = GetBe32(&body[18 + m * 32 + w * 4]);
    }
  }
  return job;
}

std::optional<RegisterWrite> RegisterWriteOf(const HostFrame& frame) {
  const auto body = frame.body();
  if (frame.is_job() || frame.command() != type::kWrite || body.size() < 6) {
    return std::nullopt;
  }
  return RegisterWrite{
      body[0], body[1],
      static_cast<std::uint32_t>(body[2]) << 24 | body[3] << 16 | body[4] << 8 | body[5]};
}

std::optional<HostFrame> HostFrameDecoder::Next() {
  ByteWindow<160>& w = window_;
  while (w.size() > 0) {
    if (w[0] != kPreamble0 || (w.size() >= 2 && w[1] != kPreamble1)) {
      w.Drop(1);
      continue;
    }
    if (w.size() < 4) {
      return std::nullopt;
    }
    const std::uint8_t type_byte = w[2];
    const std::size_t length = w[3];
    const bool job = (type_byte & 0x60) == type::kJob;
    const bool command = (type_byte & 0x60) == type::kCommand;
    const std::size_t crc_size = job ? 2 : 1;
    if ((!job && !command) || length < crc_size + 2 || length - crc_size - 2 > 148) {
      w.Drop(1);
      continue;
    }
    const std::size_t end = 2 + length;
    if (w.size() < end) {
      return std::nullopt;
    }
    const auto covered = w.span(2, length - crc_size);
    const bool good =
        job ? Crc16False(covered) == (w[end - 2] << 8 | w[end - 1]) : Crc5(covered) == w[end - 1];
    if (!good) {
      ++bad_crc_;
      w.Drop(1);
      continue;
    }
    HostFrame frame;
    frame.type = type_byte;
    frame.payload_size = static_cast<std::uint8_t>(length - crc_size - 2);
    for (std::size_t i = 0; i < frame.payload_size; ++i) {
      frame.payload[i] = w[4 + i];
    }
    w.Drop(end, false);
    return frame;
  }
  return std::nullopt;
}

std::uint32_t Response::register_value() const { return GetBe32(data.data()); }
std::uint32_t Response::header_nonce() const { return GetLe32(data.data()); }

ResponseFrame EncodeResponse(const Response& response, std::size_t frame_size) {
  ResponseFrame f;
  f.size = static_cast<std::uint8_t>(frame_size == 9 ? 9 : 11);
  f.bytes[0] = 0xAA;
  f.bytes[1] = 0x55;
  for (std::size_t i = 0; i < 4; ++i) {
    f.bytes[2 + i] = response.data[i];
  }
  f.bytes[6] = response.byte6;
  f.bytes[7] = response.byte7;
  if (f.size == 11) {
    f.bytes[8] = static_cast<std::uint8_t>(response.version_field >> 8);
    f.bytes[9] = static_cast<std::uint8_t>(response.version_field);
  }
  const std::uint8_t kind = response.nonce ? kNonceType : 0;
  const std::size_t last = f.size - 1u;
  f.bytes[last] = static_cast<std::uint8_t>(kind << 5);
  // CRC over the payload bytes and the 3 TYPE bits, then placed in the low 5 bits.
  const std::uint8_t crc =
      Crc5Bits(std::span(f.bytes).subspan(2, last - 1), (last - 2) * 8 + kResponseTypeBits);
  f.bytes[last] = static_cast<std::uint8_t>(kind << 5 | crc);
  return f;
}

std::optional<Response> ResponseDecoder::Next() {
  ByteWindow<32>& w = window_;
  while (w.size() > 0) {
    if (w[0] != 0xAA || (w.size() >= 2 && w[1] != 0x55)) {
      w.Drop(1);
      continue;
    }
    if (w.size() < frame_size_) {
      return std::nullopt;
    }
    if (Crc5(w.span(2, frame_size_ - 2)) != 0) {
      ++bad_crc_;
      w.Drop(1);
      continue;
    }
    Response r;
    r.nonce = (w[frame_size_ - 1] & 0x80) != 0;
    for (std::size_t i = 0; i < 4; ++i) {
      r.data[i] = w[2 + i];
    }
    r.byte6 = w[6];
    r.byte7 = w[7];
    if (frame_size_ == 11) {
      r.version_field = static_cast<std::uint16_t>(w[8] << 8 | w[9]);
    }
    w.Drop(frame_size_, false);
    return r;
  }
  return std::nullopt;
}

}  // namespace hashrig::hal::protocol
