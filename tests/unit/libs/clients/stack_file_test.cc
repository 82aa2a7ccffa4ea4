#include "libs/clients/stack_file.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_matchers.h"

namespace innoscope::clients {
namespace {

using ::innoscope::testing::StatusIs;
using ::testing::HasSubstr;

TEST(StackFileTest, ParsesKeyValueLinesSkippingCommentsAndBlanks) {
  auto v = ParseStackFile(
      "# written by stack.sh\n\nINNOSCOPE_INGEST_ADDRESS=127.0.0.1:1\n"
      "DATABASE_URL=postgresql://u@h:5/d?x=1\n");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->at("INNOSCOPE_INGEST_ADDRESS"), "127.0.0.1:1");
  EXPECT_EQ(v->at("DATABASE_URL"), "postgresql://u@h:5/d?x=1");
}

TEST(StackFileTest, ErrorsNameTheLineAndMissingFilesSayWhatToDo) {
  EXPECT_THAT(ParseStackFile("A=1\nnot a pair\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 2")));
  EXPECT_THAT(ReadStackFile("/nonexistent/addresses.env"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("stack.sh start")));
}

}  // namespace
}  // namespace innoscope::clients
