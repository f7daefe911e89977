// `hashrig run` as a process: the embedded default (simulated S21-profile chain against
// the built-in local pool) gets shares accepted within seconds, logs them and a status
// line, and stops cleanly with a summary; bad options exit 2 naming the option.
#include <csignal>
#include <thread>

#include <gtest/gtest.h>

#include "support/child_process.h"

namespace hashrig::testing {
namespace {

using namespace std::chrono_literals;

TEST(RunCommandTest, EmbeddedDefaultGetsSharesAccepted) {
  ChildProcess run({HASHRIG_BINARY, "run", "--duration", "8", "--status-interval", "2"});
  ASSERT_EQ(run.Wait(30s), 0) << run.Stderr();
  const auto summary = run.ReadLine(1s);
  ASSERT_TRUE(summary.has_value());
  const int accepted = std::stoi(summary->substr(summary->find("accepted ") + 9));
  EXPECT_GE(accepted, 3) << *summary;
  EXPECT_NE(summary->find("rejected 0"), std::string::npos) << *summary;
  EXPECT_NE(summary->find("hardware errors 0"), std::string::npos) << *summary;
  const std::string log = run.Stderr();
  EXPECT_NE(log.find("INFO share: Accepted"), std::string::npos);
  EXPECT_NE(log.find("INFO status: (5s):"), std::string::npos);
  EXPECT_NE(log.find("embedded default"), std::string::npos);
}

TEST(RunCommandTest, SigtermStopsWithASummary) {
  ChildProcess run({HASHRIG_BINARY, "run", "--status-interval", "1"});
  std::this_thread::sleep_for(3s);
  run.Signal(SIGTERM);
  ASSERT_EQ(run.Wait(10s), 0) << run.Stderr();
  const auto summary = run.ReadLine(1s);
  ASSERT_TRUE(summary.has_value());
  EXPECT_EQ(summary->rfind("accepted ", 0), 0u) << *summary;
  EXPECT_NE(run.Stderr().find("signal 15"), std::string::npos);
}

TEST(RunCommandTest, BadOptionsExitTwo) {
  for (const auto& [option, value] : {std::pair{"--chips", "0"},
                                      {"-o", "http://x:1"},
                                      {"--pool-difficulty", "-1"},
                                      {"--log-level", "loud"}}) {
    ChildProcess run({HASHRIG_BINARY, "run", option, value});
    EXPECT_EQ(run.Wait(10s), 2) << option;
    EXPECT_NE(run.Stderr().find(std::string(option)), std::string::npos) << run.Stderr();
  }
}

}  // namespace
}  // namespace hashrig::testing
