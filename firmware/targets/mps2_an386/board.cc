#include "board.h"

namespace hashrig::mps2 {
namespace {

// CMSDK APB UART (ARM DDI 0479): serial0..2 at 0x40004000, 0x40005000, 0x40006000.
struct UartRegs {
  volatile std::uint32_t data;
  volatile std::uint32_t state;      // bit 0 TX full, bit 1 RX full
  volatile std::uint32_t ctrl;       // 0 TX en, 1 RX en, 2 TX int en, 3 RX int en
  volatile std::uint32_t intstatus;  // read: pending; write 1: clear. bit 0 TX, bit 1 RX
  volatile std::uint32_t bauddiv;
};
constexpr std::uint32_t kTxFull = 1u << 0;
constexpr std::uint32_t kRxFull = 1u << 1;
constexpr std::uint32_t kTxInt = 1u << 0;
constexpr std::uint32_t kRxInt = 1u << 1;
constexpr std::uint32_t kCtrlTxEn = 1u << 0;
constexpr std::uint32_t kCtrlRxEn = 1u << 1;
constexpr std::uint32_t kCtrlTxIntEn = 1u << 2;
constexpr std::uint32_t kCtrlRxIntEn = 1u << 3;

UartRegs* Uart(int n) {
  return reinterpret_cast<UartRegs*>(0x40004000u + 0x1000u * static_cast<unsigned>(n));
}

// System control: SysTick, NVIC, SCB.
volatile std::uint32_t& Reg(std::uint32_t address) {
  return *reinterpret_cast<volatile std::uint32_t*>(address);
}
constexpr std::uint32_t kSysTickCtrl = 0xE000E010;
constexpr std::uint32_t kSysTickLoad = 0xE000E014;
constexpr std::uint32_t kSysTickVal = 0xE000E018;
constexpr std::uint32_t kNvicIser = 0xE000E100;
constexpr std::uint32_t kScbAircr = 0xE000ED0C;

// CMSDK APB watchdog at 0x40008000, clocked at 25 MHz; its interrupt is the NMI.
constexpr std::uint32_t kWdog = 0x40008000;

template <std::size_t N>
class Ring {
 public:
  bool Push(std::uint8_t b) {
    const std::size_t next = (head_ + 1) % N;
    if (next == tail_) {
      return false;
    }
    bytes_[head_] = b;
    head_ = next;
    return true;
  }
  bool Pop(std::uint8_t& b) {
    if (tail_ == head_) {
      return false;
    }
    b = bytes_[tail_];
    tail_ = (tail_ + 1) % N;
    return true;
  }
  std::size_t Free() const { return (tail_ + N - head_ - 1) % N; }
  bool Peek(std::uint8_t& b) const {
    if (tail_ == head_) {
      return false;
    }
    b = bytes_[tail_];
    return true;
  }

 private:
  std::uint8_t bytes_[N] = {};
  volatile std::size_t head_ = 0;
  volatile std::size_t tail_ = 0;
};

struct Port {
  Ring<4096> rx;
  Ring<4096> tx;
  std::uint32_t dropped = 0;
};
Port g_ports[3];
volatile std::uint32_t g_millis = 0;
bool g_reset_on_fatal = false;

std::uint32_t DisableIrq() {
  std::uint32_t primask = 0;
  asm volatile("mrs %0, primask\n cpsid i" : "=r"(primask)::"memory");
  return primask;
}
void RestoreIrq(std::uint32_t primask) {
  asm volatile("msr primask, %0" ::"r"(primask) : "memory");
}

// Moves bytes between the UART and its rings; called from its interrupt and, with
// interrupts masked, from thread mode (a byte already waiting raises no new interrupt).
void Service(int n) {
  UartRegs* u = Uart(n);
  Port& p = g_ports[n];
  u->intstatus = kTxInt | kRxInt;  // acknowledge first, then drain: no interrupt is lost
  while ((u->state & kRxFull) != 0) {
    if (!p.rx.Push(static_cast<std::uint8_t>(u->data))) {
      ++p.dropped;
    }
  }
  std::uint8_t b = 0;
  while ((u->state & kTxFull) == 0 && p.tx.Pop(b)) {
    u->data = b;
  }
}

}  // namespace

void Init() {
  for (int n = 0; n < 3; ++n) {
    UartRegs* u = Uart(n);
    u->bauddiv = 16;  // any valid divider: the model has no baud rate
    u->ctrl = kCtrlTxEn | kCtrlRxEn | kCtrlTxIntEn | kCtrlRxIntEn;
    Reg(kNvicIser) = 3u << (2 * n);  // its RX and TX interrupts
  }
  Reg(kSysTickLoad) = kCpuHz / 1000 - 1;
  Reg(kSysTickVal) = 0;
  Reg(kSysTickCtrl) = 7;  // processor clock, interrupt, enable
}

void OnSysTick() { g_millis = g_millis + 1; }

std::uint64_t Micros() {
  for (;;) {
    const std::uint32_t ms = g_millis;
    const std::uint32_t val = Reg(kSysTickVal);
    if (ms == g_millis) {
      const std::uint32_t reload = kCpuHz / 1000;
      return static_cast<std::uint64_t>(ms) * 1000 + (reload - 1 - val) / (kCpuHz / 1'000'000);
    }
  }
}

void OnUartInterrupt(int uart) { Service(uart); }

std::size_t UartRead(int uart, std::span<std::uint8_t> out) {
  const std::uint32_t irq = DisableIrq();
  Service(uart);
  std::size_t n = 0;
  while (n < out.size() && g_ports[uart].rx.Pop(out[n])) {
    ++n;
  }
  RestoreIrq(irq);
  return n;
}

bool UartWrite(int uart, std::span<const std::uint8_t> bytes) {
  const std::uint32_t irq = DisableIrq();
  Port& p = g_ports[uart];
  const bool fits = p.tx.Free() >= bytes.size();
  if (fits) {
    for (const std::uint8_t b : bytes) {
      p.tx.Push(b);
    }
    Service(uart);
  }
  RestoreIrq(irq);
  return fits;
}

void UartWriteBlocking(int uart, std::span<const std::uint8_t> bytes) {
  while (!bytes.empty()) {
    const std::size_t n = bytes.size() < 256 ? bytes.size() : 256;
    if (UartWrite(uart, bytes.first(n))) {
      bytes = bytes.subspan(n);
    } else {
      WaitForInterrupt();
    }
  }
}

std::uint32_t UartDropped(int uart) { return g_ports[uart].dropped; }

void Log(const char* text) {
  std::size_t n = 0;
  while (text[n] != '\0') {
    ++n;
  }
  UartWriteBlocking(kConsole, {reinterpret_cast<const std::uint8_t*>(text), n});
  const std::uint8_t newline[] = {'\r', '\n'};
  UartWriteBlocking(kConsole, newline);
}

void Log(const char* a, const char* b, const char* c, const char* d) {
  for (const char* text : {a, b, c}) {
    std::size_t n = 0;
    while (text[n] != '\0') {
      ++n;
    }
    UartWriteBlocking(kConsole, {reinterpret_cast<const std::uint8_t*>(text), n});
  }
  Log(d);
}

const char* Decimal(std::uint32_t value, char (&out)[12]) {
  char digits[12];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  for (int i = 0; i < n; ++i) {
    out[i] = digits[n - 1 - i];
  }
  out[n] = '\0';
  return out;
}

void FlushConsole() {
  std::uint8_t probe = 0;
  for (;;) {
    const std::uint32_t irq = DisableIrq();
    Service(kConsole);
    const bool empty = !g_ports[kConsole].tx.Peek(probe) && (Uart(kConsole)->state & kTxFull) == 0;
    RestoreIrq(irq);
    if (empty) {
      return;
    }
  }
}

void SetResetOnFatal(bool reset) { g_reset_on_fatal = reset; }

void WatchdogStart(std::uint32_t millis) {
  Reg(kWdog + 0xC00) = 0x1ACCE551;  // unlock
  Reg(kWdog + 0x00) = millis * (kCpuHz / 1000);
  Reg(kWdog + 0x08) = 3;  // interrupt (NMI) at the first expiry, reset at the second
  Reg(kWdog + 0xC00) = 0;
}

void WatchdogFeed() {
  Reg(kWdog + 0xC00) = 0x1ACCE551;
  Reg(kWdog + 0x0C) = 1;  // clear the interrupt and reload the counter
  Reg(kWdog + 0xC00) = 0;
}

void WaitForInterrupt() { asm volatile("wfi"); }

void WatchdogExpired() { Fatal("watchdog expired: the main loop stopped"); }

[[noreturn]] void Exit(int code) {
#ifdef HASHRIG_SEMIHOSTING
  // SYS_EXIT_EXTENDED with ADP_Stopped_ApplicationExit: QEMU exits with `code`.
  const std::uint32_t block[2] = {0x20026, static_cast<std::uint32_t>(code)};
  register std::uint32_t r0 asm("r0") = 0x20;
  register const std::uint32_t* r1 asm("r1") = block;
  asm volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
#else
  (void)code;
#endif
  Reset();
}

[[noreturn]] void Reset() {
  Reg(kScbAircr) = 0x05FA0004;  // SYSRESETREQ
  for (;;) {
  }
}

[[noreturn]] void Fatal(const char* why) {
  // Polled, straight to the register: this may run in a fault handler with nothing else
  // working.
  UartRegs* u = Uart(kConsole);
  for (const char* text : {"fatal: ", why, "\r\n"}) {
    for (; *text != '\0'; ++text) {
      while ((u->state & kTxFull) != 0) {
      }
      u->data = static_cast<std::uint8_t>(*text);
    }
  }
  if (g_reset_on_fatal) {
    Reset();
  }
  Exit(3);
}

}  // namespace hashrig::mps2
