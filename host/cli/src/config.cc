#include "hashrig/host/cli/config.h"

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

// Builds the document as nlohmann's DOM parser does, and remembers where a syntax error
// was instead of throwing (main is the only catch site, STYLE R6).
class Sax {
 public:
  explicit Sax(json& out) : dom_(out, false) {}
  bool null() { return dom_.null(); }
  bool boolean(bool v) { return dom_.boolean(v); }
  bool number_integer(json::number_integer_t v) { return dom_.number_integer(v); }
  bool number_unsigned(json::number_unsigned_t v) { return dom_.number_unsigned(v); }
  bool number_float(json::number_float_t v, const std::string& s) {
    return dom_.number_float(v, s);
  }
  bool string(std::string& v) { return dom_.string(v); }
  bool binary(json::binary_t& v) { return dom_.binary(v); }
  bool start_object(std::size_t n) { return dom_.start_object(n); }
  bool key(std::string& v) { return dom_.key(v); }
  bool end_object() { return dom_.end_object(); }
  bool start_array(std::size_t n) { return dom_.start_array(n); }
  bool end_array() { return dom_.end_array(); }
  bool parse_error(std::size_t position, const std::string& token,
                   const nlohmann::detail::exception&) {
    position_ = position;
    token_ = token;
    return false;
  }
  std::size_t position() const { return position_; }
  const std::string& token() const { return token_; }

 private:
  nlohmann::detail::json_sax_dom_parser<json> dom_;
  std::size_t position_ = 0;
  std::string token_;
};

// Parses `text`; a syntax error says where, as line and column.
Error ParseJson(std::string_view text, json& out) {
  Sax sax(out);
  if (json::sax_parse(text, &sax)) {
    return {};
  }
  std::size_t line = 1;
  std::size_t column = 1;
  const std::size_t at =
      std::min<std::size_t>(sax.position() == 0 ? 0 : sax.position() - 1, text.size());
  for (std::size_t i = 0; i < at; ++i) {
    column = text[i] == '\n' ? 1 : column + 1;
    line += text[i] == '\n' ? 1 : 0;
  }
  return Error(StatusCode::kInvalidArgument,
               "config: JSON syntax error at line " + std::to_string(line) + ", column " +
                   std::to_string(column) + " (near '" + sax.token().substr(0, 20) + "')");
}

// An option's value as JSON: a number stays a number.
json Value(const std::string& text) {
  const json number = json::parse(text, nullptr, false);
  return !number.is_discarded() && number.is_number() ? number : json(text);
}

}  // namespace

Expected<std::vector<std::string>> ConfigToArgs(std::string_view text,
                                                const std::vector<OptionSpec>& specs) {
  if (text.size() > kMaxConfig) {
    return Error(StatusCode::kInvalidArgument, "config: larger than 1 MiB");
  }
  json doc;
  if (Error e = ParseJson(text, doc); !e.ok()) {
    return e;
  }
  if (!doc.is_object()) {
    return Error(StatusCode::kInvalidArgument,
                 std::string("config: expected a JSON object of options, got ") + doc.type_name());
  }
  std::vector<std::string> args;
  for (const auto& [key, value] : doc.items()) {
    const OptionSpec* spec = Spec(key, specs);
    const bool banned = std::find(std::begin(kCommandLineOnly), std::end(kCommandLineOnly), key) !=
                        std::end(kCommandLineOnly);
    if (spec == nullptr || banned) {
      return Error(StatusCode::kInvalidArgument, "config: unknown field '" + key + "'");
    }
    const std::string option = "--" + key;
    if (!spec->takes_value) {
      if (!value.is_boolean()) {
        return Error(StatusCode::kInvalidArgument,
                     "config field '" + key + "': expected true or false");
      }
      if (value.get<bool>()) {
        args.push_back(option);
      }
      continue;
    }
    std::vector<json> values =
        value.is_array() ? value.get<std::vector<json>>() : std::vector<json>{value};
    if (value.is_array() && !spec->repeatable) {
      return Error(StatusCode::kInvalidArgument,
                   "config field '" + key + "': takes one value, not a list");
    }
    for (const json& v : values) {
      const auto scalar = Scalar(v);
      if (!scalar) {
        return Error(StatusCode::kInvalidArgument,
                     "config field '" + key + "': expected a string or a number");
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
      json list = json::array();
      for (const std::string& v : args.GetAll(name)) {
        list.push_back(Value(v));
      }
      out[name] = list;
    } else {
      out[name] = Value(args.Get(name));
    }
  }
  return out.dump(2) + "\n";
}

}  // namespace hashrig::host
