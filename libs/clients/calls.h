#pragma once

// One call to a service from a client program (the `innoscope` CLI,
// `innoscope-recompute`): its deadline, and what to tell the operator when
// it fails.
//
//   std::unique_ptr<grpc::ClientContext> context = ContextWithTimeout(absl::Seconds(30));
//   grpc::Status s = stub->ListRuns(context.get(), request, &response);
//   ...
//   std::string next = HintFor(status);   // "" when there is nothing useful to add
//   RETURN_IF_ERROR(CallUnary(*stub, &Stub::ListRuns, request, &response, timeout));

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "libs/server/grpc_status.h"

namespace innoscope::clients {

// A context whose deadline is `timeout` from now.
std::unique_ptr<grpc::ClientContext> ContextWithTimeout(absl::Duration timeout);

// One unary RPC with a deadline `timeout` from now, as absl::Status.
template <typename Stub, typename Request, typename Response>
absl::Status CallUnary(Stub& stub,
                       grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                    Response*),
                       const Request& request, Response* response, absl::Duration timeout) {
  std::unique_ptr<grpc::ClientContext> context = ContextWithTimeout(timeout);
  return server::FromGrpcStatus((stub.*method)(context.get(), request, response));
}

// What to do next after a failed call of this kind ("" when nothing useful).
std::string HintFor(const absl::Status& status);

}  // namespace innoscope::clients
