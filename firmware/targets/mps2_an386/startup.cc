// Cortex-M4 startup for the MPS2 AN386: the vector table, the reset handler (copy .data,
// zero .bss, run constructors, call main) and the fault handlers. Freestanding.
#include <cstdint>

#include "board.h"

extern "C" {
extern std::uint32_t _estack, _sidata, _sdata, _edata, _sbss, _ebss;
extern void (*__init_array_start[])();
extern void (*__init_array_end[])();
int main();

[[noreturn]] void Reset_Handler() {
  for (std::uint32_t *src = &_sidata, *dst = &_sdata; dst < &_edata;) {
    *dst++ = *src++;
  }
  for (std::uint32_t* dst = &_sbss; dst < &_ebss;) {
    *dst++ = 0;
  }
  for (auto** f = __init_array_start; f < __init_array_end; ++f) {
    (*f)();
  }
  main();
  hashrig::mps2::Exit(1);  // main never returns
}

[[noreturn]] void HardFault_Handler() { hashrig::mps2::Fatal("hard fault"); }
[[noreturn]] void Default_Handler() { hashrig::mps2::Fatal("unexpected interrupt"); }
void NMI_Handler() { hashrig::mps2::WatchdogExpired(); }
void SysTick_Handler() { hashrig::mps2::OnSysTick(); }
void Uart0Rx_Handler() { hashrig::mps2::OnUartInterrupt(0); }
void Uart0Tx_Handler() { hashrig::mps2::OnUartInterrupt(0); }
void Uart1Rx_Handler() { hashrig::mps2::OnUartInterrupt(1); }
void Uart1Tx_Handler() { hashrig::mps2::OnUartInterrupt(1); }
void Uart2Rx_Handler() { hashrig::mps2::OnUartInterrupt(2); }
void Uart2Tx_Handler() { hashrig::mps2::OnUartInterrupt(2); }

// The C++ runtime's few needs, with no library behind them.
void __cxa_pure_virtual() { hashrig::mps2::Fatal("pure virtual call"); }
void abort() { hashrig::mps2::Fatal("abort"); }
}

// Objects are never deleted on the MCU (no heap); a virtual destructor still names it.
void operator delete(void*) noexcept { hashrig::mps2::Fatal("delete"); }
void operator delete(void*, unsigned int) noexcept { hashrig::mps2::Fatal("delete"); }

using Handler = void (*)();
extern "C" __attribute__((section(".isr_vector"), used)) const Handler kVectors[16 + 6] = {
    reinterpret_cast<Handler>(&_estack),
    Reset_Handler,
    NMI_Handler,
    HardFault_Handler,
    Default_Handler,  // MemManage
    Default_Handler,  // BusFault
    Default_Handler,  // UsageFault
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    Default_Handler,  // SVCall
    Default_Handler,  // DebugMon
    nullptr,
    Default_Handler,  // PendSV
    SysTick_Handler,
    Uart0Rx_Handler,  // IRQ 0: UART0 RX, 1: UART0 TX, 2/3: UART1, 4/5: UART2
    Uart0Tx_Handler,
    Uart1Rx_Handler,
    Uart1Tx_Handler,
    Uart2Rx_Handler,
    Uart2Tx_Handler,
};
