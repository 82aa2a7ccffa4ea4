// End to end: the four services and a real Prometheus server (Debian's
// `prometheus`) scraping them. Every target must be up and the per-RPC
// series must be queryable through Prometheus' own HTTP API.

#include <signal.h>

#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "innoscope/ingest/v1/ingest.grpc.pb.h"
#include "tests/integration/harness.h"

namespace innoscope::testing {
namespace {

using ::testing::HasSubstr;

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}

TEST(PrometheusE2eTest, PrometheusScrapesEveryServiceAndSeesRpcSeries) {
  int code = 0;
  if (!RunCommand("command -v prometheus", &code).ok() || code != 0) {
    GTEST_FAIL() << "prometheus is not installed; run deploy/install-deps.sh";
  }
  auto pg = PostgresServer::Shared();
  ASSERT_TRUE(pg.ok()) << pg.status();
  auto url = (*pg)->CreateDatabase("e2e");
  ASSERT_TRUE(url.ok());
  std::map<std::string, std::string> env = {{"DATABASE_URL", *url}};
  auto services = StartServices(env, {"weighting", "network", "scoring"});
  ASSERT_TRUE(services.ok()) << services.status();

  // Real traffic before the scrape.
  auto stub = ingest::v1::IngestService::NewStub(services->ingest->Channel());
  for (int i = 0; i < 5; ++i) {
    grpc::ClientContext ctx;
    ingest::v1::GetServiceInfoResponse response;
    ASSERT_TRUE(stub->GetServiceInfo(&ctx, {}, &response).ok());
  }

  std::string dir = absl::StrCat(BuildDir(), "/test-logs/prometheus-", ::getpid());
  ASSERT_TRUE(RunCommand(absl::StrCat("rm -rf '", dir, "' && mkdir -p '", dir, "'"), &code).ok());
  std::string config = absl::StrCat(
      "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
      "scrape_configs:\n  - job_name: innoscope\n    static_configs:\n      - targets: ['",
      services->ingest->metrics_address(), "', '", services->weighting->metrics_address(), "', '",
      services->network->metrics_address(), "', '", services->scoring->metrics_address(), "']\n");
  std::ofstream(dir + "/prometheus.yml") << config;
  ASSERT_TRUE(
      RunCommand(absl::StrCat("promtool check config '", dir, "/prometheus.yml'"), &code).ok());
  ASSERT_EQ(code, 0);

  // Prometheus on a free port: let the kernel pick one by binding port 0 is
  // not possible for prometheus, so try a few random ports.
  std::string prom_address;
  pid_t prom_pid = 0;
  for (int attempt = 0; attempt < 5 && prom_address.empty(); ++attempt) {
    int port = 20000 + static_cast<int>((::getpid() * 7919 + attempt * 104729) % 40000);
    std::string address = absl::StrCat("127.0.0.1:", port);
    auto pid_text = RunCommand(absl::StrCat("cd '", dir,
                                            "' && (prometheus --config.file=prometheus.yml "
                                            "--storage.tsdb.path=data --web.listen-address=",
                                            address, " > prometheus.log 2>&1 & echo $!)"),
                               &code);
    ASSERT_TRUE(pid_text.ok());
    prom_pid = std::stoi(*pid_text);
    if (WaitFor([&] { return HttpGet(address, "/-/ready").ok(); }, absl::Seconds(20)).ok()) {
      prom_address = address;
    } else {
      ::kill(prom_pid, SIGKILL);
    }
  }
  ASSERT_FALSE(prom_address.empty()) << "prometheus did not start; see " << dir;

  // Every target up.
  std::string targets;
  EXPECT_TRUE(WaitFor(
                  [&] {
                    auto t = HttpGet(prom_address, "/api/v1/targets?state=active");
                    if (!t.ok()) return false;
                    targets = *t;
                    return Count(targets, "\"health\":\"up\"") == 4;
                  },
                  absl::Seconds(30), absl::Milliseconds(500))
                  .ok())
      << targets;
  // The per-RPC counter, as Grafana's gRPC dashboards query it.
  std::string result;
  EXPECT_TRUE(WaitFor(
                  [&] {
                    auto q = HttpGet(prom_address,
                                     "/api/v1/query?query=grpc_server_handled_total%7B"
                                     "grpc_method%3D%22GetServiceInfo%22%7D");
                    if (!q.ok()) return false;
                    result = *q;
                    return absl::StrContains(result, "innoscope.ingest.v1.IngestService");
                  },
                  absl::Seconds(30), absl::Milliseconds(500))
                  .ok())
      << result;
  EXPECT_THAT(result, HasSubstr("\"status\":\"success\""));
  EXPECT_THAT(result, HasSubstr("\"5\""));  // the five calls above
  ::kill(prom_pid, SIGTERM);
}

}  // namespace
}  // namespace innoscope::testing
