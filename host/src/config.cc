#include "hashrig/host/config.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace hashrig::host {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxConfig = 1 << 20;
// Options that make no sense in a file.
constexpr std::string_view kCommandLineOnly[] = {"config", "print-config", "help"};

const OptionSpec* Spec(std::string_view name, const std::vector<OptionSpec>& specs) {
  for (const OptionSpec& s : specs) {
    if (s.name == name) {
      return &s;
    }
  }
  return nullptr;
}

std::optional<std::string> Scalar(const json& value) {
  if (value.is_string()) {
    return value.get<std::string>();
  }
  if (value.is_number_integer()) {
    return std::to_string(value.get<std::int64_t>());
  }
  if (value.is_number()) {
    return value.dump();
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::vector<std::string>> ConfigToArgs(std::string_view text,
                                                     const std::vector<OptionSpec>& specs,
                                                     std::string& error) {
  if (text.size() > kMaxConfig) {
    error = "config: larger than 1 MiB";
    return std::nullopt;
  }
  const json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    error = "config: not a JSON object";
    return std::nullopt;
  }
  std::vector<std::string> args;
  for (const auto& [key, value] : doc.items()) {
    const OptionSpec* spec = Spec(key, specs);
    const bool banned = std::find(std::begin(kCommandLineOnly), std::end(kCommandLineOnly), key) !=
                        std::end(kCommandLineOnly);
    if (spec == nullptr || banned) {
      error = "config: unknown field '" + key + "'";
      return std::nullopt;
    }
    const std::string option = "--" + key;
    if (!spec->takes_value) {
      if (!value.is_boolean()) {
        error = "config field '" + key + "': expected true or false";
        return std::nullopt;
      }
      if (value.get<bool>()) {
        args.push_back(option);
      }
      continue;
    }
    std::vector<json> values =
        value.is_array() ? value.get<std::vector<json>>() : std::vector<json>{value};
    if (value.is_array() && !spec->repeatable) {
      error = "config field '" + key + "': takes one value, not a list";
      return std::nullopt;
    }
    for (const json& v : values) {
      const auto scalar = Scalar(v);
      if (!scalar) {
        error = "config field '" + key + "': expected a string or a number";
        return std::nullopt;
      }
      args.push_back(option);
      args.push_back(*scalar);
    }
  }
  return args;
}

std::vector<std::string> MergeArgs(const std::vector<std::string>& from_file,
                                   const std::vector<std::string>& from_command_line,
                                   const std::vector<OptionSpec>& specs) {
  // Every option the command line sets replaces the file's (lists included).
  std::vector<std::string> replaced;
  for (const std::string& arg : from_command_line) {
    const std::string name = arg.substr(0, arg.find('='));
    for (const OptionSpec& s : specs) {
      const bool named = name == "--" + std::string(s.name) ||
                         (s.short_name != 0 && name == std::string("-") + s.short_name);
      if (named) {
        replaced.push_back("--" + std::string(s.name));
      }
    }
  }
  // Pools come as url/user/pass triples: replacing one replaces all three.
  if (std::find(replaced.begin(), replaced.end(), "--url") != replaced.end()) {
    replaced.insert(replaced.end(), {"--user", "--pass"});
  }
  std::vector<std::string> merged;
  for (std::size_t i = 0; i < from_file.size(); ++i) {
    const bool drop = std::find(replaced.begin(), replaced.end(), from_file[i]) != replaced.end();
    const OptionSpec* spec =
        from_file[i].size() > 2 ? Spec(std::string_view(from_file[i]).substr(2), specs) : nullptr;
    const bool has_value = spec != nullptr && spec->takes_value;
    if (!drop) {
      merged.push_back(from_file[i]);
      if (has_value && i + 1 < from_file.size()) {
        merged.push_back(from_file[i + 1]);
      }
    }
    i += has_value ? 1 : 0;
  }
  merged.insert(merged.end(), from_command_line.begin(), from_command_line.end());
  return merged;
}

std::string EffectiveConfig(const Args& args, const std::vector<OptionSpec>& specs) {
  json out = json::object();
  for (const OptionSpec& s : specs) {
    const std::string name(s.name);
    const bool banned = std::find(std::begin(kCommandLineOnly), std::end(kCommandLineOnly), name) !=
                        std::end(kCommandLineOnly);
    if (banned || !args.Has(name)) {
      continue;
    }
    if (!s.takes_value) {
      out[name] = true;
    } else if (s.repeatable) {
      out[name] = args.GetAll(name);
    } else {
      out[name] = args.Get(name);
    }
  }
  return out.dump(2) + "\n";
}

}  // namespace hashrig::host
