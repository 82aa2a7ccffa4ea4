// Fault suite: deadlines, cancellation and upstream services down, with real
// ingest, weighting, network and scoring processes on the shared
// PostgreSQL fixture (nothing here stops the database).
//
// - an ingest WriteObservations stream past its deadline commits whole
//   batches only, and rerunning the import gives exactly the input;
// - ComputeScores on a big-enough input (kRegions x kLeaves observations)
//   with a deadline far shorter than the computation answers
//   DEADLINE_EXCEEDED, a cancelled one CANCELLED, and neither stores a run:
//   the rerun without deadline creates the run (created = true; had the
//   abandoned call stored it, the rerun would have found it);
// - scoring with weighting killed (SIGKILL) answers UNAVAILABLE naming
//   "weighting at HOST:PORT" and stores no run; weighting restarted on the
//   same address, the rerun completes;
// - network with ingest killed answers UNAVAILABLE naming "ingest at
//   HOST:PORT" and stores no run; ingest restarted, the rerun completes.
// Every test ends with the input's row count and checksum (sum of values) in
// ingest's tables, the runs stored exactly once, and every service SERVING.

#include <signal.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "innoscope/ingest/v1/ingest.grpc.pb.h"
#include "innoscope/network/v1/network.grpc.pb.h"
#include "innoscope/scoring/v1/scoring.grpc.pb.h"
#include "tests/integration/harness.h"

namespace innoscope::testing {
namespace {

namespace iv1 = ::innoscope::ingest::v1;
namespace nv1 = ::innoscope::network::v1;
namespace sv1 = ::innoscope::scoring::v1;
using ::testing::HasSubstr;

constexpr int kRegions = 1500;
constexpr int kLeaves = 20;
constexpr int kPeriod = 2023;
constexpr int kBatchRows = 2500;  // kRegions * kLeaves is 12 batches

// The value of leaf j in region i: 1-97, spread without pattern.
int Value(int i, int j) { return 1 + (7 * i + 13 * j) % 97; }

class DeadlineFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pg = PostgresServer::Shared();
    ASSERT_TRUE(pg.ok()) << pg.status();
    auto url = (*pg)->CreateDatabase("deadlines");
    ASSERT_TRUE(url.ok()) << url.status();
    url_ = *url;
    env_ = {{"DATABASE_URL", url_}};
    auto services = StartServices(env_, {"weighting", "network", "scoring"});
    ASSERT_TRUE(services.ok()) << services.status();
    set_ = std::move(*services);
    ingest_stub_ = iv1::IngestService::NewStub(set_.ingest->Channel());
    scoring_stub_ = sv1::ScoringService::NewStub(set_.scoring->Channel());
    network_stub_ = nv1::NetworkService::NewStub(set_.network->Channel());
  }

  std::string Psql(const std::string& sql) {
    int code = 0;
    auto out = RunCommand(absl::StrCat("psql '", url_, "' -qtAc \"", sql, "\""), &code);
    EXPECT_EQ(code, 0) << (out.ok() ? *out : out.status().ToString());
    return out.ok() ? std::string(absl::StripAsciiWhitespace(*out)) : "";
  }
  int64_t Count(const std::string& table) {
    int64_t n = -1;
    EXPECT_TRUE(absl::SimpleAtoi(Psql("SELECT count(*) FROM " + table), &n)) << table;
    return n;
  }

  // Framework "big": index -> kLeaves leaves, equal fixed weights; kRegions
  // provinces; then every leaf observed in kPeriod.
  void SeedScores() {
    ASSERT_NO_FATAL_FAILURE(SeedCatalog());
    grpc::Status s = WriteObservations(absl::InfiniteFuture());
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  void SeedCatalog() {
    iv1::UpsertRegionsRequest regions;
    for (int i = 0; i < kRegions; ++i) {
      iv1::Region* r = regions.add_regions();
      r->set_code(Region(i));
      r->set_name(Region(i));
      r->set_kind(iv1::REGION_KIND_PROVINCE);
    }
    {
      grpc::ClientContext c;
      iv1::UpsertRegionsResponse r;
      grpc::Status s = ingest_stub_->UpsertRegions(&c, regions, &r);
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
    iv1::CreateFrameworkRequest fw;
    fw.set_code("big");
    fw.set_name("big");
    auto node = [&](const std::string& code, const std::string& parent, int level) {
      iv1::FrameworkNode* n = fw.add_nodes();
      n->set_code(code);
      n->set_name(code);
      n->set_parent_code(parent);
      n->set_level(level);
      n->set_direction(1);
      if (level == 1) {
        n->set_weight(1.0 / kLeaves);
        fw.add_indicators()->set_code(code);
      }
    };
    node("index", "", 2);
    for (int j = 0; j < kLeaves; ++j) node(Leaf(j), "index", 1);
    grpc::ClientContext c;
    iv1::CreateFrameworkResponse r;
    grpc::Status s = ingest_stub_->CreateFramework(&c, fw, &r);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // Writes the kRegions x kLeaves observations in batches of kBatchRows
  // (batch ids "seed-<n>", so a rerun replays what was committed) on one
  // stream with `deadline`; the stream's status.
  grpc::Status WriteObservations(absl::Time deadline) {
    grpc::ClientContext c;
    if (deadline != absl::InfiniteFuture()) c.set_deadline(absl::ToChronoTime(deadline));
    auto stream = ingest_stub_->WriteObservations(&c);
    iv1::WriteObservationsRequest batch;
    int batches = 0;
    bool open = true;
    auto flush = [&] {
      batch.set_batch_id(absl::StrCat("seed-", batches++));
      iv1::WriteObservationsResponse response;
      open = open && stream->Write(batch) && stream->Read(&response);
      batch.clear_observations();
    };
    for (int i = 0; i < kRegions && open; ++i) {
      for (int j = 0; j < kLeaves; ++j) {
        iv1::Observation* o = batch.add_observations();
        o->set_region_code(Region(i));
        o->set_indicator_code(Leaf(j));
        o->set_period(kPeriod);
        o->set_value(Value(i, j));
      }
      if (batch.observations_size() >= kBatchRows) flush();
    }
    if (open && batch.observations_size() > 0) flush();
    if (open) stream->WritesDone();
    return stream->Finish();
  }

  // The input's row count and checksum, read back from ingest's table.
  void ExpectObservationsIntact() {
    int64_t sum = 0;
    for (int i = 0; i < kRegions; ++i) {
      for (int j = 0; j < kLeaves; ++j) sum += Value(i, j);
    }
    EXPECT_EQ(Psql("SELECT count(*), sum(value)::bigint FROM ingest.observations"),
              absl::StrCat(kRegions * kLeaves, "|", sum));
    EXPECT_EQ(Psql("SELECT count(*) FROM ingest.observations WHERE revision > 1"), "0");
  }

  static std::string Region(int i) { return absl::StrCat("R", 10000 + i); }
  static std::string Leaf(int j) { return absl::StrCat("leaf_", j); }

  static sv1::ComputeScoresRequest Request() {
    sv1::ComputeScoresRequest request;
    request.mutable_spec()->mutable_framework()->set_code("big");
    request.mutable_spec()->set_period(kPeriod);
    return request;
  }

  grpc::Status Compute(const sv1::ComputeScoresRequest& request, absl::Duration timeout,
                       sv1::ComputeScoresResponse* response) {
    grpc::ClientContext c;
    c.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    return scoring_stub_->ComputeScores(&c, request, response);
  }

  // After an abandoned ComputeScores: no run stored; the rerun creates it;
  // the input intact; every service serving.
  void ExpectNothingStoredAndRerunCreatesTheRun() {
    EXPECT_EQ(Count("scoring.runs"), 0);
    EXPECT_EQ(Count("scoring.run_results"), 0);
    ExpectRerunCreatesTheRun();
    ExpectObservationsIntact();
    ExpectAllServing();
  }

  // The rerun without a short deadline creates the run (nothing was stored
  // before) and stores it once, complete: one result row per region and
  // node (kLeaves leaves + the index).
  void ExpectRerunCreatesTheRun() {
    sv1::ComputeScoresResponse response;
    grpc::Status s = Compute(Request(), absl::Seconds(120), &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_TRUE(response.created()) << "a run of an abandoned call was stored";
    EXPECT_EQ(Count("scoring.runs"), 1);
    EXPECT_EQ(Count("scoring.run_results"), int64_t{kRegions} * (kLeaves + 1));
  }

  // The scoring log's "rpc" lines of ComputeScores that did not end OK,
  // with their code and error: the server finished (and so stored whatever
  // it would store) the abandoned call.
  std::vector<std::string> FailedComputeScores() {
    return FailedCalls(*set_.scoring, "ScoringService/ComputeScores");
  }
  // The same for any service and method.
  static std::vector<std::string> FailedCalls(const ServiceProcess& service,
                                              const std::string& method) {
    std::vector<std::string> out;
    for (absl::string_view line : absl::StrSplit(service.Log(), '\n')) {
      if (absl::StrContains(line, method) && absl::StrContains(line, "\"message\":\"rpc\"") &&
          !absl::StrContains(line, "\"code\":\"OK\"")) {
        out.emplace_back(line);
      }
    }
    return out;
  }
  // Waits until the server has finished the abandoned call.
  void WaitForFailedComputeScores() {
    EXPECT_TRUE(WaitFor([&] { return !FailedComputeScores().empty(); }, absl::Seconds(60)).ok())
        << set_.scoring->Log();
  }

  void ExpectAllServing() {
    for (ServiceProcess* p :
         {set_.ingest.get(), set_.weighting.get(), set_.network.get(), set_.scoring.get()}) {
      EXPECT_EQ(HealthOf(p->Channel(), ""), "SERVING") << p->grpc_address();
      EXPECT_EQ(HealthOf(p->Channel(), "readiness"), "SERVING") << p->grpc_address();
    }
  }

  // Kills `victim` and starts the same service on the same address (the
  // others keep their channels to it).
  void Restart(std::unique_ptr<ServiceProcess>& victim, const std::string& name,
               std::vector<std::string> args) {
    const std::string address = victim->grpc_address();
    victim.reset();  // SIGKILLed already; reaps it
    args.push_back("--grpc_address=" + address);
    absl::StatusOr<std::unique_ptr<ServiceProcess>> started;
    // The port may linger for a moment after the kill.
    ASSERT_TRUE(WaitFor(
                    [&] {
                      started = ServiceProcess::Start(name, args, env_);
                      return started.ok();
                    },
                    absl::Seconds(20), absl::Milliseconds(500))
                    .ok())
        << started.status();
    victim = std::move(*started);
    ASSERT_EQ(victim->grpc_address(), address);
  }

  // Reruns `call` while it fails with UNAVAILABLE, for at most 10 s: the
  // caller's channel to the restarted upstream reconnects within its
  // reconnect backoff (at most 2 s, libs/server/channel_security.cc). Any
  // other failure ends the wait. The last status.
  static grpc::Status UntilReconnected(const std::function<grpc::Status()>& call) {
    grpc::Status s;
    const absl::Time give_up = absl::Now() + absl::Seconds(10);
    while (true) {
      s = call();
      if (s.error_code() != grpc::StatusCode::UNAVAILABLE || absl::Now() > give_up) return s;
      absl::SleepFor(absl::Milliseconds(250));
    }
  }

  std::string url_;
  std::map<std::string, std::string> env_;
  ServiceSet set_;
  std::unique_ptr<iv1::IngestService::Stub> ingest_stub_;
  std::unique_ptr<sv1::ScoringService::Stub> scoring_stub_;
  std::unique_ptr<nv1::NetworkService::Stub> network_stub_;
};

TEST_F(DeadlineFaultTest, ComputeScoresPastItsDeadlineStoresNothing) {
  SeedScores();
  ExpectObservationsIntact();
  // Reading 30,000 observations from ingest alone takes longer than 50 ms.
  sv1::ComputeScoresResponse response;
  grpc::Status s = Compute(Request(), absl::Milliseconds(50), &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << s.error_message();
  // The server finished the call with the deadline as its cause (its own
  // check, or the upstream read's deadline, which is the caller's less the
  // margin) ...
  WaitForFailedComputeScores();
  const std::vector<std::string> failed = FailedComputeScores();
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_THAT(failed[0], HasSubstr("\"code\":\"DeadlineExceeded\""));
  // ... and stored nothing.
  ExpectNothingStoredAndRerunCreatesTheRun();
}

TEST_F(DeadlineFaultTest, CancelledComputeScoresStoresNothing) {
  SeedScores();
  grpc::ClientContext c;
  std::thread canceller([&] {
    absl::SleepFor(absl::Milliseconds(30));
    c.TryCancel();
  });
  sv1::ComputeScoresResponse response;
  grpc::Status s = scoring_stub_->ComputeScores(&c, Request(), &response);
  canceller.join();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::CANCELLED) << s.error_message();
  // The server finished the call without a result, and stored nothing.
  WaitForFailedComputeScores();
  ASSERT_EQ(FailedComputeScores().size(), 1u);
  ExpectNothingStoredAndRerunCreatesTheRun();
}

TEST_F(DeadlineFaultTest, IngestStreamPastItsDeadlineCommitsWholeBatchesAndRerunCompletes) {
  ASSERT_NO_FATAL_FAILURE(SeedCatalog());
  // 12 batches of 2,500 rows (each a COPY, a merge and a commit) take far
  // longer than 150 ms.
  grpc::Status s = WriteObservations(absl::Now() + absl::Milliseconds(150));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << s.error_message();
  // Once ingest has finished the stream, what it committed is whole
  // batches: the row count is a multiple of the batch size, short of the
  // input, and no row has a second revision.
  EXPECT_TRUE(WaitFor([&] { return !FailedCalls(*set_.ingest, "WriteObservations").empty(); },
                      absl::Seconds(60))
                  .ok())
      << set_.ingest->Log();
  const int64_t committed = Count("ingest.observations");
  EXPECT_EQ(committed % kBatchRows, 0) << committed;
  EXPECT_LT(committed, int64_t{kRegions} * kLeaves);
  EXPECT_EQ(Psql("SELECT count(*) FROM ingest.observations WHERE revision > 1"), "0");
  // The rerun replays the committed batches and writes the rest: exactly
  // the input.
  s = WriteObservations(absl::InfiniteFuture());
  ASSERT_TRUE(s.ok()) << s.error_message();
  ExpectObservationsIntact();
  EXPECT_EQ(Count("ingest.batches"), kRegions * kLeaves / kBatchRows);
  ExpectAllServing();
}

TEST_F(DeadlineFaultTest, ScoringWithWeightingKilledNamesItAndRerunCompletes) {
  SeedScores();
  // Weights computed by weighting (entropy of the run's data).
  sv1::ComputeScoresRequest request = Request();
  request.mutable_spec()->mutable_weights()->mutable_compute()->set_method(
      weighting::v1::METHOD_ENTROPY);
  const std::string weighting_address = set_.weighting->grpc_address();
  set_.weighting->Signal(SIGKILL);
  ASSERT_TRUE(set_.weighting->WaitExit(absl::Seconds(10)).ok());

  sv1::ComputeScoresResponse response;
  grpc::Status s = Compute(request, absl::Seconds(60), &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("weighting at " + weighting_address));
  EXPECT_THAT(s.error_message(), HasSubstr("check that it runs"));
  EXPECT_EQ(Count("scoring.runs"), 0);
  // Scoring itself keeps serving while its upstream is down.
  EXPECT_EQ(HealthOf(set_.scoring->Channel(), "readiness"), "SERVING");

  Restart(set_.weighting, "weighting",
          {absl::StrCat("--ingest_address=", set_.ingest->grpc_address())});
  s = UntilReconnected([&] { return Compute(request, absl::Seconds(120), &response); });
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(response.created());
  EXPECT_FALSE(response.run().weight_set_id().empty());
  EXPECT_EQ(Count("scoring.runs"), 1);
  EXPECT_EQ(Count("scoring.run_results"), int64_t{kRegions} * (kLeaves + 1));
  ExpectObservationsIntact();
  ExpectAllServing();
}

TEST_F(DeadlineFaultTest, NetworkWithIngestKilledNamesItAndRerunCompletes) {
  // Three actors, three relations.
  {
    grpc::ClientContext c;
    auto stream = ingest_stub_->UpsertActors(&c);
    iv1::UpsertActorsRequest actors;
    actors.set_batch_id("actors");
    for (const char* code : {"a1", "a2", "a3"}) {
      iv1::Actor* a = actors.add_actors();
      a->set_code(code);
      a->set_name(code);
      a->set_kind(iv1::ACTOR_KIND_ENTERPRISE);
    }
    ASSERT_TRUE(stream->Write(actors));
    iv1::UpsertActorsResponse r;
    ASSERT_TRUE(stream->Read(&r));
    stream->WritesDone();
    grpc::Status s = stream->Finish();
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  {
    grpc::ClientContext c;
    auto stream = ingest_stub_->WriteRelations(&c);
    iv1::WriteRelationsRequest relations;
    relations.set_batch_id("relations");
    for (const auto& [from, to] : std::vector<std::pair<const char*, const char*>>{
             {"a1", "a2"}, {"a2", "a3"}, {"a3", "a1"}}) {
      iv1::Relation* r = relations.add_relations();
      r->set_source_code(from);
      r->set_target_code(to);
      r->set_type("cooperation");
      r->set_period(2022);
    }
    ASSERT_TRUE(stream->Write(relations));
    iv1::WriteRelationsResponse r;
    ASSERT_TRUE(stream->Read(&r));
    stream->WritesDone();
    grpc::Status s = stream->Finish();
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  const std::string relation_rows = Psql("SELECT count(*) FROM ingest.relations");
  ASSERT_EQ(relation_rows, "3");

  const std::string ingest_address = set_.ingest->grpc_address();
  set_.ingest->Signal(SIGKILL);
  ASSERT_TRUE(set_.ingest->WaitExit(absl::Seconds(10)).ok());

  nv1::ComputeNetworkStatsRequest request;
  request.mutable_selection()->mutable_periods()->set_up_to(2022);
  nv1::ComputeNetworkStatsResponse response;
  grpc::Status s;
  {
    grpc::ClientContext c;
    c.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
    s = network_stub_->ComputeNetworkStats(&c, request, &response);
  }
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("ingest at " + ingest_address));
  EXPECT_THAT(s.error_message(), HasSubstr("check that it runs"));
  EXPECT_EQ(Count("network.runs"), 0);

  Restart(set_.ingest, "ingest", {});
  s = UntilReconnected([&] {
    grpc::ClientContext c;
    c.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(120)));
    return network_stub_->ComputeNetworkStats(&c, request, &response);
  });
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(Count("network.runs"), 1);
  EXPECT_EQ(Psql("SELECT count(*) FROM ingest.relations"), relation_rows);
  EXPECT_EQ(Psql("SELECT count(*) FROM ingest.actors"), "3");
  ExpectAllServing();
}

}  // namespace
}  // namespace innoscope::testing
