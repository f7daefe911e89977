// Measures the core clock the current thread actually runs at, with a chain of dependent
// one-cycle adds. Hardware cycle counters are often unavailable in VMs, and the TSC ticks
// at a nominal rate, so this is how `hashrig bench` turns hashes/s into cycles per nonce.
#pragma once

namespace hashrig::host {

// GHz, measured over about `seconds`.
double MeasureClockGhz(double seconds);

}  // namespace hashrig::host
