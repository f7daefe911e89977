// The core clock the current thread runs at, for `hashrig bench`'s cycles per nonce
// (issue 17, point 1). Hardware cycle counters are often unavailable in VMs and the TSC
// ticks at a nominal rate, so the clock is measured with dependent instruction chains
// whose latency is known, timed on the thread's own CPU time (CLOCK_THREAD_CPUTIME_ID: a
// busy machine that takes the core away does not make the clock read slow):
//   - register-to-register adds, x += y with y a run-time value: one cycle each on every
//     x86-64 and AArch64 core (an immediate `add $1` chain is not: newer cores fold
//     immediate adds, and a copy of the old probe read 20 GHz on a 3.5 GHz Xeon);
//   - 64-bit multiplies, x *= y: kMultiplyLatency cycles each (3 on every x86-64 since
//     Core 2 and K8; AArch64's varies by core, so there the check is not made).
// The two must agree within kClockTolerance, or bench prints no cycles.
#pragma once

#include <optional>

namespace hashrig::host {

inline constexpr double kClockTolerance = 0.10;

struct ClockReading {
  double add_ghz = 0;       // from the add chain
  double multiply_ghz = 0;  // from the multiply chain; 0 where its latency is not known
  // The clock in GHz when both methods agree within kClockTolerance; nothing otherwise.
  std::optional<double> Agreed() const;
};

// Both chains, each timed over about `seconds` of the thread's CPU time.
ClockReading MeasureClock(double seconds);

// The calling thread's CPU time in seconds (CLOCK_THREAD_CPUTIME_ID).
double ThreadCpuSeconds();

}  // namespace hashrig::host
