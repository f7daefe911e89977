// The live screen `hashrig run` draws when its stdout is a terminal: pools, boards and
// chains, and each chain's chips (nonces and hardware errors), redrawn every status
// interval. Logs stay on stderr.
#pragma once

#include <string>
#include <vector>

#include "hashrig/host/report/snapshot.h"

namespace hashrig::host {

// The whole screen, starting with the ANSI "home and clear" sequence.
std::string RenderScreen(const MinerSnapshot& snapshot,
                         const std::vector<std::string>& recent_log = {});

}  // namespace hashrig::host
