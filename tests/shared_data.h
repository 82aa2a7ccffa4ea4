#pragma once

// Locates ../shared (real third-party data with published results) for tests.
// ctest sets INNOSCOPE_SHARED_DIR. When the folder is absent a test that
// needs it is reported as skipped by ctest (every gtest case is its own ctest
// entry, see tests/CMakeLists.txt), never as passed; in CI (CI=true) the
// absence fails the test instead, so a CI run can never go green without the
// golden data:
//
//   TEST(HdiTest, Reproduces2022) {
//     INNOSCOPE_REQUIRE_SHARED(dir);   // skip (or fail under CI=true) without ../shared
//     std::string path = dir + "/datasets/composite/hdr/...";
//   }

#include <sys/stat.h>

#include <cstdlib>
#include <optional>
#include <string>

namespace innoscope::testing {

inline std::optional<std::string> SharedDir() {
  const char* env = std::getenv("INNOSCOPE_SHARED_DIR");
  std::string dir = env != nullptr ? env : "../shared";
  struct stat st;
  if (::stat((dir + "/datasets").c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return std::nullopt;
  }
  return dir;
}

// True when running in CI (the CI runner sets CI=true).
inline bool InCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

}  // namespace innoscope::testing

#define INNOSCOPE_REQUIRE_SHARED(var)                                               \
  std::optional<std::string> var##_opt = ::innoscope::testing::SharedDir();         \
  if (!var##_opt && ::innoscope::testing::InCi()) {                                 \
    GTEST_FAIL() << "../shared not present, and CI=true requires it (golden data)"; \
  }                                                                                 \
  if (!var##_opt) GTEST_SKIP() << "../shared not present; skipping";                \
  const std::string var = *var##_opt
