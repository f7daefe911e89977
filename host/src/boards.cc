#include "boards.h"

#include <functional>
#include <mutex>
#include <stop_token>
#include <thread>

#include "firmware_chain.h"
#include "hashrig/hal/direct_chain.h"
#include "hashrig/hal/protocol/work.h"
#include "hashrig/hal/usb.h"
#include "hashrig/host/args.h"
#include "hashrig/host/direct_thermal.h"
#include "hashrig/sha256/scan.h"
#include "hashrig/sha256/sha256.h"
#include "hashrig/sha256/target.h"
#include "sim_chain.h"

namespace hashrig::host {
namespace {

namespace p = hal::protocol;

// A chain the host drives over a byte link (serial, TCP, USB). When the link fails the
// chain is marked down; the link is reopened every second, and a chain that comes back
// is initialised again and given the current work.
class LinkChain final : public HashChain {
 public:
  LinkChain(std::string name, std::unique_ptr<hal::ByteLink> link, LinkOpener reopen,
            const p::DriverConfig& config, std::unique_ptr<DirectThermal> thermal)
      : name_(std::move(name)),
        reopen_(std::move(reopen)),
        config_(config),
        chain_(std::make_unique<hal::DirectChain>(std::move(link), config)),
        thermal_(std::move(thermal)) {}

  std::string name() const override { return name_; }
  std::string description() const override {
    return thermal_ ? "a chain driven by the host; heat safety on " + thermal_->sensors().Describe()
                    : "a chain driven by the host; no temperature sensor on this link, so the "
                      "host cannot protect it from heat (use bitaxe:DATA:CONTROL for a "
                      "Bitaxe-class board, or a board running hashrig firmware)";
  }
  void Start() override {
    if (chain_) {
      chain_->Start();
    }
  }
  void SetWork(const ChainWork& work) override {
    pending_ = work;
    has_work_ = true;
  }
  void Poll(std::chrono::milliseconds budget, std::vector<FoundNonce>& found) override {
    const auto until = std::chrono::steady_clock::now() + budget;
    if (!chain_) {
      Reopen();
      std::this_thread::sleep_for(budget);
      return;
    }
    do {
      p::ChainDriver& driver = chain_->driver();
      if (thermal_) {
        thermal_->Run(Now(), *chain_, has_work_);
      }
      const bool held = thermal_ && thermal_->stopped();
      if (has_work_ && !held && driver.state() == p::ChainState::kMining) {
        has_work_ = !p::SendWork(driver, pending_.header, pending_.token, CoreMidstate).ok();
      }
      link_status_ = chain_->Step(std::chrono::milliseconds(1));
      p::NonceEvent e;
      while (driver.NextNonce(e)) {
        found.push_back({e.token, e.chip, e.nonce, e.version, e.ticket_difficulty});
      }
    } while (link_status_.ok() && std::chrono::steady_clock::now() < until);
    if (!link_status_.ok()) {
      chain_.reset();  // down: the link is gone
      reopen_.Lost();
    }
  }
  ChainStatus status() const override {
    ChainStatus s;
    if (!chain_) {
      s.state = "down: " + link_status_.message();
      return s;
    }
    const p::ChainDriver& driver = chain_->driver();
    const bool held = thermal_ && thermal_->stopped();
    s.mining = !held && driver.state() == p::ChainState::kMining;
    s.chips = driver.chips_found();
    s.state = held ? std::string("stopped: ") + thermal_->reason() : p::ToString(driver.state());
    if (thermal_) {
      s.temperature_c = thermal_->temperature_c();
      s.fan_percent = thermal_->fan_percent();
    }
    s.frequency_mhz = driver.config().frequency.value;
    s.chip_stats = ChipStats(driver);
    return s;
  }
  void RecordVerdict(int chip, bool meets_ticket) override {
    if (chain_) {
      chain_->driver().RecordVerdict(chip, meets_ticket);
    }
  }

 private:
  p::Micros Now() const {
    return std::chrono::duration_cast<p::Micros>(std::chrono::steady_clock::now() - epoch_);
  }
  void Reopen() {
    Error status = link_status_;
    auto link = reopen_.TryOpen(status);
    if (!link) {
      link_status_ = status;
      return;
    }
    chain_ = std::make_unique<hal::DirectChain>(std::move(link), config_);
    chain_->Start();
    link_status_ = {};
    has_work_ = true;  // the current work again, once it is mining
  }

  std::string name_;
  LinkReopener reopen_;
  p::DriverConfig config_;
  std::unique_ptr<hal::DirectChain> chain_;
  std::unique_ptr<DirectThermal> thermal_;  // where the board lets the host read its heat
  std::chrono::steady_clock::time_point epoch_ = std::chrono::steady_clock::now();
  Error link_status_;
  bool has_work_ = false;
  ChainWork pending_;
};

// The CPU as a chain: worker threads scan stripes of the current work's nonce space with
// the sha256 core at the job's share difficulty; Poll hands over what they found.
class CpuChain final : public HashChain {
 public:
  CpuChain(std::string name, int threads) : name_(std::move(name)), threads_(threads) {}
  ~CpuChain() override {
    for (auto& worker : workers_) {
      worker.request_stop();
    }
  }
  CpuChain(const CpuChain&) = delete;
  CpuChain& operator=(const CpuChain&) = delete;

  std::string name() const override { return name_; }
  void Start() override {
    for (int i = 0; i < threads_; ++i) {
      workers_.emplace_back([this, i](const std::stop_token& stop) { Work(stop, i); });
    }
  }
  void SetWork(const ChainWork& work) override {
    const std::lock_guard lock(mutex_);
    work_ = work;
    ++generation_;
  }
  void Poll(std::chrono::milliseconds budget, std::vector<FoundNonce>& found) override {
    std::this_thread::sleep_for(std::min(budget, std::chrono::milliseconds(2)));
    const std::lock_guard lock(mutex_);
    found.insert(found.end(), found_.begin(), found_.end());
    found_.clear();
  }
  ChainStatus status() const override {
    ChainStatus s;
    s.state = "mining";
    s.chips = threads_;
    s.mining = true;
    return s;
  }

 private:
  void Work(const std::stop_token& stop, int stripe) {
    std::uint64_t seen = 0;
    sha256::Target target;
    std::optional<sha256::HeaderScanner> scanner;
    ChainWork work;
    std::uint64_t next = 0;
    const std::uint64_t stride = sha256::kNonceSpace / static_cast<std::uint64_t>(threads_);
    while (!stop.stop_requested()) {
      {
        const std::lock_guard lock(mutex_);
        if (generation_ != seen) {
          seen = generation_;
          work = work_;
          scanner.emplace(std::span<const std::uint8_t, 80>(work.header));
          target =
              sha256::Difficulty::From(work.difficulty).value_or(sha256::Difficulty()).ToTarget();
          next = stride * static_cast<std::uint64_t>(stripe);
        }
      }
      const std::uint64_t end =
          std::min(next + (1 << 18), stride * static_cast<std::uint64_t>(stripe + 1));
      if (!scanner || next >= end) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));  // stripe done: wait for work
        continue;
      }
      std::vector<sha256::Hit> hits;
      scanner->Scan({next, end}, target, hits);
      next = end;
      const std::lock_guard lock(mutex_);
      for (const sha256::Hit& hit : hits) {
        if (generation_ == seen) {
          found_.push_back({work.token, stripe, hit.nonce, hit.version, work.difficulty});
        }
      }
    }
  }

  std::string name_;
  int threads_;
  std::mutex mutex_;
  ChainWork work_;
  std::uint64_t generation_ = 0;
  std::vector<FoundNonce> found_;
  std::vector<std::jthread> workers_;
};

}  // namespace

std::optional<BoardSpec> ParseBoardSpec(const std::string& text, std::string& error) {
  const auto colon = text.find(':');
  BoardSpec spec;
  spec.kind = text.substr(0, colon);
  const std::string rest = colon == std::string::npos ? "" : text.substr(colon + 1);
  if (spec.kind == "sim" || spec.kind == "cpu") {
    const auto n = rest.empty() ? std::optional<unsigned long long>(spec.kind == "sim" ? 4 : 1)
                                : ParseCount(rest);
    if (!n || *n < 1 || *n > 256) {
      error = "--board " + text + ": expected " + spec.kind + "[:1..256]";
      return std::nullopt;
    }
    spec.count = static_cast<int>(*n);
    return spec;
  }
  if (spec.kind == "serial" && !rest.empty()) {
    const auto at = rest.find('@');
    spec.where = rest.substr(0, at);
    if (at != std::string::npos) {
      const auto baud = ParseCount(rest.substr(at + 1));
      if (!baud || *baud < 1200 || *baud > 12'000'000) {
        error = "--board " + text + ": bad baud rate";
        return std::nullopt;
      }
      spec.baud = static_cast<std::uint32_t>(*baud);
    }
    return spec;
  }
  if (spec.kind == "bitaxe" && rest.find(':') != std::string::npos) {
    spec.where = rest.substr(0, rest.find(':'));
    spec.control = rest.substr(rest.find(':') + 1);
    return spec;
  }
  if (spec.kind == "tcp" && rest.find(':') != std::string::npos) {
    spec.where = rest;
    return spec;
  }
  if (spec.kind == "usb" && hal::ParseUsbId(rest)) {
    spec.where = rest;
    return spec;
  }
  error = "--board " + text +
          ": expected sim[:CHIPS], cpu[:THREADS], serial:PATH[@BAUD], "
          "bitaxe:DATA_PATH:CONTROL_PATH, tcp:HOST:PORT or usb:VID:PID[#SERIAL]";
  return std::nullopt;
}

void CoreMidstate(const std::uint8_t* block, std::array<std::uint32_t, 8>& state) {
  state = sha256::Midstate(std::span<const std::uint8_t, 64>(block, 64)).words;
}

std::unique_ptr<hal::ByteLink> LinkReopener::TryOpen(Error& status) {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::seconds(1)) {
    return nullptr;
  }
  last_ = now;
  auto link = open_();
  if (!link) {
    status = link.error();
    return nullptr;
  }
  return std::move(*link);
}

LinkOpener MakeLinkOpener(const BoardSpec& spec, std::string& error) {
  if (spec.kind == "serial" || spec.kind == "bitaxe") {
    return [spec] { return hal::OpenUart(spec.where, spec.baud); };
  }
  if (spec.kind == "tcp") {
    const auto colon = spec.where.rfind(':');
    const auto port = ParseCount(spec.where.substr(colon + 1));
    if (!port || *port > 65535) {
      error = "bad port";
      return nullptr;
    }
    return [host = spec.where.substr(0, colon), port = static_cast<std::uint16_t>(*port)] {
      return hal::ConnectTcp(host, port, std::chrono::seconds(5));
    };
  }
  if (spec.kind == "usb") {
    return [id = *hal::ParseUsbId(spec.where)] { return hal::OpenUsb(id, 115'200); };
  }
  error = "not a link (serial, tcp or usb)";
  return nullptr;
}

std::unique_ptr<HashChain> MakeBoard(const BoardSpec& spec, const p::DriverConfig& driver,
                                     double sim_cpu_rate, double sim_ambient_c,
                                     const std::string& name, std::string& error) {
  if (spec.kind == "sim") {
    p::DriverConfig config = driver;
    config.expected_chips = spec.count;
    return std::make_unique<SimChain>(
        name, hal::sim::ChainConfig{config.model, spec.count, sim_cpu_rate, 1}, config,
        SimBoardThermal{sim_ambient_c, {}});
  }
  if (spec.kind == "cpu") {
    return std::make_unique<CpuChain>(name, spec.count);
  }
  LinkOpener opener = MakeLinkOpener(spec, error);
  if (!opener) {
    error = name + " (" + spec.kind + ":" + spec.where + "): " + error;
    return nullptr;
  }
  auto opened = opener();
  if (!opened) {
    error = name + " (" + spec.kind + ":" + spec.where + "): " + opened.error().message();
    return nullptr;
  }
  std::unique_ptr<hal::ByteLink> link = std::move(*opened);
  if (spec.kind == "bitaxe") {       // bitaxe-raw: the chain on the data port, heat on control
    const p::ThermalConfig thermal;  // the policy the firmware and sim boards apply
    auto control = hal::OpenUart(spec.control, 115'200);
    auto sensors = control ? OpenBitaxeRawSensors(std::move(*control), error) : nullptr;
    if (!sensors) {
      error = name + " (bitaxe control " + spec.control +
              "): " + (control ? error : control.error().message());
      return nullptr;
    }
    return std::make_unique<LinkChain>(
        name, std::move(link), std::move(opener), driver,
        std::make_unique<DirectThermal>(std::move(sensors), thermal, driver.frequency));
  }
  // A board running hashrig firmware answers Hello; a bare chain ignores the bytes.
  auto client = std::make_unique<hal::BoardClient>(std::move(link));
  hal::link::HelloReply hello;
  if (client->Hello(kBoardProbe, hello).ok()) {
    return std::make_unique<FirmwareChain>(name, std::move(client), hello, std::move(opener),
                                           driver);
  }
  return std::make_unique<LinkChain>(name, client->Release(), std::move(opener), driver, nullptr);
}

}  // namespace hashrig::host
