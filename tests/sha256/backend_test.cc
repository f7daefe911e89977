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
    const Expected<Backend> found = Backend::Find(b.name);
    EXPECT_EQ(found.ok(), b.supported) << b.name;
    if (found) {
      EXPECT_EQ(found->name(), b.name);
      EXPECT_EQ(found->stream_name(), b.name);
    } else {
      EXPECT_EQ(found.error().code(), StatusCode::kNotFound);
      EXPECT_NE(found.error().message().find("needs instructions"), std::string::npos)
          << found.error().message();
    }
  }
}

TEST(BackendTest, UnknownNameIsAClearError) {
  const Expected<Backend> found = Backend::Find("avx1024");
  ASSERT_FALSE(found.ok());
  const std::string error = found.error().message();
  EXPECT_NE(error.find("unknown SHA-256 backend 'avx1024'"), std::string::npos) << error;
  EXPECT_NE(error.find("scalar"), std::string::npos) << "lists the known names: " << error;
}

TEST(BackendTest, AutoPicksTheHighestSupported) {
  const Expected<Backend> best = Backend::Find("auto");
  ASSERT_TRUE(best.ok()) << best.error().message();
  for (const sha256::BackendInfo& b : Backend::List()) {
    if (b.supported) {
      EXPECT_EQ(best->name(), b.name) << "List() is fastest first";
      break;
    }
  }
}

TEST(BackendTest, EnvironmentVariableForcesAndIsValidated) {
  const std::string var(sha256::kBackendEnvVar);
  ASSERT_EQ(setenv(var.c_str(), "scalar", 1), 0);
  Expected<Backend> b = Backend::FromEnvironment();
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->name(), "scalar");

  ASSERT_EQ(setenv(var.c_str(), "nonsense", 1), 0);
  b = Backend::FromEnvironment();
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().message().find(var), std::string::npos) << b.error().message();

  ASSERT_EQ(unsetenv(var.c_str()), 0);
  b = Backend::FromEnvironment();
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, *Backend::Find("auto"));
}

}  // namespace
}  // namespace hashrig::testing
