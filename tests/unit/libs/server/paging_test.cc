#include "libs/server/paging.h"

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "innoscope/ingest/v1/ingest.pb.h"
#include "libs/common/status_matchers.h"

namespace innoscope::server {
namespace {

using ::innoscope::testing::StatusIs;
using ::testing::HasSubstr;

TEST(PagingTest, ParsesTokensAndCapsSizes) {
  ingest::v1::ListRegionsRequest request;
  absl::StatusOr<PageWindow> window = ReadPage(request);
  ASSERT_TRUE(window.ok());
  EXPECT_EQ(window->offset, 0);
  EXPECT_EQ(window->limit, 100);
  // The first page of 40 hands out the token of offset 40.
  request.mutable_page()->set_page_size(40);
  window = ReadPage(request);
  ASSERT_TRUE(window.ok());
  const std::string token = PageResult(*window, 40, 1041).next_page_token();
  ASSERT_FALSE(token.empty());
  request.mutable_page()->set_page_size(5000);  // the size may change between pages
  request.mutable_page()->set_page_token(token);
  window = ReadPage(request);
  ASSERT_TRUE(window.ok()) << window.status();
  EXPECT_EQ(window->offset, 40);
  EXPECT_EQ(window->limit, 1000);
  // 40 + 1000 of 1041: one item left; of 1040: none.
  EXPECT_NE(PageResult(*window, 1000, 1041).next_page_token(), "");
  EXPECT_EQ(PageResult(*window, 1000, 1041).total_size(), 1041);
  EXPECT_EQ(PageResult(*window, 1000, 1040).next_page_token(), "");
  request.mutable_page()->set_page_token(PageResult(*window, 1000, 1041).next_page_token());
  window = ReadPage(request);
  ASSERT_TRUE(window.ok());
  EXPECT_EQ(window->offset, 1040);
}

TEST(PagingTest, TokensAreOpaqueAndRefuseForgedOnes) {
  ingest::v1::ListRegionsRequest request;
  request.mutable_page()->set_page_size(10);
  absl::StatusOr<PageWindow> window = ReadPage(request);
  ASSERT_TRUE(window.ok());
  const std::string token = PageResult(*window, 10, 100).next_page_token();
  // Not the offset in clear text.
  EXPECT_NE(token, "10");
  // Decimal offsets (the tokens of earlier releases), garbage, and a token
  // with its offset altered are refused.
  std::string decoded;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(token, &decoded));
  std::string forged = decoded;
  forged.replace(forged.find("|10|"), 4, "|-5|");
  for (const std::string& bad :
       {std::string("x"), std::string("40"), std::string("-1"), std::string("4O"),
        absl::WebSafeBase64Escape(forged), absl::WebSafeBase64Escape("p1|40")}) {
    request.mutable_page()->set_page_token(bad);
    EXPECT_THAT(ReadPage(request),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page.page_token")))
        << bad;
  }
}

TEST(PagingTest, TokenReusedWithOtherFiltersIsInvalidArgument) {
  ingest::v1::ListRegionsRequest request;
  request.set_kind(ingest::v1::REGION_KIND_PROVINCE);
  request.mutable_page()->set_page_size(10);
  absl::StatusOr<PageWindow> window = ReadPage(request);
  ASSERT_TRUE(window.ok());
  request.mutable_page()->set_page_token(PageResult(*window, 10, 31).next_page_token());
  ASSERT_TRUE(ReadPage(request).ok());
  request.set_kind(ingest::v1::REGION_KIND_CITY);
  EXPECT_THAT(ReadPage(request),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("page.page_token: issued for a request with other filters")));
  // A token of one list is not one of another list's either.
  ingest::v1::ListIndicatorsRequest other;
  *other.mutable_page() = request.page();
  EXPECT_THAT(ReadPage(other),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page.page_token")));
}

TEST(PagingTest, AppendPageTakesTheWindow) {
  std::vector<std::string> items = {"a", "b", "c", "d", "e"};
  PageWindow window;
  window.offset = 3;
  window.limit = 10;
  google::protobuf::RepeatedPtrField<std::string> out;
  AppendPage(window, items, &out);
  ASSERT_EQ(out.size(), 2);
  EXPECT_EQ(out[0], "d");
  EXPECT_EQ(out[1], "e");
}

}  // namespace
}  // namespace innoscope::server
