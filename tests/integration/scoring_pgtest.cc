// The scoring service against real ingest, weighting and scoring processes
// and a real PostgreSQL: the AI index identities in the published form,
// clusters, tiers (of regions and of clusters), idempotent runs, series of
// periods, rankings within sub-universes, profiles, comparisons (with the
// previous period's run found by series, growth and CAGR), uncertainty
// (collapse, determinism, deadline, cancellation) and the bad-input rules.
//
// The data is built for the test. The framework has the six dimensions of
// the 2023 AI competitiveness index with their published global weights and
// two (or one) indicators per dimension with the published level-2 weights;
// goalposts 0-100 make every normalised value equal its raw value, so the
// expected scores follow by hand:
//   * Beijing's indicators in dimension d are t_d / w_d with t the published
//     dimension scores (31.90, 20.09, 18.65, 7.72, 2.59, 0.62): in published
//     form its dimension scores are t and its composite 81.57;
//   * every other province has every indicator equal to its constructed
//     composite c (Guangdong 73.56, Shanghai 36.09, ...), so each of its
//     dimension scores is w_d c and the composite c (the weights sum to 1).

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <numeric>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "innoscope/ingest/v1/ingest.grpc.pb.h"
#include "innoscope/scoring/v1/scoring.grpc.pb.h"
#include "innoscope/weighting/v1/weighting.grpc.pb.h"
#include "tests/integration/harness.h"

namespace innoscope::testing {
namespace {

namespace iv1 = ::innoscope::ingest::v1;
namespace sv1 = ::innoscope::scoring::v1;
namespace wv1 = ::innoscope::weighting::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;

struct Dimension {
  const char* code;
  double weight;
  std::vector<std::pair<const char*, double>> leaves;
  double beijing;  // published dimension score
};

const std::vector<Dimension>& Dimensions() {
  static const auto* dims = new std::vector<Dimension>{
      {"enterprise", 0.4368, {{"ent_scale", 0.2045}, {"ent_innovation", 0.2323}}, 31.90},
      {"academic", 0.2127, {{"universities", 0.1084}, {"institutes", 0.1042}}, 20.09},
      {"capital", 0.1865, {{"financing", 0.1383}, {"investment", 0.0482}}, 18.65},
      {"openness", 0.0776, {{"talent_openness", 0.0294}, {"tech_openness", 0.0481}}, 7.72},
      {"linkage", 0.0512, {{"linkers", 0.0512}}, 2.59},
      {"government", 0.0352, {{"gov_response", 0.0352}}, 0.62},
  };
  return *dims;
}

// Constructed composites (Beijing: the published 81.57).
const std::map<std::string, double>& Composite2023() {
  static const auto* c = new std::map<std::string, double>{
      {"CN-BJ", 81.57}, {"CN-GD", 73.56}, {"CN-SH", 36.09}, {"CN-ZJ", 29.20},
      {"CN-JS", 28.45}, {"CN-AH", 13.19}, {"CN-SC", 13.00}, {"CN-TJ", 9.80},
      {"CN-CQ", 9.70},  {"CN-HE", 6.45},  {"CN-XZ", 0.0}};
  return *c;
}

// 2022 (and 2021, where Anhui's government indicator is missing).
const std::map<std::string, double>& Composite2022() {
  static const auto* c = new std::map<std::string, double>{
      {"CN-BJ", 80}, {"CN-GD", 70}, {"CN-SH", 35}, {"CN-JS", 30}, {"CN-ZJ", 28}, {"CN-HE", 12.5},
      {"CN-AH", 12}, {"CN-SC", 11}, {"CN-TJ", 10}, {"CN-CQ", 8},  {"CN-XZ", 0}};
  return *c;
}

// Indicator value of a region in 2023.
double Leaf2023(const std::string& region, const Dimension& dim) {
  return region == "CN-BJ" ? dim.beijing / dim.weight : Composite2023().at(region);
}

const Dimension& DimensionOf(const std::string& leaf) {
  for (const Dimension& d : Dimensions()) {
    for (const auto& [code, w] : d.leaves) {
      if (leaf == code) return d;
    }
  }
  return Dimensions()[0];
}

// Exported rows by (region, node); clusters as "cluster:<code>".
using Rows = std::map<std::pair<std::string, std::string>, sv1::ResultRow>;

const sv1::ResultRow& At(const Rows& rows, const std::string& region, const std::string& node) {
  static const sv1::ResultRow* const kNone = new sv1::ResultRow();
  auto it = rows.find({region, node});
  return it == rows.end() ? *kNone : it->second;
}

class ScoringTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pg = PostgresServer::Shared();
    ASSERT_TRUE(pg.ok()) << pg.status();
    auto url = (*pg)->CreateDatabase("scoring");
    ASSERT_TRUE(url.ok()) << url.status();
    std::map<std::string, std::string> env = {{"DATABASE_URL", *url}};
    auto services = StartServices(env, {"weighting", "scoring"});
    ASSERT_TRUE(services.ok()) << services.status();
    ingest_ = std::move(services->ingest);
    weighting_ = std::move(services->weighting);
    scoring_ = std::move(services->scoring);
    ingest_stub_ = iv1::IngestService::NewStub(ingest_->Channel());
    weighting_stub_ = wv1::WeightingService::NewStub(weighting_->Channel());
    stub_ = sv1::ScoringService::NewStub(scoring_->Channel());
    Seed();
  }

  void Seed() {
    iv1::UpsertRegionsRequest regions;
    const std::map<std::string, std::pair<std::string, std::string>> provinces = {
        {"CN-BJ", {"北京", "east"}}, {"CN-GD", {"广东", "east"}}, {"CN-SH", {"上海", "east"}},
        {"CN-ZJ", {"浙江", "east"}}, {"CN-JS", {"江苏", "east"}}, {"CN-AH", {"安徽", "east"}},
        {"CN-SC", {"四川", "west"}}, {"CN-TJ", {"天津", "east"}}, {"CN-CQ", {"重庆", "west"}},
        {"CN-HE", {"河北", "east"}}, {"CN-XZ", {"西藏", "west"}}};
    for (const auto& [code, info] : provinces) {
      iv1::Region* r = regions.add_regions();
      r->set_code(code);
      r->set_name(info.first);
      r->set_kind(iv1::REGION_KIND_PROVINCE);
      (*r->mutable_attributes())["area"] = info.second;
    }
    for (const auto& [code, name] : std::map<std::string, std::string>{
             {"JJJ", "京津冀"}, {"YRD", "长三角"}, {"CY", "川渝"}, {"PRD", "珠三角"}}) {
      iv1::Region* r = regions.add_regions();
      r->set_code(code);
      r->set_name(name);
      r->set_kind(iv1::REGION_KIND_CLUSTER);
    }
    grpc::ClientContext c1;
    iv1::UpsertRegionsResponse r1;
    ASSERT_TRUE(ingest_stub_->UpsertRegions(&c1, regions, &r1).ok());
    for (const auto& [cluster, members] : std::map<std::string, std::vector<std::string>>{
             {"JJJ", {"CN-BJ", "CN-TJ", "CN-HE"}},
             {"YRD", {"CN-SH", "CN-ZJ", "CN-JS", "CN-AH"}},
             {"CY", {"CN-SC", "CN-CQ"}},
             {"PRD", {"CN-GD"}}}) {
      iv1::SetClusterMembersRequest request;
      request.set_cluster_code(cluster);
      for (const std::string& m : members) request.add_members()->set_member_code(m);
      grpc::ClientContext c;
      iv1::SetClusterMembersResponse response;
      grpc::Status s = ingest_stub_->SetClusterMembers(&c, request, &response);
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
    CreateFramework("AI industry regional competitiveness (test)");

    grpc::ClientContext c3;
    auto stream = ingest_stub_->WriteObservations(&c3);
    iv1::WriteObservationsRequest batch;
    batch.set_batch_id("seed");
    auto obs = [&](const std::string& region, const std::string& leaf, int period, double v) {
      iv1::Observation* o = batch.add_observations();
      o->set_region_code(region);
      o->set_indicator_code(leaf);
      o->set_period(period);
      o->set_value(v);
    };
    for (const Dimension& d : Dimensions()) {
      for (const auto& [leaf, w] : d.leaves) {
        for (const auto& [region, c] : Composite2023())
          obs(region, leaf, 2023, Leaf2023(region, d));
        for (const auto& [region, c] : Composite2022()) {
          obs(region, leaf, 2022, c);
          if (region != "CN-AH" || std::string(leaf) != "gov_response") obs(region, leaf, 2021, c);
        }
      }
    }
    // 2020: values spread over 10-90 without pattern, so that the
    // uncertainty analyses have ranks to move.
    int region_index = 0;
    for (const auto& [region, c] : Composite2023()) {
      int leaf_index = 0;
      for (const Dimension& d : Dimensions()) {
        for (const auto& [leaf, w] : d.leaves) {
          obs(region, leaf, 2020, 10 + ((7 * region_index + 13 * leaf_index++) % 17) * 5);
        }
      }
      ++region_index;
    }
    ASSERT_TRUE(stream->Write(batch));
    iv1::WriteObservationsResponse response;
    ASSERT_TRUE(stream->Read(&response));
    stream->WritesDone();
    grpc::Status s = stream->Finish();
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // Framework "ai": index -> six dimensions -> indicators, published global
  // weights, goalposts 0-100 on every indicator.
  void CreateFramework(const std::string& name) {
    iv1::CreateFrameworkRequest fw;
    fw.set_code("ai");
    fw.set_name(name);
    fw.set_weight_convention(iv1::WEIGHT_CONVENTION_GLOBAL);
    auto node = [&](const std::string& code, const std::string& parent, int level, double w) {
      iv1::FrameworkNode* n = fw.add_nodes();
      n->set_code(code);
      n->set_name(code);
      n->set_parent_code(parent);
      n->set_level(level);
      n->set_direction(1);
      if (w > 0) n->set_weight(w);
      if (level == 1) {
        n->set_goal_min(0);
        n->set_goal_max(100);
        fw.add_indicators()->set_code(code);
      }
    };
    node("ai_index", "", 3, 0);
    for (const Dimension& d : Dimensions()) node(d.code, "ai_index", 2, d.weight);
    for (const Dimension& d : Dimensions()) {
      for (const auto& [leaf, w] : d.leaves) node(leaf, d.code, 1, w);
    }
    grpc::ClientContext c;
    iv1::CreateFrameworkResponse r;
    grpc::Status s = ingest_stub_->CreateFramework(&c, fw, &r);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // The AI report's run: published form, circles as sums, tiers by rank
  // bands 1-6, 7-10, 11-20, ties at two decimals.
  static sv1::RunSpec Spec(int period) {
    sv1::RunSpec spec;
    spec.mutable_framework()->set_code("ai");
    spec.mutable_framework()->set_version(1);
    spec.set_period(period);
    spec.mutable_pipeline()->mutable_normalisation()->set_method(
        sv1::NORMALISATION_METHOD_GOALPOSTS);
    spec.mutable_presentation()->set_global_weighted(true);
    spec.mutable_presentation()->set_decimals(2);
    for (const char* c : {"JJJ", "YRD", "CY", "PRD"}) spec.mutable_clusters()->add_cluster_codes(c);
    for (int band : {6, 10, 20}) spec.mutable_tiers()->mutable_rank_bands()->add_last_ranks(band);
    return spec;
  }

  grpc::Status Compute(const sv1::RunSpec& spec, sv1::ComputeScoresResponse* out) {
    grpc::ClientContext ctx;
    sv1::ComputeScoresRequest request;
    *request.mutable_spec() = spec;
    return stub_->ComputeScores(&ctx, request, out);
  }

  std::string MustCompute(const sv1::RunSpec& spec) {
    sv1::ComputeScoresResponse response;
    grpc::Status s = Compute(spec, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response.run().id();
  }

  Rows Export(const std::string& run_id) {
    grpc::ClientContext ctx;
    sv1::ExportRunRequest request;
    request.set_run_id(run_id);
    auto reader = stub_->ExportRun(&ctx, request);
    Rows rows;
    sv1::ExportRunResponse message;
    while (reader->Read(&message)) {
      for (const sv1::ResultRow& row : message.rows()) {
        rows[{(row.cluster() ? "cluster:" : "") + row.region_code(), row.node_code()}] = row;
      }
    }
    grpc::Status s = reader->Finish();
    EXPECT_TRUE(s.ok()) << s.error_message();
    return rows;
  }

  grpc::Status Ranking(const sv1::GetRankingRequest& request, sv1::GetRankingResponse* out) {
    grpc::ClientContext ctx;
    return stub_->GetRanking(&ctx, request, out);
  }

  static std::vector<std::string> Codes(const sv1::GetRankingResponse& r) {
    std::vector<std::string> codes;
    for (const auto& e : r.entries()) codes.push_back(e.region_code());
    return codes;
  }
  static std::vector<int> Ranks(const sv1::GetRankingResponse& r) {
    std::vector<int> ranks;
    for (const auto& e : r.entries()) ranks.push_back(e.rank());
    return ranks;
  }

  grpc::Status Uncertainty(const sv1::ComputeUncertaintyRequest& request,
                           sv1::ComputeUncertaintyResponse* out,
                           absl::Duration timeout = absl::Minutes(5)) {
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    return stub_->ComputeUncertainty(&ctx, request, out);
  }

  int64_t RunCount() {
    grpc::ClientContext ctx;
    sv1::ListRunsResponse response;
    EXPECT_TRUE(stub_->ListRuns(&ctx, sv1::ListRunsRequest(), &response).ok());
    return response.page().total_size();
  }

  std::unique_ptr<ServiceProcess> ingest_, weighting_, scoring_;
  std::unique_ptr<iv1::IngestService::Stub> ingest_stub_;
  std::unique_ptr<wv1::WeightingService::Stub> weighting_stub_;
  std::unique_ptr<sv1::ScoringService::Stub> stub_;
};

TEST_F(ScoringTest, PublishedFormReproducesTheAiIndexIdentities) {
  sv1::ComputeScoresResponse response;
  grpc::Status s = Compute(Spec(2023), &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(response.created());
  const sv1::Run& run = response.run();
  EXPECT_THAT(run.id(), StartsWith("run-"));
  EXPECT_EQ(run.summary().regions(), 11);
  EXPECT_EQ(run.summary().clusters(), 4);
  EXPECT_EQ(run.summary().nodes_size(), 17);
  EXPECT_EQ(run.weight_set_id(), "");  // the framework's own weights
  ASSERT_GE(run.data_versions_size(), 1);
  EXPECT_EQ(run.data_versions(0).scope(), "framework:ai");
  EXPECT_GE(run.data_versions(0).version(), 1);
  ASSERT_GE(run.summary().top_size(), 3);
  EXPECT_EQ(run.summary().top(0).region_code(), "CN-BJ");

  Rows rows = Export(run.id());
  ASSERT_EQ(rows.size(), (11u + 4u) * 17u);
  // Beijing: 31.90 + 20.09 + 18.65 + 7.72 + 2.59 + 0.62 = 81.57.
  double beijing = 0;
  for (const Dimension& d : Dimensions()) {
    EXPECT_NEAR(At(rows, "CN-BJ", d.code).score(), d.beijing, 1e-9) << d.code;
    beijing += d.beijing;
  }
  EXPECT_NEAR(At(rows, "CN-BJ", "ai_index").score(), beijing, 1e-9);
  EXPECT_NEAR(beijing, 81.57, 1e-9);
  // Every province: composite = sum of its dimension scores = the value
  // constructed for it; a dimension is the sum of its indicators.
  for (const auto& [region, composite] : Composite2023()) {
    double sum = 0;
    for (const Dimension& d : Dimensions()) {
      double leaves = 0;
      for (const auto& [leaf, w] : d.leaves) leaves += At(rows, region, leaf).score();
      EXPECT_NEAR(At(rows, region, d.code).score(), leaves, 1e-9) << region << " " << d.code;
      sum += At(rows, region, d.code).score();
    }
    EXPECT_NEAR(At(rows, region, "ai_index").score(), sum, 1e-9) << region;
    EXPECT_NEAR(sum, composite, 1e-9) << region;
  }
  // Composite ranks and tiers (1-6, 7-10, 11-20).
  const std::vector<std::string> order = {"CN-BJ", "CN-GD", "CN-SH", "CN-ZJ", "CN-JS", "CN-AH",
                                          "CN-SC", "CN-TJ", "CN-CQ", "CN-HE", "CN-XZ"};
  for (size_t i = 0; i < order.size(); ++i) {
    const sv1::ResultRow& row = At(rows, order[i], "ai_index");
    EXPECT_EQ(row.rank(), static_cast<int>(i) + 1) << order[i];
    EXPECT_EQ(row.tier(), i < 6 ? 1 : i < 10 ? 2 : 3) << order[i];
  }
  // Leaves keep raw and normalised values (goalposts 0-100: equal).
  EXPECT_NEAR(At(rows, "CN-SH", "linkers").raw(), 36.09, 1e-12);
  EXPECT_NEAR(At(rows, "CN-SH", "linkers").normalised(), 36.09, 1e-12);
  EXPECT_FALSE(At(rows, "CN-SH", "linkers").imputed());
  EXPECT_FALSE(At(rows, "CN-SH", "ai_index").has_raw());

  // Circles are sums of their members: 长三角 = 36.09 + 29.20 + 28.45 +
  // 13.19 = 106.93, 京津冀 = 81.57 + 9.80 + 6.45 = 97.82, 川渝 = 13.00 +
  // 9.70 = 22.70, 珠三角 = 73.56; ranked 1-4 in that order.
  EXPECT_NEAR(At(rows, "cluster:YRD", "ai_index").score(), 106.93, 1e-9);
  EXPECT_NEAR(At(rows, "cluster:JJJ", "ai_index").score(), 97.82, 1e-9);
  EXPECT_NEAR(At(rows, "cluster:CY", "ai_index").score(), 22.70, 1e-9);
  EXPECT_NEAR(At(rows, "cluster:PRD", "ai_index").score(), 73.56, 1e-9);
  EXPECT_EQ(At(rows, "cluster:YRD", "ai_index").rank(), 1);
  EXPECT_EQ(At(rows, "cluster:JJJ", "ai_index").rank(), 2);
  EXPECT_EQ(At(rows, "cluster:PRD", "ai_index").rank(), 3);
  EXPECT_EQ(At(rows, "cluster:CY", "ai_index").rank(), 4);
  // Sub-indicator ranks come from the summed raw values: linkers 长三角
  // 106.93, 珠三角 73.56, 京津冀 2.59 / 0.0512 + 9.80 + 6.45 = 66.8359,
  // 川渝 22.70 -- another order than the composite's.
  EXPECT_NEAR(At(rows, "cluster:JJJ", "linkers").raw(), 2.59 / 0.0512 + 9.80 + 6.45, 1e-9);
  EXPECT_EQ(At(rows, "cluster:YRD", "linkers").rank(), 1);
  EXPECT_EQ(At(rows, "cluster:PRD", "linkers").rank(), 2);
  EXPECT_EQ(At(rows, "cluster:JJJ", "linkers").rank(), 3);
  EXPECT_EQ(At(rows, "cluster:CY", "linkers").rank(), 4);

  // Statistics: a dimension's two indicators are equal in every province
  // here, so they correlate perfectly and Cronbach's alpha of two identical
  // items is 2 (1 - 2 var / 4 var) = 1.
  bool found = false;
  for (const sv1::GroupStatistics& g : run.statistics().groups()) {
    if (g.node_code() != "enterprise") continue;
    found = true;
    EXPECT_NEAR(g.cronbach_alpha(), 1.0, 1e-12);
    ASSERT_EQ(g.between_children_size(), 1);
    EXPECT_NEAR(g.between_children(0).pearson(), 1.0, 1e-12);
    EXPECT_NEAR(g.between_children(0).spearman(), 1.0, 1e-12);
    EXPECT_EQ(g.with_node_size(), 2);
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(run.statistics().groups_size(), 7);  // the composite and six dimensions

  // The same spec on the same data is the same run.
  sv1::ComputeScoresResponse again;
  ASSERT_TRUE(Compute(Spec(2023), &again).ok());
  EXPECT_FALSE(again.created());
  EXPECT_EQ(again.run().id(), run.id());
  sv1::RunSpec labelled = Spec(2023);
  labelled.set_label("a label is not part of the run");
  ASSERT_TRUE(Compute(labelled, &again).ok());
  EXPECT_EQ(again.run().id(), run.id());
  EXPECT_EQ(RunCount(), 1);
  // Version 0 resolves to the latest version, which is what the run records.
  sv1::RunSpec latest = Spec(2023);
  latest.mutable_framework()->set_version(0);
  ASSERT_TRUE(Compute(latest, &again).ok());
  EXPECT_EQ(again.run().id(), run.id());
  EXPECT_EQ(again.run().spec().framework().version(), 1);
}

TEST_F(ScoringTest, GetRankingPagesTopNAndRanksWithinSubUniverses) {
  const std::string run = MustCompute(Spec(2023));
  sv1::GetRankingRequest request;
  request.set_run_id(run);
  request.mutable_page()->set_page_size(4);
  std::vector<std::string> all;
  std::vector<int> ranks;
  int pages = 0;
  do {
    sv1::GetRankingResponse page;
    grpc::Status s = Ranking(request, &page);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(page.page().total_size(), 11);
    EXPECT_EQ(page.node_code(), "ai_index");
    for (const auto& e : page.entries()) {
      all.push_back(e.region_code());
      ranks.push_back(e.rank());
      EXPECT_EQ(e.run_rank(), e.rank());
    }
    request.mutable_page()->set_page_token(page.page().next_page_token());
    ++pages;
  } while (!request.page().page_token().empty());
  EXPECT_EQ(pages, 3);
  EXPECT_THAT(all, ElementsAre("CN-BJ", "CN-GD", "CN-SH", "CN-ZJ", "CN-JS", "CN-AH", "CN-SC",
                               "CN-TJ", "CN-CQ", "CN-HE", "CN-XZ"));
  EXPECT_THAT(ranks, ElementsAre(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11));

  sv1::GetRankingResponse top;
  request.clear_page();
  request.set_top_n(3);
  ASSERT_TRUE(Ranking(request, &top).ok());
  EXPECT_THAT(Codes(top), ElementsAre("CN-BJ", "CN-GD", "CN-SH"));
  EXPECT_EQ(top.entries(0).tier(), 1);

  // Within the Yangtze delta the four provinces rank 1-4; their ranks in the
  // whole run stay 3-6. An explicit list and the cluster give the same.
  request.set_top_n(0);
  for (const char* code : {"CN-AH", "CN-JS", "CN-ZJ", "CN-SH"}) {
    request.mutable_universe()->mutable_regions()->add_codes(code);
  }
  sv1::GetRankingResponse within;
  ASSERT_TRUE(Ranking(request, &within).ok());
  EXPECT_THAT(Codes(within), ElementsAre("CN-SH", "CN-ZJ", "CN-JS", "CN-AH"));
  EXPECT_THAT(Ranks(within), ElementsAre(1, 2, 3, 4));
  std::vector<int> run_ranks;
  for (const auto& e : within.entries()) run_ranks.push_back(e.run_rank());
  EXPECT_THAT(run_ranks, ElementsAre(3, 4, 5, 6));
  request.mutable_universe()->set_cluster_code("YRD");
  sv1::GetRankingResponse cluster;
  ASSERT_TRUE(Ranking(request, &cluster).ok());
  EXPECT_THAT(Codes(cluster), ElementsAre("CN-SH", "CN-ZJ", "CN-JS", "CN-AH"));
  EXPECT_EQ(cluster.universe_size(), 4);
  request.mutable_universe()->set_kind(iv1::REGION_KIND_PROVINCE);
  sv1::GetRankingResponse provinces;
  ASSERT_TRUE(Ranking(request, &provinces).ok());
  EXPECT_EQ(provinces.entries_size(), 11);

  // A dimension: Beijing's government score 0.62 (17.61 normalised) is
  // behind Guangdong, Shanghai, Zhejiang and Jiangsu.
  request.clear_universe();
  request.set_node_code("government");
  request.set_top_n(5);
  sv1::GetRankingResponse government;
  ASSERT_TRUE(Ranking(request, &government).ok());
  EXPECT_THAT(Codes(government), ElementsAre("CN-GD", "CN-SH", "CN-ZJ", "CN-JS", "CN-BJ"));

  // The circles among themselves.
  request.set_node_code("");
  request.set_top_n(0);
  request.set_clusters(true);
  sv1::GetRankingResponse circles;
  ASSERT_TRUE(Ranking(request, &circles).ok());
  EXPECT_THAT(Codes(circles), ElementsAre("YRD", "JJJ", "PRD", "CY"));
}

TEST_F(ScoringTest, RegionProfileAndComparisonWithThePreviousYear) {
  const std::string run = MustCompute(Spec(2023));
  sv1::GetRegionProfileRequest request;
  request.set_run_id(run);
  request.set_region_code("CN-BJ");
  request.set_strength_threshold(3);
  request.set_strength_level(2);
  sv1::GetRegionProfileResponse beijing;
  {
    grpc::ClientContext ctx;
    grpc::Status s = stub_->GetRegionProfile(&ctx, request, &beijing);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_EQ(beijing.composite_rank(), 1);
  EXPECT_EQ(beijing.universe_size(), 11);
  // Government: rank 5, four places behind its composite rank.
  EXPECT_THAT(beijing.weaknesses(), ElementsAre("government"));
  EXPECT_TRUE(beijing.strengths().empty());
  ASSERT_EQ(beijing.radar_size(), 6);  // the six dimensions
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(beijing.radar(i).node_code(), Dimensions()[i].code);
    EXPECT_NEAR(beijing.radar(i).score(), Dimensions()[i].beijing, 1e-9);
  }
  // The composite against the universe: mean 301.01 / 11, median 13.19.
  const sv1::NodeScore& composite = beijing.nodes(0);
  EXPECT_EQ(composite.node_code(), "ai_index");
  EXPECT_NEAR(composite.universe_mean(), 301.01 / 11, 1e-9);
  EXPECT_NEAR(composite.universe_median(), 13.19, 1e-9);
  // Guangdong, second overall, leads enterprise, linkage and government.
  request.set_region_code("CN-GD");
  request.set_strength_threshold(1);
  sv1::GetRegionProfileResponse guangdong;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->GetRegionProfile(&ctx, request, &guangdong).ok());
  }
  EXPECT_THAT(guangdong.strengths(), UnorderedElementsAre("enterprise", "linkage", "government"));
  // A circle among circles.
  request.set_region_code("YRD");
  request.set_cluster(true);
  sv1::GetRegionProfileResponse yrd;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->GetRegionProfile(&ctx, request, &yrd).ok());
  }
  EXPECT_EQ(yrd.composite_rank(), 1);
  EXPECT_EQ(yrd.universe_size(), 4);

  // 2022 -> 2023 (the same spec): Zhejiang overtakes Jiangsu, Hebei falls
  // from 6th to 10th, Anhui, Sichuan, Tianjin and Chongqing move up one.
  const std::string previous = MustCompute(Spec(2022));
  sv1::CompareRunsRequest compare;
  compare.set_run_id(run);
  compare.set_previous_run_id(previous);
  sv1::CompareRunsResponse changes;
  {
    grpc::ClientContext ctx;
    grpc::Status s = stub_->CompareRuns(&ctx, compare, &changes);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  ASSERT_EQ(changes.changes_size(), 11);
  std::map<std::string, sv1::RegionChange> by_region;
  for (const auto& c : changes.changes()) by_region[c.region_code()] = c;
  EXPECT_EQ(by_region["CN-ZJ"].rank_change(), 1);
  EXPECT_EQ(by_region["CN-JS"].rank_change(), -1);
  EXPECT_EQ(by_region["CN-HE"].previous_rank(), 6);
  EXPECT_EQ(by_region["CN-HE"].current_rank(), 10);
  EXPECT_EQ(by_region["CN-BJ"].rank_change(), 0);
  EXPECT_NEAR(by_region["CN-BJ"].score_change(), 81.57 - 80, 1e-9);
  std::vector<std::string> risers, fallers;
  for (const auto& c : changes.risers()) risers.push_back(c.region_code());
  for (const auto& c : changes.fallers()) fallers.push_back(c.region_code());
  EXPECT_THAT(risers, ElementsAre("CN-AH", "CN-CQ", "CN-SC", "CN-TJ", "CN-ZJ"));
  EXPECT_THAT(fallers, ElementsAre("CN-HE", "CN-JS"));
  EXPECT_EQ(changes.fallers(0).rank_change(), -4);

  // An indicator: growth of the raw value and its share of the total.
  compare.set_node_code("linkers");
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->CompareRuns(&ctx, compare, &changes).ok());
  }
  double total = 0;
  for (const auto& [region, c] : Composite2023()) total += Leaf2023(region, DimensionOf("linkers"));
  for (const auto& c : changes.changes()) {
    if (c.region_code() != "CN-SH") continue;
    EXPECT_NEAR(c.raw_growth(), 36.09 / 35 - 1, 1e-12);
    EXPECT_NEAR(c.raw_share(), 100 * 36.09 / total, 1e-9);
  }
}

TEST_F(ScoringTest, SeriesOfPeriodsAndComparisonWithThePreviousPeriod) {
  // One request, three periods: three runs in request order, each the run a
  // single-period request gives, sharing one series.
  sv1::ComputeScoresRequest request;
  *request.mutable_spec() = Spec(0);
  for (int p : {2021, 2022, 2023}) request.add_periods(p);
  sv1::ComputeScoresResponse series;
  {
    grpc::ClientContext ctx;
    grpc::Status s = stub_->ComputeScores(&ctx, request, &series);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  ASSERT_EQ(series.runs_size(), 3);
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    const sv1::Run& run = series.runs(i).run();
    EXPECT_EQ(run.spec().period(), 2021 + i);
    EXPECT_TRUE(series.runs(i).created());
    EXPECT_THAT(run.series(), StartsWith("series-"));
    EXPECT_EQ(run.series(), series.runs(0).run().series());
    ids.push_back(run.id());
  }
  EXPECT_EQ(series.run().id(), ids[2]);  // `run` is the last
  for (int i = 0; i < 3; ++i) {
    sv1::ComputeScoresResponse single;
    ASSERT_TRUE(Compute(Spec(2021 + i), &single).ok());
    EXPECT_EQ(single.run().id(), ids[i]);
    EXPECT_FALSE(single.created());
  }
  EXPECT_EQ(RunCount(), 3);

  // CompareRuns without previous_run_id: the series' run for 2022, with the
  // changes of the explicit comparison (Zhejiang overtakes Jiangsu, Hebei
  // falls from 6th to 10th).
  auto compare = [&](const std::string& run, const std::string& previous, const std::string& node,
                     sv1::CompareRunsResponse* out) {
    sv1::CompareRunsRequest r;
    r.set_run_id(run);
    r.set_previous_run_id(previous);
    r.set_node_code(node);
    grpc::ClientContext ctx;
    return stub_->CompareRuns(&ctx, r, out);
  };
  sv1::CompareRunsResponse changes;
  grpc::Status s = compare(ids[2], "", "", &changes);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(changes.previous_run_id(), ids[1]);
  EXPECT_EQ(changes.period(), 2023);
  EXPECT_EQ(changes.previous_period(), 2022);
  std::map<std::string, sv1::RegionChange> by_region;
  for (const auto& c : changes.changes()) by_region[c.region_code()] = c;
  EXPECT_EQ(by_region["CN-ZJ"].rank_change(), 1);
  EXPECT_EQ(by_region["CN-HE"].previous_rank(), 6);
  EXPECT_EQ(by_region["CN-HE"].current_rank(), 10);
  EXPECT_FALSE(by_region["CN-HE"].has_raw_cagr());  // the composite has no raw value
  // A newer 2022 run of another spec (other tiers) is another series: the
  // previous period's run stays the same.
  sv1::RunSpec other = Spec(2022);
  other.mutable_tiers()->mutable_median_split();
  const std::string other_id = MustCompute(other);
  ASSERT_TRUE(compare(ids[2], "", "", &changes).ok());
  EXPECT_EQ(changes.previous_run_id(), ids[1]);
  // Asking with the other spec's 2023 run needs that spec's 2022 run.
  sv1::RunSpec other_2023 = other;
  other_2023.set_period(2023);
  ASSERT_TRUE(compare(MustCompute(other_2023), "", "", &changes).ok());
  EXPECT_EQ(changes.previous_run_id(), other_id);

  // An indicator one year apart: the CAGR is the year-over-year growth,
  // Shanghai's linkers 35 -> 36.09.
  ASSERT_TRUE(compare(ids[2], "", "linkers", &changes).ok());
  for (const auto& c : changes.changes()) {
    if (c.region_code() != "CN-SH") continue;
    EXPECT_NEAR(c.raw_growth(), 36.09 / 35 - 1, 1e-12);
    EXPECT_NEAR(c.raw_cagr(), 36.09 / 35 - 1, 1e-12);
  }
  // Three periods apart, against 2020: Shanghai (region 7 of the sorted
  // codes) has linkers (leaf 8) 10 + ((7 x 7 + 13 x 8) mod 17) x 5 =
  // 10 + (153 mod 17 = 0) x 5 = 10 in 2020 and 36.09 in 2023:
  // CAGR = 3.609^(1/3) - 1, growth 2.609. Tibet's 0 in 2023 has no CAGR.
  const std::string run_2020 = MustCompute(Spec(2020));
  ASSERT_TRUE(compare(ids[2], run_2020, "linkers", &changes).ok());
  EXPECT_EQ(changes.previous_period(), 2020);
  bool seen_sh = false, seen_xz = false;
  for (const auto& c : changes.changes()) {
    if (c.region_code() == "CN-SH") {
      seen_sh = true;
      EXPECT_NEAR(c.raw_cagr(), std::cbrt(3.609) - 1, 1e-12);
      EXPECT_NEAR(c.raw_growth(), 2.609, 1e-12);
    }
    if (c.region_code() == "CN-XZ") {
      seen_xz = true;
      EXPECT_FALSE(c.has_raw_cagr());
      EXPECT_EQ(c.raw_share(), 0);
    }
  }
  EXPECT_TRUE(seen_sh && seen_xz);
  // 2021's previous period, 2020, is computed now; 2020's (2019) is not.
  ASSERT_TRUE(compare(ids[0], "", "", &changes).ok());
  EXPECT_EQ(changes.previous_run_id(), run_2020);
  s = compare(run_2020, "", "", &changes);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
  EXPECT_THAT(s.error_message(),
              HasSubstr(absl::StrCat("no run of the same spec as ", run_2020, " for 2019")));

  // Clusters take the run's tiers among themselves: thresholds 100 and 50
  // give 长三角 106.93 tier 1, 京津冀 97.82 and 珠三角 73.56 tier 2, 川渝
  // 22.70 tier 3; the provinces keep theirs (Beijing 81.57: tier 2).
  sv1::RunSpec thresholds = Spec(2023);
  thresholds.mutable_tiers()->mutable_thresholds()->add_cutoffs(100);
  thresholds.mutable_tiers()->mutable_thresholds()->add_cutoffs(50);
  Rows rows = Export(MustCompute(thresholds));
  EXPECT_EQ(At(rows, "cluster:YRD", "ai_index").tier(), 1);
  EXPECT_EQ(At(rows, "cluster:JJJ", "ai_index").tier(), 2);
  EXPECT_EQ(At(rows, "cluster:PRD", "ai_index").tier(), 2);
  EXPECT_EQ(At(rows, "cluster:CY", "ai_index").tier(), 3);
  EXPECT_EQ(At(rows, "CN-BJ", "ai_index").tier(), 2);
  EXPECT_EQ(At(rows, "CN-SH", "ai_index").tier(), 3);
  EXPECT_FALSE(At(rows, "cluster:YRD", "enterprise").has_tier());

  // Bad series store nothing new and say why.
  const int64_t stored = RunCount();
  struct Case {
    std::vector<int> periods;
    int spec_period;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{2022, 2023}, 2023, "spec.period: must be 0 (unset) with periods"},
      {{2022, 2022}, 0, "periods: 2022 is listed twice"},
      {{2022, 1850}, 0, "periods: 1850 is outside 1900-2100"},
      {{2019, 2020}, 0, "period 2019: spec.period: framework ai v1 has no data in 2019"},
      {{2020, 2019}, 0, "(the runs of the 1 period(s) before it are stored)"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.expected);
    sv1::ComputeScoresRequest bad;
    *bad.mutable_spec() = Spec(c.spec_period);
    for (int p : c.periods) bad.add_periods(p);
    sv1::ComputeScoresResponse response;
    grpc::ClientContext ctx;
    s = stub_->ComputeScores(&ctx, bad, &response);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr(c.expected));
  }
  EXPECT_EQ(RunCount(), stored);  // 2020's run existed already
}

TEST_F(ScoringTest, GroupImputationFlagsAndFillsMissingValues) {
  // 2021: Anhui's government indicator is missing; the mean over the other
  // "east" provinces (80 + 70 + 35 + 28 + 30 + 10 + 12.5) / 7 fills it.
  sv1::RunSpec spec = Spec(2021);
  spec.mutable_presentation()->set_global_weighted(false);
  spec.mutable_pipeline()->mutable_imputation()->set_method(sv1::IMPUTATION_METHOD_GROUP_MEAN);
  spec.mutable_pipeline()->mutable_imputation()->set_group_attribute("area");
  sv1::ComputeScoresResponse response;
  grpc::Status s = Compute(spec, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.run().summary().imputed_cells(), 1);
  EXPECT_EQ(response.run().group_labels_size(), 11);
  Rows rows = Export(response.run().id());
  const double filled = (80 + 70 + 35 + 28 + 30 + 10 + 12.5) / 7;
  const sv1::ResultRow& cell = At(rows, "CN-AH", "gov_response");
  EXPECT_TRUE(cell.imputed());
  EXPECT_FALSE(cell.has_raw());
  EXPECT_NEAR(cell.normalised(), filled, 1e-9);
  // Natural scale: composite = sum_d w_d m_d = 12 (1 - 0.0352) + filled 0.0352.
  EXPECT_NEAR(At(rows, "CN-AH", "ai_index").score(), 12 * (1 - 0.0352) + filled * 0.0352, 1e-9);
  EXPECT_FALSE(At(rows, "CN-SH", "gov_response").imputed());
}

TEST_F(ScoringTest, WeightsComeFromTheWeightingService) {
  // Equal weights computed on request: each dimension 1/6.
  sv1::RunSpec spec = Spec(2023);
  spec.mutable_weights()->mutable_compute()->set_method(wv1::METHOD_EQUAL);
  sv1::ComputeScoresResponse computed;
  grpc::Status s = Compute(spec, &computed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const std::string set_id = computed.run().weight_set_id();
  EXPECT_THAT(set_id, StartsWith("ws-"));
  EXPECT_EQ(computed.run().spec().weights().compute().framework().code(), "ai");
  for (const sv1::NodeInfo& n : computed.run().summary().nodes()) {
    if (n.level() == 2) {
      EXPECT_NEAR(n.global_weight(), 1.0 / 6, 1e-12) << n.code();
    }
  }
  // The stored set by id gives the same scores.
  sv1::RunSpec by_id = Spec(2023);
  by_id.mutable_weights()->set_weight_set_id(set_id);
  sv1::ComputeScoresResponse stored;
  ASSERT_TRUE(Compute(by_id, &stored).ok());
  EXPECT_EQ(stored.run().weight_set_id(), set_id);
  EXPECT_NE(stored.run().id(), computed.run().id());
  Rows a = Export(computed.run().id());
  Rows b = Export(stored.run().id());
  // Equal weights: Beijing = (31.90/0.4368 + 20.09/0.2127 + ...) / 6.
  double beijing = 0;
  for (const Dimension& d : Dimensions()) beijing += d.beijing / d.weight / 6;
  EXPECT_NEAR(At(a, "CN-BJ", "ai_index").score(), beijing, 1e-9);
  EXPECT_DOUBLE_EQ(At(b, "CN-BJ", "ai_index").score(), At(a, "CN-BJ", "ai_index").score());
}

TEST_F(ScoringTest, UncertaintyCollapsesWithoutPerturbationAndIsDeterministic) {
  const std::string run = MustCompute(Spec(2023));
  // Every perturbation switched off: each interval is the nominal rank.
  sv1::ComputeUncertaintyRequest off;
  off.set_run_id(run);
  off.set_replicates(200);
  for (int level : {1, 2}) {
    sv1::WeightPerturbation* w = off.mutable_assumptions()->add_weights();
    w->set_level(level);
    w->set_fraction(0);
  }
  sv1::ComputeUncertaintyResponse collapsed;
  grpc::Status s = Uncertainty(off, &collapsed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(collapsed.uncertainty().regions_size(), 11);
  for (const auto& r : collapsed.uncertainty().regions()) {
    EXPECT_EQ(r.mean_rank(), r.nominal_rank()) << r.region_code();
    EXPECT_EQ(r.median_rank(), r.nominal_rank());
    EXPECT_EQ(r.p05_rank(), r.nominal_rank());
    EXPECT_EQ(r.p95_rank(), r.nominal_rank());
  }
  EXPECT_EQ(collapsed.uncertainty().regions(0).region_code(), "CN-BJ");
  EXPECT_NEAR(collapsed.uncertainty().regions(0).nominal_score(), 81.57, 1e-9);

  // The same analysis of two runs with identical scores (they differ only
  // in their tiers) on one and on two threads: identical results. 2020's
  // data gives the assumptions ranks to move.
  const std::string varied = MustCompute(Spec(2020));
  sv1::RunSpec other = Spec(2020);
  other.mutable_tiers()->mutable_median_split();
  const std::string twin = MustCompute(other);
  ASSERT_NE(twin, varied);
  sv1::ComputeUncertaintyRequest request;
  request.set_seed(20230601);
  request.set_replicates(300);
  request.set_sensitivity_samples(64);
  request.set_bootstrap(50);
  sv1::WeightPerturbation* w = request.mutable_assumptions()->add_weights();
  w->set_level(2);
  w->set_fraction(0.5);
  request.mutable_assumptions()->add_normalisations(sv1::NORMALISATION_METHOD_MIN_MAX);
  sv1::AggregationStep* power = request.mutable_assumptions()->add_aggregations();
  power->set_method(sv1::AGGREGATION_METHOD_GENERALISED);
  power->set_exponent(2);
  request.mutable_assumptions()->set_imputation(true);
  request.mutable_assumptions()->set_outlier_treatment(true);
  request.set_run_id(varied);
  request.set_threads(1);
  sv1::ComputeUncertaintyResponse first;
  s = Uncertainty(request, &first);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(first.created());
  request.set_run_id(twin);
  request.set_threads(2);
  sv1::ComputeUncertaintyResponse second;
  s = Uncertainty(request, &second);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const sv1::Uncertainty& a = first.uncertainty();
  const sv1::Uncertainty& b = second.uncertainty();
  EXPECT_THAT(a.factors(),
              ElementsAre("weight:enterprise", "weight:academic", "weight:capital",
                          "weight:openness", "weight:linkage", "weight:government", "normalisation",
                          "aggregation", "imputation", "outlier_treatment"));
  ASSERT_EQ(a.regions_size(), b.regions_size());
  for (int i = 0; i < a.regions_size(); ++i) {
    EXPECT_EQ(a.regions(i).region_code(), b.regions(i).region_code());
    EXPECT_EQ(a.regions(i).mean_rank(), b.regions(i).mean_rank());
    EXPECT_EQ(a.regions(i).median_rank(), b.regions(i).median_rank());
    EXPECT_EQ(a.regions(i).p05_rank(), b.regions(i).p05_rank());
    EXPECT_EQ(a.regions(i).p95_rank(), b.regions(i).p95_rank());
    EXPECT_LE(a.regions(i).p05_rank(), a.regions(i).nominal_rank());
    EXPECT_GE(a.regions(i).p95_rank(), a.regions(i).nominal_rank());
  }
  ASSERT_EQ(a.sensitivity_size(), 10);
  ASSERT_EQ(b.sensitivity_size(), 10);
  for (int i = 0; i < a.sensitivity_size(); ++i) {
    EXPECT_EQ(a.sensitivity(i).first_order(), b.sensitivity(i).first_order());
    EXPECT_EQ(a.sensitivity(i).total(), b.sensitivity(i).total());
    EXPECT_EQ(a.sensitivity(i).total_low(), b.sensitivity(i).total_low());
  }
  // The data is complete and no indicator fails the skewness/kurtosis test:
  // imputation and outlier treatment change nothing, so their total effect
  // is exactly 0.
  EXPECT_EQ(a.sensitivity(8).factor(), "imputation");
  EXPECT_EQ(a.sensitivity(8).total(), 0);
  EXPECT_EQ(a.sensitivity(9).total(), 0);
  EXPECT_GT(a.output_variance(), 0);
  // The nominal setting is the run itself, bit for bit.
  Rows run_rows = Export(varied);
  for (const auto& r : a.regions()) {
    EXPECT_EQ(r.nominal_score(), At(run_rows, r.region_code(), "ai_index").score());
    EXPECT_EQ(r.nominal_rank(), At(run_rows, r.region_code(), "ai_index").rank());
  }
  EXPECT_EQ(a.model_runs(), 301 + 64 * 12 + 1);

  // Asking again returns the stored analysis, whatever the thread count.
  request.set_run_id(varied);
  request.set_threads(2);
  sv1::ComputeUncertaintyResponse again;
  ASSERT_TRUE(Uncertainty(request, &again).ok());
  EXPECT_FALSE(again.created());
  EXPECT_EQ(again.uncertainty().id(), a.id());
  grpc::ClientContext ctx;
  sv1::GetUncertaintyRequest get;
  get.set_id(a.id());
  sv1::GetUncertaintyResponse got;
  ASSERT_TRUE(stub_->GetUncertainty(&ctx, get, &got).ok());
  EXPECT_EQ(got.uncertainty().regions_size(), 11);
  EXPECT_EQ(got.uncertainty().regions(3).mean_rank(), a.regions(3).mean_rank());
}

TEST_F(ScoringTest, UncertaintyAssembledFromBlocksEqualsOneCall) {
  // Two runs with identical scores (they differ only in their tiers), so
  // their analyses have different ids: one computed in one call, the other
  // from two Monte Carlo blocks and then assembled. Replicate j draws from
  // its own stream, so every interval must be equal bit for bit. 2020's
  // data gives the weights ranks to move.
  const std::string whole_run = MustCompute(Spec(2020));
  sv1::RunSpec other = Spec(2020);
  other.mutable_tiers()->mutable_median_split();
  const std::string blocks_run = MustCompute(other);
  ASSERT_NE(blocks_run, whole_run);
  sv1::ComputeUncertaintyRequest request;
  request.set_seed(424242);
  request.set_replicates(300);
  request.set_sensitivity_samples(16);
  request.set_bootstrap(20);
  sv1::WeightPerturbation* w = request.mutable_assumptions()->add_weights();
  w->set_level(2);
  w->set_fraction(0.5);
  request.mutable_assumptions()->add_normalisations(sv1::NORMALISATION_METHOD_MIN_MAX);
  request.set_run_id(whole_run);
  sv1::ComputeUncertaintyResponse whole;
  grpc::Status s = Uncertainty(request, &whole);
  ASSERT_TRUE(s.ok()) << s.error_message();

  // Bad blocks name the field.
  request.set_run_id(blocks_run);
  for (const auto& [first, count, field] :
       std::vector<std::tuple<int64_t, int64_t, std::string>>{{-1, 10, "block.first"},
                                                              {300, 1, "block.first"},
                                                              {0, 0, "block.count"},
                                                              {250, 51, "block.count"}}) {
    sv1::ComputeUncertaintyRequest bad = request;
    bad.mutable_block()->set_first(first);
    bad.mutable_block()->set_count(count);
    sv1::ComputeUncertaintyResponse response;
    s = Uncertainty(bad, &response);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << first << " " << count;
    EXPECT_THAT(s.error_message(), HasSubstr(field));
  }

  // Blocks [120, 300) and [0, 120), in that order: no intervals yet, one
  // analysis id (that of the call without a block), idempotent.
  std::string id;
  for (const auto& [first, count] :
       std::vector<std::pair<int64_t, int64_t>>{{120, 180}, {0, 120}}) {
    sv1::ComputeUncertaintyRequest block = request;
    block.mutable_block()->set_first(first);
    block.mutable_block()->set_count(count);
    sv1::ComputeUncertaintyResponse response;
    s = Uncertainty(block, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_TRUE(response.created());
    EXPECT_EQ(response.uncertainty().regions_size(), 0);
    EXPECT_EQ(response.uncertainty().sensitivity_size(), 0);
    EXPECT_EQ(response.uncertainty().request().block().first(), first);
    if (id.empty()) id = response.uncertainty().id();
    EXPECT_EQ(response.uncertainty().id(), id);
    sv1::ComputeUncertaintyResponse again;
    ASSERT_TRUE(Uncertainty(block, &again).ok());
    EXPECT_FALSE(again.created());
    EXPECT_EQ(again.uncertainty().id(), id);
  }
  // The same first replicate with another count is refused.
  sv1::ComputeUncertaintyRequest clash = request;
  clash.mutable_block()->set_first(0);
  clash.mutable_block()->set_count(50);
  sv1::ComputeUncertaintyResponse clash_response;
  EXPECT_EQ(Uncertainty(clash, &clash_response).error_code(), grpc::StatusCode::ALREADY_EXISTS);

  sv1::ComputeUncertaintyResponse assembled;
  s = Uncertainty(request, &assembled);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(assembled.created());
  const sv1::Uncertainty& a = whole.uncertainty();
  const sv1::Uncertainty& b = assembled.uncertainty();
  EXPECT_EQ(b.id(), id);
  EXPECT_FALSE(b.request().has_block());
  EXPECT_EQ(b.model_runs(), a.model_runs());
  ASSERT_EQ(a.regions_size(), 11);
  ASSERT_EQ(b.regions_size(), a.regions_size());
  bool varies = false;
  for (int i = 0; i < a.regions_size(); ++i) {
    SCOPED_TRACE(a.regions(i).region_code());
    EXPECT_EQ(b.regions(i).region_code(), a.regions(i).region_code());
    EXPECT_EQ(b.regions(i).nominal_score(), a.regions(i).nominal_score());
    EXPECT_EQ(b.regions(i).nominal_rank(), a.regions(i).nominal_rank());
    EXPECT_EQ(b.regions(i).mean_rank(), a.regions(i).mean_rank());
    EXPECT_EQ(b.regions(i).median_rank(), a.regions(i).median_rank());
    EXPECT_EQ(b.regions(i).p05_rank(), a.regions(i).p05_rank());
    EXPECT_EQ(b.regions(i).p95_rank(), a.regions(i).p95_rank());
    if (a.regions(i).p05_rank() != a.regions(i).p95_rank()) varies = true;
  }
  EXPECT_TRUE(varies);  // the intervals are not all collapsed
  ASSERT_EQ(b.sensitivity_size(), a.sensitivity_size());
  for (int i = 0; i < a.sensitivity_size(); ++i) {
    EXPECT_EQ(b.sensitivity(i).first_order(), a.sensitivity(i).first_order());
    EXPECT_EQ(b.sensitivity(i).total(), a.sensitivity(i).total());
  }
}

TEST_F(ScoringTest, UncertaintyHonoursDeadlineAndCancellationAndKeepsServing) {
  const std::string run = MustCompute(Spec(2023));
  // About 1.7 million pipeline runs: far longer than the deadline.
  sv1::ComputeUncertaintyRequest request;
  request.set_run_id(run);
  request.set_replicates(100000);
  request.set_sensitivity_samples(100000);
  for (int level : {1, 2}) {
    sv1::WeightPerturbation* w = request.mutable_assumptions()->add_weights();
    w->set_level(level);
    w->set_fraction(0.25);
  }
  sv1::ComputeUncertaintyResponse response;
  grpc::Status s = Uncertainty(request, &response, absl::Seconds(2));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << s.error_message();
  // The server stopped the computation itself and said why.
  EXPECT_TRUE(WaitFor(
                  [&] {
                    return scoring_->Log().find("computation deadline exceeded") !=
                           std::string::npos;
                  },
                  absl::Seconds(60))
                  .ok())
      << scoring_->Log();

  // A client that gives up: CANCELLED, and the server stops too.
  request.set_seed(7);
  grpc::ClientContext ctx;
  std::thread canceller([&] {
    absl::SleepFor(absl::Seconds(2));
    ctx.TryCancel();
  });
  s = stub_->ComputeUncertainty(&ctx, request, &response);
  canceller.join();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::CANCELLED) << s.error_message();
  EXPECT_TRUE(
      WaitFor([&] { return scoring_->Log().find("computation cancelled") != std::string::npos; },
              absl::Seconds(60))
          .ok())
      << scoring_->Log();

  // Still serving, and nothing was stored for the abandoned analyses.
  grpc::ClientContext get_ctx;
  sv1::GetRunRequest get;
  get.set_id(run);
  sv1::GetRunResponse got;
  EXPECT_TRUE(stub_->GetRun(&get_ctx, get, &got).ok());
  EXPECT_EQ(HealthOf(scoring_->Channel(), "readiness"), "SERVING");
  EXPECT_EQ(HealthOf(scoring_->Channel(), "innoscope.scoring.v1.ScoringService"), "SERVING");
}

TEST_F(ScoringTest, BadInputNamesTheProblemAndStoresNothing) {
  // A second version of the framework, and a weight set computed for it.
  CreateFramework("AI industry regional competitiveness (test), revised");
  wv1::ComputeWeightsRequest weights;
  weights.mutable_framework()->set_code("ai");
  weights.mutable_framework()->set_version(2);
  weights.set_method(wv1::METHOD_EQUAL);
  wv1::ComputeWeightsResponse v2_set;
  {
    grpc::ClientContext ctx;
    grpc::Status s = weighting_stub_->ComputeWeights(&ctx, weights, &v2_set);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  struct Case {
    sv1::RunSpec spec;
    grpc::StatusCode code;
    std::string expected;
  };
  std::vector<Case> cases;
  {
    sv1::RunSpec spec = Spec(2023);
    spec.mutable_framework()->set_version(9);
    cases.push_back({spec, grpc::StatusCode::NOT_FOUND, "framework ai v9 does not exist"});
  }
  cases.push_back({Spec(2019), grpc::StatusCode::INVALID_ARGUMENT,
                   "spec.period: framework ai v1 has no data in 2019"});
  {
    sv1::RunSpec spec = Spec(2023);
    spec.mutable_universe()->mutable_regions()->add_codes("CN-BJ");
    cases.push_back({spec, grpc::StatusCode::INVALID_ARGUMENT,
                     "1 region with data in 2023 (CN-BJ); a ranking needs at least 2"});
    spec.mutable_universe()->mutable_regions()->add_codes("XX");
    cases.push_back({spec, grpc::StatusCode::INVALID_ARGUMENT,
                     "spec.universe.regions: no data of framework ai v1 in 2023 for XX"});
  }
  {
    sv1::RunSpec spec = Spec(2023);
    spec.mutable_weights()->set_weight_set_id(v2_set.weight_set().id());
    cases.push_back({spec, grpc::StatusCode::FAILED_PRECONDITION,
                     absl::StrCat("weight set ", v2_set.weight_set().id(),
                                  " is for framework ai v2, not ai v1")});
  }
  {
    sv1::RunSpec spec = Spec(2023);
    spec.mutable_weights()->set_weight_set_id("ws-0000000000000000");
    cases.push_back({spec, grpc::StatusCode::NOT_FOUND, "ws-0000000000000000"});
  }
  {
    // Tibet's indicators are 0: the geometric mean is undefined there.
    sv1::RunSpec spec = Spec(2023);
    spec.mutable_aggregation()->mutable_method()->set_method(sv1::AGGREGATION_METHOD_GEOMETRIC);
    cases.push_back({spec, grpc::StatusCode::INVALID_ARGUMENT, "for region 'CN-XZ'"});
  }
  {
    sv1::RunSpec spec = Spec(2023);
    spec.mutable_tiers()->set_natural_breaks(30);
    cases.push_back({spec, grpc::StatusCode::INVALID_ARGUMENT, "spec.tiers.natural_breaks"});
  }
  {
    sv1::RunSpec spec = Spec(2023);
    (*spec.mutable_pipeline()->mutable_normalisation_by_indicator())["enterprise"] =
        sv1::Normalisation();
    cases.push_back({spec, grpc::StatusCode::INVALID_ARGUMENT, "not an indicator (leaf)"});
  }
  {
    sv1::RunSpec spec = Spec(2023);
    spec.mutable_pipeline()->mutable_imputation()->set_method(sv1::IMPUTATION_METHOD_GROUP_MEDIAN);
    cases.push_back({spec, grpc::StatusCode::INVALID_ARGUMENT,
                     "spec.pipeline.imputation.group_attribute: required"});
  }
  {
    sv1::RunSpec spec = Spec(2023);
    spec.mutable_universe()->set_cluster_code("NOPE");
    cases.push_back({spec, grpc::StatusCode::INVALID_ARGUMENT,
                     "spec.universe.cluster_code: cluster \"NOPE\" has no members in 2023"});
  }
  for (const Case& c : cases) {
    SCOPED_TRACE(c.expected);
    sv1::ComputeScoresResponse response;
    grpc::Status s = Compute(c.spec, &response);
    EXPECT_EQ(s.error_code(), c.code) << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr(c.expected));
  }
  EXPECT_EQ(RunCount(), 0);

  // Uncertainty: sizes beyond the limits, bad assumptions.
  const std::string run = MustCompute(Spec(2023));
  struct UncertaintyCase {
    sv1::ComputeUncertaintyRequest request;
    grpc::StatusCode code;
    std::string expected;
  };
  std::vector<UncertaintyCase> analyses;
  sv1::ComputeUncertaintyRequest base;
  base.set_run_id(run);
  {
    auto r = base;
    r.set_replicates(1000000);
    analyses.push_back({r, grpc::StatusCode::RESOURCE_EXHAUSTED,
                        "replicates: 1000000 is over the limit of 100000"});
    r.set_replicates(-1);
    analyses.push_back({r, grpc::StatusCode::INVALID_ARGUMENT, "replicates: must be >= 0"});
  }
  {
    auto r = base;
    r.set_sensitivity_samples(1000000);
    analyses.push_back({r, grpc::StatusCode::RESOURCE_EXHAUSTED, "sensitivity_samples"});
    r.set_sensitivity_samples(100);
    analyses.push_back({r, grpc::StatusCode::INVALID_ARGUMENT, "needs at least one assumption"});
  }
  {
    auto r = base;
    r.set_bootstrap(20000);
    analyses.push_back({r, grpc::StatusCode::RESOURCE_EXHAUSTED, "bootstrap"});
  }
  {
    auto r = base;
    r.mutable_assumptions()->add_weights()->set_level(3);
    analyses.push_back({r, grpc::StatusCode::INVALID_ARGUMENT, "the composite has no weight"});
  }
  {
    auto r = base;
    auto* w = r.mutable_assumptions()->add_weights();
    w->set_level(1);
    w->set_fraction(1.5);
    analyses.push_back({r, grpc::StatusCode::INVALID_ARGUMENT, "fraction must be in [0, 1)"});
  }
  {
    auto r = base;
    r.set_run_id("run-0000000000000000");
    analyses.push_back({r, grpc::StatusCode::NOT_FOUND, "run-0000000000000000"});
  }
  for (const UncertaintyCase& c : analyses) {
    SCOPED_TRACE(c.expected);
    sv1::ComputeUncertaintyResponse response;
    grpc::Status s = Uncertainty(c.request, &response);
    EXPECT_EQ(s.error_code(), c.code) << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr(c.expected));
  }

  // Reading runs: unknown run, node, universe member.
  sv1::GetRankingRequest ranking;
  ranking.set_run_id("run-0000000000000000");
  sv1::GetRankingResponse out;
  EXPECT_EQ(Ranking(ranking, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  ranking.set_run_id(run);
  ranking.set_node_code("nope");
  grpc::Status s = Ranking(ranking, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("\"nope\" is not a node of run"));
  ranking.clear_node_code();
  ranking.mutable_universe()->mutable_regions()->add_codes("XX");
  s = Ranking(ranking, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("universe.regions: not in run"));
  EXPECT_EQ(HealthOf(scoring_->Channel(), "readiness"), "SERVING");
}

}  // namespace
}  // namespace innoscope::testing

namespace innoscope::testing {
namespace {

// Drafts (ComputeScoresRequest.draft) and PublishRuns: what a batch job such
// as `innoscope-recompute` uses so that a failure half-way shows nothing.
TEST_F(ScoringTest, DraftRunsStayHiddenUntilPublishedAllOrNone) {
  sv1::ComputeScoresRequest request;
  *request.mutable_spec() = Spec(0);
  request.add_periods(2022);
  request.add_periods(2023);
  request.set_draft(true);
  sv1::ComputeScoresResponse drafts;
  {
    grpc::ClientContext ctx;
    grpc::Status s = stub_->ComputeScores(&ctx, request, &drafts);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  ASSERT_EQ(drafts.runs_size(), 2);
  const std::string d2022 = drafts.runs(0).run().id();
  const std::string d2023 = drafts.runs(1).run().id();
  EXPECT_TRUE(drafts.runs(0).created());

  // Readable by id, but not listed and not a series' newest run.
  EXPECT_EQ(RunCount(), 0);
  {
    grpc::ClientContext ctx;
    sv1::GetRunRequest get;
    get.set_id(d2023);
    sv1::GetRunResponse run;
    ASSERT_TRUE(stub_->GetRun(&ctx, get, &run).ok());
    EXPECT_EQ(run.run().spec().period(), 2023);
  }
  sv1::GetRankingRequest ranking;
  ranking.set_run_id(d2023);
  sv1::GetRankingResponse ranked;
  ASSERT_TRUE(Ranking(ranking, &ranked).ok());
  EXPECT_GT(ranked.entries_size(), 0);
  auto compare = [&](sv1::CompareRunsResponse* out) {
    sv1::CompareRunsRequest r;
    r.set_run_id(d2023);
    grpc::ClientContext ctx;
    return stub_->CompareRuns(&ctx, r, out);
  };
  sv1::CompareRunsResponse changes;
  grpc::Status s = compare(&changes);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();

  auto publish = [&](const std::vector<std::string>& ids, sv1::PublishRunsResponse* out) {
    sv1::PublishRunsRequest r;
    for (const std::string& id : ids) r.add_run_ids(id);
    grpc::ClientContext ctx;
    return stub_->PublishRuns(&ctx, r, out);
  };
  sv1::PublishRunsResponse published;
  // An unknown id: NOT_FOUND naming it, and the known ones stay drafts.
  s = publish({d2022, "run-0000000000000000", d2023}, &published);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("run-0000000000000000"));
  EXPECT_EQ(RunCount(), 0);
  s = publish({}, &published);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();

  // Both at once; then listed, and 2022 is 2023's previous period.
  s = publish({d2022, d2023, d2022}, &published);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(published.published(), 2);
  EXPECT_EQ(RunCount(), 2);
  s = compare(&changes);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(changes.previous_run_id(), d2022);
  // Idempotent.
  s = publish({d2022, d2023}, &published);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(published.published(), 0);
  EXPECT_EQ(RunCount(), 2);

  // A published run asked for again as a draft stays published.
  sv1::ComputeScoresRequest again;
  *again.mutable_spec() = Spec(2023);
  again.set_draft(true);
  sv1::ComputeScoresResponse same;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->ComputeScores(&ctx, again, &same).ok());
  }
  EXPECT_EQ(same.run().id(), d2023);
  EXPECT_FALSE(same.created());
  EXPECT_EQ(RunCount(), 2);
  // A draft asked for without draft is published.
  *again.mutable_spec() = Spec(2021);
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->ComputeScores(&ctx, again, &same).ok());
  }
  EXPECT_TRUE(same.created());
  EXPECT_EQ(RunCount(), 2);
  sv1::ComputeScoresResponse visible;
  ASSERT_TRUE(Compute(Spec(2021), &visible).ok());
  EXPECT_EQ(visible.run().id(), same.run().id());
  EXPECT_FALSE(visible.created());
  EXPECT_EQ(RunCount(), 3);
}

// An INVALID_ARGUMENT naming a request field carries it as a
// google.rpc.BadRequest detail, which a client reads without parsing the
// message.
TEST_F(ScoringTest, BadFieldTravelsAsGoogleRpcBadRequest) {
  sv1::ComputeScoresResponse response;
  grpc::Status s = Compute(Spec(2019), &response);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_THAT(BadRequestFields(s),
              ElementsAre(StartsWith("spec.period: framework ai v1 has no data in 2019")));
  EXPECT_EQ(RunCount(), 0);
}

}  // namespace
}  // namespace innoscope::testing
