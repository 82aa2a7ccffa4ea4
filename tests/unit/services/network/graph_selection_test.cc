// GraphSelection -> graph on the small test network (test_network.h); every
// expected node and edge is read off the relation list in the comments.

#include "services/network/graph_selection.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_macros.h"  // needed by status_matchers.h
#include "libs/common/status_matchers.h"
#include "tests/unit/services/network/test_network.h"

namespace innoscope::network {
namespace {

using ::innoscope::network::testing::Relation;
using ::innoscope::network::testing::SmallNetwork;
using ::innoscope::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> Nodes(const SelectedGraph& g) {
  std::vector<std::string> out;
  for (graph::NodeId v = 0; v < g.graph.NumNodes(); ++v) out.push_back(g.graph.NodeKey(v));
  return out;
}

SelectedGraph Build(const NetworkData& data, const v1::GraphSelection& s) {
  absl::StatusOr<SelectedGraph> g = BuildGraph(data, s, YearsOf(s.periods()));
  EXPECT_TRUE(g.ok()) << g.status();
  return *std::move(g);
}

TEST(GraphSelectionTest, EveryRelationDirectedAndMergedByDefault) {
  auto data = SmallNetwork();
  const SelectedGraph g = Build(*data, v1::GraphSelection());
  // Nodes in actor-code order; 9 relations, the two financing rounds
  // v1 -> e3 merged into one edge: 8 edges, unweighted.
  EXPECT_THAT(Nodes(g), ElementsAre("e1", "e2", "e3", "f1", "u1", "v1"));
  EXPECT_EQ(g.relations, 9);
  EXPECT_TRUE(g.graph.directed());
  EXPECT_FALSE(g.graph.weighted());
  EXPECT_EQ(g.graph.NumEdges(), 8);
  EXPECT_EQ(g.graph.NodeLabel(0), "Actor e1");
  const v1::NodeCounts counts = CountNodes(g);
  EXPECT_EQ(counts.sample_enterprises(), 3);
  EXPECT_EQ(counts.relation_nodes(), 3);
  EXPECT_EQ(counts.platforms(), 1);
  EXPECT_EQ(counts.foreign(), 1);
  EXPECT_EQ(NodeInfoOf(g, 5).kind(), ingest::v1::ACTOR_KIND_INVESTOR);
  EXPECT_EQ(NodeInfoOf(g, 5).role(), v1::NODE_ROLE_RELATION_NODE);
}

TEST(GraphSelectionTest, YearsCumulativeOrWindow) {
  auto data = SmallNetwork();
  v1::GraphSelection s;
  s.mutable_periods()->set_up_to(2020);  // r1 (2020), r4 (2019)
  EXPECT_THAT(Nodes(Build(*data, s)), ElementsAre("e1", "e2", "u1"));
  s.mutable_periods()->mutable_window()->set_first(2021);  // r2 r3 r5
  s.mutable_periods()->mutable_window()->set_last(2021);
  const SelectedGraph g = Build(*data, s);
  EXPECT_THAT(Nodes(g), ElementsAre("e1", "e2", "e3", "f1", "v1"));
  EXPECT_EQ(g.graph.NumEdges(), 3);
}

TEST(GraphSelectionTest, ActorFilterWithEndpointRule) {
  auto data = SmallNetwork();
  v1::GraphSelection s;
  s.mutable_actors()->set_sample(v1::FLAG_FILTER_ONLY);
  // Both ends sample enterprises: r1 r2 r8 r9.
  EXPECT_EQ(Build(*data, s).relations, 4);
  // Either end: every relation touches e1, e2 or e3.
  s.set_endpoint_rule(v1::ENDPOINT_RULE_EITHER);
  EXPECT_EQ(Build(*data, s).relations, 9);
  // Actors of region P2 (e3, v1), either end: r2 r6 r7 r9 and r5 (v1).
  v1::GraphSelection p2;
  p2.mutable_actors()->add_region_codes("P2");
  p2.set_endpoint_rule(v1::ENDPOINT_RULE_EITHER);
  EXPECT_EQ(Build(*data, p2).relations, 5);
  // Kinds: investors and enterprises, both ends: r1 r2 r5 r6 r7 r8 r9.
  v1::GraphSelection kinds;
  kinds.mutable_actors()->add_kinds(ingest::v1::ACTOR_KIND_INVESTOR);
  kinds.mutable_actors()->add_kinds(ingest::v1::ACTOR_KIND_ENTERPRISE);
  EXPECT_EQ(Build(*data, kinds).relations, 7);
  // Isolated actors passing the filter join as nodes.
  v1::GraphSelection isolated;
  isolated.add_relation_types("cooperation");  // r8 only: e1, e2
  isolated.mutable_actors()->set_sample(v1::FLAG_FILTER_ONLY);
  isolated.set_include_isolated_actors(true);
  EXPECT_THAT(Nodes(Build(*data, isolated)), ElementsAre("e1", "e2", "e3"));
}

TEST(GraphSelectionTest, WeightsViewsAndPolicies) {
  auto data = SmallNetwork();
  v1::GraphSelection s;
  s.add_relation_types("financing");
  s.set_weight(v1::EDGE_WEIGHT_AMOUNT);  // one merged edge v1 -> e3: 50 + 30
  SelectedGraph g = Build(*data, s);
  ASSERT_EQ(g.graph.NumEdges(), 1);
  EXPECT_TRUE(g.graph.weighted());
  EXPECT_DOUBLE_EQ(g.graph.Edges()[0].weight, 80);
  s.set_weight(v1::EDGE_WEIGHT_COUNT);
  EXPECT_DOUBLE_EQ(Build(*data, s).graph.Edges()[0].weight, 2);
  s.set_multi_edges(v1::MULTI_EDGE_POLICY_KEEP);
  EXPECT_EQ(Build(*data, s).graph.NumEdges(), 2);
  // Undirected: e1->e2 (r1) and e2->e1 (r8) become one edge {e1, e2}.
  v1::GraphSelection undirected;
  undirected.set_view(v1::GRAPH_VIEW_UNDIRECTED);
  g = Build(*data, undirected);
  EXPECT_FALSE(g.graph.directed());
  EXPECT_EQ(g.graph.NumEdges(), 7);
  // Self-loops (user-defined types only) are kept or dropped.
  auto loops = std::make_unique<NetworkData>(
      std::vector<clients::ActorRecord>{data->actors()[0]},
      std::vector<clients::RelationRecord>{Relation("e1", "e1", "self_review", 2022)});
  v1::GraphSelection keep;
  EXPECT_EQ(Build(*loops, keep).graph.NumSelfLoops(), 1);
  keep.set_self_loops(v1::SELF_LOOP_POLICY_DROP);
  EXPECT_EQ(Build(*loops, keep).graph.NumEdges(), 0);
}

TEST(GraphSelectionTest, StreamedRelationsInAnyOrderGiveNodesInCodeOrder) {
  auto data = SmallNetwork();
  v1::GraphSelection s;
  s.set_weight(v1::EDGE_WEIGHT_AMOUNT);
  StreamedGraphBuilder builder(*data, s, YearsOf(s.periods()));
  // r9 first, then r7, r6 (financing v1 -> e3: 30 then 50) and r5 (v1 ->
  // e2: 100): the endpoints arrive as e3, e2, v1, yet the nodes are
  // numbered e2 = 0, e3 = 1, v1 = 2 by code, as BuildGraph numbers them.
  const std::vector<clients::RelationRecord>& r = data->relations();
  for (int i : {8, 6, 5, 4}) builder.Add(r[i]);
  EXPECT_EQ(builder.seen(), 4);
  absl::StatusOr<SelectedGraph> g = std::move(builder).Finish();
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_THAT(Nodes(*g), ElementsAre("e2", "e3", "v1"));
  EXPECT_EQ(g->relations, 4);
  EXPECT_EQ(g->actors[2]->code, "v1");
  // Edges by (source, target): e3 -> e2 (r9, no amount: 0), v1 -> e2
  // (100), v1 -> e3 (30 + 50 merged).
  ASSERT_EQ(g->graph.NumEdges(), 3);
  const std::vector<graph::Edge>& e = g->graph.Edges();
  EXPECT_EQ(e[0].source, 1);
  EXPECT_EQ(e[0].target, 0);
  EXPECT_DOUBLE_EQ(e[0].weight, 0);
  EXPECT_EQ(e[1].source, 2);
  EXPECT_EQ(e[1].target, 0);
  EXPECT_DOUBLE_EQ(e[1].weight, 100);
  EXPECT_EQ(e[2].source, 2);
  EXPECT_EQ(e[2].target, 1);
  EXPECT_DOUBLE_EQ(e[2].weight, 80);
}

TEST(GraphSelectionTest, InternationalFromTagOrForeignEnd) {
  auto data = SmallNetwork();
  const auto& r = data->relations();
  auto intl = [&](size_t i) {
    return IsInternational(r[i], data->FindActor(r[i].source), data->FindActor(r[i].target));
  };
  EXPECT_FALSE(intl(1));  // r2: tag false, both domestic
  EXPECT_TRUE(intl(2));   // r3: f1 is foreign
  EXPECT_TRUE(intl(8));   // r9: tag "yes"
  EXPECT_FALSE(intl(0));  // r1: no tag
}

TEST(GraphSelectionTest, ValidationNamesTheField) {
  v1::GraphSelection s;
  s.add_relation_types("");
  EXPECT_THAT(ValidateSelection(s),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("relation_types[0]")));
  v1::GraphSelection window;
  window.mutable_periods()->mutable_window()->set_first(2022);
  window.mutable_periods()->mutable_window()->set_last(2020);
  EXPECT_THAT(ValidateSelection(window),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("periods.window")));
  v1::GraphSelection view;
  view.set_view(static_cast<v1::GraphView>(9));
  EXPECT_THAT(ValidateSelection(view),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("selection.view")));
  v1::GraphSelection multi;
  multi.set_multi_edges(static_cast<v1::MultiEdgePolicy>(4));
  EXPECT_THAT(ValidateSelection(multi),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("selection.multi_edges: unknown value 4")));
  v1::GraphSelection kinds;
  kinds.mutable_actors()->add_kinds(ingest::v1::ACTOR_KIND_INVESTOR);
  kinds.mutable_actors()->add_kinds(static_cast<ingest::v1::ActorKind>(99));
  EXPECT_THAT(ValidateSelection(kinds),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("selection.actors.kinds[1]: unknown value 99")));
  EXPECT_TRUE(IsBuiltinRelationType("human_capital"));
  EXPECT_FALSE(IsBuiltinRelationType("supply_chain"));
}

}  // namespace
}  // namespace innoscope::network
