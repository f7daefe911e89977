// Stratum V2 session tests' shared helper: a message as the complete frame a peer sends.
#pragma once

#include "hashrig/pool/sv2/messages.h"

namespace hashrig::pool::sv2 {

// `m` framed (header ‖ payload, unencrypted: the sessions' plain side). Messages the
// tests build are always encodable, so the Expected is unwrapped.
template <typename M>
Bytes Framed(const M& m) {
  return *EncodeFrame(Message(m));
}

}  // namespace hashrig::pool::sv2
