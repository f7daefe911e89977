// `--config`: JSON keys are run's long options; bad fields are named; the command line
// wins; --print-config gives back a file that loads to the same options.
#include "hashrig/host/cli/config.h"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

namespace hashrig::host {
namespace {

const std::vector<OptionSpec> kConfigSpecs = {
    {"url", 'o', true, true, ""},    {"user", 'u', true, true, ""},
    {"pass", 'p', true, true, ""},   {"board", 'b', true, true, ""},
    {"chips", 0, true, false, ""},   {"api-listen", 0, true, false, ""},
    {"quiet", 0, false, false, ""},  {"config", 0, true, false, ""},
    {"help", 'h', false, false, ""},
};

TEST(ConfigTest, FieldsBecomeOptions) {
  auto args = ConfigToArgs(R"({"url":["stratum+tcp://a:1","stratum+tcp://b:2"],"user":["w1","w2"],
                               "chips":6,"api-listen":"4028","quiet":true,"board":"serial:/dev/ttyUSB0"})",
                           kConfigSpecs);
  ASSERT_TRUE(args.ok()) << args.error().message();
  auto parsed = Args::Parse(*args, kConfigSpecs);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(parsed->GetAll("url"),
            (std::vector<std::string>{"stratum+tcp://a:1", "stratum+tcp://b:2"}));
  EXPECT_EQ(parsed->Get("chips"), "6");
  EXPECT_EQ(parsed->Get("board"), "serial:/dev/ttyUSB0");
  EXPECT_TRUE(parsed->Has("quiet"));
}

TEST(ConfigTest, BadConfigsNameTheField) {
  struct Case {
    const char* text;
    const char* field;
  };
  for (const Case& c : {Case{R"({"nonsense":1})", "nonsense"}, Case{R"({"chips":[1,2]})", "chips"},
                        Case{R"({"chips":{"a":1}})", "chips"}, Case{R"({"quiet":"yes"})", "quiet"},
                        Case{R"({"config":"x.json"})", "config"}, Case{R"([1,2])", "JSON object"},
                        Case{"{\"url\":", "line 1, column"}}) {
    const auto args = ConfigToArgs(c.text, kConfigSpecs);
    ASSERT_FALSE(args.ok()) << c.text;
    EXPECT_NE(args.error().message().find(c.field), std::string::npos) << args.error().message();
  }
}

// Issue 12 (10): a syntax error says where it is, not "not a JSON object".
TEST(ConfigTest, SyntaxErrorsGiveLineAndColumn) {
  const auto args = ConfigToArgs("{\n  \"chips\": 6,\n  \"url\": [\"a:1\",]\n}\n", kConfigSpecs);
  ASSERT_FALSE(args.ok());
  EXPECT_NE(args.error().message().find("line 3, column"), std::string::npos)
      << args.error().message();
}

TEST(ConfigTest, CommandLineWinsAndReplacesPoolLists) {
  const auto file =
      *ConfigToArgs(R"({"url":["a:1","b:2"],"user":["w1","w2"],"chips":6})", kConfigSpecs);
  const auto merged = MergeArgs(file, {"-o", "c:3", "-u", "w3", "--chips", "2"}, kConfigSpecs);
  auto parsed = Args::Parse(merged, kConfigSpecs);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(parsed->GetAll("url"), std::vector<std::string>{"c:3"});
  EXPECT_EQ(parsed->GetAll("user"), std::vector<std::string>{"w3"});
  EXPECT_EQ(parsed->Get("chips"), "2");
  const auto kept = MergeArgs(file, {"--chips", "2"}, kConfigSpecs);
  EXPECT_EQ(Args::Parse(kept, kConfigSpecs)->GetAll("url").size(), 2u);
}

TEST(ConfigTest, PrintedConfigLoadsBack) {
  const std::vector<std::string> argv = {"-o", "a:1", "-u", "w", "--chips", "3", "--quiet"};
  const auto args = Args::Parse(argv, kConfigSpecs);
  ASSERT_TRUE(args.ok());
  const std::string printed = EffectiveConfig(*args, kConfigSpecs);
  // Numbers are printed as numbers (issue 12, 10), strings as strings.
  const auto doc = nlohmann::json::parse(printed);
  EXPECT_TRUE(doc["chips"].is_number_integer()) << printed;
  EXPECT_EQ(doc["chips"], 3);
  EXPECT_TRUE(doc["url"][0].is_string()) << printed;
  auto again = ConfigToArgs(printed, kConfigSpecs);
  ASSERT_TRUE(again.ok()) << again.error().message() << printed;
  const auto reparsed = Args::Parse(*again, kConfigSpecs);
  ASSERT_TRUE(reparsed.ok());
  EXPECT_EQ(reparsed->GetAll("url"), args->GetAll("url"));
  EXPECT_EQ(reparsed->Get("chips"), "3");
  EXPECT_TRUE(reparsed->Has("quiet"));
}

}  // namespace
}  // namespace hashrig::host
