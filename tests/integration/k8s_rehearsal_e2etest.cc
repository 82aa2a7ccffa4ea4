// Cluster rehearsal on one machine: the four services started with exactly
// the arguments and environment the rendered dev overlay (k8s/overlays/dev)
// gives their containers, with Kubernetes Service names resolved to loopback.
//
// `tests/k8s/manifests.py plan` renders the overlay and resolves every
// container's environment the way the kubelet does (ConfigMaps, Secrets,
// $(VAR), fieldRef). This test changes only what a machine without a cluster
// must:
//   - listen ports: --grpc_address/--metrics_address=127.0.0.1:0, which
//     ServiceProcess adds (flags win over the INNOSCOPE_* environment);
//   - Service addresses: every value the plan names as one (ingest:50051)
//     becomes the started process's 127.0.0.1:PORT;
//   - the database URL: host, port and database become the test PostgreSQL's
//     (user, password and parameters are kept);
//   - for the CronJob, the config file's path: its ConfigMap content is
//     written to a temporary folder.
// Variables the test process inherited that a binary would read
// (INNOSCOPE_*, DATABASE_URL) are cleared first, so nothing but the plan
// configures the processes.

#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "innoscope/ingest/v1/ingest.grpc.pb.h"
#include "innoscope/network/v1/network.grpc.pb.h"
#include "innoscope/scoring/v1/scoring.grpc.pb.h"
#include "innoscope/weighting/v1/weighting.grpc.pb.h"
#include "tests/integration/harness.h"

extern char** environ;

namespace innoscope::testing {
namespace {

using ::google::protobuf::Struct;
using ::google::protobuf::Value;

// One container of the plan.
struct Launch {
  std::string name;  // service name; empty for the CronJob
  std::string binary;
  std::string command;  // CLI command ("recompute"), CronJob only
  std::vector<std::string> args;
  std::map<std::string, std::string> env;
  std::vector<std::string> upstreams;
  std::map<std::string, std::string> files;  // CronJob only
  bool pending = false;  // the CLI lacks the command; flags checked against the contract
};

std::vector<std::string> Strings(const Value& v) {
  std::vector<std::string> out;
  for (const Value& item : v.list_value().values()) out.push_back(item.string_value());
  return out;
}

std::map<std::string, std::string> StringMap(const Value& v) {
  std::map<std::string, std::string> out;
  for (const auto& [k, item] : v.struct_value().fields()) out[k] = item.string_value();
  return out;
}

Launch ToLaunch(const Value& v) {
  const auto& f = v.struct_value().fields();
  Launch l;
  if (f.count("name")) l.name = f.at("name").string_value();
  if (f.count("command")) l.command = f.at("command").string_value();
  if (f.count("files")) l.files = StringMap(f.at("files"));
  if (f.count("pending")) l.pending = f.at("pending").bool_value();
  l.binary = f.at("binary").string_value();
  l.args = Strings(f.at("args"));
  l.env = StringMap(f.at("env"));
  l.upstreams = Strings(f.at("upstreams"));
  return l;
}

struct Plan {
  std::vector<Launch> services;  // in dependency order
  Launch recompute;
  std::map<std::string, std::string> addresses;  // "ingest:50051" -> "ingest"
  std::vector<std::string> database_urls;
  std::vector<std::string> alert_metrics;
};

std::string Python() {
  // Debian's interpreter when present (what CI installs); the tool needs
  // only the standard library.
  return ::access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
}

std::string ShellQuote(const std::string& s) {
  return absl::StrCat("'", absl::StrReplaceAll(s, {{"'", "'\\''"}}), "'");
}

absl::StatusOr<Plan> LoadPlan() {
  std::string out = absl::StrCat(BuildDir(), "/test-logs/k8s-plan-", ::getpid(), ".json");
  int code = 0;
  absl::StatusOr<std::string> log = RunCommand(
      absl::StrCat("mkdir -p ", ShellQuote(BuildDir() + "/test-logs"), " && ", Python(), " ",
                   ShellQuote(SourceDir() + "/tests/k8s/manifests.py"), " plan ",
                   ShellQuote(SourceDir() + "/k8s/overlays/dev"), " --build_dir ",
                   ShellQuote(BuildDir()), " --output ", ShellQuote(out)),
      &code);
  if (!log.ok()) return log.status();
  if (code != 0) return absl::InternalError("manifests.py plan failed: " + *log);
  std::ifstream in(out);
  std::stringstream text;
  text << in.rdbuf();
  Struct root;
  if (!google::protobuf::util::JsonStringToMessage(text.str(), &root).ok()) {
    return absl::InternalError("plan is not JSON: " + text.str());
  }
  const auto& f = root.fields();
  Plan plan;
  for (const Value& s : f.at("services").list_value().values()) {
    plan.services.push_back(ToLaunch(s));
  }
  plan.recompute = ToLaunch(f.at("recompute"));
  plan.addresses = StringMap(f.at("addresses"));
  plan.database_urls = Strings(f.at("database_urls"));
  plan.alert_metrics = Strings(f.at("alert_metrics"));
  return plan;
}

// postgresql://USER[:PASSWORD]@HOST:PORT/DB[?PARAMS] with HOST:PORT/DB replaced.
std::string Relocate(const std::string& cluster_url, const std::string& host_port,
                     const std::string& database) {
  size_t at = cluster_url.find('@');
  size_t slash = cluster_url.find('/', at);
  size_t query = cluster_url.find('?', slash);
  return absl::StrCat(cluster_url.substr(0, at + 1), host_port, "/", database,
                      query == std::string::npos ? "" : cluster_url.substr(query));
}

std::string GrpcServiceName(const std::string& service) {
  std::string upper = service;
  upper[0] = static_cast<char>(std::toupper(upper[0]));
  return absl::StrCat("innoscope.", service, ".v1.", upper, "Service");
}

template <typename Service, typename Request, typename Response>
absl::StatusOr<common::v1::ServiceInfo> FetchInfo(const std::shared_ptr<grpc::Channel>& ch) {
  auto stub = Service::NewStub(ch);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  Response response;
  grpc::Status status = stub->GetServiceInfo(&ctx, Request(), &response);
  if (!status.ok()) return absl::UnavailableError(status.error_message());
  return response.info();
}

absl::StatusOr<common::v1::ServiceInfo> ServiceInfo(const std::string& service,
                                                    const std::shared_ptr<grpc::Channel>& ch) {
  if (service == "ingest") {
    return FetchInfo<ingest::v1::IngestService, ingest::v1::GetServiceInfoRequest,
                     ingest::v1::GetServiceInfoResponse>(ch);
  }
  if (service == "weighting") {
    return FetchInfo<weighting::v1::WeightingService, weighting::v1::GetServiceInfoRequest,
                     weighting::v1::GetServiceInfoResponse>(ch);
  }
  if (service == "scoring") {
    return FetchInfo<scoring::v1::ScoringService, scoring::v1::GetServiceInfoRequest,
                     scoring::v1::GetServiceInfoResponse>(ch);
  }
  return FetchInfo<network::v1::NetworkService, network::v1::GetServiceInfoRequest,
                   network::v1::GetServiceInfoResponse>(ch);
}

// Names of the series in a Prometheus text exposition.
std::set<std::string> SeriesNames(const std::string& exposition) {
  std::set<std::string> names;
  std::istringstream in(exposition);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    names.insert(line.substr(0, line.find_first_of("{ ")));
  }
  return names;
}

class K8sRehearsalE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto plan = LoadPlan();
    ASSERT_TRUE(plan.ok()) << plan.status();
    plan_ = *std::move(plan);
    ASSERT_EQ(plan_.services.size(), 4u);
    ASSERT_EQ(plan_.database_urls.size(), 1u) << "every container must use one database";
    // Nothing inherited may configure the processes: only the plan does.
    std::vector<std::string> inherited;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string name(*e, std::strchr(*e, '=') - *e);
      static const std::set<std::string> kHarness = {
          "INNOSCOPE_SOURCE_DIR", "INNOSCOPE_BUILD_DIR", "INNOSCOPE_TEST_STACK_DIR",
          "INNOSCOPE_SHARED_DIR"};
      if ((absl::StartsWith(name, "INNOSCOPE_") && !kHarness.count(name)) ||
          name == "DATABASE_URL") {
        inherited.push_back(name);
      }
    }
    for (const std::string& name : inherited) ::unsetenv(name.c_str());
  }

  // Starts PostgreSQL's database and the four services in dependency order.
  void StartStack() {
    auto pg = PostgresServer::Shared();
    ASSERT_TRUE(pg.ok()) << pg.status();
    auto url = (*pg)->CreateDatabase("k8s");
    ASSERT_TRUE(url.ok()) << url.status();
    local_database_url_ = Relocate(plan_.database_urls[0],
                                   absl::StrCat("127.0.0.1:", (*pg)->port()),
                                   url->substr(url->rfind('/') + 1));
    for (const Launch& launch : plan_.services) {
      std::vector<std::string> args;
      for (const std::string& a : launch.args) args.push_back(Local(a));
      std::map<std::string, std::string> env;
      for (const auto& [k, v] : launch.env) env[k] = Local(v);
      ASSERT_FALSE(::testing::Test::HasFailure());
      auto process = ServiceProcess::Start(launch.name, args, env);
      ASSERT_TRUE(process.ok()) << launch.name << ": " << process.status();
      for (const auto& [cluster, service] : plan_.addresses) {
        if (service == launch.name) local_address_[cluster] = (*process)->grpc_address();
      }
      processes_[launch.name] = *std::move(process);
    }
  }

  // A value from the manifests, as this machine needs it.
  std::string Local(const std::string& value) {
    std::string flag, rest = value;
    if (absl::StartsWith(value, "--") && value.find('=') != std::string::npos) {
      flag = value.substr(0, value.find('=') + 1);
      rest = value.substr(flag.size());
    }
    if (rest == plan_.database_urls[0]) return flag + local_database_url_;
    if (plan_.addresses.count(rest)) {
      auto it = local_address_.find(rest);
      if (it == local_address_.end()) {
        ADD_FAILURE() << rest << " is used before its service started (dependency order)";
        return value;
      }
      return flag + it->second;
    }
    return value;
  }

  Plan plan_;
  std::string local_database_url_;
  std::map<std::string, std::string> local_address_;  // "ingest:50051" -> 127.0.0.1:PORT
  std::map<std::string, std::unique_ptr<ServiceProcess>> processes_;
};

TEST_F(K8sRehearsalE2eTest, ServicesStartServeAndReachTheirUpstreams) {
  ASSERT_NO_FATAL_FAILURE(StartStack());
  for (const Launch& launch : plan_.services) {
    SCOPED_TRACE(launch.name);
    auto channel = processes_.at(launch.name)->Channel();
    // What the startup and liveness probes ask ...
    EXPECT_EQ(HealthOf(channel, ""), "SERVING");
    EXPECT_EQ(HealthOf(channel, GrpcServiceName(launch.name)), "SERVING");
    // ... and the readiness probe: the database URL from the Secret works.
    EXPECT_TRUE(WaitFor([&] { return HealthOf(channel, "readiness") == "SERVING"; },
                        absl::Seconds(20))
                    .ok())
        << processes_.at(launch.name)->Log();
    // The upstream addresses from the ConfigMap/env reach the right services.
    auto info = ServiceInfo(launch.name, channel);
    ASSERT_TRUE(info.ok()) << info.status();
    EXPECT_TRUE(info->database_ready());
    std::vector<std::string> upstreams;
    for (const auto& up : info->upstreams()) {
      upstreams.push_back(up.name());
      EXPECT_TRUE(up.serving()) << up.name() << " at " << up.address() << ": " << up.detail();
      EXPECT_EQ(up.address(), processes_.at(up.name())->grpc_address());
    }
    EXPECT_THAT(upstreams, ::testing::UnorderedElementsAreArray(launch.upstreams));
  }

  // The CLI reaches all four the way the recompute job will.
  std::vector<std::string> flags;
  for (const auto& [name, process] : processes_) {
    flags.push_back(absl::StrCat("--", name, "_address=", process->grpc_address()));
  }
  int code = 0;
  auto status = RunCommand(absl::StrCat(BuildDir(), "/services/cli/innoscope status ",
                                        absl::StrJoin(flags, " ")),
                           &code);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(code, 0) << *status;

  // Every service metric the alerting rules use is exposed.
  for (const auto& [name, process] : processes_) {
    auto metrics = HttpGet(process->metrics_address(), "/metrics");
    ASSERT_TRUE(metrics.ok()) << name << ": " << metrics.status();
    EXPECT_THAT(SeriesNames(*metrics), ::testing::IsSupersetOf(plan_.alert_metrics)) << name;
  }
}

TEST_F(K8sRehearsalE2eTest, CronJobCommandProducesScores) {
  if (plan_.recompute.pending) {
    GTEST_SKIP() << "`innoscope recompute` is not implemented yet (issue 7); this step runs "
                    "the CronJob's command once it is";
  }
  ASSERT_NO_FATAL_FAILURE(StartStack());
  // TODO(issue 7): load the demo data here (the demo generator, or `innoscope
  // import` of the bundled framework and observations) so there is something
  // to score.

  // The CronJob's command, environment and config file, nothing else.
  // INNOSCOPE_PUSHGATEWAY_URL stays the cluster's: by the contract a failed
  // push is logged and does not change the exit code. To check the pushed
  // metrics too, serve a stub Pushgateway here and substitute its address.
  std::string dir = absl::StrCat(BuildDir(), "/test-logs/k8s-recompute-", ::getpid());
  int code = 0;
  ASSERT_TRUE(RunCommand(absl::StrCat("mkdir -p ", ShellQuote(dir)), &code).ok());
  std::map<std::string, std::string> path_of;
  for (const auto& [path, content] : plan_.recompute.files) {
    path_of[path] = absl::StrCat(dir, "/", path.substr(path.rfind('/') + 1));
    std::ofstream(path_of[path]) << content;
  }
  std::vector<std::string> command = {"env", "-i",
                                      "PATH=/usr/local/bin:/usr/bin:/bin"};
  for (const auto& [k, v] : plan_.recompute.env) {
    command.push_back(ShellQuote(absl::StrCat(k, "=", Local(v))));
  }
  command.push_back(ShellQuote(BuildDir() + "/services/cli/innoscope"));
  command.push_back(plan_.recompute.command);
  for (const std::string& a : plan_.recompute.args) {
    command.push_back(ShellQuote(path_of.count(a) ? path_of[a] : Local(a)));
  }
  auto out = RunCommand(absl::StrJoin(command, " "), &code);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(code, 0) << *out;
  // TODO(issue 7): assert that scores were produced: scoring's runs for the
  // configured framework and periods exist and rank every region. Until that
  // check is written this test must not pass.
  ADD_FAILURE() << "the recompute rehearsal runs the command but does not yet check that "
                   "scores were produced (tests/integration/k8s_rehearsal_e2etest.cc)";
}

}  // namespace
}  // namespace innoscope::testing
