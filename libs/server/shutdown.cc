#include "libs/server/shutdown.h"

#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "grpc/grpc.h"
#include "libs/common/log.h"

namespace innoscope::server {
namespace {

constexpr char kHealthWatch[] = "/grpc.health.v1.Health/Watch";

class InFlightInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit InFlightInterceptor(InFlightCalls& calls) : calls_(calls) { calls_.Add(1); }
  ~InFlightInterceptor() override { calls_.Add(-1); }
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    methods->Proceed();
  }

 private:
  InFlightCalls& calls_;
};

class PassThrough final : public grpc::experimental::Interceptor {
 public:
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    methods->Proceed();
  }
};

}  // namespace

grpc::experimental::Interceptor* InFlightInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  if (std::string(info->method()) == kHealthWatch) return new PassThrough();
  return new InFlightInterceptor(calls_);
}

void ShutdownServer(grpc::Server& server, const InFlightCalls& in_flight, absl::Duration grace) {
  const absl::Time deadline = absl::Now() + grace;
  absl::Notification done;
  std::thread shutdown([&] {
    server.Shutdown(absl::ToChronoTime(deadline));
    done.Notify();
  });
  // Wait for the calls in flight (Shutdown refuses new ones), then cut what
  // is left: health watches and idle connections. Repeated until Shutdown
  // returns, so a connection that raced the first cut is cut too.
  const absl::Duration poll = absl::Milliseconds(20);
  while (!done.WaitForNotificationWithTimeout(poll)) {
    const int left = in_flight.count();
    if (left > 0 && absl::Now() < deadline) continue;
    if (left > 0) {
      log::Warn("shutdown grace over: cancelling the calls in flight",
                {{"calls", static_cast<int64_t>(left)}});
    }
    grpc_server_cancel_all_calls(server.c_server());
    if (done.WaitForNotificationWithTimeout(absl::Milliseconds(500))) break;
  }
  shutdown.join();
}

}  // namespace innoscope::server
