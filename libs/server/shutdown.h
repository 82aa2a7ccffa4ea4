#pragma once

// The end of a server's SIGTERM sequence: let in-flight calls finish, then
// close every connection, without waiting on clients that only hold an idle
// channel or a health Watch.
//
// grpc::Server::Shutdown(deadline) sends every connection a GOAWAY and
// returns when all calls have ended and all connections are closed, or at
// the deadline, when it cancels what is left. Two things kept it waiting the
// whole grace with nothing to do: a health Watch (a call that never ends by
// itself; the health service only answers NOT_SERVING on it), and an idle
// connection whose client acknowledges the GOAWAY's ping only when its
// poller next runs (a gRPC C++ client without calls polls every 5 s) or not
// at all (the server then waits for a 20 s timer). ShutdownServer counts the
// calls that matter (InFlightCalls, fed by a server interceptor that skips
// grpc.health.v1.Health/Watch) and, as soon as none is left or the grace
// has passed, cancels the rest and disconnects every client
// (grpc_server_cancel_all_calls), so the server stops within a few
// milliseconds of its last real call.
//
//   InFlightCalls in_flight;  // builder.experimental().SetInterceptorCreators(
//                             //   {..., std::make_unique<InFlightInterceptorFactory>(in_flight)})
//   ShutdownServer(*server, in_flight, absl::Seconds(20));

#include <atomic>

#include "absl/time/time.h"
#include "grpcpp/server.h"
#include "grpcpp/support/server_interceptor.h"

namespace innoscope::server {

// The number of calls in flight, health watches excepted.
class InFlightCalls {
 public:
  void Add(int delta) { count_.fetch_add(delta); }
  int count() const { return count_.load(); }

 private:
  std::atomic<int> count_{0};
};

// Counts each call (but health watches) from its start to its end.
class InFlightInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit InFlightInterceptorFactory(InFlightCalls& calls) : calls_(calls) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  InFlightCalls& calls_;
};

// Shuts `server` down: no new calls; the calls in flight get up to `grace`
// to finish; then every remaining call is cancelled and every connection
// closed. Returns when the server has shut down (Wait() returns at once).
void ShutdownServer(grpc::Server& server, const InFlightCalls& in_flight, absl::Duration grace);

}  // namespace innoscope::server
