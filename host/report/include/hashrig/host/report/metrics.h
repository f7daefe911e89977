// Prometheus metrics in the text exposition format (version 0.0.4), rendered from the
// same snapshot the cgminer API reports. Names are listed in docs/METRICS.md.
#pragma once

#include <string>

#include "hashrig/host/report/snapshot.h"

namespace hashrig::host {

// Served by WebApp (web.h) at GET /metrics, on --metrics-listen and --http-listen.
std::string RenderMetrics(const MinerSnapshot& snapshot);

}  // namespace hashrig::host
