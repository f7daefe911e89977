// Stratum V2 against V1 (issue 14), in process and I/O-free so the figures are the
// protocols' own cost, not the kernel's:
//   BM_Sv2Handshake        a whole Noise NX handshake: both ephemeral keys made
//                          (ElligatorSwift-encoded), act 1, act 2 with the certificate,
//                          the certificate checked, both transports split (items =
//                          handshakes)
//   BM_SubmitV1            one share on one connection: the miner's session checks and
//                          writes mining.submit, the local pool's session parses, rebuilds
//                          and hashes it and answers, the miner matches the answer
//   BM_SubmitV2            the same in Stratum V2: SubmitSharesExtended, encrypted and
//                          decrypted both ways (ChaCha20-Poly1305), validated, answered
//                          with SubmitShares.Success, matched (items = shares)
// Both pools run at a difficulty every share meets, so each is accepted.
#include <benchmark/benchmark.h>

#include <ctime>

#include "hashrig/pool/server_session.h"
#include "hashrig/pool/session.h"
#include "hashrig/pool/sv2/client.h"
#include "hashrig/pool/sv2/noise.h"
#include "hashrig/pool/sv2/server.h"

namespace {

namespace pool = hashrig::pool;
namespace sv2 = hashrig::pool::sv2;
using pool::Clock;

pool::LocalPoolSettings EasySettings() {
  pool::LocalPoolSettings s;
  s.difficulty = *hashrig::sha256::Difficulty::From(1e-12);  // every hash meets it
  return s;
}

// One share per iteration on the client's current job (each nonce new), through `pump`
// (the pool's side and back); counts the accepted answers.
template <typename Pump>
void MeasureSubmits(benchmark::State& state, pool::PoolSession& client, Pump&& pump) {
  const auto job = client.current_job();
  std::uint32_t nonce = 0;
  std::size_t accepted = 0;
  for (auto _ : state) {
    const pool::Share share{
        job->notify.job_id, {0, 0, 0, 1}, job->notify.ntime, ++nonce, job->notify.version};
    (void)client.Submit(share, pool::ShareValue{}, Clock::now());
    pump();
    for (const auto& e : client.TakeEvents()) {
      const auto* r = std::get_if<pool::event::ShareResult>(&e);
      accepted += r != nullptr && r->accepted ? 1 : 0;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["accepted"] = static_cast<double>(accepted);
}

void BM_Sv2Handshake(benchmark::State& state) {
  const sv2::KeyPair authority = sv2::KeyPair::Generate();
  const sv2::KeyPair server = sv2::KeyPair::Generate();
  const auto now = static_cast<std::uint32_t>(std::time(nullptr));
  const auto cert = *sv2::Certificate::Sign(authority.secret, sv2::XSwiftEc(server.ellswift),
                                            now - 60, now + 3600, sv2::Key32{});
  const sv2::Key32 authority_x = *sv2::XOnlyPublicKey(authority.secret);
  for (auto _ : state) {
    sv2::NoiseInitiator miner(authority_x);
    sv2::NoiseResponder pool_side(server, cert);
    auto act2 = pool_side.Act2(miner.Act1());
    auto transport = miner.Finish(*act2, now);
    if (!transport) {
      state.SkipWithError(transport.error().message().c_str());
      break;
    }
    benchmark::DoNotOptimize(transport);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Sv2Handshake)->Unit(benchmark::kMicrosecond);

void BM_SubmitV1(benchmark::State& state) {
  const auto settings = EasySettings();
  pool::BlockTemplate block(settings);
  pool::PoolLedger ledger;
  pool::ServerSession server(settings, {1, 2, 3, 4}, ledger);
  pool::SessionConfig config;
  config.user = "bench.rig";
  pool::ClientSession client(config, Clock::now());
  bool found = false;
  auto pump = [&] {
    for (int round = 0; round < 4; ++round) {
      for (const auto& line : client.TakeOutgoing()) {
        for (const auto& reply : server.OnLine(line, found)) {
          client.OnLine(reply, Clock::now());
        }
      }
    }
  };
  pump();
  for (const auto& line : server.Announce(*block.MakeJob(1'700'000'000, 4))) {
    client.OnLine(line, Clock::now());
  }
  (void)client.TakeEvents();
  MeasureSubmits(state, client, pump);
}
BENCHMARK(BM_SubmitV1);

void BM_SubmitV2(benchmark::State& state) {
  const auto settings = EasySettings();
  pool::BlockTemplate block(settings);
  pool::PoolLedger ledger;
  sv2::ServerSession server(settings, ledger, [] { return sv2::Bytes{1, 2, 3, 4}; });
  pool::SessionConfig config;
  config.user = "bench.rig";
  sv2::ClientSession client(config, Clock::now());
  // The transports both sides would have after a handshake.
  const sv2::Key32 k1 = sv2::KeyPair::Generate().secret;
  const sv2::Key32 k2 = sv2::KeyPair::Generate().secret;
  sv2::Transport miner_wire(k1, k2);
  sv2::Transport pool_wire(k2, k1);
  bool found = false;
  auto to_client = [&](const std::vector<sv2::Bytes>& frames) {
    for (const auto& f : frames) {
      (void)miner_wire.Feed(*pool_wire.Encrypt(f));
      while (auto plain = miner_wire.Next()) {
        client.OnFrame(*plain, Clock::now());
      }
    }
  };
  auto pump = [&] {
    for (int round = 0; round < 4; ++round) {
      for (const auto& f : client.TakeOutgoing()) {
        (void)pool_wire.Feed(*miner_wire.Encrypt(f));
        while (auto plain = pool_wire.Next()) {
          to_client(server.OnFrame(*plain, found));
        }
      }
    }
  };
  (void)server.Announce(*block.MakeJob(1'700'000'000, 4));
  pump();
  (void)client.TakeEvents();
  MeasureSubmits(state, client, pump);
}
BENCHMARK(BM_SubmitV2);

}  // namespace

BENCHMARK_MAIN();
