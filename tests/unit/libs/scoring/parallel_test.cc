#include "libs/scoring/parallel.h"

#include <atomic>
#include <stdexcept>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_macros.h"
#include "libs/common/status_matchers.h"

namespace innoscope::scoring {
namespace {

using ::innoscope::testing::IsOk;
using ::innoscope::testing::StatusIs;
using ::testing::HasSubstr;

RunControl Threads(int n) {
  RunControl control;
  control.num_threads = n;
  return control;
}

TEST(ParallelForTest, RunsEveryIndexOnce) {
  for (int threads : {1, 2, 4}) {
    std::vector<std::atomic<int>> hits(1000);
    ASSERT_OK(ParallelFor(hits.size(), Threads(threads), [&](size_t i) {
      hits[i].fetch_add(1);
      return absl::OkStatus();
    }));
    for (const auto& h : hits) ASSERT_EQ(h.load(), 1);
  }
  EXPECT_THAT(ParallelFor(0, Threads(2), [](size_t) { return absl::OkStatus(); }), IsOk());
}

TEST(ParallelForTest, ReturnsTheLowestFailingIndexForAnyThreadCount) {
  for (int threads : {1, 2, 4}) {
    absl::Status status = ParallelFor(200, Threads(threads), [](size_t i) {
      if (i == 70 || i == 30) {
        return absl::NotFoundError(absl::StrCat("item ", i));
      }
      return absl::OkStatus();
    });
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kNotFound, HasSubstr("item 30")))
        << threads << " threads";
  }
}

TEST(ParallelForTest, StopsWhenCancelled) {
  std::atomic<int> polls{0};
  std::atomic<int> done{0};
  RunControl control = Threads(2);
  control.is_cancelled = [&polls] { return polls.fetch_add(1) >= 10; };
  absl::Status status = ParallelFor(1000, control, [&](size_t) {
    done.fetch_add(1);
    return absl::OkStatus();
  });
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kCancelled, HasSubstr("cancelled")));
  EXPECT_LT(done.load(), 1000);
}

TEST(ParallelForTest, StopsAtTheDeadlineOfTheInjectedClock) {
  // A fake clock that advances one second per reading.
  std::atomic<int> ticks{0};
  const absl::Time start = absl::UnixEpoch();
  RunControl control = Threads(2);
  control.now = [&] { return start + absl::Seconds(ticks.fetch_add(1)); };
  control.deadline = start + absl::Seconds(20);
  std::atomic<int> done{0};
  absl::Status status = ParallelFor(1000, control, [&](size_t) {
    done.fetch_add(1);
    return absl::OkStatus();
  });
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kDeadlineExceeded, HasSubstr("deadline")));
  EXPECT_LE(done.load(), 20);
}

TEST(ParallelForTest, RejectsBadControlAndContainsExceptions) {
  auto ok = [](size_t) { return absl::OkStatus(); };
  EXPECT_THAT(ParallelFor(1, Threads(0), ok),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("num_threads")));
  EXPECT_THAT(ParallelFor(1, Threads(kMaxThreads + 1), ok),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("num_threads")));
  RunControl no_clock;
  no_clock.deadline = absl::UnixEpoch();
  EXPECT_THAT(ParallelFor(1, no_clock, ok),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("clock")));
  EXPECT_THAT(ParallelFor(3, Threads(2),
                          [](size_t i) -> absl::Status {
                            if (i == 1) throw std::runtime_error("boom");
                            return absl::OkStatus();
                          }),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("boom")));
}

}  // namespace
}  // namespace innoscope::scoring
