// A chip capture (capture.h) replayed through the decoders the driver uses (issue 11,
// point 10): host frames with HostFrameDecoder (only those sent at the rate the chips
// were at: the chips' rate follows the baud writes they heard and nRST releases), chip
// responses with ResponseDecoder and
// DecodeNonce (the response size following the 0xA4 writes, as the driver does), every
// nonce matched to the job frame with its id and re-hashed with the real sha256 core —
// version (rolled bits), share difficulty, and whether it met the ticket the host wrote.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hashrig/hal/capture.h"

namespace hashrig::hal {

struct ReplayedNonce {
  std::uint64_t micros = 0;
  std::uint32_t nonce = 0;  // header value (LE)
  std::uint8_t job_id = 0;
  std::uint8_t small_core = 0;  // BM1397: midstate index
  std::uint8_t core = 0;
  std::uint32_t version = 0;  // the header version it completes
  double difficulty = 0;      // share difficulty of its sha256d
  double ticket = 0;          // the ticket the chips had been given (difficulty)
  bool known_job = false;     // a job frame with its id went to the chips before it
  bool rolled = false;        // a rolled version: version bits set (BM1397: midstate > 0)
  bool meets_ticket = false;
};

struct ReplayReport {
  std::vector<std::string> lines;  // every frame in words, in order
  std::vector<ReplayedNonce> nonces;
  int frames_to_chips = 0;
  int addresses = 0;   // set-address frames: the chips the host configured (all sessions)
  int configured = 0;  // of them, since the last chain-inactive: the last enumeration's
  int jobs = 0;        // job frames
  int responses = 0;
  int duplicates = 0;  // nonces reported again for the same job and version
  int damaged = 0;     // from the chips: bytes skipped and frames with a bad CRC
  // Host bytes sent at another rate than the chips listened at: they heard garbage (a
  // host probing for the chips' rate sends some; one that forgets the rate it set, many).
  // They are not decoded: the chips never saw those frames.
  int unheard = 0;
  std::uint32_t final_baud = 0;  // the rate the chips listened at when the capture ended
  int failed() const;
  int rolled() const;
};

ReplayReport Replay(const Capture& capture);

// The capture against the driver itself (header-job models): our Bm13xxDriver is brought
// up on a simulated chain of the capture's model and chips, then given the capture's job
// frames as its work, in order, and the chips' recorded bytes as its input. It must
// assign each job the id the recorded host did (the same ESP-style rotation), decode
// every recorded nonce into an event of the right job, and attribute it to a chip; each
// event's header is re-hashed against the ticket the recorded host set.
struct DriverReplayReport {
  bool supported = true;  // false: a midstate model (BM1397), whose jobs hold no header
  bool mining = false;    // the driver came up on the simulated chain
  int jobs = 0;
  int jobs_matched = 0;  // the driver chose the recorded job id
  int nonces = 0;        // events the driver decoded
  int verified = 0;      // their headers met the recorded ticket
  std::vector<int> per_chip;
};
DriverReplayReport ReplayThroughDriver(const Capture& capture);

}  // namespace hashrig::hal
