#pragma once

// The plain result types an HTML report is drawn from (libs/report): scores
// and ranks per period, clusters, uncertainty, network statistics, degree
// distribution, flows, relation categories, a network layout and a scatter
// of two indicators. Both paths fill them: `innoscope report --format html`
// from the services' responses (libs/clients/report_reads.h) and from files
// (libs/report/offline.h), so the charts never see gRPC, protobuf or SQL.
//
//   ReportData data;
//   data.title = "AI competitiveness 2023";
//   data.provenance = {"scoring runs (GetRanking, ExportRun)", /*synthetic=*/true, ""};
//   data.periods.push_back(period_2022);
//   ASSIGN_OR_RETURN(ReportFiles files, BuildReport(data));   // page.h

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace innoscope::report {

// Where the numbers come from; every chart and table names it.
struct Provenance {
  std::string source;      // e.g. "scoring service runs (GetRanking, ExportRun)"
  bool synthetic = false;  // any input synthetic: every chart carries a SYNTHETIC mark
  std::string notice;      // shown under the title; "" for none
};

struct Dimension {
  std::string code;
  std::string name;
};

// A region or a cluster in one period.
struct UnitScores {
  std::string code;
  std::string name;
  std::optional<double> score;
  int rank = 0;  // 0: unranked (no score)
  int tier = 0;  // 0: no tier
  // One per PeriodResult::dimensions, in that order.
  std::vector<std::optional<double>> dimensions;
  std::vector<int> dimension_ranks;  // 0: unranked
  std::vector<std::string> members;  // clusters: member region codes
};

// The composite and dimension results of one period (one scoring run).
struct PeriodResult {
  int32_t period = 0;
  std::string run;  // run id, or the data file
  std::vector<Dimension> dimensions;
  std::vector<UnitScores> regions;   // in rank order
  std::vector<UnitScores> clusters;  // in rank order
};

struct RankInterval {
  std::string code;
  std::string name;
  int nominal_rank = 0;
  double median_rank = 0;
  double p05_rank = 0;
  double p95_rank = 0;
};

struct FactorIndex {
  std::string factor;
  std::optional<double> first_order;
  std::optional<double> total;
};

// A Monte Carlo uncertainty and sensitivity analysis of one run.
struct UncertaintyResult {
  int32_t period = 0;
  std::string id;
  int64_t model_runs = 0;
  std::vector<RankInterval> regions;  // composite rank order
  std::vector<FactorIndex> sensitivity;
};

// Network statistics of one year (cumulative up to it).
struct NetworkYear {
  int32_t year = 0;
  int64_t nodes = 0;
  int64_t edges = 0;
  double average_degree = 0;
  double density = 0;
  std::optional<double> diameter;
  std::optional<double> path_length;
  double clustering = 0;
  std::optional<double> modularity;
};

// histogram[d] = number of nodes of degree d, and the discrete power-law fit
// of its tail (Clauset, Shalizi & Newman 2009) when one exists.
struct DegreeDistribution {
  std::string label = "total degree";
  std::vector<int64_t> histogram;
  bool has_fit = false;
  double alpha = 0;
  int64_t xmin = 0;
  double ks_distance = 0;
  int64_t tail_size = 0;
  std::string note;  // why there is no fit
};

struct TopNode {
  std::string code;
  std::string name;
  std::string group;  // province, or actor kind
  double degree = 0;
  double in_degree = 0;
  double out_degree = 0;
  bool platform = false;
};

// Relations between regions: counts[i * regions.size() + j] from i to j.
struct FlowMatrix {
  std::vector<std::string> regions;
  std::vector<std::string> names;
  std::vector<int64_t> counts;
  double intra_percent = 0;
  double inter_percent = 0;
  int64_t total = 0;
};

// Relations per category per year: counts[c][y] for categories[c], years[y].
struct CategoryShares {
  std::vector<int32_t> years;
  std::vector<std::string> categories;
  std::vector<std::vector<double>> counts;
};

struct LayoutNode {
  std::string code;
  std::string label;
  double x = 0;
  double y = 0;
  double degree = 0;
  int group = 0;  // index into NetworkLayout::group_names
};

// A drawn network: positions (any unit; the chart scales them), edges as
// node index pairs, and what was left out.
struct NetworkLayout {
  std::vector<LayoutNode> nodes;
  std::vector<std::pair<int32_t, int32_t>> edges;
  std::vector<std::string> group_names;
  std::string group_kind = "community";  // what the colours mean
  std::string method;                    // e.g. "ForceAtlas2 (Barnes-Hut), seed 1, 300 iterations"
  std::string note;                      // e.g. "the 1,000 nodes of highest degree of 30,765"
  int64_t total_nodes = 0;
  int32_t labelled = 10;  // nodes of highest degree labelled
};

struct NetworkSection {
  std::string relation_set;
  int32_t up_to = 0;
  std::string source;  // e.g. "network service, relation set default"
  std::vector<NetworkYear> years;
  std::optional<DegreeDistribution> degrees;
  std::vector<TopNode> top;
  std::optional<FlowMatrix> flows;
  std::optional<CategoryShares> categories;
  std::optional<NetworkLayout> layout;
};

struct ScatterPoint {
  std::string code;
  std::string name;
  double x = 0;
  double y = 0;
};

// Two indicators' raw values per region in one period.
struct ScatterData {
  std::string x_code, x_name, x_unit;
  std::string y_code, y_name, y_unit;
  int32_t period = 0;
  std::string source;  // "" = the report's
  std::vector<ScatterPoint> points;
};

struct ReportData {
  std::string title;
  std::string framework;  // "ai2023@1" or the framework file
  Provenance provenance;
  std::vector<PeriodResult> periods;  // ascending by period
  // Regions drawn as radar profiles beside the clusters' (codes).
  std::vector<std::string> profile_regions;
  std::vector<UncertaintyResult> uncertainty;
  std::optional<NetworkSection> network;
  std::optional<ScatterData> scatter;
};

}  // namespace innoscope::report
