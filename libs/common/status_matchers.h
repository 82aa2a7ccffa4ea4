#pragma once

// gmock matchers for absl::Status and absl::StatusOr, which Abseil 20220623
// does not provide. Test-only header.
//
//   EXPECT_THAT(DoThing(), IsOk());
//   EXPECT_THAT(Parse("x"), StatusIs(absl::StatusCode::kInvalidArgument,
//                                    HasSubstr("row 3")));

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "libs/common/status_macros.h"

namespace innoscope::testing {

inline const absl::Status& GetStatus(const absl::Status& status) { return status; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

MATCHER(IsOk, "is OK") {
  const absl::Status& status = ::innoscope::testing::GetStatus(arg);
  if (!status.ok()) *result_listener << "status is " << status.ToString();
  return status.ok();
}

MATCHER_P2(StatusIs, code, message_matcher, "has code " + absl::StatusCodeToString(code)) {
  const absl::Status& status = ::innoscope::testing::GetStatus(arg);
  *result_listener << "status is " << status.ToString();
  return status.code() == code &&
         ::testing::Matches(message_matcher)(std::string(status.message()));
}

}  // namespace innoscope::testing

// Asserts that a StatusOr is OK and yields its value.
#define ASSERT_OK_AND_ASSIGN(lhs, rexpr)                                  \
  auto INNOSCOPE_STATUS_CONCAT(innoscope_test_so_, __LINE__) = (rexpr);   \
  ASSERT_TRUE(INNOSCOPE_STATUS_CONCAT(innoscope_test_so_, __LINE__).ok()) \
      << INNOSCOPE_STATUS_CONCAT(innoscope_test_so_, __LINE__).status();  \
  lhs = std::move(INNOSCOPE_STATUS_CONCAT(innoscope_test_so_, __LINE__)).value()

#define ASSERT_OK(expr) ASSERT_THAT((expr), ::innoscope::testing::IsOk())
#define EXPECT_OK(expr) EXPECT_THAT((expr), ::innoscope::testing::IsOk())
