// The network service against real ingest and network processes and a real
// PostgreSQL: statistics, centralities, flows and time series of a small
// value network whose values are derived by hand below; derived indicators
// written to ingest exactly once; the bad-input rules; and deadlines and
// cancellation inside long computations.
//
// The network (relation set "default"; provinces P1, P2; cities C1 in P1,
// C2 in P2):
//   actors  e1 enterprise, sample, platform, P1/C1   u1 university, P1/C1
//           e2 enterprise, sample, P1/C1             v1 investor, P2/C2
//           e3 enterprise, sample, P2/C2             f1 other, foreign, no region
//   relations (source -> target, type, year)
//     r1 e1 -> e2 technology_empowerment 2020
//     r2 e1 -> e3 technology_empowerment 2021 (tag international=false)
//     r3 e1 -> f1 technology_empowerment 2021 (f1 is foreign: international)
//     r4 u1 -> e1 technology_input       2019
//     r5 v1 -> e2 investment             2021 amount 100
//     r6 v1 -> e3 financing              2022 amount 50
//     r7 v1 -> e3 financing              2022 amount 30 (qualifier "b": a second round)
//     r8 e2 -> e1 cooperation            2022
//     r9 e3 -> e2 technology_empowerment 2022 (tag international=yes)

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "innoscope/ingest/v1/ingest.grpc.pb.h"
#include "innoscope/network/v1/network.grpc.pb.h"
#include "tests/integration/harness.h"

namespace innoscope::testing {
namespace {

namespace iv1 = ::innoscope::ingest::v1;
namespace nv1 = ::innoscope::network::v1;
using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr double kEps = 1e-12;

class NetworkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pg = PostgresServer::Shared();
    ASSERT_TRUE(pg.ok()) << pg.status();
    auto url = (*pg)->CreateDatabase("network");
    ASSERT_TRUE(url.ok());
    std::map<std::string, std::string> env = {{"DATABASE_URL", *url}};
    auto ingest = ServiceProcess::Start("ingest", {}, env);
    ASSERT_TRUE(ingest.ok()) << ingest.status();
    ingest_ = std::move(*ingest);
    auto network = ServiceProcess::Start(
        "network", {absl::StrCat("--ingest_address=", ingest_->grpc_address())}, env);
    ASSERT_TRUE(network.ok()) << network.status();
    network_ = std::move(*network);
    ingest_stub_ = iv1::IngestService::NewStub(ingest_->Channel());
    stub_ = nv1::NetworkService::NewStub(network_->Channel());
    Seed();
  }

  void Seed() {
    iv1::UpsertRegionsRequest regions;
    auto region = [&](const char* code, iv1::RegionKind kind, const char* parent) {
      iv1::Region* r = regions.add_regions();
      r->set_code(code);
      r->set_name(code);
      r->set_kind(kind);
      r->set_parent_code(parent);
    };
    region("P1", iv1::REGION_KIND_PROVINCE, "");
    region("P2", iv1::REGION_KIND_PROVINCE, "");
    region("C1", iv1::REGION_KIND_CITY, "P1");
    region("C2", iv1::REGION_KIND_CITY, "P2");
    grpc::ClientContext c1;
    iv1::UpsertRegionsResponse r1;
    ASSERT_TRUE(ingest_stub_->UpsertRegions(&c1, regions, &r1).ok());

    iv1::UpsertIndicatorsRequest indicators;
    for (const char* code : {"tech_emp_count", "intl_tech_emp_count", "financing_amount",
                             "financing_count", "investment_count", "tech_input_partners"}) {
      iv1::Indicator* i = indicators.add_indicators();
      i->set_code(code);
      i->set_name(code);
      i->set_is_count(true);
    }
    grpc::ClientContext c2;
    iv1::UpsertIndicatorsResponse r2;
    ASSERT_TRUE(ingest_stub_->UpsertIndicators(&c2, indicators, &r2).ok());

    iv1::UpsertActorsRequest actors;
    actors.set_batch_id("actors");
    auto actor = [&](const char* code, iv1::ActorKind kind, bool sample, bool platform,
                     bool foreign, const char* province, const char* city) {
      iv1::Actor* a = actors.add_actors();
      a->set_code(code);
      a->set_name(absl::StrCat("Actor ", code));
      a->set_kind(kind);
      a->set_sample(sample);
      a->set_platform(platform);
      a->set_foreign(foreign);
      a->set_province_code(province);
      a->set_city_code(city);
    };
    actor("e1", iv1::ACTOR_KIND_ENTERPRISE, true, true, false, "P1", "C1");
    actor("e2", iv1::ACTOR_KIND_ENTERPRISE, true, false, false, "P1", "C1");
    actor("e3", iv1::ACTOR_KIND_ENTERPRISE, true, false, false, "P2", "C2");
    actor("u1", iv1::ACTOR_KIND_UNIVERSITY, false, false, false, "P1", "C1");
    actor("v1", iv1::ACTOR_KIND_INVESTOR, false, false, false, "P2", "C2");
    actor("f1", iv1::ACTOR_KIND_OTHER, false, false, true, "", "");
    grpc::ClientContext c3;
    auto stream = ingest_stub_->UpsertActors(&c3);
    ASSERT_TRUE(stream->Write(actors));
    iv1::UpsertActorsResponse r3;
    ASSERT_TRUE(stream->Read(&r3));
    stream->WritesDone();
    grpc::Status s = stream->Finish();
    ASSERT_TRUE(s.ok()) << s.error_message();

    WriteRelations(
        "relations",
        {
            Relation("e1", "e2", "technology_empowerment", 2020),
            Relation("e1", "e3", "technology_empowerment", 2021, {{"international", "false"}}),
            Relation("e1", "f1", "technology_empowerment", 2021),
            Relation("u1", "e1", "technology_input", 2019),
            Relation("v1", "e2", "investment", 2021, {}, "", 100),
            Relation("v1", "e3", "financing", 2022, {}, "", 50),
            Relation("v1", "e3", "financing", 2022, {}, "b", 30),
            Relation("e2", "e1", "cooperation", 2022),
            Relation("e3", "e2", "technology_empowerment", 2022, {{"international", "yes"}}),
        });
  }

  static iv1::Relation Relation(const char* source, const char* target, const char* type, int year,
                                const std::map<std::string, std::string>& tags = {},
                                const char* qualifier = "", double amount = -1) {
    iv1::Relation r;
    r.set_source_code(source);
    r.set_target_code(target);
    r.set_type(type);
    r.set_period(year);
    r.set_qualifier(qualifier);
    if (amount >= 0) r.set_amount(amount);
    for (const auto& [k, v] : tags) (*r.mutable_tags())[k] = v;
    return r;
  }

  void WriteRelations(const std::string& batch_id, const std::vector<iv1::Relation>& rows) {
    grpc::ClientContext ctx;
    auto stream = ingest_stub_->WriteRelations(&ctx);
    iv1::WriteRelationsRequest request;
    request.set_batch_id(batch_id);
    for (const auto& r : rows) *request.add_relations() = r;
    ASSERT_TRUE(stream->Write(request));
    iv1::WriteRelationsResponse response;
    ASSERT_TRUE(stream->Read(&response));
    stream->WritesDone();
    grpc::Status s = stream->Finish();
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  static nv1::GraphSelection UpTo(int year) {
    nv1::GraphSelection s;
    s.mutable_periods()->set_up_to(year);
    return s;
  }

  grpc::Status Stats(const nv1::ComputeNetworkStatsRequest& request,
                     nv1::ComputeNetworkStatsResponse* response) {
    grpc::ClientContext ctx;
    return stub_->ComputeNetworkStats(&ctx, request, response);
  }

  // Every message of a ComputeCentralities stream.
  grpc::Status Centralities(const nv1::ComputeCentralitiesRequest& request,
                            std::vector<nv1::ComputeCentralitiesResponse>* messages) {
    grpc::ClientContext ctx;
    auto reader = stub_->ComputeCentralities(&ctx, request);
    nv1::ComputeCentralitiesResponse message;
    while (reader->Read(&message)) messages->push_back(message);
    return reader->Finish();
  }

  grpc::Status Derive(const nv1::DeriveRegionIndicatorsRequest& request,
                      nv1::DeriveRegionIndicatorsResponse* response) {
    grpc::ClientContext ctx;
    return stub_->DeriveRegionIndicators(&ctx, request, response);
  }

  int64_t DataVersion(const std::string& scope) {
    grpc::ClientContext ctx;
    iv1::GetDataVersionsRequest request;
    request.add_scopes(scope);
    iv1::GetDataVersionsResponse response;
    EXPECT_TRUE(ingest_stub_->GetDataVersions(&ctx, request, &response).ok());
    return response.versions_size() > 0 ? response.versions(0).version() : -1;
  }

  // Stored observations with source "network", every revision.
  std::vector<iv1::StoredObservation> NetworkObservations() {
    grpc::ClientContext ctx;
    iv1::ReadObservationsRequest request;
    request.set_include_history(true);
    auto reader = ingest_stub_->ReadObservations(&ctx, request);
    std::vector<iv1::StoredObservation> out;
    iv1::ReadObservationsResponse message;
    while (reader->Read(&message)) {
      for (const auto& o : message.observations()) {
        if (o.observation().source() == "network") out.push_back(o);
      }
    }
    EXPECT_TRUE(reader->Finish().ok());
    return out;
  }

  // The log lines of RPCs of `method` that a graph computation's interrupt
  // ended (the library's "graph computation ..." message), once at least
  // `count` exist.
  absl::StatusOr<std::vector<std::string>> WaitForInterruptedRpcs(const std::string& method,
                                                                  size_t count) {
    std::vector<std::string> lines;
    absl::Status waited = WaitFor(
        [&] {
          lines.clear();
          for (absl::string_view line : absl::StrSplit(network_->Log(), '\n')) {
            if (absl::StrContains(line, method) &&
                absl::StrContains(line, "\"error\":\"graph computation")) {
              lines.emplace_back(line);
            }
          }
          return lines.size() >= count;
        },
        absl::Seconds(60));
    if (!waited.ok()) return waited;
    return lines;
  }

  std::unique_ptr<ServiceProcess> ingest_, network_;
  std::unique_ptr<iv1::IngestService::Stub> ingest_stub_;
  std::unique_ptr<nv1::NetworkService::Stub> stub_;
};

TEST_F(NetworkTest, StatisticsOfTheHandDerivedNetwork) {
  nv1::ComputeNetworkStatsRequest request;
  *request.mutable_selection() = UpTo(2022);
  nv1::ComputeNetworkStatsResponse response;
  grpc::Status s = Stats(request, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const nv1::NetworkStats& st = response.stats();
  EXPECT_EQ(st.convention(), nv1::CONVENTION_GEPHI);  // the default, echoed
  // Nodes e1 e2 e3 f1 u1 v1; sample e1 e2 e3; platform e1; foreign f1.
  EXPECT_EQ(st.nodes().total(), 6);
  EXPECT_EQ(st.nodes().sample_enterprises(), 3);
  EXPECT_EQ(st.nodes().relation_nodes(), 3);
  EXPECT_EQ(st.nodes().platforms(), 1);
  EXPECT_EQ(st.nodes().foreign(), 1);
  // 9 relations; the two financing rounds v1 -> e3 merge (Gephi's import):
  // 8 edges. E/N = 8/6; density 8/(6*5).
  EXPECT_EQ(st.edges(), 8);
  EXPECT_EQ(response.run().graph().relations(), 9);
  EXPECT_NEAR(st.average_degree(), 8.0 / 6, kEps);
  EXPECT_NEAR(st.density(), 8.0 / 30, kEps);
  // One weak component; strong: {e1, e2, e3} (e1->e2->e1, e1->e3->e2) and
  // the singletons f1, u1, v1.
  EXPECT_EQ(st.weak_components(), 1);
  EXPECT_EQ(st.strong_components(), 4);
  EXPECT_NEAR(st.giant_strong_component_share(), 0.5, kEps);
  // Hop distances: from e1 {e2 1, e3 1, f1 1}; e2 {e1 1, e3 2, f1 2};
  // e3 {e2 1, e1 2, f1 3}; u1 {e1 1, e2 2, e3 2, f1 2}; v1 {e2 1, e3 1,
  // e1 2, f1 3}; f1 none. Sum 3+5+6+7+7 = 28 over 17 reachable ordered
  // pairs: APL 28/17; diameter 3; 30 - 17 = 13 unreachable pairs.
  EXPECT_TRUE(st.paths().exact());
  EXPECT_NEAR(st.paths().average_path_length(), 28.0 / 17, kEps);
  EXPECT_EQ(st.paths().diameter(), 3);
  EXPECT_EQ(st.paths().reachable_pairs(), 17);
  EXPECT_EQ(st.paths().unreachable_pairs(), 13);
  // Gephi directed clustering e(v)/(k(k-1)) over all 6 nodes: e1 k=4 with
  // e3->e2 among its neighbours: 1/12; e2 {e1,e3,v1}: e1->e3, v1->e3: 2/6;
  // e3 {e1,e2,v1}: e1->e2, e2->e1, v1->e2: 3/6; v1 {e2,e3}: e3->e2: 1/2;
  // f1, u1: 0. Sum 17/12, / 6 = 17/72.
  EXPECT_NEAR(st.clustering().average_clustering(), 17.0 / 72, kEps);
  EXPECT_NEAR(st.clustering().average_clustering_gephi(), 17.0 / 72, kEps);
  // Undirected view: triangles {e1,e2,e3} and {e2,e3,v1}; local C: e1 1/6,
  // e2 2/3, e3 2/3, v1 1 (f1, u1 have k = 1): mean over k > 1 = 15/24.
  // Transitivity 3*2 / (6 + 3 + 3 + 1) triples = 6/13.
  EXPECT_NEAR(st.clustering().average_clustering_undirected(), 15.0 / 24, kEps);
  EXPECT_NEAR(st.clustering().transitivity(), 6.0 / 13, kEps);
  EXPECT_EQ(st.clustering().triangles(), 2);
  // Reciprocity: 8 distinct ordered pairs, e1->e2 and e2->e1 reciprocated.
  EXPECT_NEAR(st.reciprocity(), 0.25, kEps);
  EXPECT_GE(st.communities().communities(), 1);
  EXPECT_DOUBLE_EQ(st.communities().gamma(), 1.0);

  // The run: recorded with the data version, the same id for the same
  // request on the same data.
  EXPECT_THAT(response.run().id(), ::testing::StartsWith("run-"));
  EXPECT_EQ(response.run().data_version().scope(), "relations:default");
  EXPECT_EQ(response.run().data_version().version(), DataVersion("relations:default"));
  EXPECT_EQ(response.run().selection().relation_set(), "default");
  nv1::ComputeNetworkStatsResponse again;
  ASSERT_TRUE(Stats(request, &again).ok());
  EXPECT_EQ(again.run().id(), response.run().id());
  grpc::ClientContext ctx;
  nv1::ListRunsRequest list;
  list.set_kind(nv1::RUN_KIND_STATS);
  nv1::ListRunsResponse runs;
  ASSERT_TRUE(stub_->ListRuns(&ctx, list, &runs).ok());
  ASSERT_EQ(runs.runs_size(), 1);
  EXPECT_EQ(runs.runs(0).convention(), nv1::CONVENTION_GEPHI);

  // networkx: the graph is not strongly connected, so no average path
  // length (networkx raises); the count of unreachable pairs stays.
  request.set_convention(nv1::CONVENTION_NETWORKX);
  nv1::ComputeNetworkStatsResponse nx;
  ASSERT_TRUE(Stats(request, &nx).ok());
  EXPECT_EQ(nx.stats().convention(), nv1::CONVENTION_NETWORKX);
  EXPECT_FALSE(nx.stats().paths().has_average_path_length());
  EXPECT_EQ(nx.stats().paths().unreachable_pairs(), 13);
  EXPECT_THAT(nx.stats().paths().note(), HasSubstr("unreachable"));
  EXPECT_NE(nx.run().id(), response.run().id());
}

TEST_F(NetworkTest, SelectionsByYearTypeActorAndView) {
  // Up to 2020: r1 e1->e2 and r4 u1->e1: 3 nodes, 2 edges.
  nv1::ComputeNetworkStatsRequest request;
  *request.mutable_selection() = UpTo(2020);
  nv1::ComputeNetworkStatsResponse response;
  ASSERT_TRUE(Stats(request, &response).ok());
  EXPECT_EQ(response.stats().nodes().total(), 3);
  EXPECT_EQ(response.stats().edges(), 2);

  // Sample enterprises only (both ends): r1, r2, r8, r9 among e1, e2, e3:
  // edges e1->e2, e1->e3, e2->e1, e3->e2.
  nv1::GraphSelection samples = UpTo(2022);
  samples.mutable_actors()->set_sample(nv1::FLAG_FILTER_ONLY);
  *request.mutable_selection() = samples;
  ASSERT_TRUE(Stats(request, &response).ok());
  EXPECT_EQ(response.stats().nodes().total(), 3);
  EXPECT_EQ(response.stats().edges(), 4);
  // The platform's ecosystem: every relation with the platform e1 at either
  // end: r1, r2, r3, r4, r8 -> nodes e1 e2 e3 f1 u1; keep every relation.
  nv1::GraphSelection platform = UpTo(2022);
  platform.mutable_actors()->set_platform(nv1::FLAG_FILTER_ONLY);
  platform.set_endpoint_rule(nv1::ENDPOINT_RULE_EITHER);
  platform.set_multi_edges(nv1::MULTI_EDGE_POLICY_KEEP);
  *request.mutable_selection() = platform;
  ASSERT_TRUE(Stats(request, &response).ok());
  EXPECT_EQ(response.stats().nodes().total(), 5);
  EXPECT_EQ(response.stats().edges(), 5);
  // Undirected view with relation counts as weights: e1-e2 merges r1 and r8
  // (weight 2), v1-e3 merges the two financing rounds (weight 2): 7 edges,
  // total weight 9, average weighted degree 2 * 9 / 6 = 3.
  nv1::GraphSelection undirected = UpTo(2022);
  undirected.set_view(nv1::GRAPH_VIEW_UNDIRECTED);
  undirected.set_weight(nv1::EDGE_WEIGHT_COUNT);
  *request.mutable_selection() = undirected;
  ASSERT_TRUE(Stats(request, &response).ok());
  EXPECT_FALSE(response.stats().directed());
  EXPECT_EQ(response.stats().edges(), 7);
  EXPECT_NEAR(response.stats().average_weighted_degree(), 3.0, kEps);
  // A user-defined type present in the data is accepted.
  WriteRelations("custom", {Relation("e2", "e3", "supply_chain", 2022)});
  nv1::GraphSelection custom = UpTo(2022);
  custom.add_relation_types("supply_chain");
  *request.mutable_selection() = custom;
  ASSERT_TRUE(Stats(request, &response).ok());
  EXPECT_EQ(response.stats().edges(), 1);
}

TEST_F(NetworkTest, CentralitiesTopListsByRoleAndStream) {
  nv1::ComputeCentralitiesRequest request;
  *request.mutable_selection() = UpTo(2022);
  request.add_measures(nv1::MEASURE_DEGREE);
  request.add_measures(nv1::MEASURE_BETWEENNESS);
  std::vector<nv1::ComputeCentralitiesResponse> messages;
  grpc::Status s = Centralities(request, &messages);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(messages.size(), 2u);  // the head, then 6 nodes in one chunk
  const nv1::ComputeCentralitiesResponse& head = messages[0];
  EXPECT_EQ(head.convention(), nv1::CONVENTION_GEPHI);
  ASSERT_EQ(head.top_size(), 6);  // 2 measures x (all, sample, relation nodes)
  // Total degree: e1 5 (out e2 e3 f1, in u1 e2), e2 4, e3 3, v1 2 (the two
  // financing rounds merge), f1 1, u1 1 (ties in code order).
  auto codes = [](const nv1::TopList& list) {
    std::vector<std::string> out;
    for (const auto& e : list.entries()) out.push_back(e.node().code());
    return out;
  };
  EXPECT_EQ(head.top(0).measure(), nv1::MEASURE_DEGREE);
  EXPECT_THAT(codes(head.top(0)), ::testing::ElementsAre("e1", "e2", "e3", "v1", "f1", "u1"));
  EXPECT_EQ(head.top(1).role(), nv1::NODE_ROLE_SAMPLE_ENTERPRISE);
  EXPECT_THAT(codes(head.top(1)), ::testing::ElementsAre("e1", "e2", "e3"));
  EXPECT_THAT(codes(head.top(2)), ::testing::ElementsAre("v1", "f1", "u1"));
  EXPECT_EQ(head.top(0).entries(0).value(), 5);
  EXPECT_EQ(head.top(0).entries(0).node().name(), "Actor e1");
  // Betweenness (directed, unique shortest paths): e1 lies on e2->e3,
  // e2->f1, e3->f1, u1->e2, u1->e3, u1->f1, v1->f1: 7; e2 on e3->e1, e3->f1,
  // v1->e1, v1->f1: 4.
  EXPECT_EQ(head.top(3).measure(), nv1::MEASURE_BETWEENNESS);
  EXPECT_EQ(head.top(3).entries(0).node().code(), "e1");
  EXPECT_NEAR(head.top(3).entries(0).value(), 7, kEps);
  EXPECT_NEAR(head.top(3).entries(1).value(), 4, kEps);
  EXPECT_TRUE(head.info(1).exact());
  const nv1::ComputeCentralitiesResponse& nodes = messages[1];
  ASSERT_EQ(nodes.nodes_size(), 6);
  EXPECT_EQ(nodes.nodes(0).node().code(), "e1");
  EXPECT_EQ(nodes.nodes(0).node().role(), nv1::NODE_ROLE_SAMPLE_ENTERPRISE);
  EXPECT_EQ(nodes.nodes(0).values(0), 5);
  EXPECT_NEAR(nodes.nodes(0).values(1), 7, kEps);

  // Sampled betweenness states its error bound.
  request.mutable_approximation()->set_enabled(true);
  request.mutable_approximation()->set_epsilon(0.05);
  request.set_top_only(true);
  messages.clear();
  ASSERT_TRUE(Centralities(request, &messages).ok());
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_FALSE(messages[0].info(1).exact());
  EXPECT_GT(messages[0].info(1).samples(), 0);
  EXPECT_GT(messages[0].info(1).absolute_error_bound(), 0);
}

TEST_F(NetworkTest, RegionFlowsBetweenProvinces) {
  // Provinces: e1 e2 u1 in P1, e3 v1 in P2, f1 none. Edges: P1->P1 e1->e2,
  // u1->e1, e2->e1 (3); P1->P2 e1->e3 (1); P2->P1 v1->e2, e3->e2 (2);
  // P2->P2 v1->e3 (1); e1->f1 skipped. 7 counted: intra 4/7, inter 3/7;
  // outgoing P1 4/7, P2 3/7; incoming P1 5/7, P2 2/7.
  grpc::ClientContext ctx;
  nv1::ComputeRegionFlowsRequest request;
  *request.mutable_selection() = UpTo(2022);
  request.set_include_matrix(true);
  nv1::ComputeRegionFlowsResponse response;
  grpc::Status s = stub_->ComputeRegionFlows(&ctx, request, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_THAT(response.regions(), ::testing::ElementsAre("P1", "P2"));
  EXPECT_THAT(response.counts(), ::testing::ElementsAre(3, 1, 2, 1));
  EXPECT_EQ(response.total_count(), 7);
  EXPECT_EQ(response.skipped_edges(), 1);
  EXPECT_NEAR(response.intra_count_percent(), 400.0 / 7, 1e-9);
  EXPECT_NEAR(response.inter_count_percent(), 300.0 / 7, 1e-9);
  ASSERT_EQ(response.shares_size(), 2);
  EXPECT_EQ(response.shares(0).outgoing_count(), 4);
  EXPECT_NEAR(response.shares(0).incoming_count_percent(), 500.0 / 7, 1e-9);
  ASSERT_GE(response.top_flows_size(), 2);
  EXPECT_EQ(response.top_flows(0).origin_code(), "P2");  // 2 relations
  EXPECT_EQ(response.top_flows(0).destination_code(), "P1");
  EXPECT_EQ(response.top_flows(0).count(), 2);
}

TEST_F(NetworkTest, TimeSeriesAndDegreeDistribution) {
  // Cumulative: 2019 {r4}: 2 nodes 1 edge; 2020 + r1: 3 nodes 2 edges;
  // 2021 + r2 r3 r5: 6 nodes 5 edges; 2022 + r6 r7 r8 r9: 6 nodes 8 edges.
  grpc::ClientContext ctx;
  nv1::ComputeStatsTimeSeriesRequest request;
  request.mutable_periods()->set_first(2018);
  request.mutable_periods()->set_last(2022);
  nv1::ComputeStatsTimeSeriesResponse response;
  grpc::Status s = stub_->ComputeStatsTimeSeries(&ctx, request, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(response.periods_size(), 5);
  std::vector<std::pair<int64_t, int64_t>> sizes;
  for (const auto& y : response.periods()) {
    sizes.push_back({y.stats().nodes().total(), y.stats().edges()});
  }
  EXPECT_THAT(sizes, ::testing::ElementsAre(std::make_pair(0, 0), std::make_pair(2, 1),
                                            std::make_pair(3, 2), std::make_pair(6, 5),
                                            std::make_pair(6, 8)));
  EXPECT_NEAR(response.periods(4).stats().paths().average_path_length(), 28.0 / 17, kEps);

  // Out-degrees: e1 3, e2 1, e3 1, v1 2, f1 0, u1 1 (sum 8). Top 10% of 6
  // nodes = ceil(0.6) = 1 node: e1 with 3/8.
  grpc::ClientContext ctx2;
  nv1::FitDegreeDistributionRequest fit;
  *fit.mutable_selection() = UpTo(2022);
  fit.set_mode(nv1::DEGREE_MODE_OUT);
  nv1::FitDegreeDistributionResponse dist;
  s = stub_->FitDegreeDistribution(&ctx2, fit, &dist);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_THAT(dist.out_degree_histogram(), ::testing::ElementsAre(1, 3, 1, 1));
  EXPECT_NEAR(dist.concentration().top_shares(0), 3.0 / 8, kEps);
  // Six degrees cannot fill a tail of 10: no fit, and why.
  EXPECT_FALSE(dist.has_fit());
  EXPECT_FALSE(dist.fit_note().empty());
}

TEST_F(NetworkTest, DerivedIndicatorsAreWrittenOnceAndRevisedWhenDataChange) {
  nv1::DeriveRegionIndicatorsRequest request;
  *request.mutable_selection() = UpTo(2022);
  auto rule = [&](const char* indicator, const char* type, nv1::RelationDirection direction,
                  nv1::Aggregate aggregate, bool sample_anchor,
                  nv1::FlagFilter international = nv1::FLAG_FILTER_ANY) {
    nv1::IndicatorRule* r = request.add_rules();
    r->set_indicator_code(indicator);
    r->set_relation_type(type);
    r->set_direction(direction);
    r->set_aggregate(aggregate);
    if (sample_anchor) r->mutable_anchor()->set_sample(nv1::FLAG_FILTER_ONLY);
    r->set_international(international);
  };
  // Empowerment by a province's sample enterprises: P1 r1 r2 r3 = 3, P2 r9 = 1.
  rule("tech_emp_count", "technology_empowerment", nv1::RELATION_DIRECTION_OUTGOING,
       nv1::AGGREGATE_COUNT, true);
  // International ones: r3 (to foreign f1) in P1, r9 (tagged yes) in P2.
  rule("intl_tech_emp_count", "technology_empowerment", nv1::RELATION_DIRECTION_OUTGOING,
       nv1::AGGREGATE_COUNT, true, nv1::FLAG_FILTER_ONLY);
  // Financing received: P2 (e3) 50 + 30 = 80 in 2 relations; P1 0.
  rule("financing_amount", "financing", nv1::RELATION_DIRECTION_INCOMING, nv1::AGGREGATE_SUM_AMOUNT,
       true);
  rule("financing_count", "financing", nv1::RELATION_DIRECTION_INCOMING, nv1::AGGREGATE_COUNT,
       true);
  // Investment received: P1 (e2) 1, P2 0.
  rule("investment_count", "investment", nv1::RELATION_DIRECTION_INCOMING, nv1::AGGREGATE_COUNT,
       true);
  // Distinct technology suppliers of any actor: P1 {u1} = 1, P2 0.
  rule("tech_input_partners", "technology_input", nv1::RELATION_DIRECTION_INCOMING,
       nv1::AGGREGATE_DISTINCT_PARTNERS, false);

  nv1::DeriveRegionIndicatorsResponse first;
  grpc::Status s = Derive(request, &first);
  ASSERT_TRUE(s.ok()) << s.error_message();
  std::map<std::string, double> values;
  for (const auto& v : first.values()) {
    EXPECT_EQ(v.period(), 2022);
    values[absl::StrCat(v.indicator_code(), "/", v.region_code())] = v.value();
  }
  EXPECT_EQ(values, (std::map<std::string, double>{{"financing_amount/P1", 0},
                                                   {"financing_amount/P2", 80},
                                                   {"financing_count/P1", 0},
                                                   {"financing_count/P2", 2},
                                                   {"intl_tech_emp_count/P1", 1},
                                                   {"intl_tech_emp_count/P2", 1},
                                                   {"investment_count/P1", 1},
                                                   {"investment_count/P2", 0},
                                                   {"tech_emp_count/P1", 3},
                                                   {"tech_emp_count/P2", 1},
                                                   {"tech_input_partners/P1", 1},
                                                   {"tech_input_partners/P2", 0}}));
  EXPECT_EQ(first.batches(), 1);
  EXPECT_EQ(first.replayed_batches(), 0);
  EXPECT_EQ(first.written().inserted(), 12);

  // In ingest: source "network", the run id in the batch note.
  std::vector<iv1::StoredObservation> stored = NetworkObservations();
  ASSERT_EQ(stored.size(), 12u);
  for (const auto& o : stored) {
    EXPECT_EQ(o.revision(), 1);
    EXPECT_THAT(o.provenance().note(), HasSubstr(first.run().id()));
    EXPECT_THAT(o.provenance().batch_id(), ::testing::StartsWith("network-"));
  }
  const int64_t observations_version = DataVersion("observations");

  // Unchanged data: the same run, every batch replayed, nothing written.
  nv1::DeriveRegionIndicatorsResponse second;
  ASSERT_TRUE(Derive(request, &second).ok());
  EXPECT_EQ(second.run().id(), first.run().id());
  EXPECT_EQ(second.batches(), 1);
  EXPECT_EQ(second.replayed_batches(), 1);
  EXPECT_EQ(NetworkObservations().size(), 12u);
  EXPECT_EQ(DataVersion("observations"), observations_version);

  // A new empowerment relation of e2 (P1): one value revised, the rest
  // unchanged, under a new run.
  WriteRelations("more", {Relation("e2", "u1", "technology_empowerment", 2022)});
  nv1::DeriveRegionIndicatorsResponse third;
  ASSERT_TRUE(Derive(request, &third).ok());
  EXPECT_NE(third.run().id(), first.run().id());
  EXPECT_EQ(third.replayed_batches(), 0);
  EXPECT_EQ(third.written().revised(), 1);
  EXPECT_EQ(third.written().unchanged(), 11);
  EXPECT_EQ(NetworkObservations().size(), 13u);  // revision 2 of tech_emp_count/P1
}

TEST_F(NetworkTest, BadInputSaysWhich) {
  auto stats_error = [&](const nv1::ComputeNetworkStatsRequest& request) {
    nv1::ComputeNetworkStatsResponse response;
    return Stats(request, &response);
  };
  // Empty selection: cooperation exists only in 2022.
  nv1::ComputeNetworkStatsRequest empty;
  *empty.mutable_selection() = UpTo(2019);
  empty.mutable_selection()->add_relation_types("cooperation");
  grpc::Status s = stats_error(empty);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("selection: empty"));
  EXPECT_THAT(s.error_message(), HasSubstr("cooperation"));
  // Unknown relation type: neither built-in nor in the data.
  nv1::ComputeNetworkStatsRequest unknown;
  unknown.mutable_selection()->add_relation_types("tecnology_input");
  s = stats_error(unknown);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("relation type \"tecnology_input\" is unknown"));
  // Resolution <= 0.
  nv1::ComputeNetworkStatsRequest resolution;
  resolution.mutable_louvain()->set_resolution(0);
  s = stats_error(resolution);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("louvain.resolution"));
  grpc::ClientContext c1;
  nv1::DetectCommunitiesRequest communities;
  communities.mutable_louvain()->set_resolution(-1);
  nv1::DetectCommunitiesResponse cr;
  s = stub_->DetectCommunities(&c1, communities, &cr);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // Sample sizes <= 0.
  nv1::ComputeNetworkStatsRequest samples;
  samples.mutable_approximation()->set_enabled(true);
  samples.mutable_approximation()->set_path_samples(0);
  s = stats_error(samples);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("approximation.path_samples"));
  grpc::ClientContext c2;
  nv1::FitDegreeDistributionRequest fit;
  fit.set_bootstrap_samples(0);
  nv1::FitDegreeDistributionResponse fr;
  s = stub_->FitDegreeDistribution(&c2, fit, &fr);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("bootstrap_samples"));
  // Derivation: a rule without an indicator.
  nv1::DeriveRegionIndicatorsRequest derive;
  *derive.mutable_selection() = UpTo(2022);
  derive.add_rules()->set_relation_type("investment");
  nv1::DeriveRegionIndicatorsResponse dr;
  s = Derive(derive, &dr);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("rules[0].indicator_code"));
  // Nothing of the rejected requests was recorded.
  grpc::ClientContext c3;
  nv1::ListRunsResponse runs;
  ASSERT_TRUE(stub_->ListRuns(&c3, nv1::ListRunsRequest(), &runs).ok());
  EXPECT_EQ(runs.runs_size(), 0);
}

TEST_F(NetworkTest, CliAsksTheServiceWhenGivenASelection) {
  // `innoscope network stats|centrality` without --edges: the selection
  // flags go to the service; the numbers are those of the first test.
  const std::string cli = absl::StrCat(BuildDir(), "/services/cli/innoscope network ");
  const std::string address = absl::StrCat(" --network_address=", network_->grpc_address());
  int code = 0;
  absl::StatusOr<std::string> out =
      RunCommand(absl::StrCat(cli, "stats --year 2022 --json", address, " 2>/dev/null"), &code);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(code, 0) << *out;
  EXPECT_THAT(*out, HasSubstr("\"nodes\": 6,"));
  EXPECT_THAT(*out, HasSubstr("\"edges\": 8,"));
  EXPECT_THAT(*out, HasSubstr("\"diameter\": 3,"));
  EXPECT_THAT(*out, HasSubstr("\"unreachable_pairs\": 13,"));
  EXPECT_THAT(*out, HasSubstr("\"convention\": \"gephi\""));
  // Betweenness top 2 (e1 7, e2 4), and the sample enterprises' empowerment
  // network only: r1 r2 r9 among e1 e2 e3.
  out = RunCommand(absl::StrCat(cli, "centrality --year 2022 --measure betweenness --top 2",
                                address, " 2>/dev/null"),
                   &code);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(code, 0) << *out;
  EXPECT_EQ(*out, "node,value\ne1,7\ne2,4\n");
  out = RunCommand(absl::StrCat(cli, "stats --types technology_empowerment --sample only", address,
                                " 2>/dev/null"),
                   &code);
  ASSERT_TRUE(out.ok());
  EXPECT_THAT(*out, HasSubstr("nodes=3\nedges=3\n"));
  // A bad selection: the service's message and exit code 1.
  out = RunCommand(absl::StrCat(cli, "stats --types tecnology_input", address), &code);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(code, 1);
  EXPECT_THAT(*out, HasSubstr("relation type \"tecnology_input\" is unknown"));
}

TEST_F(NetworkTest, DeadlineAndCancellationStopLongComputationsAndTheServiceKeepsServing) {
  // Sampled betweenness with epsilon 1e-4 draws ~1.7e8 node pairs: far
  // longer than the one-second deadline.
  nv1::ComputeCentralitiesRequest slow;
  *slow.mutable_selection() = UpTo(2022);
  slow.add_measures(nv1::MEASURE_BETWEENNESS);
  slow.mutable_approximation()->set_enabled(true);
  slow.mutable_approximation()->set_epsilon(1e-4);
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
    auto reader = stub_->ComputeCentralities(&ctx, slow);
    nv1::ComputeCentralitiesResponse message;
    while (reader->Read(&message)) {
    }
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  }
  // The service stopped the computation itself: the interrupt's message is
  // in its log. (DEADLINE_EXCEEDED when its own deadline check fires first;
  // CANCELLED when the client's expiry, sent as a cancellation, arrives
  // first: the server's deadline is later by the network latency.)
  absl::StatusOr<std::vector<std::string>> lines = WaitForInterruptedRpcs("ComputeCentralities", 1);
  ASSERT_TRUE(lines.ok()) << network_->Log();

  // A client cancelling mid-computation stops it too.
  {
    grpc::ClientContext ctx;
    auto reader = stub_->ComputeCentralities(&ctx, slow);
    std::thread cancel([&] {
      absl::SleepFor(absl::Milliseconds(500));
      ctx.TryCancel();
    });
    nv1::ComputeCentralitiesResponse message;
    while (reader->Read(&message)) {
    }
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
    cancel.join();
  }
  lines = WaitForInterruptedRpcs("ComputeCentralities", 2);
  ASSERT_TRUE(lines.ok()) << network_->Log();
  EXPECT_THAT(lines->back(), HasSubstr("\"code\":\"Canceled\""));
  EXPECT_THAT(lines->back(), HasSubstr("graph computation cancelled"));

  // And the service keeps serving.
  nv1::ComputeNetworkStatsRequest request;
  *request.mutable_selection() = UpTo(2022);
  nv1::ComputeNetworkStatsResponse response;
  grpc::Status s = Stats(request, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.stats().nodes().total(), 6);
}

// An INVALID_ARGUMENT naming a request field carries it as a
// google.rpc.BadRequest detail, which a client reads without parsing the
// message.
TEST_F(NetworkTest, BadFieldTravelsAsGoogleRpcBadRequest) {
  grpc::ClientContext ctx;
  nv1::FitDegreeDistributionRequest fit;
  fit.set_bootstrap_samples(0);
  nv1::FitDegreeDistributionResponse response;
  grpc::Status s = stub_->FitDegreeDistribution(&ctx, fit, &response);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_THAT(BadRequestFields(s),
              ElementsAre("bootstrap_samples: the sample size must be > 0 (got 0); leave it unset "
                          "for no p-value, or use e.g. 1000"));
}

}  // namespace
}  // namespace innoscope::testing
