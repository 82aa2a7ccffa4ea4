#include "libs/server/paging.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_matchers.h"

namespace innoscope::server {
namespace {

using ::innoscope::testing::StatusIs;
using ::testing::HasSubstr;

TEST(PagingTest, ParsesTokensAndCapsSizes) {
  common::v1::PageRequest page;
  absl::StatusOr<PageWindow> window = ReadPage(page);
  ASSERT_TRUE(window.ok());
  EXPECT_EQ(window->offset, 0);
  EXPECT_EQ(window->limit, 100);
  page.set_page_size(5000);
  page.set_page_token("40");
  window = ReadPage(page);
  ASSERT_TRUE(window.ok());
  EXPECT_EQ(window->offset, 40);
  EXPECT_EQ(window->limit, 1000);
  // 40 + 1000 of 1041: one item left; of 1040: none.
  EXPECT_EQ(PageResult(*window, 1000, 1041).next_page_token(), "1040");
  EXPECT_EQ(PageResult(*window, 1000, 1041).total_size(), 1041);
  EXPECT_EQ(PageResult(*window, 1000, 1040).next_page_token(), "");
  for (const char* bad : {"x", "-1", "1.5", "4O"}) {
    page.set_page_token(bad);
    EXPECT_THAT(ReadPage(page),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page.page_token")))
        << bad;
  }
}

}  // namespace
}  // namespace innoscope::server
