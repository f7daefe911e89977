// hal/ benchmarks (issue 4):
//   BM_ResponseDecoder      chip -> host nonce responses decoded (bytes/s), 1 % garbage
//   BM_HostFrameDecoder     host -> chip job frames decoded by the simulator's decoder
//   BM_SimChainHashrate/N   a simulated chain of N chips hashing (items = hashes/s of
//                           real SHA-256 through the simulator, CPU budget unlimited)
//   BM_RawScan              the same header scanned by the sha256 core directly
#include <benchmark/benchmark.h>

#include <random>

#include "hashrig/hal/protocol/bm13xx/frames.h"
#include "hashrig/hal/protocol/bm13xx/nonce.h"
#include "hashrig/hal/protocol/bm13xx/registers.h"
#include "hashrig/hal/sim/chain.h"
#include "hashrig/sha256/scan.h"

namespace {

namespace p = hashrig::hal::protocol;

std::vector<std::uint8_t> ResponseStream() {
  std::mt19937 random(1);
  std::vector<std::uint8_t> stream;
  for (int i = 0; i < 1000; ++i) {
    p::Response r;
    r.nonce = true;
    r.data = {static_cast<std::uint8_t>(random()), static_cast<std::uint8_t>(random()),
              static_cast<std::uint8_t>(random()), static_cast<std::uint8_t>(random())};
    r.byte7 = static_cast<std::uint8_t>(random());
    const auto frame = p::EncodeResponse(r, 11);
    stream.insert(stream.end(), frame.bytes.begin(), frame.bytes.begin() + frame.size);
    if (i % 10 == 0) {
      stream.push_back(static_cast<std::uint8_t>(random()));
    }
  }
  return stream;
}

void BM_ResponseDecoder(benchmark::State& state) {
  const auto stream = ResponseStream();
  std::size_t frames = 0;
  for (auto _ : state) {
    p::ResponseDecoder decoder(11);
    for (std::uint8_t b : stream) {
      decoder.Push(b);
      while (auto r = decoder.Next()) {
        benchmark::DoNotOptimize(r->byte7);
        ++frames;
      }
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * stream.size()));
  state.counters["frames"] = static_cast<double>(frames) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_ResponseDecoder);

p::HeaderJob Job() {
  p::HeaderJob job;
  job.version = 0x20000000;
  job.nbits = 0x1d00ffff;
  for (std::size_t i = 0; i < 32; ++i) {
    job.prev_hash[i] = static_cast<std::uint8_t>(i);
    job.merkle_root[i] = static_cast<std::uint8_t>(i * 3);
  }
  return job;
}

void BM_HostFrameDecoder(benchmark::State& state) {
  std::vector<std::uint8_t> stream;
  for (int i = 0; i < 100; ++i) {
    const auto frame = p::EncodeHeaderJob(Job());
    stream.insert(stream.end(), frame.begin(), frame.end());
  }
  for (auto _ : state) {
    p::HostFrameDecoder decoder;
    for (std::uint8_t b : stream) {
      decoder.Push(b);
      while (auto f = decoder.Next()) {
        benchmark::DoNotOptimize(f->payload_size);
      }
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * stream.size()));
}
BENCHMARK(BM_HostFrameDecoder);

void BM_SimChainHashrate(benchmark::State& state) {
  const int chips = static_cast<int>(state.range(0));
  hashrig::hal::sim::Chain chain({p::ChipModel::kBm1370, chips, 1e15, 1});
  for (int i = 0; i < 3; ++i) {
    chain.Receive(p::BroadcastWriteFrame(p::reg::kVersionRolling, 0x9000FFFF).span(), 115'200);
  }
  // Addressed and split as the driver does (offsets, HASH_COUNTING_NUMBER), so the chips
  // search their own nonces; chips i and i + n/2 share each 256-nonce block (hal/sim).
  chain.Receive(p::ChainInactiveFrame().span(), 115'200);
  for (int i = 0; i < chips; ++i) {
    const auto address = static_cast<std::uint8_t>(i * (256 / chips));
    chain.Receive(p::SetAddressFrame(address).span(), 115'200);
    chain.Receive(p::WriteRegisterFrame(address, p::reg::kChipNonceOffset,
                                        0x80000000u | p::ChipNonceOffset(i, chips))
                      .span(),
                  115'200);
  }
  chain.Receive(p::BroadcastWriteFrame(
                    p::reg::kHashCountingNumber,
                    p::HashCountingNumber(p::ChipModel::kBm1370, chips, hashrig::Megahertz{50}))
                    .span(),
                115'200);
  chain.Receive(p::BroadcastWriteFrame(p::reg::kTicketMask, p::TicketMaskRegister(256)).span(),
                115'200);
  chain.Receive(p::EncodeHeaderJob(Job()), 115'200);
  std::uint64_t before = 0;
  for (int i = 0; i < chips; ++i) {
    before += chain.counters(i).hashes;
  }
  for (auto _ : state) {
    // 10 us of a BM1370 at its power-up 50 MHz is 1.02 M hashes (50 MHz x 2040 small
    // cores); the CPU budget is unlimited, so each chip computes all of them.
    chain.Advance(std::chrono::microseconds(10));
  }
  std::uint64_t after = 0;
  for (int i = 0; i < chips; ++i) {
    after += chain.counters(i).hashes;
  }
  // The chips' own hashes (what their counters and nonces stand for).
  state.SetItemsProcessed(static_cast<std::int64_t>(after - before));
  state.SetLabel(std::string(hashrig::sha256::Backend::Default().name()));
}
BENCHMARK(BM_SimChainHashrate)->Arg(1)->Arg(4)->Unit(benchmark::kMillisecond);

void BM_RawScan(benchmark::State& state) {
  const auto frame = p::EncodeHeaderJob(Job());
  const auto job = p::DecodeHeaderJobBody(std::span(frame).subspan(4, 82));
  std::array<std::uint8_t, 80> header{};
  std::copy(job.prev_hash.begin(), job.prev_hash.end(), header.begin() + 4);
  std::copy(job.merkle_root.begin(), job.merkle_root.end(), header.begin() + 36);
  const hashrig::sha256::HeaderScanner scanner(header);
  const auto target = hashrig::sha256::Target::FromCompact(0x1d00ffff).value();
  std::vector<hashrig::sha256::Hit> hits;
  std::uint64_t at = 0;
  constexpr std::uint64_t kChunk = 1 << 20;
  for (auto _ : state) {
    scanner.Scan({at, at + kChunk}, target, hits);
    at = (at + kChunk) % hashrig::sha256::kNonceSpace;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kChunk));
  state.SetLabel(std::string(scanner.backend().name()));
}
BENCHMARK(BM_RawScan)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
