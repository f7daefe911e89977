// Prometheus metrics in the text exposition format (version 0.0.4), rendered from the
// same snapshot the cgminer API reports. Names are listed in docs/METRICS.md.
#pragma once

#include <string>

#include <string_view>

#include "hashrig/host/report/snapshot.h"

namespace hashrig::host {

std::string RenderMetrics(const MinerSnapshot& snapshot);

// Whether an HTTP request that came in pieces is whole: its header ends (a blank line).
bool HttpRequestComplete(std::string_view request);

// The HTTP reply for a request to the metrics port: /metrics gets the metrics, anything
// else a 404, garbage a 400. Always a whole response; the caller closes the connection.
std::string AnswerMetricsHttp(std::string_view request, const MinerSnapshot& snapshot);

}  // namespace hashrig::host
