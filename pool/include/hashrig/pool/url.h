// Pool URLs as miners write them: stratum+tcp://host:port, stratum+ssl:// or
// stratum+tls:// for TLS, a bare host:port meaning TCP, and cgminer's "#xnsub" suffix
// asking for mining.extranonce.subscribe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "hashrig/base/error.h"

namespace hashrig::pool {

struct PoolUrl {
  std::string host;
  std::uint16_t port = 3333;
  bool tls = false;
  bool extranonce_subscribe = false;

  std::string ToString() const;
};

Expected<PoolUrl> ParsePoolUrl(std::string_view text);

}  // namespace hashrig::pool
