// A test fixture parameterised by SHA-256 backend name: a backend this CPU lacks is
// reported as skipped (GTEST_SKIP), never as passed.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "hashrig/sha256/backend.h"
#include "support/shared_data.h"

namespace hashrig::testing {

class BackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    for (const sha256::BackendInfo& info : sha256::Backend::List()) {
      if (info.name == GetParam() && !info.supported) {
        GTEST_SKIP() << "backend " << GetParam() << " is not supported by this CPU";
      }
    }
    const Expected<sha256::Backend> b = sha256::Backend::Find(GetParam());
    ASSERT_TRUE(b.ok()) << b.error().message();
    backend_ = *b;
  }
  sha256::Backend backend() const { return *backend_; }

 private:
  std::optional<sha256::Backend> backend_;
};

#define HASHRIG_INSTANTIATE_FOR_BACKENDS(Suite)                                     \
  INSTANTIATE_TEST_SUITE_P(Backends, Suite,                                         \
                           ::testing::ValuesIn(::hashrig::testing::BackendNames()), \
                           [](const auto& param_info) { return param_info.param; })

}  // namespace hashrig::testing
