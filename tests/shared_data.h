#pragma once

// Locates ../shared (real third-party data with published results) for tests.
// ctest sets INNOSCOPE_SHARED_DIR; when the folder is absent the test skips:
//
//   TEST(HdiTest, Reproduces2022) {
//     INNOSCOPE_REQUIRE_SHARED(dir);   // GTEST_SKIP()s without ../shared
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

}  // namespace innoscope::testing

#define INNOSCOPE_REQUIRE_SHARED(var)                                  \
  std::optional<std::string> var##_opt = ::innoscope::testing::SharedDir(); \
  if (!var##_opt) GTEST_SKIP() << "../shared not present; skipping";  \
  const std::string var = *var##_opt
