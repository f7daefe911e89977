// hashrig-fw-sim: the controller-board firmware (firmware/app, unchanged) as a Linux
// process. The board support package maps the MCU's peripherals onto Linux: the host
// link is a PTY (or a TCP port), the chain UART is hal/sim in-process or a PTY/TCP link
// to `hashrig sim`, flash is a file with real erase/program semantics, the temperature
// comes from a number or a file a test can rewrite, and the hardware watchdog is a thread
// that restarts the process when the main loop stops feeding it. A reboot re-executes
// the process, which runs the bootloader's choice again — so updates, trial boots and
// rollbacks behave as on the MCU. The image body is not executed here: the booted
// header's version is what the board reports.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "hashrig/firmware/app.h"
#include "hashrig/firmware/boot.h"
#include "hashrig/firmware/flash.h"
#include "hashrig/hal/link.h"
#include "hashrig/hal/pty.h"
#include "hashrig/hal/sim/sim_registers.h"
#include "hashrig/hal/sim_link.h"
#include "hashrig/sha256/sha256.h"

namespace hashrig::firmware {
namespace {

namespace p = hal::protocol;
using Clock = std::chrono::steady_clock;

constexpr std::uint32_t kBoardId = 0x4D495348;  // "HSIM"
constexpr std::size_t kSectorSize = 4096;
constexpr Layout kLayout{64};  // 256 KiB slots
constexpr std::size_t kSectors = 2 + 2 * 64;

std::atomic<bool> g_stop{false};
std::vector<std::string> g_argv;

void Log(const std::string& line) {
  const auto t = std::chrono::system_clock::now();
  const std::time_t s = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  ::localtime_r(&s, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
  std::fprintf(stderr, "%s [fw] %s\n", stamp, line.c_str());
}

[[noreturn]] void Restart(const char* why) {
  Log(std::string("restarting: ") + why);
  std::vector<char*> argv;
  argv.reserve(g_argv.size() + 1);
  for (std::string& a : g_argv) {
    argv.push_back(a.data());
  }
  argv.push_back(nullptr);
  ::execv("/proc/self/exe", argv.data());
  Log(std::string("cannot restart: ") + std::strerror(errno));
  std::_Exit(70);
}

// Flash in a file: erase writes 0xFF, programming can only clear bits — as NOR flash.
class FileFlash final : public Flash {
 public:
  explicit FileFlash(int fd) : fd_(fd) {}
  ~FileFlash() override { ::close(fd_); }
  FileFlash(const FileFlash&) = delete;
  FileFlash& operator=(const FileFlash&) = delete;

  static std::unique_ptr<FileFlash> Open(const std::string& path, bool& created) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      return nullptr;
    }
    struct stat st {};
    ::fstat(fd, &st);
    created = st.st_size != static_cast<off_t>(kSectors * kSectorSize);
    auto flash = std::make_unique<FileFlash>(fd);
    if (created) {
      if (::ftruncate(fd, static_cast<off_t>(kSectors * kSectorSize)) != 0) {
        return nullptr;
      }
      for (std::size_t s = 0; s < kSectors; ++s) {
        (void)flash->Erase(s);
      }
    }
    return flash;
  }

  std::size_t size() const override { return kSectors * kSectorSize; }
  std::size_t sector_size() const override { return kSectorSize; }
  Status Erase(std::size_t sector) override {
    if (sector >= kSectors) {
      return Status(StatusCode::kInvalidArgument, "no such sector");
    }
    std::vector<std::uint8_t> ones(kSectorSize, 0xFF);
    return WriteAt(sector * kSectorSize, ones);
  }
  Status Program(std::size_t offset, std::span<const std::uint8_t> data) override {
    if (offset + data.size() > size()) {
      return Status(StatusCode::kInvalidArgument, "program outside the flash");
    }
    std::vector<std::uint8_t> now(data.size());
    if (Status s = Read(offset, now); !s.ok()) {
      return s;
    }
    for (std::size_t i = 0; i < data.size(); ++i) {
      now[i] &= data[i];
    }
    return WriteAt(offset, now);
  }
  Status Read(std::size_t offset, std::span<std::uint8_t> out) const override {
    if (offset + out.size() > size() ||
        ::pread(fd_, out.data(), out.size(), static_cast<off_t>(offset)) !=
            static_cast<ssize_t>(out.size())) {
      return Status(StatusCode::kUnavailable, "flash read failed");
    }
    return {};
  }

 private:
  Status WriteAt(std::size_t offset, std::span<const std::uint8_t> data) {
    if (::pwrite(fd_, data.data(), data.size(), static_cast<off_t>(offset)) !=
        static_cast<ssize_t>(data.size())) {
      return Status(StatusCode::kUnavailable, "flash write failed");
    }
    ::fdatasync(fd_);
    return {};
  }
  int fd_;
};

// A factory image for a fresh flash file: version `version`, a body of known bytes.
std::vector<std::uint8_t> FactoryImage(std::uint32_t version) {
  std::vector<std::uint8_t> body(4096);
  for (std::size_t i = 0; i < body.size(); ++i) {
    body[i] = static_cast<std::uint8_t>(i * 7 + version);
  }
  ImageHeader h;
  h.board_id = kBoardId;
  h.version = version;
  h.size = static_cast<std::uint32_t>(body.size());
  h.sha256 = sha256::Hash(body);
  const auto head = EncodeImageHeader(h);
  std::vector<std::uint8_t> image(head.size() + body.size());
  std::copy(head.begin(), head.end(), image.begin());
  std::copy(body.begin(), body.end(), image.begin() + static_cast<std::ptrdiff_t>(head.size()));
  return image;
}

struct Options {
  std::string link_path;  // PTY symlink
  std::string listen;     // ADDRESS:PORT instead of a PTY
  std::string chain = "sim:4";
  double chips = 0;  // expected on a serial/tcp chain (sim:N says it itself)
  p::ChipModel model = p::ChipModel::kBm1368;
  double cpu_rate = 4e6;
  std::string flash_path;
  std::string serial = "SIM-0001";
  std::optional<double> temperature;  // fixed; none: the simulated board's own heat
  std::string temperature_file;
  double host_silence = 10;
  double watchdog = 2;
  double confirm_after = 20;
  std::uint32_t factory_version = 1;
};

// The host link: a PTY (a USB-UART bridge's tty on a real host) or one TCP client.
class HostPort {
 public:
  bool OpenPty(const std::string& link_path) {
    auto pty = hal::Pty::Open();
    if (!pty) {
      Log(pty.error().message());
      return false;
    }
    pty_ = std::move(*pty);
    fd_ = pty_->master_fd();
    if (!link_path.empty()) {
      ::unlink(link_path.c_str());
      if (::symlink(pty_->slave_path().c_str(), link_path.c_str()) != 0) {
        Log("cannot link " + link_path + ": " + std::strerror(errno));
        return false;
      }
    }
    std::printf("pty %s\n", pty_->slave_path().c_str());
    std::fflush(stdout);
    return true;
  }
  bool Listen(const std::string& where) {
    const auto colon = where.rfind(':');
    if (colon == std::string::npos) {
      Log("--listen " + where + ": expected ADDRESS:PORT");
      return false;
    }
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    const int one = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(std::atoi(where.c_str() + colon + 1)));
    if (::inet_pton(AF_INET, where.substr(0, colon).c_str(), &addr.sin_addr) != 1 ||
        ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listener_, 1) != 0) {
      Log("cannot listen on " + where + ": " + std::strerror(errno));
      return false;
    }
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    std::printf("listening on %s:%u\n", where.substr(0, colon).c_str(), ntohs(addr.sin_port));
    std::fflush(stdout);
    return true;
  }

  std::size_t Read(std::span<std::uint8_t> out) {
    Accept();
    if (fd_ < 0) {
      return 0;
    }
    const ssize_t n = ::read(fd_, out.data(), out.size());
    if (n > 0) {
      return static_cast<std::size_t>(n);
    }
    if (listener_ >= 0 && (n == 0 || (errno != EAGAIN && errno != EINTR))) {
      Log("host disconnected");
      ::close(fd_);
      fd_ = -1;
    }
    return 0;
  }
  bool Write(std::span<const std::uint8_t> bytes) {
    if (fd_ < 0) {
      return false;
    }
    std::size_t done = 0;
    const auto deadline = Clock::now() + std::chrono::milliseconds(200);
    while (done < bytes.size() && Clock::now() < deadline) {
      const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
      if (n > 0) {
        done += static_cast<std::size_t>(n);
      } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        return false;
      } else {
        pollfd pfd{fd_, POLLOUT, 0};
        ::poll(&pfd, 1, 10);
      }
    }
    return done == bytes.size();
  }
  int fd() const { return fd_ >= 0 ? fd_ : listener_; }

 private:
  void Accept() {
    if (listener_ < 0 || fd_ >= 0) {
      return;
    }
    const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (client >= 0) {
      const int one = 1;
      ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      fd_ = client;
      Log("host connected");
    }
  }

  std::unique_ptr<hal::Pty> pty_;
  int listener_ = -1;
  int fd_ = -1;
};

class LinuxBsp final : public Bsp {
 public:
  LinuxBsp(HostPort& host, std::unique_ptr<hal::ByteLink> chain, const Options& options)
      : host_(host), chain_(std::move(chain)), options_(options) {
    sim_link_ = dynamic_cast<hal::SimLink*>(chain_.get());
    watchdog_ = std::thread([this] { WatchdogThread(); });
  }
  ~LinuxBsp() {
    g_stop = true;
    watchdog_.join();
  }
  LinuxBsp(const LinuxBsp&) = delete;
  LinuxBsp& operator=(const LinuxBsp&) = delete;

  Micros Now() override { return std::chrono::duration_cast<Micros>(Clock::now() - start_); }
  std::size_t HostRead(std::span<std::uint8_t> out) override { return host_.Read(out); }
  bool HostWrite(std::span<const std::uint8_t> bytes) override { return host_.Write(bytes); }
  std::size_t ChainRead(std::span<std::uint8_t> out) override {
    std::size_t n = 0;
    if (!chain_->ReadFor(out, std::chrono::milliseconds(0), n).ok()) {
      ChainLost();
    }
    return n;
  }
  void ChainWrite(std::span<const std::uint8_t> bytes) override {
    if (!chain_->Write(bytes).ok()) {
      ChainLost();
    }
  }
  void ChainSetBaud(std::uint32_t baud) override { (void)chain_->SetBaud(baud); }
  void ChainReset(bool asserted) override { (void)chain_->SetReset(asserted); }
  std::optional<Celsius> Temperature() override {
    if (options_.temperature_file.empty()) {
      if (options_.temperature) {
        return Celsius{*options_.temperature};
      }
      // The in-process board's own heat, as its EMC2101 reads it; a chain on a link to a
      // `hashrig sim` has no board here: a fixed 45 °C.
      return sim_link_ != nullptr ? sim_link_->WithBoard([](hal::sim::Board& board) {
        return Reading(board.thermal().Read());
      })
                                  : Celsius{45};
    }
    std::ifstream in(options_.temperature_file);
    std::string text;
    in >> text;
    char* end = nullptr;
    const double t = std::strtod(text.c_str(), &end);
    // Unreadable or not a number: the sensor does not answer.
    if ((!in && text.empty()) || end == text.c_str() || !std::isfinite(t)) {
      return std::nullopt;
    }
    return Celsius{t};
  }
  void SetFan(Percent duty) override {
    if (std::lround(duty.value) != std::lround(fan_)) {
      Log("fan " + std::to_string(std::lround(duty.value)) + "%");
    }
    fan_ = duty.value;
    if (sim_link_ != nullptr) {
      const auto setting =
          static_cast<std::uint8_t>(std::lround(std::clamp(fan_, 0.0, 100.0) * 63 / 100));
      sim_link_->WithBoard(
          [&](hal::sim::Board& board) { board.bus().emc2101.fan_setting = setting; });
    }
  }
  Rpm FanSpeed() override { return Rpm{fan_ * 60}; }
  bool SetCoreVoltage(Volts voltage) override {
    if (voltage.value < 1.0 || voltage.value > 1.5) {
      return false;
    }
    voltage_ = voltage;
    return true;
  }
  PowerReading ReadPower() override { return {voltage_, Amperes{0}}; }
  void FeedWatchdog() override {
    last_feed_ns_.store(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
            .count());
  }
  void Reboot() override { Restart("reboot requested by the host"); }
  void WaitForEvent(Micros limit) override {
    pollfd pfd{host_.fd(), POLLIN, 0};
    ::poll(&pfd, pfd.fd >= 0 ? 1 : 0,
           static_cast<int>(
               std::max<std::int64_t>(0, std::min<std::int64_t>(limit.count() / 1000, 1))));
  }

 private:
  static std::optional<Celsius> Reading(Celsius c) {
    return std::isfinite(c.value) ? std::optional<Celsius>(c) : std::nullopt;
  }
  void ChainLost() {
    if (!chain_lost_logged_) {
      Log("chain link lost");
      chain_lost_logged_ = true;
    }
  }
  void WatchdogThread() {
    FeedWatchdog();
    const auto limit = std::chrono::duration<double>(options_.watchdog);
    while (!g_stop) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      const Clock::time_point fed{std::chrono::nanoseconds(last_feed_ns_.load())};
      if (Clock::now() - fed > limit) {
        Restart("hardware watchdog expired (the main loop stopped)");
      }
    }
  }

  HostPort& host_;
  std::unique_ptr<hal::ByteLink> chain_;
  const Options& options_;
  Clock::time_point start_ = Clock::now();
  std::atomic<std::int64_t> last_feed_ns_{0};
  std::thread watchdog_;
  double fan_ = -1;
  Volts voltage_{1.2};
  hal::SimLink* sim_link_ = nullptr;  // the in-process chain, if it is one (its board's heat)
  bool chain_lost_logged_ = false;
};

void PrintHelp() {
  std::cout
      << "usage: hashrig-fw-sim [--link PATH | --listen ADDRESS:PORT] [--chain sim:N | "
         "--chain serial:PATH | --chain tcp:HOST:PORT]\n"
         "                      [--flash FILE] [OPTIONS]\n\n"
         "The hashboard controller firmware as a Linux process: serves the board link to\n"
         "`hashrig run` and `hashrig flash`, runs the chain, keeps it safe. Prints 'pty PATH'\n"
         "or 'listening on ADDRESS:PORT' when ready; runs until SIGINT or SIGTERM.\n\n"
         "  --link PATH            host link on a PTY, PATH a stable symlink to it\n"
         "  --listen ADDRESS:PORT  host link on TCP instead\n"
         "  --chain SPEC           sim:CHIPS (in process, default sim:4), serial:PATH or\n"
         "                         tcp:HOST:PORT (a `hashrig sim` chain)\n"
         "  --chips N              chips expected on a serial/tcp chain (default 1)\n"
         "  --model M              BM1397, BM1366, BM1368 (default) or BM1370\n"
         "  --cpu-rate H           real hashes/s the in-process chain may compute (4e6)\n"
         "  --flash FILE           flash contents (created with a factory image if new)\n"
         "  --factory-version N    the version of that factory image (1)\n"
         "  --serial TEXT          the board's serial number\n"
         "  --temperature C        the chain temperature (default: the simulated board's own,\n"
         "                         45 on a serial/tcp chain)\n"
         "  --temperature-file F   read it from F instead (unreadable or 'nan': failed sensor)\n"
         "  --host-silence S       idle the chain after S seconds without the host (10)\n"
         "  --watchdog S           hardware watchdog period (2)\n"
         "  --confirm-after S      a trial image confirms itself after S s mining (20)\n";
}

std::optional<Options> Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      PrintHelp();
      std::exit(0);
    }
    if (i + 1 >= argc) {
      std::cerr << "hashrig-fw-sim: " << a << ": unknown option or missing value (see --help)\n";
      return std::nullopt;
    }
    const std::string v = argv[++i];
    char* end = nullptr;
    const double number = std::strtod(v.c_str(), &end);
    const bool numeric = end != v.c_str() && *end == '\0' && std::isfinite(number) && number >= 0;
    auto need_number = [&](double& out) {
      if (!numeric) {
        std::cerr << "hashrig-fw-sim: " << a << " '" << v << "': expected a number\n";
        return false;
      }
      out = number;
      return true;
    };
    double n = 0;
    if (a == "--link") {
      o.link_path = v;
    } else if (a == "--listen") {
      o.listen = v;
    } else if (a == "--chain") {
      o.chain = v;
    } else if (a == "--model") {
      const auto m = p::ModelByName(v);
      if (!m) {
        std::cerr << "hashrig-fw-sim: --model '" << v
                  << "': expected BM1397, BM1366, BM1368 or BM1370\n";
        return std::nullopt;
      }
      o.model = *m;
    } else if (a == "--flash") {
      o.flash_path = v;
    } else if (a == "--serial") {
      o.serial = v.substr(0, 15);
    } else if (a == "--temperature-file") {
      o.temperature_file = v;
    } else if (a == "--temperature") {
      double t = 0;
      if (!need_number(t)) {
        return std::nullopt;
      }
      o.temperature = t;
    } else if (a == "--chips") {
      if (!need_number(o.chips) || o.chips < 1 || o.chips > 256) {
        return std::nullopt;
      }
    } else if (a == "--cpu-rate") {
      if (!need_number(o.cpu_rate)) {
        return std::nullopt;
      }
    } else if (a == "--host-silence") {
      if (!need_number(o.host_silence)) {
        return std::nullopt;
      }
    } else if (a == "--watchdog") {
      if (!need_number(o.watchdog)) {
        return std::nullopt;
      }
    } else if (a == "--confirm-after") {
      if (!need_number(o.confirm_after)) {
        return std::nullopt;
      }
    } else if (a == "--factory-version") {
      if (!need_number(n) || n < 1 || n > 0xFFFFFFFF) {
        return std::nullopt;
      }
      o.factory_version = static_cast<std::uint32_t>(n);
    } else {
      std::cerr << "hashrig-fw-sim: unknown option " << a << " (see --help)\n";
      return std::nullopt;
    }
  }
  return o;
}

// The chain UART: hal/sim in this process, or a link to a `hashrig sim` chain.
std::unique_ptr<hal::ByteLink> OpenChain(const Options& o, int& chips) {
  if (o.chain.rfind("sim", 0) == 0) {
    chips = o.chain.size() > 4 ? std::atoi(o.chain.c_str() + 4) : 4;
    if (chips < 1 || chips > 256) {
      Log("--chain " + o.chain + ": expected sim:1..256");
      return nullptr;
    }
    hal::sim::BoardConfig board;
    board.chain = {o.model, chips, o.cpu_rate, 1};
    return std::make_unique<hal::SimLink>(board);
  }
  Expected<std::unique_ptr<hal::ByteLink>> link(StatusCode::kInvalidArgument,
                                                "expected sim:N, serial:PATH or tcp:HOST:PORT");
  if (o.chain.rfind("serial:", 0) == 0) {
    link = hal::OpenUart(o.chain.substr(7), p::kResetBaud);
  } else if (o.chain.rfind("tcp:", 0) == 0) {
    const std::string where = o.chain.substr(4);
    const auto colon = where.rfind(':');
    link = hal::ConnectTcp(where.substr(0, colon),
                           static_cast<std::uint16_t>(std::atoi(where.c_str() + colon + 1)),
                           std::chrono::seconds(5));
  }
  if (!link) {
    Log("--chain " + o.chain + ": " + link.error().message());
    return nullptr;
  }
  return std::move(*link);
}

template <std::size_t N>
std::array<char, N> Text(const std::string& s) {
  std::array<char, N> out{};
  for (std::size_t i = 0; i + 1 < N && i < s.size(); ++i) {
    out[i] = s[i];
  }
  return out;
}

int Main(int argc, char** argv) {
  g_argv.assign(argv, argv + argc);
  const auto options = Parse(argc, argv);
  if (!options) {
    return 2;
  }
  const Options& o = *options;
  ::signal(SIGPIPE, SIG_IGN);
  ::signal(SIGINT, [](int) { g_stop = true; });
  ::signal(SIGTERM, [](int) { g_stop = true; });

  // The bootloader: flash, boot record, slot choice.
  std::unique_ptr<Flash> flash;
  bool created = false;
  if (o.flash_path.empty()) {
    flash = std::make_unique<SimFlash>(kSectors, kSectorSize);
    created = true;
  } else {
    flash = FileFlash::Open(o.flash_path, created);
    if (!flash) {
      Log("cannot open flash file " + o.flash_path + ": " + std::strerror(errno));
      return 1;
    }
  }
  Boot boot(*flash, kLayout, kBoardId);
  if (created) {
    const auto image = FactoryImage(o.factory_version);
    if (!flash->Program(kLayout.SlotOffset(0, kSectorSize), image).ok() ||
        !boot.WriteRecord({1, 0, 0xFF, 0}).ok()) {
      Log("cannot write the factory image");
      return 1;
    }
    Log("new flash: factory image version " + std::to_string(o.factory_version) + " in slot A");
  }
  const auto choice = boot.Choose();
  if (!choice.ok()) {
    Log(std::string("bootloader: ") + choice.status().message());
    return 1;
  }
  Log("bootloader: slot " + std::string(choice->slot == 0 ? "A" : "B") + ", version " +
      std::to_string(choice->version) + (choice->trial ? ", on trial" : ""));

  int chips = 0;
  auto chain = OpenChain(o, chips);
  if (!chain) {
    return 1;
  }
  if (chips == 0) {
    chips = o.chips > 0 ? static_cast<int>(o.chips) : 1;
  }
  HostPort host;
  if (!(o.listen.empty() ? host.OpenPty(o.link_path) : host.Listen(o.listen))) {
    return 1;
  }

  AppConfig config;
  config.board_model = Text<16>("hashrig-sim");
  config.serial = Text<16>(o.serial);
  config.firmware_version = choice->version;
  config.driver.model = o.model;
  config.driver.expected_chips = chips;
  config.driver.frequency = p::InfoOf(o.model).default_frequency;
  config.driver.ramp_step_delay = Micros(5'000);
  config.driver.sub_one_ticket = &hal::sim::kSubOneTicket;  // a simulated chain takes sub-1 tickets
  config.driver.enumeration_silence = Micros(300'000);
  config.host_silence =
      std::chrono::duration_cast<Micros>(std::chrono::duration<double>(o.host_silence));
  config.confirm_after =
      std::chrono::duration_cast<Micros>(std::chrono::duration<double>(o.confirm_after));
  LinuxBsp bsp(host, std::move(chain), o);
  App app(bsp, config, &boot);

  p::ChainState chain_state = app.chain_state();
  p::ThermalState thermal = app.thermal_state();
  bool silent = false;
  bool trial = boot.on_trial();
  while (!g_stop) {
    app.Step();
    if (app.chain_state() != chain_state) {
      chain_state = app.chain_state();
      Log(std::string("chain ") + p::ToString(chain_state) + " (" +
          std::to_string(app.driver().chips_found()) + " chips)");
    }
    if (app.thermal_state() != thermal) {
      thermal = app.thermal_state();
      Log(std::string("thermal ") + p::ToString(thermal));
    }
    if (app.host_silent() != silent) {
      silent = app.host_silent();
      Log(silent ? "host silent: chain idled, fans on the thermal loop" : "host back");
    }
    if (trial && !boot.on_trial()) {
      trial = false;
      Log("image version " + std::to_string(choice->version) + " confirmed");
    }
  }
  Log("stopping");
  if (!o.link_path.empty()) {
    ::unlink(o.link_path.c_str());
  }
  return 0;
}

}  // namespace
}  // namespace hashrig::firmware

int main(int argc, char** argv) { return hashrig::firmware::Main(argc, argv); }
