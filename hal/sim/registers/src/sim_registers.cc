#include "hashrig/hal/sim/sim_registers.h"

namespace hashrig::hal::sim {

std::uint32_t SimTicketTopWord(double difficulty) {
  const double t = 65535.0 / 65536.0 / difficulty - 1.0;
  return t < 1 ? 1u : t > 4294967295.0 ? 0xFFFFFFFFu : static_cast<std::uint32_t>(t);
}

double SimTicketDifficulty(std::uint32_t top_word) {
  return 65535.0 / 65536.0 / (static_cast<double>(top_word) + 1.0);
}

namespace {

double Configure(double difficulty, protocol::CommandFrame& frame) {
  if (difficulty >= 1) {  // the chips' own ticket mask rules again: the register off
    frame = protocol::BroadcastWriteFrame(kSimTicketTopWord, 0);
    return difficulty;
  }
  const std::uint32_t top = SimTicketTopWord(difficulty);
  frame = protocol::BroadcastWriteFrame(kSimTicketTopWord, top);
  return SimTicketDifficulty(top);
}

}  // namespace

const protocol::SubOneTicket kSubOneTicket{&Configure};

}  // namespace hashrig::hal::sim
