#include "libs/clients/calls.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace innoscope::clients {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(ExplainCallFailureTest, DeadlineNamesTheDeadlineUsedAndTheFlag) {
  const absl::Status s =
      ExplainCallFailure(absl::DeadlineExceededError("Deadline Exceeded"), absl::Seconds(2));
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(s.message(), HasSubstr("deadline of 2 s (--timeout_seconds=2)"));
  EXPECT_THAT(s.message(), HasSubstr("(gRPC: Deadline Exceeded)"));
  EXPECT_THAT(HintFor(s), HasSubstr("raise --timeout_seconds"));
  // Explaining twice changes nothing.
  EXPECT_EQ(ExplainCallFailure(s, absl::Seconds(2)), s);
}

TEST(ExplainCallFailureTest, EnterIdleIsAConnectionClosedByTheServerNotAServiceThatIsDown) {
  const absl::Status s =
      ExplainCallFailure(absl::UnavailableError("enter idle"), absl::Seconds(600));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(s.message(),
              HasSubstr("the server closed the connection while the call was running"));
  EXPECT_THAT(s.message(), HasSubstr("--max_connection_age_seconds"));
  EXPECT_THAT(HintFor(s), Not(HasSubstr("is the service running")));
  EXPECT_THAT(
      ExplainCallFailure(absl::UnavailableError("GOAWAY received"), absl::Seconds(1)).message(),
      HasSubstr("closed the connection"));
}

TEST(HintForTest, ADatabaseOutOfDiskIsNotARequestTooLarge) {
  // What ingest answered when PostgreSQL's disk filled during an import.
  const absl::Status full = absl::ResourceExhaustedError(
      "batch 14 of 44 failed: database error 53100: ERROR:  could not extend file "
      "\"base/16384/16552\": No space left on device");
  EXPECT_THAT(HintFor(full), HasSubstr("the database ran out of disk space"));
  EXPECT_THAT(HintFor(full), Not(HasSubstr("--batch_size")));
  // A cap of the service (ingest's --max_batch_rows) still says to send less.
  EXPECT_THAT(HintFor(absl::ResourceExhaustedError(
                  "rows: 200000 rows in one batch, the limit is 100000 (--max_batch_rows)")),
              HasSubstr("lower --batch_size"));
}

TEST(ExplainCallFailureTest, ServerCancelSaysSo) {
  const absl::Status s = ExplainCallFailure(absl::CancelledError("Cancelled"), absl::Seconds(1));
  EXPECT_EQ(s.code(), absl::StatusCode::kCancelled);
  EXPECT_THAT(s.message(), HasSubstr("the server cancelled the call"));
}

TEST(ExplainCallFailureTest, OtherFailuresAreUnchanged) {
  const absl::Status down = absl::UnavailableError("failed to connect to all addresses");
  EXPECT_EQ(ExplainCallFailure(down, absl::Seconds(1)), down);
  EXPECT_THAT(HintFor(down), HasSubstr("is the service running"));
  const absl::Status bad = absl::InvalidArgumentError("selection: empty");
  EXPECT_EQ(ExplainCallFailure(bad, absl::Seconds(1)), bad);
  EXPECT_TRUE(ExplainCallFailure(absl::OkStatus(), absl::Seconds(1)).ok());
}

}  // namespace
}  // namespace innoscope::clients
