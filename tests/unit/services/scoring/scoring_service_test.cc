// ScoringService::ComputeScores with a fake ingest and a fake weighting
// (tests/mocks/clients) and a fake run store: scores of a run computed by
// hand from what the upstreams return, the weights request forwarded to
// weighting, and upstreams that are down reaching the caller.

#include "services/scoring/scoring_service.h"

#include <atomic>
#include <string>
#include <tuple>
#include <utility>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_matchers.h"
#include "tests/mocks/clients/fake_ingest_client.h"
#include "tests/mocks/clients/fake_weighting_client.h"
#include "tests/mocks/scoring/fake_run_store.h"

namespace innoscope::scoring {
namespace {

using ::innoscope::clients::testing::FakeIngestClient;
using ::innoscope::clients::testing::FakeWeightingClient;
using ::innoscope::clients::testing::UpstreamUnavailable;
using ::innoscope::scoring::testing::FakeRunStore;
using ::innoscope::testing::IsOk;
using ::innoscope::testing::StatusIs;
using ::testing::HasSubstr;

const absl::Time kDeadline = absl::InfiniteFuture();

// Framework f v1: idx -> {x (more is better), y (less is better)}.
ingest::v1::Framework TwoLeafFramework() {
  ingest::v1::Framework f;
  f.set_code("f");
  f.set_version(1);
  auto add = [&](const char* code, const char* parent, int level, int direction) {
    ingest::v1::FrameworkNode* n = f.add_nodes();
    n->set_code(code);
    n->set_name(code);
    n->set_parent_code(parent);
    n->set_level(level);
    n->set_direction(direction);
  };
  add("idx", "", 2, 1);
  add("x", "idx", 1, 1);
  add("y", "idx", 1, -1);
  return f;
}

// Weight set ws-test of f v1: x 0.75, y 0.25.
weighting::v1::WeightSet TestWeights() {
  weighting::v1::WeightSet set;
  set.set_id("ws-test");
  set.mutable_framework()->set_code("f");
  set.mutable_framework()->set_version(1);
  for (const auto& [code, local] :
       {std::pair<const char*, double>{"idx", 1.0}, {"x", 0.75}, {"y", 0.25}}) {
    weighting::v1::NodeWeight* w = set.add_weights();
    w->set_code(code);
    w->set_local_weight(local);
  }
  return set;
}

// 2022: x = 10, 30, 40 and y = 5, 15, 10 for R1, R2, R3.
void AddData(FakeIngestClient& ingest) {
  ingest.AddFramework(TwoLeafFramework());
  for (const auto& [region, x, y] :
       {std::tuple<const char*, double, double>{"R1", 10, 5}, {"R2", 30, 15}, {"R3", 40, 10}}) {
    ingest.AddObservation(region, "x", 2022, x);
    ingest.AddObservation(region, "y", 2022, y);
  }
}

v1::ComputeScoresRequest Request() {
  v1::ComputeScoresRequest request;
  request.mutable_spec()->mutable_framework()->set_code("f");
  request.mutable_spec()->set_period(2022);
  request.mutable_spec()->mutable_weights()->set_weight_set_id("ws-test");
  return request;
}

ScoringOptions Options() {
  ScoringOptions options;
  options.clock = [] { return absl::Now(); };
  return options;
}

// The composite's row of `region` in the stored run.
const RunResultRow* Composite(const FakeRunStore& store, const std::string& run_id,
                              const std::string& region) {
  for (const RunResultRow& row : store.rows(run_id)) {
    if (row.region == region && row.node == "idx" && !row.cluster) return &row;
  }
  return nullptr;
}

TEST(ScoringServiceTest, ScoresAreComputedFromTheUpstreamsData) {
  FakeIngestClient ingest;
  AddData(ingest);
  FakeWeightingClient weighting;
  weighting.AddWeightSet(TestWeights());
  FakeRunStore store;
  ScoringService core(ingest, weighting, store, Options());

  absl::StatusOr<v1::ComputeScoresResponse> response =
      core.ComputeScores(Request(), common::CallBudget(kDeadline), "sha256:test");
  ASSERT_THAT(response, IsOk());
  const v1::Run& run = response->run();
  EXPECT_TRUE(response->created());
  EXPECT_EQ(run.weight_set_id(), "ws-test");
  EXPECT_EQ(run.spec().framework().version(), 1);  // the latest, resolved
  ASSERT_EQ(run.universe_size(), 3);               // every region with data
  EXPECT_EQ(run.universe(0), "R1");

  // By hand: min-max to 0-100 in each leaf's direction, then the weighted
  // arithmetic mean 0.75 x' + 0.25 y'.
  //   x' = (x - 10) / 30 * 100 = 0, 66.67, 100
  //   y' = (15 - y) / 10 * 100 = 100, 0, 50   (less is better)
  //   idx = R1 0.75*0 + 0.25*100 = 25, R2 0.75*66.67 + 0 = 50,
  //         R3 0.75*100 + 0.25*50 = 87.5; ranks R3 1, R2 2, R1 3.
  const struct {
    const char* region;
    double score;
    int rank;
  } expected[] = {{"R1", 25, 3}, {"R2", 50, 2}, {"R3", 87.5, 1}};
  for (const auto& e : expected) {
    const RunResultRow* row = Composite(store, run.id(), e.region);
    ASSERT_NE(row, nullptr) << e.region;
    EXPECT_NEAR(row->score, e.score, 1e-9) << e.region;
    EXPECT_EQ(row->rank, e.rank) << e.region;
  }
  EXPECT_FALSE(store.is_draft(run.id()));

  // The same spec on the same data is the same run: found, not computed.
  absl::StatusOr<v1::ComputeScoresResponse> again =
      core.ComputeScores(Request(), common::CallBudget(kDeadline), "sha256:test");
  ASSERT_THAT(again, IsOk());
  EXPECT_FALSE(again->created());
  EXPECT_EQ(again->run().id(), run.id());
  EXPECT_EQ(store.size(), 1u);
}

TEST(ScoringServiceTest, APassedDeadlineStoresNoRun) {
  FakeIngestClient ingest;
  AddData(ingest);
  FakeWeightingClient weighting;
  weighting.AddWeightSet(TestWeights());
  FakeRunStore store;
  ScoringService core(ingest, weighting, store, Options());
  // The fakes answer whatever the deadline; the budget's own checks stop the
  // run before anything is stored.
  const absl::Time t0 = absl::FromUnixSeconds(1'700'000'000);
  common::CallBudget past(t0, nullptr, [t0] { return t0 + absl::Seconds(1); });
  EXPECT_THAT(core.ComputeScores(Request(), past, "sha256:test"),
              StatusIs(absl::StatusCode::kDeadlineExceeded, HasSubstr("deadline exceeded before")));
  EXPECT_EQ(store.size(), 0u);
}

TEST(ScoringServiceTest, ACancellationAtAnyCheckStoresNoRun) {
  FakeIngestClient ingest;
  AddData(ingest);
  FakeWeightingClient weighting;
  weighting.AddWeightSet(TestWeights());
  // The client goes away at the k-th poll of the cancellation probe, for
  // every k until the run completes: each earlier k answers CANCELLED and
  // stores nothing; the call that completes stores exactly one run.
  for (int k = 1;; ++k) {
    ASSERT_LT(k, 100000) << "the run never completed";
    FakeRunStore store;
    ScoringService core(ingest, weighting, store, Options());
    std::atomic<int> polls{0};
    common::CallBudget budget(absl::InfiniteFuture(), [&polls, k] { return ++polls >= k; });
    absl::StatusOr<v1::ComputeScoresResponse> response =
        core.ComputeScores(Request(), budget, "sha256:test");
    if (response.ok()) {
      EXPECT_GT(k, 3) << "fewer cancellation checks than expected";
      EXPECT_EQ(store.size(), 1u);
      break;
    }
    EXPECT_THAT(response, StatusIs(absl::StatusCode::kCancelled, HasSubstr("cancelled"))) << k;
    EXPECT_EQ(store.size(), 0u) << k;
  }
}

TEST(ScoringServiceTest, WeightsToComputeAreAskedOfWeightingForTheRunsDataAndFramework) {
  FakeIngestClient ingest;
  AddData(ingest);
  FakeWeightingClient weighting;
  weighting.SetComputed(TestWeights());
  FakeRunStore store;
  ScoringService core(ingest, weighting, store, Options());
  v1::ComputeScoresRequest request = Request();
  request.mutable_spec()->mutable_weights()->mutable_compute()->set_method(
      weighting::v1::METHOD_ENTROPY);

  absl::StatusOr<v1::ComputeScoresResponse> response =
      core.ComputeScores(request, common::CallBudget(kDeadline), "sha256:test");
  ASSERT_THAT(response, IsOk());
  ASSERT_EQ(weighting.compute_requests().size(), 1u);
  const weighting::v1::ComputeWeightsRequest& asked = weighting.compute_requests()[0];
  EXPECT_EQ(asked.framework().code(), "f");   // the run's framework ...
  EXPECT_EQ(asked.framework().version(), 1);  // ... at the version scored
  EXPECT_EQ(asked.data().period(), 2022);     // the run's period
  // The answer's weights are the ones used: the scores above.
  const RunResultRow* r3 = Composite(store, response->run().id(), "R3");
  ASSERT_NE(r3, nullptr);
  EXPECT_NEAR(r3->score, 87.5, 1e-9);
}

TEST(ScoringServiceTest, AnIngestThatIsDownIsUnavailableNamingIngest) {
  FakeIngestClient ingest;
  AddData(ingest);
  ingest.FailWith("ReadIndicators", UpstreamUnavailable("ingest", "ReadObservations"));
  FakeWeightingClient weighting;
  weighting.AddWeightSet(TestWeights());
  FakeRunStore store;
  ScoringService core(ingest, weighting, store, Options());
  EXPECT_THAT(core.ComputeScores(Request(), common::CallBudget(kDeadline), "sha256:test"),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("ingest ReadObservations")));
  EXPECT_EQ(store.size(), 0u);
}

TEST(ScoringServiceTest, AWeightingThatIsDownIsUnavailableNamingWeighting) {
  FakeIngestClient ingest;
  AddData(ingest);
  FakeWeightingClient weighting;
  weighting.AddWeightSet(TestWeights());
  weighting.FailWith("GetWeightSet", UpstreamUnavailable("weighting", "GetWeightSet"));
  FakeRunStore store;
  ScoringService core(ingest, weighting, store, Options());
  EXPECT_THAT(core.ComputeScores(Request(), common::CallBudget(kDeadline), "sha256:test"),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("weighting GetWeightSet")));
  EXPECT_EQ(store.size(), 0u);
}

TEST(ScoringServiceTest, AWeightSetOfAnotherFrameworkVersionIsAFailedPrecondition) {
  FakeIngestClient ingest;
  AddData(ingest);
  FakeWeightingClient weighting;
  weighting::v1::WeightSet other = TestWeights();
  other.mutable_framework()->set_version(2);
  weighting.AddWeightSet(other);
  FakeRunStore store;
  ScoringService core(ingest, weighting, store, Options());
  EXPECT_THAT(core.ComputeScores(Request(), common::CallBudget(kDeadline), "sha256:test"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("f v2")));
}

// The upstreams and store of the provenance tests, and a draft request.
struct DraftFixture {
  DraftFixture() {
    AddData(ingest);
    weighting.AddWeightSet(TestWeights());
    request.set_draft(true);
  }
  FakeIngestClient ingest;
  FakeWeightingClient weighting;
  FakeRunStore store;
  ScoringService core{ingest, weighting, store, Options()};
  v1::ComputeScoresRequest request = Request();
};

TEST(ScoringServiceTest, RunRecordsWhoComputedAndWhoPublishedIt) {
  DraftFixture f;
  ScoringService& core = f.core;
  const v1::ComputeScoresRequest& request = f.request;

  absl::StatusOr<v1::ComputeScoresResponse> draft = core.ComputeScores(
      request, common::CallBudget(kDeadline), "san:spiffe://innoscope/recompute");
  ASSERT_THAT(draft, IsOk());
  EXPECT_EQ(draft->run().written_by(), "san:spiffe://innoscope/recompute");
  EXPECT_EQ(draft->run().published_by(), "");  // a draft has no publisher

  v1::PublishRunsRequest publish;
  publish.add_run_ids(draft->run().id());
  ASSERT_THAT(core.PublishRuns(publish, "sha256:operator"), IsOk());
  // Computing the published run again, as someone else, changes neither.
  absl::StatusOr<v1::ComputeScoresResponse> again =
      core.ComputeScores(Request(), common::CallBudget(kDeadline), "sha256:someone-else");
  ASSERT_THAT(again, IsOk());
  EXPECT_FALSE(again->created());
  EXPECT_EQ(again->run().written_by(), "san:spiffe://innoscope/recompute");
  EXPECT_EQ(again->run().published_by(), "sha256:operator");
}

TEST(ScoringServiceTest, ComputingADraftAgainWithoutDraftPublishesItAsTheCaller) {
  DraftFixture f;
  ScoringService& core = f.core;
  const v1::ComputeScoresRequest& request = f.request;
  FakeRunStore& store = f.store;
  ASSERT_THAT(core.ComputeScores(request, common::CallBudget(kDeadline), "sha256:writer"), IsOk());

  absl::StatusOr<v1::ComputeScoresResponse> published =
      core.ComputeScores(Request(), common::CallBudget(kDeadline), "sha256:publisher");
  ASSERT_THAT(published, IsOk());
  EXPECT_FALSE(store.is_draft(published->run().id()));
  EXPECT_EQ(published->run().written_by(), "sha256:writer");
  EXPECT_EQ(published->run().published_by(), "sha256:publisher");
}

}  // namespace
}  // namespace innoscope::scoring
