// `hashrig scan` and `hashrig board-test` against simulated boards, as a test jig runs
// them: the table, and an exit code that says pass or fail.
#include <gtest/gtest.h>

#include "support/child_process.h"

namespace hashrig::testing {
namespace {

using namespace std::chrono_literals;

std::string Output(ChildProcess& process) {
  std::string out;
  while (auto line = process.ReadLine(60s)) {  // to EOF: the tool closes stdout when it exits
    out += *line + "\n";
  }
  return out;
}

TEST(ToolsTest, ScanListsEveryChipOfABoard) {
  ChildProcess scan(
      {HASHRIG_BINARY, "scan", "--board", "sim:6", "--chip", "BM1366", "--chips", "6"});
  const std::string out = Output(scan);
  EXPECT_EQ(scan.Wait(30s), 0) << scan.Stderr();
  EXPECT_NE(out.find("sim:6: 6 x BM1366"), std::string::npos) << out;
  for (const char* address : {"0x00", "0x2a", "0x54", "0x7e", "0xa8", "0xd2"}) {
    EXPECT_NE(out.find(address), std::string::npos) << address << "\n" << out;
  }
}

TEST(ToolsTest, BoardTestPassesAGoodBoardOfEveryModel) {
  for (const char* model : {"BM1397", "BM1366", "BM1368", "BM1370"}) {
    ChildProcess test(
        {HASHRIG_BINARY, "board-test", "--board", "sim:4", "--chip", model, "--chips", "4"});
    const std::string out = Output(test);
    EXPECT_EQ(test.Wait(60s), 0) << model << "\n" << out << test.Stderr();
    EXPECT_NE(out.find("4 of 4 chips passed"), std::string::npos) << out;
  }
}

TEST(ToolsTest, BoardTestFailsABadChipAndAMissingOne) {
  ChildProcess sim(
      {HASHRIG_BINARY, "sim", "--chips", "4", "--bad-nonce-chip", "2", "--dead-chip", "3"});
  const auto pty = sim.ReadLine(10s);
  ASSERT_TRUE(pty.has_value());
  const std::string path = pty->substr(4, pty->find(' ', 4) - 4);
  ChildProcess test({HASHRIG_BINARY, "board-test", "--board", "serial:" + path, "--chips", "4"});
  const std::string out = Output(test);
  EXPECT_EQ(test.Wait(60s), 1) << test.Stderr();
  EXPECT_NE(out.find("FAIL"), std::string::npos) << out;
  EXPECT_NE(out.find("1 missing"), std::string::npos) << out;
  EXPECT_NE(out.find("2 of 4 chips passed"), std::string::npos) << out;
}

}  // namespace
}  // namespace hashrig::testing
