// The network service's conversion of libs/graph/network_measures.h to and
// from innoscope.network.v1: parameter defaults and checks, and absent values
// staying absent in the messages (the enums' mappings are
// tests/unit/libs/codecs/enum_codecs_test.cc's).

#include "services/network/measures_proto.h"

#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_macros.h"  // needed by status_matchers.h
#include "libs/common/status_matchers.h"

namespace innoscope::network {
namespace {

using ::innoscope::testing::StatusIs;
using ::testing::HasSubstr;

TEST(MeasuresProtoTest, ParametersHaveDefaultsAndNameTheField) {
  v1::LouvainOptions louvain;
  EXPECT_EQ(ToLouvainParams(louvain)->resolution, 1.0);
  louvain.set_seed(9);
  EXPECT_EQ(ToLouvainParams(louvain)->seed, 9u);
  louvain.set_resolution(0);
  EXPECT_THAT(ToLouvainParams(louvain),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("louvain.resolution")));
  v1::Approximation approximation;
  EXPECT_EQ(ToApproxParams(approximation)->path_samples, 20000);
  EXPECT_EQ(ToApproxParams(approximation)->epsilon, 0.01);
  approximation.set_path_samples(-3);
  EXPECT_THAT(ToApproxParams(approximation),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("path_samples")));
  approximation.clear_path_samples();
  approximation.set_epsilon(1.5);
  EXPECT_THAT(ToApproxParams(approximation),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("approximation.epsilon")));
}

TEST(MeasuresProtoTest, AbsentValuesStayAbsent) {
  graph::NetworkStatistics s;
  s.convention = graph::Convention::kNetworkx;
  s.basic.nodes = 5;
  s.paths.unreachable_pairs = 12;
  s.paths.note = "12 ordered pairs are unreachable";
  v1::NetworkStats out = ToProto(s);
  EXPECT_EQ(out.convention(), v1::CONVENTION_NETWORKX);
  EXPECT_EQ(out.nodes().total(), 5);
  EXPECT_FALSE(out.paths().has_average_path_length());
  EXPECT_FALSE(out.paths().has_diameter());
  EXPECT_FALSE(out.paths().has_radius());
  EXPECT_FALSE(out.has_reciprocity());
  EXPECT_FALSE(out.has_degree_assortativity());
  EXPECT_FALSE(out.has_communities());
  EXPECT_EQ(out.paths().note(), s.paths.note);

  s.paths.average_path_length = 1.25;
  s.paths.diameter = 0;  // present, though zero
  s.reciprocity = 0.5;
  s.communities.emplace();
  s.communities->communities = 2;
  out = ToProto(s);
  EXPECT_EQ(out.paths().average_path_length(), 1.25);
  EXPECT_TRUE(out.paths().has_diameter());
  EXPECT_EQ(out.reciprocity(), 0.5);
  EXPECT_EQ(out.communities().communities(), 2);

  graph::MeasureInfo info;
  info.measure = graph::Measure::kBetweenness;
  info.exact = false;
  info.samples = 40;
  const v1::MeasureInfo m = ToProto(info);
  EXPECT_EQ(m.measure(), v1::MEASURE_BETWEENNESS);
  EXPECT_FALSE(m.exact());
  EXPECT_EQ(m.samples(), 40);
}

TEST(MeasuresProtoTest, ComputeStatsIsTheLibrarysStatistics) {
  // 0 - 1 - 2 - 3: diameter 3, radius 2, APL 20/12 (graph's own test).
  std::vector<graph::Edge> edges = {{0, 1, 1.0}, {1, 2, 1.0}, {2, 3, 1.0}};
  const graph::Graph g = *graph::Graph::FromEdges(4, edges, graph::BuildOptions());
  ASSERT_OK_AND_ASSIGN(v1::NetworkStats s,
                       ComputeStats(g, graph::StatsOptions(), graph::Interrupt()));
  EXPECT_EQ(s.convention(), v1::CONVENTION_GEPHI);
  EXPECT_EQ(s.edges(), 3);
  EXPECT_EQ(s.paths().diameter(), 3);
  EXPECT_EQ(s.paths().radius(), 2);
  EXPECT_NEAR(s.paths().average_path_length(), 20.0 / 12, 1e-12);
  EXPECT_TRUE(s.paths().exact());
  EXPECT_EQ(s.communities().communities(), 2);
}

}  // namespace
}  // namespace innoscope::network
