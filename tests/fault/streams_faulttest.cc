// Fault tests of streams and connections: shutdown while clients hold idle
// channels (a health Watch, a plain channel, the other services' upstream
// channels).

#include <signal.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "innoscope/ingest/v1/ingest.grpc.pb.h"
#include "innoscope/weighting/v1/weighting.grpc.pb.h"
#include "tests/integration/harness.h"

namespace innoscope::testing {
namespace {

class StreamsFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pg = PostgresServer::Shared();
    ASSERT_TRUE(pg.ok()) << pg.status();
    pg_ = std::move(*pg);
  }
  std::unique_ptr<PostgresServer> pg_;
};

TEST_F(StreamsFaultTest, IdleChannelsDoNotHoldShutdownPastTheDrain) {
  auto url = pg_->CreateDatabase("idle");
  ASSERT_TRUE(url.ok()) << url.status();
  auto services = StartServices({{"DATABASE_URL", *url}}, {"weighting"});
  ASSERT_TRUE(services.ok()) << services.status();
  // weighting's GetServiceInfo checks ingest's health: its upstream channel connects.
  {
    auto stub = weighting::v1::WeightingService::NewStub(services->weighting->Channel());
    grpc::ClientContext ctx;
    weighting::v1::GetServiceInfoResponse r;
    ASSERT_TRUE(stub->GetServiceInfo(&ctx, {}, &r).ok());
  }
  auto plain = grpc::CreateChannel(services->ingest->grpc_address(),
                                   grpc::InsecureChannelCredentials());
  ASSERT_TRUE(plain->WaitForConnected(absl::ToChronoTime(absl::Now() + absl::Seconds(5))));
  auto health = grpc::health::v1::Health::NewStub(services->ingest->Channel());
  grpc::ClientContext watch_ctx;
  grpc::health::v1::HealthCheckRequest req;
  req.set_service("readiness");
  auto watch = health->Watch(&watch_ctx, req);
  grpc::health::v1::HealthCheckResponse first;
  ASSERT_TRUE(watch->Read(&first));
  absl::Time t0 = absl::Now();
  services->ingest->Signal(SIGTERM);
  auto code = services->ingest->WaitExit(absl::Seconds(60));
  fprintf(stderr, "exit after %s\n", absl::FormatDuration(absl::Now() - t0).c_str());
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 0);
  watch_ctx.TryCancel();
}

}  // namespace
}  // namespace innoscope::testing
