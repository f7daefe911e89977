#include "hashrig/host/args.h"

#include <gtest/gtest.h>

namespace hashrig::host {
namespace {

const std::vector<OptionSpec> kSpecs = {
    {"url", 'o', true, true, "pool"},
    {"backend", 0, true, false, "backend"},
    {"double", 'd', false, false, "flag"},
};

std::optional<Args> Parse(const std::vector<std::string>& argv, std::string* error) {
  return Args::Parse(argv, kSpecs, error);
}

TEST(ArgsTest, LongShortInlineAndPositional) {
  std::string error;
  const auto a =
      Parse({"-o", "a", "--url=b", "--backend", "avx2", "-d", "file", "--", "-x"}, &error);
  ASSERT_TRUE(a.has_value()) << error;
  EXPECT_EQ(a->GetAll("url"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(a->Get("backend"), "avx2");
  EXPECT_TRUE(a->Has("double"));
  EXPECT_FALSE(a->Has("nothing"));
  EXPECT_EQ(a->Get("nothing", "dflt"), "dflt");
  EXPECT_EQ(a->positional(), (std::vector<std::string>{"file", "-x"}));
}

TEST(ArgsTest, ErrorsNameTheArgument) {
  std::string error;
  EXPECT_FALSE(Parse({"--bogus"}, &error).has_value());
  EXPECT_EQ(error, "unknown option '--bogus'");
  EXPECT_FALSE(Parse({"--backend"}, &error).has_value());
  EXPECT_EQ(error, "option '--backend' needs a value");
  EXPECT_FALSE(Parse({"--backend", "a", "--backend", "b"}, &error).has_value());
  EXPECT_EQ(error, "option '--backend' given more than once");
  EXPECT_FALSE(Parse({"--double=yes"}, &error).has_value());
  EXPECT_EQ(error, "option '--double' takes no value");
  EXPECT_FALSE(Parse({"-z"}, &error).has_value());
}

TEST(ArgsTest, Numbers) {
  EXPECT_EQ(ParseCount("42"), 42u);
  EXPECT_FALSE(ParseCount("").has_value());
  EXPECT_FALSE(ParseCount("4x").has_value());
  EXPECT_FALSE(ParseCount("-1").has_value());
  EXPECT_DOUBLE_EQ(*ParseDouble("0.25"), 0.25);
  EXPECT_FALSE(ParseDouble("abc").has_value());
}

TEST(ArgsTest, HelpListsEveryOption) {
  const std::string help = FormatOptions(kSpecs);
  EXPECT_NE(help.find("-o, --url VALUE"), std::string::npos) << help;
  EXPECT_NE(help.find("--backend VALUE"), std::string::npos) << help;
  EXPECT_NE(help.find("-d, --double"), std::string::npos) << help;
}

}  // namespace
}  // namespace hashrig::host
