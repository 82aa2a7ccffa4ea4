#pragma once

// Conversion between absl::Status (core code) and grpc::Status (the edge).
// The numeric codes of the two are the same canonical codes, so the mapping
// is one-to-one; messages pass through unchanged. An INVALID_ARGUMENT whose
// message names a request field ("<field path>: <why>",
// libs/common/field_violations.h) and that has no BadRequest yet gets one
// with that field, so clients read the field from the detail.
//
//   grpc::Status GetThing(...) override {
//     return ToGrpcStatus(core_.GetThing(request, response));
//   }

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/status.h"
#include "libs/common/call_budget.h"

namespace innoscope::server {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

// An upstream service's status for our callers: its code, and its message
// prefixed with who said it ("ingest GetFramework: ..."). `service` may carry
// the address ("ingest at 10.0.0.5:50051"). When the upstream could not be
// reached or did not answer in time (UNAVAILABLE, DEADLINE_EXCEEDED) the
// message ends with what to do about it, and that nothing was written.
absl::Status UpstreamStatus(const std::string& service, const grpc::Status& status,
                            const std::string& rpc);

// "ingest at HOST:PORT", or `service` alone without an address: how the
// clients of libs/clients name their upstream in errors.
std::string UpstreamName(const std::string& service, const std::string& address);

// The body of a unary handler: a core result into the response.
template <typename Response>
grpc::Status Unary(absl::StatusOr<Response> result, Response* response) {
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}

// The RPC's deadline (InfiniteFuture when the client set none).
absl::Time Deadline(const grpc::ServerContext& context);

// The RPC's deadline and cancellation for core code: Deadline(context) and
// context.IsCancelled() (thread-safe in the synchronous API). The context
// must outlive the budget (true inside the handler).
common::CallBudget BudgetOf(const grpc::ServerContext& context);

}  // namespace innoscope::server
