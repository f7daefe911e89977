#include "hashrig/host/cli/args.h"

#include <gtest/gtest.h>

#include <limits>

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

TEST(ArgsTest, TypedValuesWithRanges) {
  const auto a =
      Args::Parse({"--n", "7", "--x", "0.5", "--bad", "7x"}, {{"n", 0, true, false, ""},
                                                              {"x", 0, true, false, ""},
                                                              {"bad", 0, true, false, ""},
                                                              {"absent", 0, true, false, ""}});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a->Whole("n", 1, 1, 10), 7u);
  EXPECT_EQ(*a->Whole("absent", 3, 1, 10), 3u);
  EXPECT_EQ(a->Whole("n", 1, 8, 10).error().message(), "--n '7': expected 8..10");
  EXPECT_EQ(a->Whole("bad", 1, 1, 10, "seconds").error().message(),
            "--bad '7x': expected 1..10 seconds");
  EXPECT_EQ(a->Whole("x", 1, 1, 10).error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*a->Number("x", 0, 0, 1), 0.5);
  EXPECT_EQ(*a->Number("absent", 25, -40, 120), 25);
  EXPECT_EQ(a->Number("x", 0, 1, std::numeric_limits<double>::infinity()).error().message(),
            "--x '0.5': expected at least 1");
  EXPECT_EQ(a->Number("bad", 0, -40, 120, "°C").error().message(),
            "--bad '7x': expected -40..120 °C");
}

TEST(ArgsTest, StoreAndFirstError) {
  int chips = 0;
  double rate = 0;
  EXPECT_TRUE(Store(Expected<unsigned long long>(5), chips).ok());
  EXPECT_EQ(chips, 5);
  const Error bad(StatusCode::kInvalidArgument, "--rate: no");
  EXPECT_EQ(FirstError({Store(Expected<unsigned long long>(6), chips),
                        Store(Expected<double>(bad), rate), Error(StatusCode::kNotFound, "later")})
                .message(),
            "--rate: no");
  EXPECT_EQ(chips, 6);  // every step ran, in order
  EXPECT_EQ(rate, 0);
  EXPECT_TRUE(FirstError({Error(), Error()}).ok());
}

TEST(ArgsTest, HostPort) {
  EXPECT_EQ(ParseHostPort("127.0.0.1:3333")->host, "127.0.0.1");
  EXPECT_EQ(ParseHostPort("127.0.0.1:3333")->port, 3333);
  EXPECT_EQ(ParseHostPort("[::1]:0")->host, "::1");
  EXPECT_EQ(ParseHostPort("localhost:65535")->port, 65535);
  for (const char* bad : {"3333", ":3333", "host:", "host:65536", "host:-1", "host:1x", ""}) {
    EXPECT_FALSE(ParseHostPort(bad).ok()) << bad;
  }
  EXPECT_EQ(ParseHostPort("nowhere").error().message(),
            "'nowhere': expected ADDRESS:PORT (port 0..65535)");
}

TEST(ArgsTest, HelpListsEveryOption) {
  const std::string help = FormatOptions(kSpecs);
  EXPECT_NE(help.find("-o, --url VALUE"), std::string::npos) << help;
  EXPECT_NE(help.find("--backend VALUE"), std::string::npos) << help;
  EXPECT_NE(help.find("-d, --double"), std::string::npos) << help;
}

}  // namespace
}  // namespace hashrig::host
