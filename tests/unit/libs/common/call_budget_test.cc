#include "libs/common/call_budget.h"

#include <atomic>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_matchers.h"

namespace innoscope::common {
namespace {

using ::innoscope::testing::IsOk;
using ::innoscope::testing::StatusIs;
using ::testing::HasSubstr;

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);

TEST(UpstreamMarginTest, IsATenthClampedTo20msAnd1s) {
  // 5 s / 10 = 500 ms (inside the clamp); 100 ms / 10 = 10 ms -> 20 ms;
  // 60 s / 10 = 6 s -> 1 s.
  EXPECT_EQ(UpstreamMargin(absl::Seconds(5)), absl::Milliseconds(500));
  EXPECT_EQ(UpstreamMargin(absl::Milliseconds(100)), absl::Milliseconds(20));
  EXPECT_EQ(UpstreamMargin(absl::Seconds(60)), absl::Seconds(1));
  EXPECT_EQ(UpstreamMargin(absl::InfiniteDuration()), absl::ZeroDuration());
  EXPECT_EQ(UpstreamMargin(-absl::Seconds(1)), absl::ZeroDuration());
}

TEST(UpstreamDeadlineTest, CallerDeadlineLessMarginCappedByBudget) {
  // 5 s left: 5 s - 500 ms = kT0 + 4.5 s, below the 60 s cap.
  EXPECT_EQ(UpstreamDeadline(kT0 + absl::Seconds(5), kT0), kT0 + absl::Milliseconds(4500));
  // 120 s left: 120 s - 1 s = 119 s, above the 60 s cap: the cap.
  EXPECT_EQ(UpstreamDeadline(kT0 + absl::Seconds(120), kT0), kT0 + absl::Seconds(60));
  // No deadline: the cap; a smaller cap wins.
  EXPECT_EQ(UpstreamDeadline(absl::InfiniteFuture(), kT0), kT0 + absl::Seconds(60));
  EXPECT_EQ(UpstreamDeadline(absl::InfiniteFuture(), kT0, absl::Seconds(2)),
            kT0 + absl::Seconds(2));
  // Already past: stays in the past, so the upstream call fails at once.
  EXPECT_LE(UpstreamDeadline(kT0 - absl::Seconds(1), kT0), kT0);
}

TEST(CallBudgetTest, DefaultNeverStops) {
  CallBudget budget;
  EXPECT_THAT(budget.Check("anything"), IsOk());
  EXPECT_EQ(budget.Remaining(), absl::InfiniteDuration());
  EXPECT_FALSE(budget.CancelProbe()());
}

TEST(CallBudgetTest, DeadlineExceededNamesTheStep) {
  absl::Time now = kT0;
  CallBudget budget(kT0 + absl::Seconds(2), nullptr, [&now] { return now; });
  EXPECT_THAT(budget.Check("normalise"), IsOk());
  EXPECT_EQ(budget.Remaining(), absl::Seconds(2));
  // 1 s left: margin 100 ms -> upstream deadline kT0 + 1.9 s.
  now = kT0 + absl::Seconds(1);
  EXPECT_EQ(budget.UpstreamDeadline(), kT0 + absl::Milliseconds(1900));
  now = kT0 + absl::Seconds(2);
  EXPECT_THAT(budget.Check("store the run"),
              StatusIs(absl::StatusCode::kDeadlineExceeded, HasSubstr("before store the run")));
}

TEST(CallBudgetTest, CancelledByFlagAndDeadlineWins) {
  std::atomic<bool> cancelled{false};
  absl::Time now = kT0;
  CallBudget budget =
      CallBudget::WithFlag(&cancelled, kT0 + absl::Seconds(1), [&now] { return now; });
  EXPECT_THAT(budget.Check("step"), IsOk());
  cancelled = true;
  EXPECT_TRUE(budget.CancelProbe()());
  EXPECT_THAT(budget.Check("step"), StatusIs(absl::StatusCode::kCancelled, HasSubstr("step")));
  // Cancelled 200 ms before the deadline (within the 250 ms slack): the
  // client's own deadline fired, so the deadline is the cause.
  now = kT0 + absl::Milliseconds(800);
  EXPECT_THAT(budget.Check("step"),
              StatusIs(absl::StatusCode::kDeadlineExceeded, HasSubstr("step")));
  now = kT0 + absl::Seconds(1);  // both: the deadline is the more precise cause
  EXPECT_THAT(budget.Check("step"),
              StatusIs(absl::StatusCode::kDeadlineExceeded, HasSubstr("step")));
}

}  // namespace
}  // namespace innoscope::common
