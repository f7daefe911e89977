#include "hashrig/hal/protocol/policy/ticket.h"

namespace hashrig::hal::protocol {
namespace {

constexpr double kHashesPerDifficulty = 4294967296.0;  // 2^32: the work of difficulty 1
constexpr double kOffBy = 4;                           // retune only beyond 4x off the aim

// The largest power of two <= value (value > 0), down to 2^-64.
double PowerOfTwoBelow(double value) {
  double p = 1;
  while (p > value && p > 0x1p-64) {
    p /= 2;
  }
  while (p * 2 <= value) {
    p *= 2;
  }
  return p;
}

}  // namespace

double TicketFor(const TicketPolicy& policy, double hashes_per_second, double pool_difficulty) {
  double ticket = policy.floor;
  const double wanted = hashes_per_second / (policy.nonces_per_second * kHashesPerDifficulty);
  if (wanted > policy.floor) {
    ticket = PowerOfTwoBelow(wanted);
  }
  if (pool_difficulty > 0 && ticket > pool_difficulty) {
    ticket = pool_difficulty >= policy.floor ? PowerOfTwoBelow(pool_difficulty) : policy.floor;
  }
  return ticket < policy.floor ? policy.floor : ticket;
}

double RetuneTicket(const TicketPolicy& policy, double ticket, double nonces, double seconds,
                    double pool_difficulty) {
  if (pool_difficulty > 0 && ticket > pool_difficulty) {
    return TicketFor(policy, ticket * policy.nonces_per_second * kHashesPerDifficulty,
                     pool_difficulty);  // the pool's difficulty fell below the ticket: at once
  }
  if (seconds <= 0) {
    return ticket;
  }
  const double rate = nonces / seconds;
  const bool too_few = rate * kOffBy < policy.nonces_per_second;
  const bool too_many = rate > policy.nonces_per_second * kOffBy;
  if (!too_few && !too_many) {
    return ticket;
  }
  // What the chain measurably did; a silent one counts as half a nonce (all the window
  // says is that it did less than one).
  const double measured = (nonces > 0 ? nonces : 0.5) * ticket * kHashesPerDifficulty / seconds;
  return TicketFor(policy, measured, pool_difficulty);
}

}  // namespace hashrig::hal::protocol
