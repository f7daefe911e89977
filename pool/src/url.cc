#include "hashrig/pool/url.h"

#include "hashrig/base/hex.h"
#include "hashrig/pool/sv2/keys.h"

#include <algorithm>
#include <cctype>

namespace hashrig::pool {

std::string PoolUrl::ToString() const {
  std::string host_part = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (sv2) {
    return "stratum2+tcp://" + host_part + ":" + std::to_string(port) + "/" + authority_key;
  }
  return std::string(tls ? "stratum+ssl://" : "stratum+tcp://") + host_part + ":" +
         std::to_string(port) + (extranonce_subscribe ? "#xnsub" : "");
}

Expected<PoolUrl> ParsePoolUrl(std::string_view text) {
  PoolUrl url;
  const std::string original(text);
  if (const auto fragment = text.find('#'); fragment != std::string_view::npos) {
    if (text.substr(fragment) != "#xnsub") {
      return Error(StatusCode::kInvalidArgument, "pool URL '" + original + "': unknown suffix " +
                                                     std::string(text.substr(fragment)) +
                                                     " (only #xnsub is known)");
    }
    url.extranonce_subscribe = true;
    text = text.substr(0, fragment);
  }
  if (const auto scheme_end = text.find("://"); scheme_end != std::string_view::npos) {
    std::string scheme(text.substr(0, scheme_end));  // schemes are case-insensitive
    std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (scheme == "stratum+ssl" || scheme == "stratum+tls") {
      url.tls = true;
    } else if (scheme == "stratum2+tcp") {
      url.sv2 = true;
      url.port = kDefaultSv2Port;
    } else if (scheme != "stratum+tcp" && scheme != "stratum") {
      return Error(StatusCode::kInvalidArgument,
                   "pool URL '" + original + "': scheme " + scheme +
                       " is not stratum+tcp, stratum+ssl, stratum+tls or stratum2+tcp");
    }
    text = text.substr(scheme_end + 3);
  }
  if (url.sv2) {
    const auto slash = text.find('/');
    const auto key = slash == std::string_view::npos ? std::string_view() : text.substr(slash + 1);
    if (key.empty()) {
      return Error(StatusCode::kInvalidArgument,
                   "pool URL '" + original +
                       "': a stratum2+tcp URL ends with /AUTHORITY_PUBKEY (the pool's key)");
    }
    if (auto checked = sv2::DecodeAuthorityKey(key); !checked) {
      return checked.error().Context("pool URL '" + original + "'");
    }
    url.authority_key = std::string(key);
    text = text.substr(0, slash);
    if (url.extranonce_subscribe) {
      return Error(StatusCode::kInvalidArgument,
                   "pool URL '" + original + "': #xnsub is Stratum V1's (V2 has no such request)");
    }
  }
  while (!text.empty() && text.back() == '/') {
    text.remove_suffix(1);
  }
  std::string_view host = text;
  std::string_view port;
  if (text.starts_with('[')) {  // [IPv6]:port
    const auto close = text.find(']');
    if (close == std::string_view::npos) {
      return Error(StatusCode::kInvalidArgument,
                   "pool URL '" + original + "': unclosed [ in the host");
    }
    host = text.substr(1, close - 1);
    if (close + 1 < text.size() && text[close + 1] == ':') {
      port = text.substr(close + 2);
    }
  } else if (const auto colon = text.rfind(':'); colon != std::string_view::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty()) {
    return Error(StatusCode::kInvalidArgument, "pool URL '" + original + "': no host");
  }
  // A DNS name or an IPv4 address (letters, digits, '-', '.', '_'), or an IPv6 address in
  // brackets: nothing else reaches the resolver, the log or a metrics label (a space, a
  // comma, markup, bytes that are not ASCII: punycode is the way to write a name in
  // another script).
  const bool bracketed = text.starts_with('[');
  const auto allowed = [bracketed](char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) != 0 || c == '.' || c == '-' || (!bracketed && c == '_') ||
           (bracketed && (c == ':' || c == '%'));
  };
  if (!std::all_of(host.begin(), host.end(), allowed) || host.size() > 253) {
    return Error(StatusCode::kInvalidArgument,
                 "pool URL '" + original + "': the host is not a host name or an IP address");
  }
  if (!port.empty()) {
    const bool digits = port.size() <= 5 && std::all_of(port.begin(), port.end(), [](char c) {
                          return std::isdigit(static_cast<unsigned char>(c)) != 0;
                        });
    const long value = digits ? std::stol(std::string(port)) : 0;
    if (value < 1 || value > 65535) {
      return Error(StatusCode::kInvalidArgument,
                   "pool URL '" + original + "': port '" + std::string(port) + "' is not 1..65535");
    }
    url.port = static_cast<std::uint16_t>(value);
  }
  url.host = std::string(host);
  return url;
}

Expected<CertificateFingerprint> ParseCertificateFingerprint(std::string_view text) {
  std::string digits(text);
  std::erase(digits, ':');  // "AB:CD:…" as openssl prints it, or plain hex
  if (auto bytes = DecodeHexArray<std::tuple_size_v<CertificateFingerprint>>(digits)) {
    return *bytes;
  }
  return Error(StatusCode::kInvalidArgument,
               "certificate fingerprint '" + std::string(text) +
                   "': expected the 64 hex digits of its SHA-256 (colons allowed)");
}

}  // namespace hashrig::pool
