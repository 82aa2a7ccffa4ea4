// The whole pipeline against published results: UNDP's HDI 2022 and COINr's
// ASEM index. Reads ../shared (skips cleanly without it).

#include "libs/scoring/pipeline.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_macros.h"
#include "libs/common/status_matchers.h"
#include "libs/index/csv.h"
#include "libs/index/data_csv.h"
#include "libs/index/framework_csv.h"
#include "libs/index/matrix_ops.h"
#include "tests/shared_data.h"

namespace innoscope::scoring {
namespace {

using index::DataMatrix;
using index::Framework;
using index::FrameworkNode;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

FrameworkNode Node(std::string code, std::string parent, int level, double weight,
                   std::optional<double> goal_min = {}, std::optional<double> goal_max = {}) {
  FrameworkNode n;
  n.code = std::move(code);
  n.parent = std::move(parent);
  n.level = level;
  n.weight = weight;
  n.goal_min = goal_min;
  n.goal_max = goal_max;
  return n;
}

// UNDP HDI technical notes (HDR 2023/24): dimension indices by goalposts
// (life expectancy 20-85; expected schooling 0-18; mean schooling 0-15;
// GNI per capita 100-75,000 in logs; values outside capped), education as
// the mean of its two indices, HDI as the geometric mean of the three.
TEST(PipelineTest, ReproducesUndpHdi2022ForEveryCountryWithCompleteData) {
  INNOSCOPE_REQUIRE_SHARED(dir);
  index::WideCsvOptions csv;
  csv.region_column = "iso3";
  csv.label_columns = {"country", "hdicode", "region"};
  ASSERT_OK_AND_ASSIGN(
      index::WideCsvData hdr,
      index::ParseWideCsv(ReadFile(dir + "/datasets/composite/hdr/hdi_2022_components_extract.csv"),
                          csv));
  ASSERT_OK_AND_ASSIGN(
      Framework hdi,
      Framework::Create(
          {Node("hdi", "", 3, 1), Node("health", "hdi", 2, 1), Node("education", "hdi", 2, 1),
           Node("income", "hdi", 2, 1), Node("le_2022", "health", 1, 1, 20, 85),
           Node("eys_2022", "education", 1, 1, 0, 18), Node("mys_2022", "education", 1, 1, 0, 15),
           Node("gnipc_2022", "income", 1, 1, 100, 75000)}));
  PipelineSpec spec;
  spec.normalise.method = index::NormaliseMethod::kGoalposts;
  spec.normalise.lower = 0;
  spec.normalise.upper = 1;
  spec.by_indicator["gnipc_2022"] = spec.normalise;
  spec.by_indicator["gnipc_2022"].log_scale = true;
  spec.aggregation.by_level[3] = {AggregationMethod::kGeometric};
  spec.aggregation.missing = MissingPolicy::kPropagate;
  ASSERT_OK_AND_ASSIGN(PipelineResult r, RunPipeline({hdi, hdr.matrix}, spec));

  const int published = hdr.matrix.IndicatorIndex("hdi_2022");
  int compared = 0, reproduced = 0;
  for (size_t row = 0; row < hdr.matrix.rows(); ++row) {
    double ours = r.scores.Get(row, hdi.Root());
    double theirs = hdr.matrix.Get(row, published);
    if (std::isnan(ours) || std::isnan(theirs)) continue;
    ++compared;
    if (std::fabs(std::round(ours * 1000) / 1000 - theirs) < 1e-9) {
      ++reproduced;
    } else {
      ADD_FAILURE() << hdr.matrix.regions()[row] << " ours " << ours << " published " << theirs;
    }
  }
  EXPECT_EQ(compared, 204);
  EXPECT_EQ(reproduced, 204);
  // Spot checks from the published table.
  EXPECT_NEAR(r.scores.Get(hdr.matrix.RegionIndex("CHE"), hdi.Root()), 0.967, 5e-4);
  EXPECT_NEAR(r.scores.Get(hdr.matrix.RegionIndex("CHN"), hdi.Root()), 0.788, 5e-4);
}

// COINr's build_example_coin(): Denominate -> Impute(group mean by
// EurAsia_group) -> Screen(dat_thresh 0.9) -> Treat -> min-max 0-100 ->
// weighted arithmetic means. Published results (COINr docs,
// asem_published_results.csv): CHE 68.38, NLD 64.82, DNK 64.80, NOR 64.47,
// BEL 63.54, SWE 63.00, IND 39.79 rank 45, with every pillar and sub-index.
// COINr's ASEM example: its metadata and its data (wide, with the group
// label columns).
struct Asem {
  index::CoinrMeta meta;
  index::WideCsvData raw;
};

absl::StatusOr<Asem> LoadAsem(const std::string& dir) {
  const std::string base = dir + "/datasets/composite/coinr_asem/";
  Asem asem;
  ASSIGN_OR_RETURN(asem.meta, index::ParseCoinrMetaCsv(ReadFile(base + "ASEM_iMeta.csv")));
  index::WideCsvOptions csv;
  csv.region_column = "uCode";
  csv.label_columns = {"uName", "GDP_group", "GDPpc_group", "Pop_group", "EurAsia_group"};
  csv.ignore_columns = {"Time"};
  ASSIGN_OR_RETURN(asem.raw, index::ParseWideCsv(ReadFile(base + "ASEM_iData.csv"), csv));
  return asem;
}

TEST(PipelineTest, ReproducesCoinrsAsemIndex) {
  INNOSCOPE_REQUIRE_SHARED(dir);
  ASSERT_OK_AND_ASSIGN(Asem asem, LoadAsem(dir));
  const index::CoinrMeta& meta = asem.meta;
  const index::WideCsvData& raw = asem.raw;
  ASSERT_OK_AND_ASSIGN(DataMatrix denominators,
                       index::SelectIndicators(raw.matrix, meta.CodesOfType("Denominator")));
  PipelineSpec spec;
  spec.denominate = true;
  spec.impute = index::ImputeMethod::kGroupMean;
  spec.screen_region_threshold = 0.9;
  spec.treat_outliers = true;
  PipelineInputs in{meta.framework, raw.matrix, &denominators, raw.labels.at("EurAsia_group")};
  ASSERT_OK_AND_ASSIGN(PipelineResult r, RunPipeline(in, spec));
  int winsorised = 0;
  for (const auto& report : r.outlier_reports) winsorised += report.winsorised > 0 ? 1 : 0;
  EXPECT_EQ(winsorised, 15);

  index::CsvOptions options;
  options.comment = '#';
  ASSERT_OK_AND_ASSIGN(
      index::CsvTable published,
      index::ParseCsvTable(
          ReadFile(dir + "/datasets/composite/coinr_asem/asem_published_results.csv"), options));
  ASSERT_EQ(published.rows.size(), 7u);
  const Framework& f = meta.framework;
  for (const index::CsvRow& row : published.rows) {
    const std::string& code = row.fields[published.Column("uCode")];
    const int region = r.scores.RegionIndex(code);
    ASSERT_GE(region, 0) << code;
    for (size_t c = 0; c < published.header.size(); ++c) {
      const std::string& node = published.header[c];
      if (node == "uCode" || node == "Rank") continue;
      const int id = f.Find(node);
      ASSERT_GE(id, 0) << node;
      EXPECT_NEAR(r.scores.Get(region, id), std::stod(row.fields[c]), 0.005 + 1e-9)
          << code << " " << node;
    }
    EXPECT_EQ(r.ranks[f.Root()][region], std::stoi(row.fields[published.Column("Rank")])) << code;
  }
}

// The same ASEM run on three threads (outlier treatment and normalisation
// column by column, ranks node by node) gives one thread's result exactly:
// every treated, normalised and aggregated value and every rank.
TEST(PipelineTest, ThreadsDoNotChangeTheResult) {
  INNOSCOPE_REQUIRE_SHARED(dir);
  ASSERT_OK_AND_ASSIGN(Asem asem, LoadAsem(dir));
  const index::CoinrMeta& meta = asem.meta;
  const index::WideCsvData& raw = asem.raw;
  PipelineSpec spec;
  spec.impute = index::ImputeMethod::kColumnMean;
  spec.treat_outliers = true;
  spec.normalise.method = index::NormaliseMethod::kRank;
  spec.aggregation.spec.method = AggregationMethod::kGeometric;
  PipelineInputs in{meta.framework, raw.matrix};
  ASSERT_OK_AND_ASSIGN(PipelineResult one, RunPipeline(in, spec));
  RunControl control;
  control.num_threads = 3;
  ASSERT_OK_AND_ASSIGN(PipelineResult three, RunPipeline(in, spec, control));
  ASSERT_EQ(one.scores.rows(), three.scores.rows());
  ASSERT_EQ(one.scores.cols(), three.scores.cols());
  for (size_t c = 0; c < one.scores.cols(); ++c) {
    for (size_t r = 0; r < one.scores.rows(); ++r) {
      // Bit for bit (NaN for a missing score on both sides).
      const double a = one.scores.Get(r, c);
      const double b = three.scores.Get(r, c);
      EXPECT_TRUE(a == b || (std::isnan(a) && std::isnan(b))) << r << " " << c;
    }
  }
  EXPECT_EQ(one.ranks, three.ranks);
  EXPECT_EQ(one.normalised.Column(0)[0], three.normalised.Column(0)[0]);
  ASSERT_EQ(one.outlier_reports.size(), three.outlier_reports.size());
  for (size_t i = 0; i < one.outlier_reports.size(); ++i) {
    EXPECT_EQ(one.outlier_reports[i].winsorised, three.outlier_reports[i].winsorised) << i;
  }
  // A cancelled run stops with CANCELLED.
  control.is_cancelled = [] { return true; };
  EXPECT_EQ(RunPipeline(in, spec, control).status().code(), absl::StatusCode::kCancelled);
}

// Hand calculation: two regions, one dimension with two indicators, min-max
// 0-100: A = (10, 1) -> (100, 0); B = (0, 3) -> (0, 100); with weights
// 3:1 the dimension scores are A 75, B 25, so A ranks 1.
TEST(PipelineTest, SmallCaseByHand) {
  ASSERT_OK_AND_ASSIGN(Framework f,
                       Framework::Create({Node("root", "", 3, 1), Node("dim", "root", 2, 1),
                                          Node("x", "dim", 1, 3), Node("y", "dim", 1, 1)}));
  DataMatrix data({"A", "B"}, {"x", "y"});
  data.Set(0, 0, 10);
  data.Set(0, 1, 1);
  data.Set(1, 0, 0);
  data.Set(1, 1, 3);
  ASSERT_OK_AND_ASSIGN(PipelineResult r, RunPipeline({f, data}, PipelineSpec()));
  EXPECT_DOUBLE_EQ(r.scores.Get(0, f.Root()), 75);
  EXPECT_DOUBLE_EQ(r.scores.Get(1, f.Root()), 25);
  EXPECT_EQ(r.ranks[f.Root()][0], 1);
  EXPECT_EQ(r.ranks[f.Root()][1], 2);
  PipelineSpec bad;
  bad.weights = {1, 1};
  EXPECT_THAT(RunPipeline({f, data}, bad),
              innoscope::testing::StatusIs(absl::StatusCode::kInvalidArgument,
                                           ::testing::HasSubstr("2 values for 4 nodes")));
}

}  // namespace
}  // namespace innoscope::scoring
