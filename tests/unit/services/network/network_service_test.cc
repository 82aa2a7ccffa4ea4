// NetworkService with a fake ingest (tests/mocks/clients) and a fake run
// store: region indicators derived from the relations ingest returns are
// written back to ingest (recorded by the fake), and an ingest that is down
// reaches the caller. The network is the small one of test_network.h.

#include "services/network/network_service.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_matchers.h"
#include "tests/mocks/clients/fake_ingest_client.h"
#include "tests/mocks/network/fake_run_store.h"
#include "tests/unit/services/network/test_network.h"

namespace innoscope::network {
namespace {

using ::innoscope::clients::testing::FakeIngestClient;
using ::innoscope::clients::testing::UpstreamUnavailable;
using ::innoscope::network::testing::FakeRunStore;
using ::innoscope::network::testing::SmallNetwork;
using ::innoscope::testing::IsOk;
using ::innoscope::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// Ingest holding the small network in relation set "default".
void AddNetwork(FakeIngestClient& ingest) {
  auto data = SmallNetwork();
  for (const clients::ActorRecord& a : data->actors()) ingest.AddActor(a);
  for (const clients::RelationRecord& r : data->relations()) ingest.AddRelation(r);
  ingest.SetDataVersion("relations:default", 4);
}

// Technology empowerment relations of each province's sample enterprises
// in 2022 (region_indicators_test: e1 (P1) r1 r2 r3, e3 (P2) r9).
v1::DeriveRegionIndicatorsRequest EmpowermentRequest() {
  v1::DeriveRegionIndicatorsRequest request;
  request.set_period(2022);
  v1::IndicatorRule* rule = request.add_rules();
  rule->set_indicator_code("emp");
  rule->set_relation_type("technology_empowerment");
  rule->set_direction(v1::RELATION_DIRECTION_OUTGOING);
  rule->set_aggregate(v1::AGGREGATE_COUNT);
  rule->mutable_anchor()->set_sample(v1::FLAG_FILTER_ONLY);
  return request;
}

CallContext Call(const std::string& caller = "sha256:test") {
  return CallContext{absl::InfiniteFuture(), graph::Interrupt(), caller};
}

TEST(NetworkServiceTest, DerivedIndicatorsAreWrittenToIngest) {
  FakeIngestClient ingest;
  AddNetwork(ingest);
  FakeRunStore store;
  NetworkService core(ingest, store);

  absl::StatusOr<v1::DeriveRegionIndicatorsResponse> response =
      core.DeriveRegionIndicators(EmpowermentRequest(), Call());
  ASSERT_THAT(response, IsOk());
  ASSERT_EQ(response->values_size(), 2);

  // One write of both values, as network observations of the run.
  ASSERT_EQ(ingest.writes().size(), 1u);
  const clients::ObservationWrite& write = ingest.writes()[0];
  EXPECT_EQ(write.source, "network");
  EXPECT_EQ(write.batch_prefix, "network");
  EXPECT_EQ(write.note, "network run " + response->run().id());
  ASSERT_EQ(write.observations.size(), 2u);
  EXPECT_EQ(write.observations[0].region_code(), "P1");
  EXPECT_EQ(write.observations[0].indicator_code(), "emp");
  EXPECT_EQ(write.observations[0].period(), 2022);
  EXPECT_EQ(write.observations[0].value(), 3);
  EXPECT_EQ(write.observations[1].region_code(), "P2");
  EXPECT_EQ(write.observations[1].value(), 1);
  EXPECT_EQ(ingest.Value("P1", "emp", 2022), 3);
  EXPECT_EQ(ingest.Value("P2", "emp", 2022), 1);

  // What ingest said is the response's, and the run is recorded at the data
  // version read.
  EXPECT_EQ(response->batches(), 1);
  EXPECT_EQ(response->written().inserted(), 2);
  EXPECT_EQ(response->run().data_version().version(), 4);
  EXPECT_EQ(store.runs().count(response->run().id()), 1u);
  EXPECT_THAT(response->run().id(), StartsWith("run-"));
  EXPECT_EQ(response->run().written_by(), "sha256:test");

  // The same request on the same data writes the same values again, which
  // ingest finds unchanged; the run is the one recorded first, by its
  // first caller.
  absl::StatusOr<v1::DeriveRegionIndicatorsResponse> again =
      core.DeriveRegionIndicators(EmpowermentRequest(), Call("sha256:other"));
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->run().id(), response->run().id());
  EXPECT_EQ(again->run().written_by(), "sha256:test");
  EXPECT_EQ(again->written().unchanged(), 2);
  EXPECT_EQ(again->written().inserted(), 0);
}

TEST(NetworkServiceTest, ADryRunWritesNothing) {
  FakeIngestClient ingest;
  AddNetwork(ingest);
  FakeRunStore store;
  NetworkService core(ingest, store);
  v1::DeriveRegionIndicatorsRequest request = EmpowermentRequest();
  request.set_dry_run(true);
  absl::StatusOr<v1::DeriveRegionIndicatorsResponse> response =
      core.DeriveRegionIndicators(request, Call());
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->values_size(), 2);
  EXPECT_TRUE(ingest.writes().empty());
  EXPECT_EQ(ingest.calls("WriteObservations"), 0);
}

TEST(NetworkServiceTest, AnIngestThatIsDownIsUnavailableNamingIngest) {
  FakeIngestClient ingest;
  AddNetwork(ingest);
  ingest.FailWith("ReadRelations", UpstreamUnavailable("ingest", "ReadRelations"));
  FakeRunStore store;
  NetworkService core(ingest, store);
  EXPECT_THAT(core.DeriveRegionIndicators(EmpowermentRequest(), Call()),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("ingest ReadRelations")));
  EXPECT_TRUE(ingest.writes().empty());
  EXPECT_TRUE(store.runs().empty());
}

TEST(NetworkServiceTest, AFailedWriteIsTheCallersStatusAndNoRunIsRecorded) {
  FakeIngestClient ingest;
  AddNetwork(ingest);
  ingest.FailWith("WriteObservations", UpstreamUnavailable("ingest", "WriteObservations"));
  FakeRunStore store;
  NetworkService core(ingest, store);
  EXPECT_THAT(core.DeriveRegionIndicators(EmpowermentRequest(), Call()),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("ingest WriteObservations")));
  EXPECT_TRUE(store.runs().empty());
}

// Limits below the small network (6 nodes and 8 edges in the directed view
// with merged multi-edges: e1-e2, e1-e3, e1-f1, u1-e1, v1-e2, v1-e3 (r6 and
// r7 merged), e2-e1, e3-e2): sampled by default, exact refused.
NetworkOptions TinyLimits() {
  NetworkOptions options;
  options.threads = 2;
  options.limits.max_nodes = 5;
  options.limits.max_edges = 100;
  options.limits.cap_nodes = 5;
  options.limits.cap_edges = 100;
  return options;
}

TEST(NetworkServiceTest, StatsAboveTheThresholdAreSampledAndSaySo) {
  FakeIngestClient ingest;
  AddNetwork(ingest);
  FakeRunStore store;
  NetworkService core(ingest, store, TinyLimits());
  absl::StatusOr<v1::ComputeNetworkStatsResponse> response =
      core.ComputeNetworkStats(v1::ComputeNetworkStatsRequest(), Call());
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->stats().nodes().total(), 6);
  EXPECT_EQ(response->stats().edges(), 8);
  EXPECT_FALSE(response->stats().paths().exact());
  EXPECT_THAT(response->stats().paths().method_reason(),
              HasSubstr("6 nodes and 8 edges, above --exact_max_nodes=5"));
  // The run records the method used: sampled by size is a run of its own.
  ASSERT_EQ(store.runs().count(response->run().id()), 1u);

  // Within the thresholds (the defaults), the same request is exact.
  NetworkService roomy(ingest, store);
  absl::StatusOr<v1::ComputeNetworkStatsResponse> exact =
      roomy.ComputeNetworkStats(v1::ComputeNetworkStatsRequest(), Call());
  ASSERT_THAT(exact, IsOk());
  EXPECT_TRUE(exact->stats().paths().exact());
  EXPECT_NE(exact->run().id(), response->run().id());
}

TEST(NetworkServiceTest, ExplicitExactAboveTheCapIsAFailedPreconditionNamingSizeAndFlag) {
  FakeIngestClient ingest;
  AddNetwork(ingest);
  FakeRunStore store;
  NetworkService core(ingest, store, TinyLimits());
  v1::ComputeNetworkStatsRequest request;
  request.mutable_approximation()->set_exact(true);
  EXPECT_THAT(core.ComputeNetworkStats(request, Call()),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("6 nodes and 8 edges"), HasSubstr("--exact_cap_nodes=5"))));
  EXPECT_TRUE(store.runs().empty());
  request.mutable_approximation()->set_enabled(true);
  EXPECT_THAT(core.ComputeNetworkStats(request, Call()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("approximation")));
}

TEST(NetworkServiceTest, CentralitiesSampleBetweennessAndRefuseClosenessAboveTheCap) {
  FakeIngestClient ingest;
  AddNetwork(ingest);
  FakeRunStore store;
  NetworkService core(ingest, store, TinyLimits());
  std::vector<v1::ComputeCentralitiesResponse> messages;
  auto keep = [&](const v1::ComputeCentralitiesResponse& m) {
    messages.push_back(m);
    return true;
  };
  v1::ComputeCentralitiesRequest request;
  request.add_measures(v1::MEASURE_BETWEENNESS);
  request.add_measures(v1::MEASURE_PAGERANK);
  ASSERT_THAT(core.ComputeCentralities(request, Call(), keep), IsOk());
  ASSERT_FALSE(messages.empty());
  ASSERT_EQ(messages[0].info_size(), 2);
  EXPECT_FALSE(messages[0].info(0).exact());
  EXPECT_THAT(messages[0].info(0).method_reason(), HasSubstr("--exact_max_nodes=5"));
  EXPECT_EQ(messages[0].info(1).method_reason(), "");

  messages.clear();
  request.add_measures(v1::MEASURE_CLOSENESS);
  EXPECT_THAT(core.ComputeCentralities(request, Call(), keep),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("closeness"), HasSubstr("--exact_cap_nodes=5"))));
  EXPECT_TRUE(messages.empty());
}

}  // namespace
}  // namespace innoscope::network
