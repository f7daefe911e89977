// The local pool's Stratum V2 session, I/O-free: a miner written here from the message
// codec alone sets up, opens a standard and an extended channel, mines real shares on
// the jobs it is sent (sha256 core, checked by OpenSSL) and gets each answered; then
// every kind of bad submit and bad frame.
#include <algorithm>

#include <gtest/gtest.h>

#include "hashrig/pool/sv2/server.h"
#include "hashrig/sha256/scan.h"
#include "pool/sv2_frames.h"
#include "support/shared_data.h"

namespace hashrig::pool::sv2 {
namespace {

std::vector<Message> Decode(const std::vector<Bytes>& frames) {
  std::vector<Message> out;
  for (const auto& f : frames) {
    const auto h = FrameHeader::Decode(std::span(f).first<FrameHeader::kSize>());
    auto m = DecodeMessage(h, std::span(f).subspan(FrameHeader::kSize));
    EXPECT_TRUE(m) << m.error().message();
    if (m) {
      out.push_back(std::move(*m));
    }
  }
  return out;
}

template <typename M>
std::vector<M> All(const std::vector<Message>& ms) {
  std::vector<M> out;
  for (const auto& m : ms) {
    if (const auto* x = std::get_if<M>(&m)) {
      out.push_back(*x);
    }
  }
  return out;
}

class Sv2ServerTest : public ::testing::Test {
 protected:
  Sv2ServerTest() {
    settings_.difficulty = *sha256::Difficulty::From(1e-4);
    notify_ = *block_.MakeJob(1'700'000'000, 4);
  }

  std::vector<Message> Send(const Bytes& frame) {
    bool block = false;
    return Decode(session_.OnFrame(frame, block));
  }

  // A nonce meeting `target` for the header these fields make.
  static std::optional<std::uint32_t> Mine(std::uint32_t version, const U256& prev,
                                           const U256& root, std::uint32_t ntime,
                                           std::uint32_t nbits, const U256& target) {
    std::array<std::uint8_t, 80> header{};
    for (int i = 0; i < 4; ++i) {
      header[i] = static_cast<std::uint8_t>(version >> (8 * i));
      header[68 + i] = static_cast<std::uint8_t>(ntime >> (8 * i));
      header[72 + i] = static_cast<std::uint8_t>(nbits >> (8 * i));
    }
    std::copy(prev.begin(), prev.end(), header.begin() + 4);
    std::copy(root.begin(), root.end(), header.begin() + 36);
    const sha256::HeaderScanner scanner(header);
    std::vector<sha256::Hit> hits;
    for (std::uint64_t at = 0; hits.empty() && at < sha256::kNonceSpace; at += 1 << 18) {
      scanner.Scan({at, at + (1 << 18)}, sha256::Target::FromLittleEndian(target), hits);
    }
    if (hits.empty()) {
      return std::nullopt;
    }
    header[76] = static_cast<std::uint8_t>(hits[0].nonce);
    header[77] = static_cast<std::uint8_t>(hits[0].nonce >> 8);
    header[78] = static_cast<std::uint8_t>(hits[0].nonce >> 16);
    header[79] = static_cast<std::uint8_t>(hits[0].nonce >> 24);
    const auto check = testing::OpenSslSha256d(Bytes(header.begin(), header.end()));
    EXPECT_TRUE(std::equal(check.begin(), check.end(), hits[0].hash.begin()));
    return hits[0].nonce;
  }

  void SetUpConnection() {
    SetupConnection setup;
    setup.min_version = 2;
    setup.max_version = 2;
    setup.flags = kRequiresVersionRolling;
    const auto reply = Send(Framed(setup));
    ASSERT_EQ(All<SetupConnectionSuccess>(reply).size(), 1u);
    (void)session_.Announce(notify_);
  }

  LocalPoolSettings settings_;
  BlockTemplate block_{settings_};
  Notify notify_;
  PoolLedger ledger_;
  std::uint32_t prefixes_ = 0;
  ServerSession session_{
      settings_, ledger_, [this] {
        const std::uint32_t v = ++prefixes_;
        return Bytes{0xab, 0xcd, static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
      }};
};

TEST_F(Sv2ServerTest, ExtendedChannelMinesAcceptedShares) {
  SetUpConnection();
  OpenExtendedMiningChannel open;
  open.request_id = 7;
  open.user_identity = "tester.rig1";
  open.nominal_hash_rate = 1e12F;
  open.max_target.fill(0xff);
  open.min_extranonce_size = 4;
  const auto reply = Send(Framed(open));
  const auto ok = All<OpenExtendedMiningChannelSuccess>(reply);
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_EQ(ok[0].request_id, 7u);
  EXPECT_EQ(ok[0].extranonce_size, 4u);
  EXPECT_EQ(ok[0].extranonce_prefix, (Bytes{0xab, 0xcd, 0, 1}));
  const auto jobs = All<NewExtendedMiningJob>(reply);
  const auto prevs = All<SetNewPrevHash>(reply);
  ASSERT_EQ(jobs.size(), 1u);
  ASSERT_EQ(prevs.size(), 1u);
  EXPECT_FALSE(jobs[0].min_ntime.has_value());  // a future job, activated by the prev hash
  EXPECT_EQ(prevs[0].job_id, jobs[0].job_id);

  // The miner's side: merkle root from the job's parts and its own extranonce.
  ShareValidator mine(ok[0].extranonce_prefix, 4, ok[0].target);
  mine.AddJob(jobs[0]);
  mine.SetPrevHash(prevs[0]);
  for (std::uint32_t en = 1; en <= 3; ++en) {
    const Bytes extranonce{static_cast<std::uint8_t>(en), 0, 0, 0};
    const auto root = *mine.MerkleRoot(jobs[0].job_id, extranonce);
    const std::uint32_t version = jobs[0].version | (en << 13);  // rolled inside BIP320 bits
    const auto nonce =
        Mine(version, prevs[0].prev_hash, root, prevs[0].min_ntime, prevs[0].nbits, ok[0].target);
    ASSERT_TRUE(nonce);
    SubmitSharesExtended share{ok[0].channel_id,   en,      jobs[0].job_id, *nonce,
                               prevs[0].min_ntime, version, extranonce};
    const auto answer = All<SubmitSharesSuccess>(Send(Framed(share)));
    ASSERT_EQ(answer.size(), 1u);
    EXPECT_EQ(answer[0].last_sequence_number, en);
    EXPECT_EQ(answer[0].new_submits_accepted_count, 1u);
    // The same share again is a duplicate.
    const auto again = All<SubmitSharesError>(Send(Framed(share)));
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0].error_code, "duplicate-share");
  }
  EXPECT_EQ(ledger_.accepted, 3u);
  EXPECT_EQ(ledger_.rejected["duplicate-share"], 3u);

  // A new job on the same block is active at once (min_ntime set, no prev hash).
  notify_ = *block_.MakeJob(1'700'000'030, 4);
  const auto next = Decode(session_.Announce(notify_));
  ASSERT_EQ(All<NewExtendedMiningJob>(next).size(), 1u);
  EXPECT_EQ(All<NewExtendedMiningJob>(next)[0].min_ntime, 1'700'000'030u);
  EXPECT_TRUE(All<SetNewPrevHash>(next).empty());
  // A new block: a future job and its prev hash; the old jobs' shares are stale.
  block_.NextBlock();
  notify_ = *block_.MakeJob(1'700'000'060, 4);
  const auto block = Decode(session_.Announce(notify_));
  ASSERT_EQ(All<SetNewPrevHash>(block).size(), 1u);
  SubmitSharesExtended old{ok[0].channel_id, 9,       jobs[0].job_id, 0, prevs[0].min_ntime,
                           jobs[0].version,  Bytes(4)};
  const auto stale = All<SubmitSharesError>(Send(Framed(old)));
  ASSERT_EQ(stale.size(), 1u);
  EXPECT_EQ(stale[0].error_code, "stale-share");
}

TEST_F(Sv2ServerTest, StandardChannelGetsMerkleRoots) {
  SetUpConnection();
  OpenStandardMiningChannel open;
  open.request_id = 1;
  open.user_identity = "tester.rig1";
  open.max_target.fill(0xff);
  const auto reply = Send(Framed(open));
  const auto ok = All<OpenStandardMiningChannelSuccess>(reply);
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_EQ(ok[0].extranonce_prefix.size(), 8u);  // the whole extranonce
  const auto jobs = All<NewMiningJob>(reply);
  const auto prevs = All<SetNewPrevHash>(reply);
  ASSERT_EQ(jobs.size(), 1u);
  ASSERT_EQ(prevs.size(), 1u);
  // The root is the V1 job's with extranonce1 ‖ extranonce2 = the channel's prefix.
  Job v1;
  v1.notify = notify_;
  v1.extranonce1.assign(ok[0].extranonce_prefix.begin(), ok[0].extranonce_prefix.begin() + 4);
  v1.extranonce2_size = 4;
  const auto en2 = Bytes(ok[0].extranonce_prefix.begin() + 4, ok[0].extranonce_prefix.end());
  EXPECT_EQ(WorkBuilder(v1).MerkleRoot(en2), jobs[0].merkle_root);
  const auto nonce = Mine(jobs[0].version, prevs[0].prev_hash, jobs[0].merkle_root,
                          prevs[0].min_ntime, prevs[0].nbits, ok[0].target);
  ASSERT_TRUE(nonce);
  SubmitSharesStandard share{ok[0].channel_id, 1, jobs[0].job_id, *nonce, prevs[0].min_ntime,
                             jobs[0].version};
  ASSERT_EQ(All<SubmitSharesSuccess>(Send(Framed(share))).size(), 1u);
  EXPECT_EQ(ledger_.accepted, 1u);
  ASSERT_EQ(ledger_.recent.size(), 1u);
  // A share the target refuses: the next nonce almost surely.
  share.nonce = *nonce + 1;
  share.sequence_number = 2;
  const auto low = All<SubmitSharesError>(Send(Framed(share)));
  ASSERT_EQ(low.size(), 1u);
  EXPECT_EQ(low[0].error_code, "difficulty-too-low");
  EXPECT_EQ(low[0].sequence_number, 2u);
}

TEST_F(Sv2ServerTest, RefusalsAndBadFrames) {
  // Nothing before SetupConnection; a wrong protocol or version is refused by name.
  OpenStandardMiningChannel open;
  open.user_identity = "u";
  EXPECT_TRUE(Send(Framed(open)).empty());
  EXPECT_EQ(session_.last_error(), "OpenStandardMiningChannel before SetupConnection");
  SetupConnection setup;
  setup.protocol = 2;
  setup.min_version = 2;
  setup.max_version = 2;
  auto refused = All<SetupConnectionError>(Send(Framed(setup)));
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].error_code, "unsupported-protocol");
  setup.protocol = 0;
  setup.min_version = 3;
  setup.max_version = 4;
  refused = All<SetupConnectionError>(Send(Framed(setup)));
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].error_code, "protocol-version-mismatch");
  SetUpConnection();

  OpenExtendedMiningChannel big;
  big.user_identity = "u";
  big.min_extranonce_size = 17;
  const auto no = All<OpenMiningChannelError>(Send(Framed(big)));
  ASSERT_EQ(no.size(), 1u);
  EXPECT_EQ(no[0].error_code, "min-extranonce-size-too-large");

  SubmitSharesExtended nowhere{99, 1, 1, 0, 0, 0, Bytes(4)};
  const auto bad = All<SubmitSharesError>(Send(Framed(nowhere)));
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0].error_code, "invalid-channel-id");

  // Frames that do not decode are counted and answered with nothing; the session goes on.
  const std::size_t before = session_.bad_frames();
  EXPECT_TRUE(Send(Bytes{1, 2, 3}).empty());
  Bytes truncated = Framed(nowhere);
  truncated.pop_back();
  EXPECT_TRUE(Send(truncated).empty());
  EXPECT_NE(session_.last_error().find("msg_length"), std::string::npos);
  EXPECT_TRUE(Send(Framed(SetNewPrevHash{})).empty());  // a pool's message from a miner
  EXPECT_EQ(session_.bad_frames(), before + 3);
  open.request_id = 3;
  EXPECT_EQ(All<OpenStandardMiningChannelSuccess>(Send(Framed(open))).size(), 1u);
}

}  // namespace
}  // namespace hashrig::pool::sv2
