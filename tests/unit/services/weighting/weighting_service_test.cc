// WeightingService::ComputeWeights on data from a fake ingest
// (tests/mocks/clients) and a fake store: data-driven weights computed from
// what ingest returns, and an ingest that is down reaching the caller.

#include "services/weighting/weighting_service.h"

#include <cmath>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_matchers.h"
#include "tests/mocks/clients/fake_ingest_client.h"
#include "tests/mocks/weighting/fake_weight_set_store.h"

namespace innoscope::weighting {
namespace {

using ::innoscope::clients::testing::FakeIngestClient;
using ::innoscope::clients::testing::UpstreamUnavailable;
using ::innoscope::testing::IsOk;
using ::innoscope::testing::StatusIs;
using ::innoscope::weighting::testing::FakeWeightSetStore;
using ::testing::HasSubstr;

const absl::Time kDeadline = absl::InfiniteFuture();

// Framework f v1: idx -> {x, y}, both more-is-better.
ingest::v1::Framework TwoLeafFramework() {
  ingest::v1::Framework f;
  f.set_code("f");
  f.set_version(1);
  auto add = [&](const char* code, const char* parent, int level) {
    ingest::v1::FrameworkNode* n = f.add_nodes();
    n->set_code(code);
    n->set_name(code);
    n->set_parent_code(parent);
    n->set_level(level);
    n->set_direction(1);
  };
  add("idx", "", 2);
  add("x", "idx", 1);
  add("y", "idx", 1);
  return f;
}

// x = 0, 5, 10 and y = 0, 10, 10 for R1, R2, R3 in 2022.
void AddData(FakeIngestClient& ingest) {
  ingest.AddFramework(TwoLeafFramework());
  ingest.AddObservation("R1", "x", 2022, 0);
  ingest.AddObservation("R2", "x", 2022, 5);
  ingest.AddObservation("R3", "x", 2022, 10);
  ingest.AddObservation("R1", "y", 2022, 0);
  ingest.AddObservation("R2", "y", 2022, 10);
  ingest.AddObservation("R3", "y", 2022, 10);
  // Another period, which must not be read.
  ingest.AddObservation("R1", "x", 2021, 100);
  ingest.SetDataVersion("framework:f", 7);
}

v1::ComputeWeightsRequest EntropyRequest() {
  v1::ComputeWeightsRequest request;
  request.mutable_framework()->set_code("f");
  request.set_method(v1::METHOD_ENTROPY);
  request.mutable_data()->set_period(2022);
  return request;
}

const v1::NodeWeight* Weight(const v1::WeightSet& set, const std::string& code) {
  for (const v1::NodeWeight& w : set.weights()) {
    if (w.code() == code) return &w;
  }
  return nullptr;
}

TEST(WeightingServiceTest, EntropyWeightsComeFromTheObservationsIngestReturns) {
  FakeIngestClient ingest;
  AddData(ingest);
  FakeWeightSetStore store;
  WeightingService core(ingest, store);

  absl::StatusOr<v1::ComputeWeightsResponse> response =
      core.ComputeWeights(EntropyRequest(), common::CallBudget(kDeadline), "sha256:test");
  ASSERT_THAT(response, IsOk());
  const v1::WeightSet& set = response->weight_set();

  // By hand (docs/methods.md, entropy): min-max to [0, 1], p = x' / sum x',
  // e = -(1 / ln 3) sum p ln p, w proportional to 1 - e.
  //   x' = 0, 1/2, 1 -> p = 0, 1/3, 2/3 -> e_x = 1/3 + (2/3) ln(3/2) / ln 3
  //                                          = 0.579380164285695
  //   y' = 0, 1, 1   -> p = 0, 1/2, 1/2 -> e_y = ln 2 / ln 3 = 0.630929753571457
  //   w_x = (1 - e_x) / (2 - e_x - e_y) = 0.532639126697578, w_y = 0.467360873302422
  const double e_x = 1.0 / 3 + (2.0 / 3) * std::log(1.5) / std::log(3.0);
  const double e_y = std::log(2.0) / std::log(3.0);
  const double w_x = (1 - e_x) / (2 - e_x - e_y);
  EXPECT_NEAR(w_x, 0.532639126697578, 1e-12);  // the arithmetic above
  ASSERT_NE(Weight(set, "x"), nullptr);
  ASSERT_NE(Weight(set, "y"), nullptr);
  EXPECT_NEAR(Weight(set, "x")->global_weight(), w_x, 1e-12);
  EXPECT_NEAR(Weight(set, "y")->global_weight(), 1 - w_x, 1e-12);
  EXPECT_NEAR(Weight(set, "x")->local_weight(), w_x, 1e-12);
  ASSERT_EQ(set.indicators_size(), 2);
  EXPECT_EQ(set.indicators(0).indicator_code(), "x");
  EXPECT_EQ(set.indicators(0).statistic_name(), "entropy");
  EXPECT_NEAR(set.indicators(0).statistic(), e_x, 1e-12);
  EXPECT_NEAR(set.indicators(1).statistic(), e_y, 1e-12);
  EXPECT_EQ(set.regions(), 3);

  // The set records the data it was computed from, and is stored.
  EXPECT_EQ(set.framework().code(), "f");
  EXPECT_EQ(set.framework().version(), 1);
  EXPECT_EQ(set.data_version().scope(), "framework:f");
  EXPECT_EQ(set.data_version().version(), 7);
  EXPECT_EQ(set.period(), 2022);
  EXPECT_TRUE(response->created());
  EXPECT_EQ(store.sets().count(set.id()), 1u);
  EXPECT_EQ(ingest.calls("ReadIndicators"), 1);
}

TEST(WeightingServiceTest, RegionsOfTheRequestAreTheOnesRead) {
  FakeIngestClient ingest;
  AddData(ingest);
  FakeWeightSetStore store;
  WeightingService core(ingest, store);
  v1::ComputeWeightsRequest request = EntropyRequest();
  // Only R1 and R2: x' = 0, 1 and y' = 0, 1 -> e = 0 for both (ln 1 = 0 in
  // each sum), w = 1/2 each.
  request.mutable_data()->add_region_codes("R1");
  request.mutable_data()->add_region_codes("R2");
  absl::StatusOr<v1::ComputeWeightsResponse> response =
      core.ComputeWeights(request, common::CallBudget(kDeadline), "sha256:test");
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->weight_set().regions(), 2);
  EXPECT_NEAR(Weight(response->weight_set(), "x")->global_weight(), 0.5, 1e-12);
}

TEST(WeightingServiceTest, AnIngestThatIsDownIsUnavailableNamingIngest) {
  FakeIngestClient ingest;
  AddData(ingest);
  ingest.FailWith("ReadIndicators", UpstreamUnavailable("ingest", "ReadObservations"));
  FakeWeightSetStore store;
  WeightingService core(ingest, store);
  EXPECT_THAT(core.ComputeWeights(EntropyRequest(), common::CallBudget(kDeadline), "sha256:test"),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("ingest ReadObservations")));
  EXPECT_TRUE(store.sets().empty());

  // Reading the framework fails first when ingest is down from the start.
  FakeIngestClient down;
  down.FailWith("GetFramework", UpstreamUnavailable("ingest", "GetFramework"));
  WeightingService core_down(down, store);
  EXPECT_THAT(
      core_down.ComputeWeights(EntropyRequest(), common::CallBudget(kDeadline), "sha256:test"),
      StatusIs(absl::StatusCode::kUnavailable, HasSubstr("ingest GetFramework")));
}

TEST(WeightingServiceTest, AnUnknownFrameworkIsNotFoundFromIngest) {
  FakeIngestClient ingest;
  FakeWeightSetStore store;
  WeightingService core(ingest, store);
  EXPECT_THAT(core.ComputeWeights(EntropyRequest(), common::CallBudget(kDeadline), "sha256:test"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("framework f")));
}

TEST(WeightingServiceTest, WeightSetRecordsTheIdentityThatComputedItFirst) {
  FakeIngestClient ingest;
  AddData(ingest);
  FakeWeightSetStore store;
  WeightingService core(ingest, store);
  absl::StatusOr<v1::ComputeWeightsResponse> first = core.ComputeWeights(
      EntropyRequest(), common::CallBudget(kDeadline), "san:spiffe://innoscope/recompute");
  ASSERT_THAT(first, IsOk());
  EXPECT_TRUE(first->created());
  EXPECT_EQ(first->weight_set().written_by(), "san:spiffe://innoscope/recompute");
  // The same set computed again by someone else is the stored one: its
  // writer stays the first.
  absl::StatusOr<v1::ComputeWeightsResponse> again =
      core.ComputeWeights(EntropyRequest(), common::CallBudget(kDeadline), "sha256:other");
  ASSERT_THAT(again, IsOk());
  EXPECT_FALSE(again->created());
  EXPECT_EQ(again->weight_set().written_by(), "san:spiffe://innoscope/recompute");
}

// The matrix of AddData for 2022 as a caller passes it: rows R1, R2, R3,
// columns x, y, column-major, read at data version `version`.
v1::ObservationMatrix PassedMatrix(int64_t version) {
  v1::ObservationMatrix m;
  for (const char* r : {"R1", "R2", "R3"}) m.add_region_codes(r);
  for (const char* c : {"x", "y"}) m.add_indicator_codes(c);
  for (double v : {0.0, 5.0, 10.0, 0.0, 10.0, 10.0}) m.add_values(v);
  m.set_data_version(version);
  return m;
}

TEST(WeightingServiceTest, PassedObservationsGiveTheWeightSetOfIngestsReadWithoutReading) {
  FakeIngestClient ingest;
  AddData(ingest);
  FakeWeightSetStore store;
  WeightingService core(ingest, store);
  absl::StatusOr<v1::ComputeWeightsResponse> read =
      core.ComputeWeights(EntropyRequest(), common::CallBudget(kDeadline), "sha256:test");
  ASSERT_THAT(read, IsOk());
  ASSERT_EQ(ingest.calls("ReadIndicators"), 1);

  FakeWeightSetStore other_store;
  WeightingService other(ingest, other_store);
  v1::ComputeWeightsRequest request = EntropyRequest();
  *request.mutable_data()->mutable_observations() = PassedMatrix(7);
  absl::StatusOr<v1::ComputeWeightsResponse> passed =
      other.ComputeWeights(request, common::CallBudget(kDeadline), "sha256:test");
  ASSERT_THAT(passed, IsOk());
  EXPECT_EQ(ingest.calls("ReadIndicators"), 1);  // not read again
  // The same set: same id, same weights (the entropy test's w_x), and the
  // stored parameters without the matrix.
  EXPECT_EQ(passed->weight_set().id(), read->weight_set().id());
  EXPECT_NEAR(Weight(passed->weight_set(), "x")->global_weight(), 0.532639126697578, 1e-12);
  EXPECT_EQ(passed->weight_set().regions(), 3);
  EXPECT_FALSE(passed->weight_set().parameters().data().has_observations());
}

TEST(WeightingServiceTest, PassedObservationsOfAnotherDataVersionAreAborted) {
  FakeIngestClient ingest;
  AddData(ingest);
  FakeWeightSetStore store;
  WeightingService core(ingest, store);
  v1::ComputeWeightsRequest request = EntropyRequest();
  *request.mutable_data()->mutable_observations() = PassedMatrix(6);
  EXPECT_THAT(core.ComputeWeights(request, common::CallBudget(kDeadline), "sha256:test"),
              StatusIs(absl::StatusCode::kAborted,
                       HasSubstr("data.observations.data_version: read at version 6")));
  EXPECT_TRUE(store.sets().empty());
}

TEST(WeightingServiceTest, PassedObservationsOfTheWrongShapeNameTheField) {
  FakeIngestClient ingest;
  AddData(ingest);
  FakeWeightSetStore store;
  WeightingService core(ingest, store);
  v1::ComputeWeightsRequest request = EntropyRequest();
  v1::ObservationMatrix& m = *request.mutable_data()->mutable_observations();
  m = PassedMatrix(7);
  m.set_indicator_codes(1, "z");
  EXPECT_THAT(core.ComputeWeights(request, common::CallBudget(kDeadline), "sha256:test"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("data.observations.indicator_codes: must be the 2 leaves")));
  m = PassedMatrix(7);
  m.mutable_values()->RemoveLast();
  EXPECT_THAT(core.ComputeWeights(request, common::CallBudget(kDeadline), "sha256:test"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("data.observations.values: 5 values for 3 regions x 2")));
  m = PassedMatrix(7);
  request.mutable_data()->add_region_codes("R1");
  EXPECT_THAT(core.ComputeWeights(request, common::CallBudget(kDeadline), "sha256:test"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("data.observations.region_codes: must be data.region_codes")));
  EXPECT_TRUE(store.sets().empty());
  EXPECT_EQ(ingest.calls("ReadIndicators"), 0);
}

}  // namespace
}  // namespace innoscope::weighting
