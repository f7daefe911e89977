// `hashrig replay FILE`: a chip capture (`hashrig sim --record`, or one written from a
// UART log) replayed through the BM13xx decoders (hal/replay.h): every frame in words,
// every nonce re-hashed against the job it names. Exit 0 when every nonce met its ticket.
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "hashrig/hal/replay.h"
#include "hashrig/host/cli/commands.h"
#include "nlohmann/json.hpp"

namespace hashrig::host {

int RunReplay(const Args& args) {
  if (args.positional().size() != 1) {
    return UsageError("replay", "give exactly one capture FILE");
  }
  if (static_cast<int>(args.Has("quiet")) + static_cast<int>(args.Has("json")) +
          static_cast<int>(args.Has("driver")) >
      1) {
    return UsageError("replay", "give one of --quiet, --json and --driver");
  }
  const std::string& path = args.positional()[0];
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Failure("replay", path + " is a directory, not a chip capture");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Failure("replay", "cannot read " + path + ": " + std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  const auto capture = hal::ParseCapture(text.str());
  if (!capture) {
    return Failure("replay", path + ": " + capture.error().message());
  }
  if (args.Has("driver")) {
    const hal::DriverReplayReport d = hal::ReplayThroughDriver(*capture);
    if (!d.supported || !d.mining) {
      return Failure("replay", !d.supported ? "--driver: midstate jobs (BM1397) hold no header"
                                            : "--driver: the driver did not come up");
    }
    std::cout << path << ": the driver took " << d.jobs << " jobs (" << d.jobs_matched
              << " with the recorded job id) and decoded " << d.nonces << " nonces, " << d.verified
              << " meeting the recorded ticket; per chip:";
    for (const int n : d.per_chip) {
      std::cout << " " << n;
    }
    std::cout << std::endl;
    return d.jobs_matched == d.jobs && d.verified == d.nonces ? kExitOk : 1;
  }
  const hal::ReplayReport report = hal::Replay(*capture);
  if (!args.Has("quiet") && !args.Has("json")) {
    for (const std::string& line : report.lines) {
      std::cout << line << "\n";
    }
  }
  int unknown = 0;
  for (const hal::ReplayedNonce& n : report.nonces) {
    unknown += n.known_job ? 0 : 1;
  }
  const int met = static_cast<int>(report.nonces.size()) - unknown - report.failed();
  if (args.Has("json")) {  // for scripts (scripts/conformance.sh)
    std::cout << nlohmann::json{{"bursts", capture->bursts.size()},
                                {"frames_to_chips", report.frames_to_chips},
                                {"addresses", report.addresses},
                                {"configured", report.configured},
                                {"jobs", report.jobs},
                                {"responses", report.responses},
                                {"nonces", report.nonces.size()},
                                {"met", met},
                                {"rolled", report.rolled()},
                                {"failed", report.failed()},
                                {"unknown_job", unknown},
                                {"duplicates", report.duplicates},
                                {"damaged", report.damaged},
                                {"unheard", report.unheard},
                                {"final_baud", report.final_baud}}
                     .dump()
              << std::endl;
    return report.failed() == 0 ? kExitOk : 1;
  }
  std::cout << path << ": " << capture->bursts.size() << " bursts, " << report.frames_to_chips
            << " frames to the chips, " << report.responses << " responses, "
            << report.nonces.size() << " nonces: " << met << " met their ticket ("
            << report.rolled() << " on rolled versions), " << report.failed() << " did not, "
            << unknown << " for jobs never sent, " << report.duplicates << " twice; "
            << report.damaged << " damaged bytes; " << report.unheard
            << " bytes sent at another rate than the chips'; the chips ended at "
            << report.final_baud << " baud" << std::endl;
  return report.failed() == 0 ? kExitOk : 1;
}

}  // namespace hashrig::host
