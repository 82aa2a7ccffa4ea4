#include "libs/common/status_macros.h"

#include "gtest/gtest.h"
#include "libs/common/status_matchers.h"

namespace innoscope {
namespace {

using ::innoscope::testing::IsOk;
using ::innoscope::testing::StatusIs;
using ::testing::HasSubstr;

absl::StatusOr<int> Half(int x) {
  if (x % 2 != 0) return absl::InvalidArgumentError("odd value");
  return x / 2;
}

absl::StatusOr<int> Quarter(int x) {
  ASSIGN_OR_RETURN(int half, Half(x));
  ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

absl::Status CheckQuarter(int x) {
  RETURN_IF_ERROR(Quarter(x).status());
  return absl::OkStatus();
}

TEST(StatusMacrosTest, PropagatesTheFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_THAT(Quarter(6), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("odd")));
  EXPECT_THAT(CheckQuarter(4), IsOk());
  EXPECT_THAT(CheckQuarter(2), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("odd")));
}

}  // namespace
}  // namespace innoscope
