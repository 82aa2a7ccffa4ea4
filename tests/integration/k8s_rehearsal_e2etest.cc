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
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "innoscope/ingest/v1/ingest.grpc.pb.h"
#include "innoscope/network/v1/network.grpc.pb.h"
#include "innoscope/scoring/v1/scoring.grpc.pb.h"
#include "innoscope/weighting/v1/weighting.grpc.pb.h"
#include "tests/integration/harness.h"
#include "tests/shared_data.h"

extern char** environ;

namespace innoscope::testing {
namespace {

using ::google::protobuf::Struct;
using ::google::protobuf::Value;

// One container of the plan.
struct Launch {
  std::string name;    // service name; empty for the CronJob
  std::string binary;  // innoscope-<name>: build/services/<name>/innoscope-<name>
  std::vector<std::string> args;
  std::map<std::string, std::string> env;
  std::vector<std::string> upstreams;
  std::map<std::string, std::string> files;  // CronJob only
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
  if (f.count("files")) l.files = StringMap(f.at("files"));
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
  absl::StatusOr<std::string> log =
      RunCommand(absl::StrCat("mkdir -p ", ShellQuote(BuildDir() + "/test-logs"), " && ", Python(),
                              " ", ShellQuote(SourceDir() + "/tests/k8s/manifests.py"), " plan ",
                              ShellQuote(SourceDir() + "/k8s/overlays/dev"), " --build_dir ",
                              ShellQuote(BuildDir()), " --output ", ShellQuote(out)),
                 &code);
  if (!log.ok()) return log.status();
  // 77: no kubectl >= 1.27 to render the overlay (manifests.py SKIP_EXIT_CODE).
  if (code == 77) return absl::FailedPreconditionError(*log);
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
    if (absl::IsFailedPrecondition(plan.status())) {
      GTEST_SKIP() << plan.status().message();  // "skipped: kubectl >= 1.27 not found (...)"
    }
    ASSERT_TRUE(plan.ok()) << plan.status();
    plan_ = *std::move(plan);
    ASSERT_EQ(plan_.services.size(), 4u);
    // One role per deployable (docs/operations.md, "Database roles"), all
    // on one database.
    ASSERT_EQ(plan_.database_urls.size(), 5u) << "each deployable needs its own database URL";
    for (const std::string& url : plan_.database_urls) {
      EXPECT_EQ(url.substr(url.find('@')),
                plan_.database_urls[0].substr(plan_.database_urls[0].find('@')));
    }
    // Nothing inherited may configure the processes: only the plan does.
    std::vector<std::string> inherited;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string name(*e, std::strchr(*e, '=') - *e);
      static const std::set<std::string> kHarness = {"INNOSCOPE_SOURCE_DIR", "INNOSCOPE_BUILD_DIR",
                                                     "INNOSCOPE_TEST_STACK_DIR",
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
    admin_database_url_ = *url;
    for (const std::string& cluster_url : plan_.database_urls) {
      local_database_urls_[cluster_url] = Relocate(
          cluster_url, absl::StrCat("127.0.0.1:", (*pg)->port()), url->substr(url->rfind('/') + 1));
    }
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
    if (local_database_urls_.count(rest)) return flag + local_database_urls_.at(rest);
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
  std::string admin_database_url_;                          // for inspection with psql
  std::map<std::string, std::string> local_database_urls_;  // the plan's -> this machine's
  std::map<std::string, std::string> local_address_;        // "ingest:50051" -> 127.0.0.1:PORT
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
    EXPECT_TRUE(
        WaitFor([&] { return HealthOf(channel, "readiness") == "SERVING"; }, absl::Seconds(20))
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
  auto status = RunCommand(
      absl::StrCat(BuildDir(), "/services/cli/innoscope status ", absl::StrJoin(flags, " ")),
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
  // The CronJob's config (k8s/base/config/recompute.yaml) recomputes the
  // 2023 AI framework, whose definition is in ../shared.
  INNOSCOPE_REQUIRE_SHARED(shared);
  const std::string framework = shared + "/reference/frameworks/ai_competitiveness_2023.csv";
  ASSERT_EQ(::access(framework.c_str(), R_OK), 0) << framework;
  ASSERT_NO_FATAL_FAILURE(StartStack());
  // The bundled demo's data, loaded the way deploy/demo.sh does (smaller:
  // 200 synthetic enterprises): regions and circles, the framework, and the
  // seeded synthetic network and observations (docs/demo.md).
  std::string dir = absl::StrCat(BuildDir(), "/test-logs/k8s-recompute-", ::getpid());
  int code = 0;
  ASSERT_TRUE(
      RunCommand(absl::StrCat("rm -rf ", ShellQuote(dir), " && mkdir -p ", ShellQuote(dir)), &code)
          .ok());
  const std::string cli = ShellQuote(BuildDir() + "/services/cli/innoscope");
  const std::string ingest = absl::StrCat(" --stack_file=/nonexistent --ingest_address=",
                                          processes_.at("ingest")->grpc_address());
  const std::string examples = SourceDir() + "/examples/ai_index/";
  for (const std::string& step :
       {absl::StrCat("import regions ", ShellQuote(examples + "regions.csv"), ingest),
        absl::StrCat("import cluster_members ", ShellQuote(examples + "cluster_members.csv"),
                     ingest),
        absl::StrCat("import framework ", ShellQuote(framework),
                     " --framework ai_competitiveness_2023", ingest),
        absl::StrCat("demo generate --seed 2023 --enterprises 200 --regions ",
                     ShellQuote(examples + "regions.csv"), " --framework ", ShellQuote(framework),
                     " --out ", ShellQuote(dir + "/synthetic")),
        absl::StrCat("import actors ", ShellQuote(dir + "/synthetic/actors.csv"),
                     " --relation_set ai_value_network", ingest),
        absl::StrCat("import relations ", ShellQuote(dir + "/synthetic/relations.csv"),
                     " --relation_set ai_value_network", ingest),
        absl::StrCat("import observations ", ShellQuote(dir + "/synthetic/observations.csv"),
                     " --framework ai_competitiveness_2023 --source synthetic", ingest)}) {
    auto out = RunCommand(absl::StrCat(cli, " ", step), &code);
    ASSERT_TRUE(out.ok());
    ASSERT_EQ(code, 0) << step << ":\n" << *out;
  }

  // The CronJob's command, environment and config file, nothing else.
  // INNOSCOPE_PUSHGATEWAY_URL stays the cluster's: by the contract a failed
  // push is logged and does not change the exit code. To check the pushed
  // metrics too, serve a stub Pushgateway here and substitute its address.
  std::map<std::string, std::string> path_of;
  for (const auto& [path, content] : plan_.recompute.files) {
    path_of[path] = absl::StrCat(dir, "/", path.substr(path.rfind('/') + 1));
    std::ofstream(path_of[path]) << content;
  }
  std::vector<std::string> command = {"env", "-i", "PATH=/usr/local/bin:/usr/bin:/bin"};
  for (const auto& [k, v] : plan_.recompute.env) {
    command.push_back(ShellQuote(absl::StrCat(k, "=", Local(v))));
  }
  // innoscope-recompute, as built: build/services/recompute/innoscope-recompute.
  ASSERT_TRUE(absl::StartsWith(plan_.recompute.binary, "innoscope-")) << plan_.recompute.binary;
  command.push_back(ShellQuote(absl::StrCat(
      BuildDir(), "/services/", plan_.recompute.binary.substr(10), "/", plan_.recompute.binary)));
  for (const std::string& a : plan_.recompute.args) {
    command.push_back(ShellQuote(path_of.count(a) ? path_of[a] : Local(a)));
  }
  auto out = RunCommand(absl::StrJoin(command, " "), &code);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(code, 0) << *out;
  EXPECT_THAT(*out, ::testing::HasSubstr("innoscope-recompute: success: recomputed 1 of 1 index"));

  // Scores were produced and published: one run per configured period
  // (2014-2022), each ranking every province of examples/ai_index.
  auto scoring = scoring::v1::ScoringService::NewStub(processes_.at("scoring")->Channel());
  scoring::v1::ListRunsRequest list;
  list.set_framework_code("ai_competitiveness_2023");
  list.mutable_page()->set_page_size(100);
  scoring::v1::ListRunsResponse runs;
  {
    grpc::ClientContext ctx;
    grpc::Status s = scoring->ListRuns(&ctx, list, &runs);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_EQ(runs.page().total_size(), 9);
  std::set<int> periods;
  for (const auto& run : runs.runs()) {
    periods.insert(run.spec().period());
    EXPECT_EQ(run.summary().regions(), 31) << run.id();
    EXPECT_EQ(run.summary().clusters(), 3) << run.id();
  }
  EXPECT_EQ(periods.size(), 9u);
  EXPECT_EQ(*periods.begin(), 2014);
  EXPECT_EQ(*periods.rbegin(), 2022);
  // The job run is recorded as a success, with the run ids.
  auto outcome =
      RunCommand(absl::StrCat("psql ", ShellQuote(admin_database_url_),
                              " -Atc \"SELECT outcome || ' ' || jsonb_array_length(run_ids->"
                              "'ai_competitiveness_2023/province/published'->'score_runs') "
                              "FROM recompute.job_runs ORDER BY id DESC LIMIT 1\""),
                 &code);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(code, 0) << *outcome;
  EXPECT_EQ(*outcome, "success 9\n");

  // The 2022 ranking, as `innoscope ranking` prints it. The container play
  // test (tests/container/play_test.py) runs this same flow on the image as
  // pods and must print the same file: tests/data/k8s/ranking_2022.txt
  // (tests/data/k8s/README.md: how it was made).
  auto ranking = RunCommand(
      absl::StrCat("INNOSCOPE_STACK_FILE=/nonexistent INNOSCOPE_INGEST_ADDRESS=",
                   processes_.at("ingest")->grpc_address(),
                   " INNOSCOPE_SCORING_ADDRESS=", processes_.at("scoring")->grpc_address(), " ",
                   cli, " ranking --framework ai_competitiveness_2023 --period 2022"),
      &code);
  ASSERT_TRUE(ranking.ok());
  ASSERT_EQ(code, 0) << *ranking;
  std::ofstream(dir + "/ranking_2022.txt") << *ranking;
  std::ifstream golden_file(SourceDir() + "/tests/data/k8s/ranking_2022.txt");
  std::stringstream golden;
  golden << golden_file.rdbuf();
  EXPECT_EQ(*ranking, golden.str()) << "written to " << dir << "/ranking_2022.txt";
}

}  // namespace
}  // namespace innoscope::testing
