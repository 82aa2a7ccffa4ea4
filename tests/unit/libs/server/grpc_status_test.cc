#include "libs/server/grpc_status.h"

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "libs/common/field_violations.h"

namespace innoscope::server {
namespace {

TEST(GrpcStatusTest, EveryCanonicalCodeRoundTripsWithItsMessage) {
  for (int code = 0; code <= 16; ++code) {
    absl::Status in(static_cast<absl::StatusCode>(code), code == 0 ? "" : "row 3: bad");
    grpc::Status wire = ToGrpcStatus(in);
    EXPECT_EQ(static_cast<int>(wire.error_code()), code);
    absl::Status back = FromGrpcStatus(wire);
    EXPECT_EQ(back, in) << "code " << code;
  }
}

TEST(GrpcStatusTest, NamedCodesMatch) {
  EXPECT_EQ(ToGrpcStatus(absl::InvalidArgumentError("field x")).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ToGrpcStatus(absl::UnavailableError("db")).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(FromGrpcStatus(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "big")).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ToGrpcStatus(absl::InvalidArgumentError("field x")).error_message(), "field x");
}

TEST(GrpcStatusTest, FieldViolationsTravelAsGoogleRpcBadRequest) {
  absl::Status in = absl::InvalidArgumentError("observations: 2 invalid rows");
  AttachFieldViolations({{"observations[1].value", "not finite (nan)"},
                         {"observations[4].region_code", "unknown region \"XX\""}},
                        in);
  grpc::Status wire = ToGrpcStatus(in);
  // Decoded with the generated google.rpc classes, as any gRPC client does.
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(wire.error_details()));
  EXPECT_EQ(details.code(), 3);
  EXPECT_EQ(details.message(), "observations: 2 invalid rows");
  ASSERT_EQ(details.details_size(), 1);
  google::rpc::BadRequest bad;
  ASSERT_TRUE(details.details(0).UnpackTo(&bad));
  ASSERT_EQ(bad.field_violations_size(), 2);
  EXPECT_EQ(bad.field_violations(0).field(), "observations[1].value");
  EXPECT_EQ(bad.field_violations(0).description(), "not finite (nan)");
  EXPECT_EQ(bad.field_violations(1).field(), "observations[4].region_code");
  EXPECT_EQ(bad.field_violations(1).description(), "unknown region \"XX\"");
  // Back into absl, and through an upstream's status, the detail survives.
  const std::vector<FieldViolation> expected = {
      {"observations[1].value", "not finite (nan)"},
      {"observations[4].region_code", "unknown region \"XX\""}};
  EXPECT_EQ(FieldViolationsOf(FromGrpcStatus(wire)), expected);
  absl::Status upstream = UpstreamStatus("ingest", wire, "WriteObservations");
  EXPECT_EQ(upstream.message(), "ingest WriteObservations: observations: 2 invalid rows");
  EXPECT_EQ(FieldViolationsOf(upstream), expected);
}

// An INVALID_ARGUMENT naming one field gets that field as its BadRequest
// detail at the edge; the message stays as it was.
TEST(GrpcStatusTest, InvalidArgumentNamingAFieldCarriesItAsBadRequest) {
  grpc::Status wire = ToGrpcStatus(absl::InvalidArgumentError("page.page_size: must be >= 0"));
  EXPECT_EQ(wire.error_message(), "page.page_size: must be >= 0");
  // The same trailer as above (whose encoding the google.rpc classes read).
  const std::vector<FieldViolation> expected = {{"page.page_size", "must be >= 0"}};
  EXPECT_EQ(FieldViolationsOf(FromGrpcStatus(wire)), expected);
}

TEST(GrpcStatusTest, OnlyInvalidArgumentWithoutADetailGetsOne) {
  // Another code naming a field: no detail.
  EXPECT_EQ(ToGrpcStatus(absl::NotFoundError("run_id: no run 7")).error_details(), "");
  // A message that names no field: no detail.
  EXPECT_EQ(ToGrpcStatus(absl::InvalidArgumentError("give either a or b")).error_details(), "");
  // The core's own violations are kept, not replaced by the message's field.
  absl::Status in = absl::InvalidArgumentError("observations: 2 invalid rows");
  AttachFieldViolations({{"observations[1].value", "not finite"}}, in);
  const std::vector<FieldViolation> expected = {{"observations[1].value", "not finite"}};
  EXPECT_EQ(FieldViolationsOf(FromGrpcStatus(ToGrpcStatus(in))), expected);
}

TEST(GrpcStatusTest, StatusWithoutPayloadHasNoDetails) {
  EXPECT_EQ(ToGrpcStatus(absl::InvalidArgumentError("x")).error_details(), "");
}

}  // namespace
}  // namespace innoscope::server

namespace innoscope::server {
namespace {

// An upstream that cannot be reached is named with its address, keeps its
// code (UNAVAILABLE stays retryable) and the message says what to do; an
// upstream's own refusal (INVALID_ARGUMENT above) gets no such advice.
TEST(GrpcStatusTest, UnreachableUpstreamIsNamedWithItsAddressAndWhatToDo) {
  const std::string name = UpstreamName("weighting", "10.0.0.5:50052");
  EXPECT_EQ(name, "weighting at 10.0.0.5:50052");
  EXPECT_EQ(UpstreamName("weighting", ""), "weighting");
  absl::Status down = UpstreamStatus(
      name, grpc::Status(grpc::StatusCode::UNAVAILABLE, "failed to connect to all addresses"),
      "ComputeWeights");
  EXPECT_EQ(down.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(down.message(),
            "weighting at 10.0.0.5:50052 ComputeWeights: failed to connect to all addresses "
            "(weighting at 10.0.0.5:50052 is unreachable or not ready; nothing was written: "
            "check that it runs and is SERVING, then retry)");
  absl::Status slow = UpstreamStatus(
      name, grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "Deadline Exceeded"), "GetWeightSet");
  EXPECT_EQ(slow.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(slow.message(),
            "weighting at 10.0.0.5:50052 GetWeightSet: Deadline Exceeded (weighting at "
            "10.0.0.5:50052 did not answer within the call's deadline; nothing was written: "
            "retry with a longer deadline)");
}

}  // namespace
}  // namespace innoscope::server
