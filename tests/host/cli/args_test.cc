#include "hashrig/host/cli/args.h"

#include <gtest/gtest.h>

namespace hashrig::host {
namespace {

const std::vector<OptionSpec> kSpecs = {
    {"url", 'o', true, true, "pool"},
    {"backend", 0, true, false, "backend"},
    {"double", 'd', false, false, "flag"},
};

Expected<Args> Parse(const std::vector<std::string>& argv) { return Args::Parse(argv, kSpecs); }

std::string ErrorOf(const std::vector<std::string>& argv) {
  const auto args = Parse(argv);
  return args ? "" : args.error().message();
}

TEST(ArgsTest, LongShortInlineAndPositional) {
  const auto a = Parse({"-o", "a", "--url=b", "--backend", "avx2", "-d", "file", "--", "-x"});
  ASSERT_TRUE(a.ok()) << a.error().message();
  EXPECT_EQ(a->GetAll("url"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(a->Get("backend"), "avx2");
  EXPECT_TRUE(a->Has("double"));
  EXPECT_FALSE(a->Has("nothing"));
  EXPECT_EQ(a->Get("nothing", "dflt"), "dflt");
  EXPECT_EQ(a->positional(), (std::vector<std::string>{"file", "-x"}));
}

TEST(ArgsTest, ErrorsNameTheArgument) {
  EXPECT_EQ(ErrorOf({"--bogus"}), "unknown option '--bogus'");
  EXPECT_EQ(ErrorOf({"--backend"}), "option '--backend' needs a value");
  EXPECT_EQ(ErrorOf({"--backend", "a", "--backend", "b"}),
            "option '--backend' given more than once");
  EXPECT_EQ(ErrorOf({"--double=yes"}), "option '--double' takes no value");
  EXPECT_FALSE(Parse({"-z"}).ok());
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
