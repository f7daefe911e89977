#include "hashrig/host/cli/args.h"

#include <charconv>
#include <cstdio>
#include <limits>

namespace hashrig::host {
namespace {

const OptionSpec* FindSpec(const std::vector<OptionSpec>& specs, std::string_view name,
                           char short_name) {
  for (const OptionSpec& s : specs) {
    if ((!name.empty() && s.name == name) || (short_name != 0 && s.short_name == short_name)) {
      return &s;
    }
  }
  return nullptr;
}

}  // namespace

Expected<Args> Args::Parse(const std::vector<std::string>& argv,
                           const std::vector<OptionSpec>& specs) {
  Args out;
  bool only_positional = false;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (only_positional || arg.size() < 2 || arg[0] != '-') {
      out.positional_.push_back(arg);
      continue;
    }
    if (arg == "--") {
      only_positional = true;
      continue;
    }
    const bool is_long = arg[1] == '-';
    std::string_view body = std::string_view(arg).substr(is_long ? 2 : 1);
    std::optional<std::string> inline_value;
    if (const auto eq = body.find('='); is_long && eq != std::string_view::npos) {
      inline_value = std::string(body.substr(eq + 1));
      body = body.substr(0, eq);
    }
    const OptionSpec* spec = is_long ? FindSpec(specs, body, 0)
                                     : (body.size() == 1 ? FindSpec(specs, {}, body[0]) : nullptr);
    if (spec == nullptr) {
      return Error(StatusCode::kInvalidArgument, "unknown option '" + arg + "'");
    }
    const std::string key(spec->name);
    if (!spec->repeatable && out.values_.contains(key)) {
      return Error(StatusCode::kInvalidArgument, "option '--" + key + "' given more than once");
    }
    if (!spec->takes_value) {
      if (inline_value) {
        return Error(StatusCode::kInvalidArgument, "option '--" + key + "' takes no value");
      }
      out.values_[key].emplace_back();
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= argv.size()) {
        return Error(StatusCode::kInvalidArgument, "option '--" + key + "' needs a value");
      }
      inline_value = argv[++i];
    }
    out.values_[key].push_back(*inline_value);
  }
  return out;
}

bool Args::Has(std::string_view name) const { return values_.find(name) != values_.end(); }

std::string Args::Get(std::string_view name, std::string_view fallback) const {
  const auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) {
    return std::string(fallback);
  }
  return it->second.back();
}

std::vector<std::string> Args::GetAll(std::string_view name) const {
  const auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

namespace {

std::string FormatNumber(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", v);
  return text;
}

Error OutOfRange(std::string_view name, const std::string& value, const std::string& range,
                 std::string_view unit) {
  // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on "--" + std::string(...).
  std::string message = "--";
  message.append(name).append(" '").append(value).append("': expected ").append(range);
  if (!unit.empty()) {
    message.append(" ").append(unit);
  }
  return {StatusCode::kInvalidArgument, std::move(message)};
}

}  // namespace

Expected<double> Args::Number(std::string_view name, double fallback, double min, double max,
                              std::string_view unit) const {
  if (!Has(name)) {
    return fallback;
  }
  const std::string text = Get(name);
  const auto value = ParseDouble(text);
  if (!value || !(*value >= min && *value <= max)) {
    return OutOfRange(name, text,
                      max == std::numeric_limits<double>::infinity()
                          ? "at least " + FormatNumber(min)
                          : FormatNumber(min) + ".." + FormatNumber(max),
                      unit);
  }
  return *value;
}

Expected<unsigned long long> Args::Whole(std::string_view name, unsigned long long fallback,
                                         unsigned long long min, unsigned long long max,
                                         std::string_view unit) const {
  if (!Has(name)) {
    return fallback;
  }
  const std::string text = Get(name);
  const auto value = ParseCount(text);
  if (!value || *value < min || *value > max) {
    return OutOfRange(name, text, std::to_string(min) + ".." + std::to_string(max), unit);
  }
  return *value;
}

std::string FormatOptions(const std::vector<OptionSpec>& specs) {
  std::string out;
  for (const OptionSpec& s : specs) {
    std::string left = "  ";
    left += s.short_name != 0 ? std::string("-") + s.short_name + ", " : "    ";
    left += "--" + std::string(s.name) + (s.takes_value ? " VALUE" : "");
    if (left.size() < 28) {
      left.resize(28, ' ');
    }
    out += left + " " + std::string(s.help) + "\n";
  }
  return out;
}

Expected<HostPort> ParseHostPort(std::string_view text) {
  const auto colon = text.rfind(':');
  const auto port =
      colon == std::string_view::npos ? std::nullopt : ParseCount(text.substr(colon + 1));
  std::string_view host = colon == std::string_view::npos ? text : text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (!port || *port > 65535 || host.empty()) {
    std::string message = "'";  // appended: GCC 12 -Wrestrict false positive on "'" + ...
    message.append(text).append("': expected ADDRESS:PORT (port 0..65535)");
    return Error(StatusCode::kInvalidArgument, std::move(message));
  }
  return HostPort{std::string(host), static_cast<std::uint16_t>(*port)};
}

std::optional<unsigned long long> ParseCount(std::string_view text) {
  unsigned long long v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return v;
}

std::optional<double> ParseDouble(std::string_view text) {
  double v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return v;
}

}  // namespace hashrig::host
