// Which ticket difficulty a chain's chips should report nonces at (issue 11, point 9).
// A ticket sets how much work one nonce stands for: too high and a slow or partly dead
// chain reports so rarely that no honest hashrate can be read from it (the fixed 256 of
// before gave a CPU-simulated chain one nonce per ~3 days); too low and the UART and the
// host drown in nonces. The policy aims at a steady nonce rate per chain — first from the
// chain's expected hashrate (clock × small cores × chips), then from what it measurably
// did — as a power of two (what a ticket mask can express), never above the pool's share
// difficulty (a share must never hide below the ticket) and never below the chips' floor
// (1 on silicon; lower only on a simulator's documented extension).
#pragma once

namespace hashrig::hal::protocol {

struct TicketPolicy {
  double nonces_per_second = 64;  // per chain: a 5 s reading rests on ~320 nonces (±6 %)
  double floor = 1;               // the lowest ticket the chips can take
};

// The ticket for a chain hashing `hashes_per_second`, under the pool's current share
// difficulty (0: not known yet — no cap). A power of two (or `floor`).
double TicketFor(const TicketPolicy& policy, double hashes_per_second, double pool_difficulty);

// Whether a chain at `ticket` that reported `nonces` in `seconds` should move to another
// ticket: at once when the pool's difficulty fell below it; otherwise (seconds > 0, a
// window long enough to judge) only when the rate is off the aim by more than 4x either
// way, so counting noise and short stalls never make it hunt. Returns the new ticket, or
// `ticket` unchanged.
double RetuneTicket(const TicketPolicy& policy, double ticket, double nonces, double seconds,
                    double pool_difficulty);

}  // namespace hashrig::hal::protocol
