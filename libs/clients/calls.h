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
#include <thread>

#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "libs/server/grpc_status.h"

namespace innoscope::clients {

// A context whose deadline is `timeout` from now.
std::unique_ptr<grpc::ClientContext> ContextWithTimeout(absl::Duration timeout);

// What happened to a call that failed in transport, in words an operator
// can act on, instead of gRPC's own text ("Deadline Exceeded", "enter
// idle"): DEADLINE_EXCEEDED names the deadline used and `timeout_flag`;
// UNAVAILABLE after the server closed the connection (a GOAWAY from its
// --max_connection_age_seconds, a restart; gRPC's "enter idle", "GOAWAY",
// "Socket closed", "Connection reset") says so; CANCELLED says the server
// cancelled. gRPC's text stays at the end in parentheses; the code is kept.
// Other statuses come back unchanged.
//
//   status = ExplainCallFailure(status, absl::Seconds(30));
//   // "DEADLINE_EXCEEDED: no answer within the call's deadline of 30 s
//   //  (--timeout_seconds=30); ... (gRPC: Deadline Exceeded)"
absl::Status ExplainCallFailure(const absl::Status& status, absl::Duration timeout,
                                const std::string& timeout_flag = "--timeout_seconds");

// One unary RPC with a deadline `timeout` from now, as absl::Status; a
// transport failure explained by ExplainCallFailure.
template <typename Stub, typename Request, typename Response>
absl::Status CallUnary(Stub& stub,
                       grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                    Response*),
                       const Request& request, Response* response, absl::Duration timeout) {
  std::unique_ptr<grpc::ClientContext> context = ContextWithTimeout(timeout);
  return ExplainCallFailure(
      server::FromGrpcStatus((stub.*method)(context.get(), request, response)), timeout);
}

// Runs `call` (blocking) on a thread of its own and calls notice(waited)
// every `interval` until it returns; returns its status. For client
// programs whose calls may compute for minutes (`innoscope network`).
template <typename Call, typename Notice>
absl::Status CallWithWaitingNotice(const Call& call, absl::Duration interval,
                                   const Notice& notice) {
  absl::Status status;
  absl::Notification done;
  std::thread worker([&] {
    status = call();
    done.Notify();
  });
  const absl::Time start = absl::Now();
  while (!done.WaitForNotificationWithTimeout(interval)) notice(absl::Now() - start);
  worker.join();
  return status;
}

// What to do next after a failed call of this kind ("" when nothing useful).
std::string HintFor(const absl::Status& status);

}  // namespace innoscope::clients
