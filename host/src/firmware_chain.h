// A board running hashrig firmware, as one HashChain: the board's MCU drives the chips
// and keeps them safe; the host configures it, sends work, takes the nonces it reports
// and polls its telemetry and per-chip counters over the board link. The polling also
// keeps the board's host-silence watchdog from idling the chain.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "boards.h"
#include "hashrig/hal/board_client.h"
#include "hashrig/hal/protocol/chain_driver.h"
#include "hashrig/host/hash_chain.h"

namespace hashrig::host {

class FirmwareChain final : public HashChain {
 public:
  // `client` has answered Hello with `hello`; `reopen` brings the link back after a loss.
  FirmwareChain(std::string name, std::unique_ptr<hal::BoardClient> client,
                const hal::link::HelloReply& hello, LinkOpener reopen,
                const hal::protocol::DriverConfig& config);

  std::string name() const override { return name_; }
  std::string description() const override;
  void Start() override;
  void SetWork(const ChainWork& work) override;
  void Poll(std::chrono::milliseconds budget, std::vector<FoundNonce>& found) override;
  ChainStatus status() const override;

 private:
  void Configure();
  void Down(const Error& why);
  void Reopen();

  std::string name_;
  std::unique_ptr<hal::BoardClient> client_;
  hal::link::HelloReply hello_;
  LinkReopener reopen_;
  hal::protocol::DriverConfig config_;
  Error link_status_;
  std::string problem_;  // the board refused something: shown in the state
  bool has_work_ = false;
  ChainWork work_;
  std::chrono::steady_clock::time_point last_poll_{};
  std::chrono::steady_clock::time_point last_reset_{};
  std::size_t page_ = 0;
};

// The probe time for a hashrig board on a freshly opened link.
inline constexpr std::chrono::milliseconds kBoardProbe{400};

}  // namespace hashrig::host
