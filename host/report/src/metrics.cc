#include "hashrig/host/report/metrics.h"

#include <cstdio>

namespace hashrig::host {
namespace {

std::string Escape(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Number(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

class Writer {
 public:
  void Family(const char* name, const char* type, const char* help) {
    out_ += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  }
  void Sample(const char* name, const std::string& labels, double value) {
    // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on "{" + labels + "}".
    out_ += name;
    if (!labels.empty()) {
      out_ += '{';
      out_ += labels;
      out_ += '}';
    }
    out_ += ' ';
    out_ += Number(value);
    out_ += '\n';
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

std::string Label(const char* key, const std::string& value) {
  return std::string(key) + "=\"" + Escape(value) + "\"";
}

}  // namespace

std::string RenderMetrics(const MinerSnapshot& s) {
  Writer w;
  w.Family("hashrig_uptime_seconds", "gauge", "Seconds since the miner started.");
  w.Sample("hashrig_uptime_seconds", "", s.elapsed_s);
  w.Family("hashrig_hashrate_hashes_per_second", "gauge",
           "Hashrate from difficulty-weighted verified nonces, by averaging window.");
  for (const auto& [window, rate] : {std::pair{"5s", s.hashrate_5s},
                                     {"1m", s.hashrate_1m},
                                     {"5m", s.hashrate_5m},
                                     {"15m", s.hashrate_15m},
                                     {"avg", s.hashrate_avg}}) {
    w.Sample("hashrig_hashrate_hashes_per_second", Label("window", window), rate);
  }
  w.Family("hashrig_shares_total", "counter",
           "Shares by the pool's verdict (lost: never answered).");
  w.Sample("hashrig_shares_total", Label("result", "accepted"), static_cast<double>(s.accepted));
  w.Sample("hashrig_shares_total", Label("result", "rejected"), static_cast<double>(s.rejected));
  w.Sample("hashrig_shares_total", Label("result", "stale"), static_cast<double>(s.stale));
  w.Sample("hashrig_shares_total", Label("result", "lost"), static_cast<double>(s.lost));
  w.Family("hashrig_share_difficulty_total", "counter",
           "Sum of the difficulty of shares, by verdict.");
  w.Sample("hashrig_share_difficulty_total", Label("result", "accepted"), s.difficulty_accepted);
  w.Sample("hashrig_share_difficulty_total", Label("result", "rejected"), s.difficulty_rejected);
  w.Family("hashrig_hardware_errors_total", "counter", "Nonces that failed their chip's ticket.");
  w.Sample("hashrig_hardware_errors_total", "", static_cast<double>(s.hardware_errors));
  w.Family("hashrig_diff1_work_total", "counter",
           "Verified work in difficulty-1 units (2^32 hashes).");
  w.Sample("hashrig_diff1_work_total", "", s.diff1_work);
  w.Family("hashrig_best_share_difficulty", "gauge", "Best share difficulty since start.");
  w.Sample("hashrig_best_share_difficulty", "", s.best_share);
  w.Family("hashrig_pool_up", "gauge", "1 when connected to the pool.");
  for (std::size_t i = 0; i < s.pools.size(); ++i) {
    w.Sample("hashrig_pool_up",
             Label("pool", std::to_string(i)) + "," + Label("url", s.pools[i].url),
             s.pools[i].alive ? 1 : 0);
  }
  w.Family("hashrig_pool_active", "gauge", "1 for the pool being mined.");
  for (std::size_t i = 0; i < s.pools.size(); ++i) {
    w.Sample("hashrig_pool_active", Label("pool", std::to_string(i)), s.pools[i].active ? 1 : 0);
  }
  w.Family("hashrig_pool_shares_total", "counter", "Shares per pool by verdict.");
  for (std::size_t i = 0; i < s.pools.size(); ++i) {
    const std::string pool = Label("pool", std::to_string(i));
    w.Sample("hashrig_pool_shares_total", pool + "," + Label("result", "accepted"),
             static_cast<double>(s.pools[i].accepted));
    w.Sample("hashrig_pool_shares_total", pool + "," + Label("result", "rejected"),
             static_cast<double>(s.pools[i].rejected));
  }
  w.Family("hashrig_chain_up", "gauge", "1 when the chain is mining.");
  for (const ChainSnapshot& c : s.chains) {
    w.Sample("hashrig_chain_up", Label("chain", c.name), Mining(c.status) ? 1 : 0);
  }
  w.Family("hashrig_chain_chips", "gauge", "Chips found on the chain.");
  for (const ChainSnapshot& c : s.chains) {
    w.Sample("hashrig_chain_chips", Label("chain", c.name), c.status.chips);
  }
  w.Family("hashrig_chain_hashrate_hashes_per_second", "gauge", "Chain hashrate over 5 s.");
  for (const ChainSnapshot& c : s.chains) {
    w.Sample("hashrig_chain_hashrate_hashes_per_second", Label("chain", c.name), c.hashrate_5s);
  }
  w.Family("hashrig_chain_hardware_errors_total", "counter", "Hardware errors per chain.");
  for (const ChainSnapshot& c : s.chains) {
    w.Sample("hashrig_chain_hardware_errors_total", Label("chain", c.name),
             static_cast<double>(c.hardware_errors));
  }
  w.Family("hashrig_chip_nonces_total", "counter", "Nonces per chip (chains the host drives).");
  for (const ChainSnapshot& c : s.chains) {
    for (const ChipCounters& chip : c.status.chip_counters) {
      w.Sample("hashrig_chip_nonces_total",
               Label("chain", c.name) + "," + Label("address", std::to_string(chip.address.value)),
               static_cast<double>(chip.nonces));
    }
  }
  w.Family("hashrig_chip_hardware_errors_total", "counter", "Hardware errors per chip.");
  for (const ChainSnapshot& c : s.chains) {
    for (const ChipCounters& chip : c.status.chip_counters) {
      w.Sample("hashrig_chip_hardware_errors_total",
               Label("chain", c.name) + "," + Label("address", std::to_string(chip.address.value)),
               static_cast<double>(chip.hardware_errors));
    }
  }
  return w.Take();
}

std::string AnswerMetricsHttp(std::string_view request, const MinerSnapshot& snapshot) {
  auto response = [](const char* status, const char* type, const std::string& body) {
    return std::string("HTTP/1.0 ") + status + "\r\nContent-Type: " + type +
           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
           body;
  };
  const auto line_end = request.find("\r\n");
  const std::string_view line = request.substr(0, line_end);
  if (line_end == std::string_view::npos || line.rfind("GET ", 0) != 0) {
    return response("400 Bad Request", "text/plain", "bad request\n");
  }
  const auto path_end = line.find(' ', 4);
  const std::string_view path =
      line.substr(4, path_end == std::string_view::npos ? path_end : path_end - 4);
  if (path != "/metrics") {
    return response("404 Not Found", "text/plain", "try /metrics\n");
  }
  return response("200 OK", "text/plain; version=0.0.4; charset=utf-8", RenderMetrics(snapshot));
}

}  // namespace hashrig::host
