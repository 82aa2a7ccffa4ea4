// Interrupt: the flag, the probe and the deadline, with an injected clock.

#include "libs/graph/algorithm.h"

#include <atomic>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_macros.h"  // needed by status_matchers.h
#include "libs/common/status_matchers.h"

namespace innoscope::graph {
namespace {

using ::innoscope::testing::StatusIs;

TEST(InterruptTest, FlagProbeAndDeadline) {
  EXPECT_OK(Interrupt().Check());
  std::atomic<bool> cancelled{false};
  Interrupt flag(&cancelled);
  EXPECT_OK(flag.Check());
  cancelled = true;
  EXPECT_THAT(flag.Check(), StatusIs(absl::StatusCode::kCancelled, ::testing::_));

  bool probe = false;
  absl::Time now = absl::UnixEpoch();
  Interrupt probed =
      Interrupt::WithProbe([&] { return probe; }, now + absl::Seconds(1), [&] { return now; });
  EXPECT_OK(probed.Check());
  probe = true;
  EXPECT_THAT(probed.Check(), StatusIs(absl::StatusCode::kCancelled, ::testing::_));
  // Past the deadline the deadline is reported, even when the probe fires
  // too (a gRPC server cancels a call whose deadline passed).
  now += absl::Seconds(1);
  EXPECT_THAT(probed.Check(), StatusIs(absl::StatusCode::kDeadlineExceeded, ::testing::_));
}

}  // namespace
}  // namespace innoscope::graph
