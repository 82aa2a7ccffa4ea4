#include "libs/server/grpc_status.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/any.pb.h"
#include "google/rpc/status.pb.h"
#include "libs/common/field_violations.h"

namespace innoscope::server {

// absl::StatusCode and grpc::StatusCode both enumerate the canonical codes
// 0..16 with equal values (google.rpc.Code).
static_assert(static_cast<int>(absl::StatusCode::kUnauthenticated) ==
              static_cast<int>(grpc::StatusCode::UNAUTHENTICATED));
static_assert(static_cast<int>(absl::StatusCode::kDataLoss) ==
              static_cast<int>(grpc::StatusCode::DATA_LOSS));

namespace {

void CopyPayloads(const absl::Status& from, absl::Status& to) {
  from.ForEachPayload([&to](absl::string_view type_url, const absl::Cord& payload) {
    to.SetPayload(type_url, payload);
  });
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& in) {
  if (in.ok()) return grpc::Status::OK;
  // An INVALID_ARGUMENT naming one request field ("top_n: must be >= 0")
  // carries that field as its BadRequest unless the core attached one.
  absl::Status status = in;
  if (status.code() == absl::StatusCode::kInvalidArgument &&
      !status.GetPayload(kBadRequestTypeUrl).has_value()) {
    if (auto violation = FieldViolationInMessage(status.message())) {
      AttachFieldViolations({*violation}, status);
    }
  }
  int code = static_cast<int>(status.code());
  if (code < 0 || code > 16) code = static_cast<int>(grpc::StatusCode::UNKNOWN);
  const std::string message(status.message());
  // Payloads (e.g. the google.rpc.BadRequest of libs/common/field_violations.h)
  // are keyed by their type URL and hold the detail's encoding: each becomes
  // an Any of google.rpc.Status.details (grpc-status-details-bin).
  google::rpc::Status details;
  status.ForEachPayload([&details](absl::string_view type_url, const absl::Cord& payload) {
    google::protobuf::Any* any = details.add_details();
    any->set_type_url(std::string(type_url));
    any->set_value(std::string(payload));
  });
  if (details.details_size() == 0) {
    return grpc::Status(static_cast<grpc::StatusCode>(code), message);
  }
  details.set_code(code);
  details.set_message(message);
  return grpc::Status(static_cast<grpc::StatusCode>(code), message, details.SerializeAsString());
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  int code = static_cast<int>(status.error_code());
  if (code < 0 || code > 16) code = static_cast<int>(absl::StatusCode::kUnknown);
  absl::Status out(static_cast<absl::StatusCode>(code), status.error_message());
  google::rpc::Status details;
  if (!status.error_details().empty() && details.ParseFromString(status.error_details())) {
    for (const google::protobuf::Any& any : details.details()) {
      out.SetPayload(any.type_url(), absl::Cord(any.value()));
    }
  }
  return out;
}

absl::Status UpstreamStatus(const std::string& service, const grpc::Status& status,
                            const std::string& rpc) {
  if (status.ok()) return absl::OkStatus();
  absl::Status s = FromGrpcStatus(status);
  std::string what_to_do;
  if (s.code() == absl::StatusCode::kUnavailable) {
    what_to_do = absl::StrCat(" (", service,
                              " is unreachable or not ready; nothing was written: check that it "
                              "runs and is SERVING, then retry)");
  } else if (s.code() == absl::StatusCode::kDeadlineExceeded) {
    what_to_do = absl::StrCat(" (", service,
                              " did not answer within the call's deadline; nothing was written: "
                              "retry with a longer deadline)");
  }
  absl::Status out(s.code(), absl::StrCat(service, " ", rpc, ": ", s.message(), what_to_do));
  CopyPayloads(s, out);  // an upstream's BadRequest reaches our callers too
  return out;
}

std::string UpstreamName(const std::string& service, const std::string& address) {
  if (address.empty()) return service;
  return absl::StrCat(service, " at ", address);
}

common::CallBudget BudgetOf(const grpc::ServerContext& context) {
  const grpc::ServerContext* c = &context;
  return common::CallBudget(Deadline(context), [c] { return c->IsCancelled(); });
}

absl::Time Deadline(const grpc::ServerContext& context) {
  auto deadline = context.deadline();
  if (deadline >= std::chrono::system_clock::time_point::max() - std::chrono::hours(24 * 365)) {
    return absl::InfiniteFuture();
  }
  return absl::FromChrono(deadline);
}

}  // namespace innoscope::server
