// Interrupt: the flag, the probe and the deadline, with an injected clock.

#include "libs/graph/algorithm.h"

#include <atomic>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_macros.h"  // needed by status_matchers.h
#include "libs/common/status_matchers.h"
#include "libs/graph/parallel.h"

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

// Each parallel loop reports itself through the interrupt's Progress: two
// loops of 7 and 5 items on 3 threads leave loops = 2, total = 5 (the
// current loop's) and done = 5; inside the second loop no item ever sees
// more done than the items counted before it.
TEST(ProgressTest, ParallelLoopsCountTheirItems) {
  Progress progress;
  Interrupt interrupt;
  interrupt.set_progress(&progress);
  std::atomic<int64_t> bodies{0};
  ASSERT_TRUE(ParallelFor(7, 3, interrupt, [&](int, int64_t) { bodies.fetch_add(1); }).ok());
  EXPECT_EQ(progress.loops.load(), 1);
  EXPECT_EQ(progress.total.load(), 7);
  EXPECT_EQ(progress.done.load(), 7);
  std::atomic<bool> overcounted{false};
  ASSERT_TRUE(ParallelFor(5, 3, interrupt, [&](int, int64_t) {
                if (progress.done.load() >= 5) overcounted = true;
                bodies.fetch_add(1);
              }).ok());
  EXPECT_EQ(bodies.load(), 12);
  EXPECT_FALSE(overcounted.load());
  EXPECT_EQ(progress.loops.load(), 2);
  EXPECT_EQ(progress.total.load(), 5);
  EXPECT_EQ(progress.done.load(), 5);
}

// A loop stopped by its interrupt counts only the items it ran.
TEST(ProgressTest, AStoppedLoopCountsOnlyWhatRan) {
  Progress progress;
  std::atomic<bool> cancelled{false};
  Interrupt interrupt(&cancelled);
  interrupt.set_progress(&progress);
  absl::Status status = ParallelFor(100, 1, interrupt, [&](int, int64_t item) {
    if (item == 9) cancelled = true;
  });
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kCancelled, ::testing::_));
  EXPECT_EQ(progress.total.load(), 100);
  EXPECT_EQ(progress.done.load(), 10);
}

}  // namespace
}  // namespace innoscope::graph
