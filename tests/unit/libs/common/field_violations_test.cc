#include "libs/common/field_violations.h"

#include <optional>
#include <string>

#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"

namespace innoscope {
namespace {

// The hand-written encoding is checked against protobuf's own: the generated
// google.rpc.BadRequest class (Debian's googleapis protos) parses what we
// write, and what it writes we read.
TEST(FieldViolationsTest, EncodingIsGoogleRpcBadRequest) {
  absl::Status status = absl::InvalidArgumentError("bad");
  // A long description exercises a two-byte length varint.
  const std::string long_reason(300, 'x');
  AttachFieldViolations({{"nodes[2].weight", "negative"}, {"code", long_reason}}, status);
  const auto payload = status.GetPayload(kBadRequestTypeUrl);
  ASSERT_TRUE(payload.has_value());
  google::rpc::BadRequest parsed;
  ASSERT_TRUE(parsed.ParseFromString(std::string(*payload)));
  ASSERT_EQ(parsed.field_violations_size(), 2);
  EXPECT_EQ(parsed.field_violations(0).field(), "nodes[2].weight");
  EXPECT_EQ(parsed.field_violations(0).description(), "negative");
  EXPECT_EQ(parsed.field_violations(1).field(), "code");
  EXPECT_EQ(parsed.field_violations(1).description(), long_reason);

  google::rpc::BadRequest written;
  auto* v = written.add_field_violations();
  v->set_field("page.page_token");
  v->set_description("issued for other filters");
  absl::Status other = absl::InvalidArgumentError("bad");
  other.SetPayload(kBadRequestTypeUrl, absl::Cord(written.SerializeAsString()));
  const std::vector<FieldViolation> expected = {{"page.page_token", "issued for other filters"}};
  EXPECT_EQ(FieldViolationsOf(other), expected);
}

TEST(FieldViolationsTest, OkStatusAndGarbageCarryNone) {
  absl::Status ok = absl::OkStatus();
  AttachFieldViolations({{"a", "b"}}, ok);
  EXPECT_TRUE(FieldViolationsOf(ok).empty());
  absl::Status garbage = absl::InvalidArgumentError("bad");
  // Field 1, length 5, but only two bytes follow.
  garbage.SetPayload(kBadRequestTypeUrl, absl::Cord(std::string("\x0a\x05", 2) + "ab"));
  EXPECT_TRUE(FieldViolationsOf(garbage).empty());
  EXPECT_TRUE(FieldViolationsOf(absl::InvalidArgumentError("no payload")).empty());
}

// The message convention "<field path>: <why>", read back field by field.
TEST(FieldViolationsTest, FieldInMessageFollowsTheConvention) {
  const std::optional<FieldViolation> top = FieldViolationInMessage("top_n: must be >= 0");
  ASSERT_TRUE(top.has_value());
  EXPECT_EQ(top->field, "top_n");
  EXPECT_EQ(top->description, "must be >= 0");
  const std::optional<FieldViolation> nested =
      FieldViolationInMessage("ahp.experts[12].matrices[0].node_code: \"x\": unknown");
  ASSERT_TRUE(nested.has_value());
  EXPECT_EQ(nested->field, "ahp.experts[12].matrices[0].node_code");
  EXPECT_EQ(nested->description, "\"x\": unknown");  // only the first ": " splits
  EXPECT_EQ(FieldViolationInMessage("page.page_token: not a token of this listing")->field,
            "page.page_token");
}

TEST(FieldViolationsTest, OtherMessagesNameNoField) {
  for (const char* message :
       {"x", "top_n must be >= 0", "top_n:", "top_n: ", ": why", "ingest GetFramework: boom",
        "Matrix: no items", "nodes[]: empty", "nodes[2: x", "nodes[x]: y", "a..b: c", "a.: c",
        ".a: c", "2a: c", "a-b: c"}) {
    EXPECT_FALSE(FieldViolationInMessage(message).has_value()) << message;
  }
}

}  // namespace
}  // namespace innoscope
