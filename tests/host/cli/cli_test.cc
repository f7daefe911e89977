// End to end: the real `hashrig` binary, as a user runs it from a shell.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <random>

#include "hashrig/sha256/backend.h"
#include "support/shared_data.h"

namespace hashrig::testing {
namespace {

struct ProcessResult {
  int code;
  std::string out;
  std::string err;
};

// Runs `hashrig ARGS` through the shell (ARGS may hold redirections and env settings).
ProcessResult Hashrig(const std::string& args, const std::string& env = "") {
  // Per-test names: ctest runs the tests of this binary in parallel processes.
  const std::string base =
      ::testing::TempDir() + "/" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
  const std::string out = base + ".out";
  const std::string err = base + ".err";
  const std::string cmd = env + " " + HASHRIG_BINARY + " " + args + " >" + out + " 2>" + err;
  const int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, ReadFile(out), ReadFile(err)};
}

std::string WriteTemp(const std::string& name, const std::vector<std::uint8_t>& bytes) {
  std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<long>(bytes.size()));
  return path;
}

TEST(CliTest, HashMatchesOpenSslOnEveryBackend) {
  std::mt19937 rng(3);
  std::vector<std::uint8_t> data(100003);
  for (auto& b : data) {
    b = static_cast<std::uint8_t>(rng());
  }
  const std::string path = WriteTemp("hash_input.bin", data);
  for (const sha256::BackendInfo& b : sha256::Backend::List()) {
    if (!b.supported) {
      continue;
    }
    const std::string name(b.name);
    ProcessResult r = Hashrig("hash --backend " + name + " " + path);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, ToHex(OpenSslSha256(data)) + "  " + path + "\n") << name;
    r = Hashrig("hash --double " + path, "HASHRIG_SHA256_BACKEND=" + name);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, ToHex(OpenSslSha256d(data)) + "  " + path + "\n") << name;
  }
}

TEST(CliTest, HashReadsStdinAndReportsMissingFiles) {
  const std::vector<std::uint8_t> abc = {'a', 'b', 'c'};
  const std::string path = WriteTemp("abc.txt", abc);
  ProcessResult r = Hashrig("hash < " + path);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, ToHex(OpenSslSha256(abc)) + "  -\n");
  r = Hashrig("hash /nonexistent/file " + path);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("/nonexistent/file: No such file or directory"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, ToHex(OpenSslSha256(abc)) + "  " + path + "\n")
      << "the other file is still hashed";
}

TEST(CliTest, UnknownCommandsAndOptionsAreUsageErrors) {
  ProcessResult r = Hashrig("frobnicate");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown command 'frobnicate'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("bench"), std::string::npos) << "lists the commands";
  r = Hashrig("hash --frob");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown option '--frob'"), std::string::npos) << r.err;
  r = Hashrig("");
  EXPECT_EQ(r.code, 2);
}

TEST(CliTest, EveryCommandHasHelp) {
  ProcessResult r = Hashrig("--help");
  EXPECT_EQ(r.code, 0);
  for (const std::string cmd :
       {"bench", "hash", "run", "scan", "rigs", "board-test", "flash", "image", "pool", "sim"}) {
    EXPECT_NE(r.out.find(cmd), std::string::npos);
    const ProcessResult h = Hashrig(cmd + " --help");
    EXPECT_EQ(h.code, 0) << cmd;
    EXPECT_NE(h.out.find("usage: hashrig " + cmd), std::string::npos) << h.out;
  }
}

// Issue 16, point 6: every rig with how far it is modelled, in words; what has no public
// protocol says so.
TEST(CliTest, RigsShowHowEachRigIsModelled) {
  const ProcessResult r = Hashrig("rigs");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto line_of = [&](const std::string& rig) {
    const auto at = r.out.find("\n" + rig + " ");
    return at == std::string::npos ? std::string()
                                   : r.out.substr(at + 1, r.out.find('\n', at + 1) - at - 1);
  };
  EXPECT_NE(line_of("antminer-s21").find("3 x 108 BM1368"), std::string::npos) << r.out;
  EXPECT_NE(line_of("antminer-s21").find("BM13xx wire-level"), std::string::npos) << r.out;
  for (const char* rig : {"avalon-851", "avalon-1041"}) {
    EXPECT_NE(line_of(rig).find("Avalon wire-level"), std::string::npos) << rig << "\n" << r.out;
  }
  for (const char* rig : {"avalon-a1466", "avalon-nano3s", "whatsminer-m60s", "teraflux-at2880"}) {
    EXPECT_NE(line_of(rig).find("power-level model: no public protocol"), std::string::npos)
        << rig << "\n"
        << r.out;
  }
  EXPECT_NE(r.out.find("publish only management APIs"), std::string::npos) << r.out;
  EXPECT_EQ(Hashrig("rigs extra").code, 2);
}

TEST(CliTest, BadValuesNameTheOptionTheValueAndWhatWasExpected) {
  const std::pair<const char*, const char*> cases[] = {
      {"sim --chips 300", "hashrig sim: --chips '300': expected 1..256"},
      {"sim --corrupt 2", "hashrig sim: --corrupt '2': expected 0..1 (a probability)"},
      {"sim --dead-chip 5 --chips 2", "--dead-chip '5': expected a chain position 0..1"},
      {"pool --listen nowhere", "hashrig pool: --listen: 'nowhere': expected ADDRESS:PORT"},
      {"pool --stats-interval 0", "--stats-interval '0': expected 1..86400 seconds"},
      {"pool --job-interval x", "--job-interval 'x': expected 0.1..86400 seconds"},
      {"run --status-interval 0", "hashrig run: --status-interval '0': expected 1..86400 seconds"},
      {"run --sim-ambient 300", "--sim-ambient '300': expected -40..120 °C"},
  };
  for (const auto& [args, message] : cases) {
    const ProcessResult r = Hashrig(args);
    EXPECT_EQ(r.code, 2) << args;
    EXPECT_NE(r.err.find(message), std::string::npos) << args << ": " << r.err;
  }
}

TEST(CliTest, BadBackendNamesAreClearErrors) {
  ProcessResult r = Hashrig("hash --backend nope");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown SHA-256 backend 'nope'"), std::string::npos) << r.err;
  r = Hashrig("bench --list", "HASHRIG_SHA256_BACKEND=nope");
  EXPECT_NE(r.out.find("HASHRIG_SHA256_BACKEND"), std::string::npos) << r.out;
  r = Hashrig("hash", "HASHRIG_SHA256_BACKEND=nope");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("HASHRIG_SHA256_BACKEND: unknown SHA-256 backend"), std::string::npos);
  for (const sha256::BackendInfo& b : sha256::Backend::List()) {
    if (b.supported) {
      continue;
    }
    r = Hashrig("hash --backend " + std::string(b.name));
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("needs instructions"), std::string::npos) << r.err;
  }
}

TEST(CliTest, BenchListsBackendsAndMeasuresOne) {
  ProcessResult r = Hashrig("bench --list");
  ASSERT_EQ(r.code, 0) << r.err;
  for (const sha256::BackendInfo& b : sha256::Backend::List()) {
    EXPECT_NE(r.out.find(std::string(b.name)), std::string::npos) << r.out;
  }
  r = Hashrig("bench --backend scalar --seconds 0.05 --threads 2");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("scalar"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nevp "), std::string::npos) << r.out;   // the EVP baseline's row
  EXPECT_NE(r.out.find("clock: "), std::string::npos) << r.out;  // both methods, said
  r = Hashrig("bench --seconds -1");
  EXPECT_EQ(r.code, 2);
}

}  // namespace
}  // namespace hashrig::testing
