// Backend choice: forcing by name, unknown and unsupported names as clear errors, the
// environment variable, and "auto" picking a supported, self-tested backend.
#include <gtest/gtest.h>

#include <cstdlib>

#include "hashrig/sha256/backend.h"
#include "hashrig/sha256/sha256.h"

namespace hashrig::testing {
namespace {

using sha256::Backend;

TEST(BackendTest, ScalarIsAlwaysListedAndSupported) {
  bool found = false;
  for (const sha256::BackendInfo& b : Backend::List()) {
    if (b.name == "scalar") {
      found = true;
      EXPECT_TRUE(b.supported);
      EXPECT_EQ(b.lanes, 1);
    }
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(Backend::Scalar().name(), "scalar");
}

TEST(BackendTest, EverySupportedBackendCanBeForcedByName) {
  for (const sha256::BackendInfo& b : Backend::List()) {
    std::string error;
    const std::optional<Backend> found = Backend::Find(b.name, &error);
    EXPECT_EQ(found.has_value(), b.supported) << b.name << ": " << error;
    if (found) {
      EXPECT_EQ(found->name(), b.name);
      EXPECT_EQ(found->stream_name(), b.name);
    } else {
      EXPECT_NE(error.find("needs instructions"), std::string::npos) << error;
    }
  }
}

TEST(BackendTest, UnknownNameIsAClearError) {
  std::string error;
  EXPECT_FALSE(Backend::Find("avx1024", &error).has_value());
  EXPECT_NE(error.find("unknown SHA-256 backend 'avx1024'"), std::string::npos) << error;
  EXPECT_NE(error.find("scalar"), std::string::npos) << "lists the known names: " << error;
}

TEST(BackendTest, AutoPicksTheHighestSupported) {
  std::string error;
  const std::optional<Backend> best = Backend::Find("auto", &error);
  ASSERT_TRUE(best.has_value()) << error;
  for (const sha256::BackendInfo& b : Backend::List()) {
    if (b.supported) {
      EXPECT_EQ(best->name(), b.name) << "List() is fastest first";
      break;
    }
  }
}

TEST(BackendTest, EnvironmentVariableForcesAndIsValidated) {
  const std::string var(sha256::kBackendEnvVar);
  std::string error;
  ASSERT_EQ(setenv(var.c_str(), "scalar", 1), 0);
  std::optional<Backend> b = Backend::FromEnvironment(&error);
  ASSERT_TRUE(b.has_value()) << error;
  EXPECT_EQ(b->name(), "scalar");

  ASSERT_EQ(setenv(var.c_str(), "nonsense", 1), 0);
  b = Backend::FromEnvironment(&error);
  EXPECT_FALSE(b.has_value());
  EXPECT_NE(error.find(var), std::string::npos) << error;

  ASSERT_EQ(unsetenv(var.c_str()), 0);
  b = Backend::FromEnvironment(&error);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(*b, *Backend::Find("auto", &error));
}

}  // namespace
}  // namespace hashrig::testing
