// `--config`: JSON keys are run's long options; bad fields are named; the command line
// wins; --print-config gives back a file that loads to the same options.
#include "hashrig/host/config.h"

#include <gtest/gtest.h>

namespace hashrig::host {
namespace {

const std::vector<OptionSpec> kSpecs = {
    {"url", 'o', true, true, ""},    {"user", 'u', true, true, ""},
    {"pass", 'p', true, true, ""},   {"board", 'b', true, true, ""},
    {"chips", 0, true, false, ""},   {"api-listen", 0, true, false, ""},
    {"quiet", 0, false, false, ""},  {"config", 0, true, false, ""},
    {"help", 'h', false, false, ""},
};

TEST(ConfigTest, FieldsBecomeOptions) {
  std::string error;
  auto args = ConfigToArgs(R"({"url":["stratum+tcp://a:1","stratum+tcp://b:2"],"user":["w1","w2"],
                               "chips":6,"api-listen":"4028","quiet":true,"board":"serial:/dev/ttyUSB0"})",
                           kSpecs, error);
  ASSERT_TRUE(args.has_value()) << error;
  std::string parse_error;
  auto parsed = Args::Parse(*args, kSpecs, &parse_error);
  ASSERT_TRUE(parsed.has_value()) << parse_error;
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
                        Case{"{\"url\":", "JSON object"}}) {
    std::string error;
    EXPECT_FALSE(ConfigToArgs(c.text, kSpecs, error).has_value()) << c.text;
    EXPECT_NE(error.find(c.field), std::string::npos) << error;
  }
}

TEST(ConfigTest, CommandLineWinsAndReplacesPoolLists) {
  std::string error;
  const auto file =
      *ConfigToArgs(R"({"url":["a:1","b:2"],"user":["w1","w2"],"chips":6})", kSpecs, error);
  const auto merged = MergeArgs(file, {"-o", "c:3", "-u", "w3", "--chips", "2"}, kSpecs);
  std::string parse_error;
  auto parsed = Args::Parse(merged, kSpecs, &parse_error);
  ASSERT_TRUE(parsed.has_value()) << parse_error;
  EXPECT_EQ(parsed->GetAll("url"), std::vector<std::string>{"c:3"});
  EXPECT_EQ(parsed->GetAll("user"), std::vector<std::string>{"w3"});
  EXPECT_EQ(parsed->Get("chips"), "2");
  const auto kept = MergeArgs(file, {"--chips", "2"}, kSpecs);
  EXPECT_EQ(Args::Parse(kept, kSpecs, &parse_error)->GetAll("url").size(), 2u);
}

TEST(ConfigTest, PrintedConfigLoadsBack) {
  std::string error;
  const std::vector<std::string> argv = {"-o", "a:1", "-u", "w", "--chips", "3", "--quiet"};
  const auto args = Args::Parse(argv, kSpecs, &error);
  ASSERT_TRUE(args.has_value());
  const std::string printed = EffectiveConfig(*args, kSpecs);
  auto again = ConfigToArgs(printed, kSpecs, error);
  ASSERT_TRUE(again.has_value()) << error << printed;
  const auto reparsed = Args::Parse(*again, kSpecs, &error);
  ASSERT_TRUE(reparsed.has_value());
  EXPECT_EQ(reparsed->GetAll("url"), args->GetAll("url"));
  EXPECT_EQ(reparsed->Get("chips"), "3");
  EXPECT_TRUE(reparsed->Has("quiet"));
}

}  // namespace
}  // namespace hashrig::host
