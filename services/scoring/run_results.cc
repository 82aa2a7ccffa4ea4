#include "services/scoring/run_results.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/scoring/framework_adapter.h"
#include "libs/scoring/statistics.h"
#include "services/scoring/run_spec.h"

namespace innoscope::scoring {
namespace {

using index::DataMatrix;

constexpr int kTopRegions = 10;

absl::flat_hash_map<std::string, size_t> RowIndex(const std::vector<std::string>& codes) {
  absl::flat_hash_map<std::string, size_t> index;
  for (size_t i = 0; i < codes.size(); ++i) index.emplace(codes[i], i);
  return index;
}

// `x_ranks` and `y_ranks`: AverageRanks of x and y when they have no
// missing value (else empty). Spearman's rho of two complete columns is
// then the Pearson correlation of those ranks: SpearmanCorrelation's own
// arithmetic (its pairwise-complete values are the columns themselves),
// without ranking each column again for every pair it is in.
v1::Correlation MakeCorrelation(const std::string& first, const std::string& second,
                                absl::Span<const double> x, absl::Span<const double> y,
                                const std::vector<double>& x_ranks,
                                const std::vector<double>& y_ranks) {
  v1::Correlation c;
  c.set_first(first);
  c.set_second(second);
  const double pearson = PearsonCorrelation(x, y);
  const double spearman = !x_ranks.empty() && !y_ranks.empty()
                              ? PearsonCorrelation(x_ranks, y_ranks)
                              : SpearmanCorrelation(x, y);
  if (std::isfinite(pearson)) c.set_pearson(pearson);
  if (std::isfinite(spearman)) c.set_spearman(spearman);
  return c;
}

// Leaf values of the scored regions (rows of `scores`) from the pipeline's
// raw matrix, which still holds the regions screening dropped.
DataMatrix RawOfScoredRegions(const PipelineResult& result) {
  DataMatrix raw(result.scores.regions(), result.raw.indicators());
  const auto raw_rows = RowIndex(result.raw.regions());
  for (size_t r = 0; r < raw.rows(); ++r) {
    const size_t from = raw_rows.at(raw.regions()[r]);
    for (size_t c = 0; c < raw.cols(); ++c) raw.Set(r, c, result.raw.Get(from, c));
  }
  return raw;
}

// Tiers of `scores` under `rule` among the clusters: a natural-breaks rule
// takes at most as many classes as the clusters have distinct scores (a
// handful of clusters rarely has the regions' number of classes).
absl::StatusOr<std::vector<int>> ClusterTiers(const v1::Tiers& rule, const std::string& node,
                                              absl::Span<const double> scores,
                                              absl::Span<const int> ranks) {
  v1::Tiers capped = rule;
  if (rule.rule_case() == v1::Tiers::kNaturalBreaks) {
    std::vector<double> present;
    for (double v : scores) {
      if (!index::IsMissingValue(v)) present.push_back(v);
    }
    std::sort(present.begin(), present.end());
    const int distinct =
        static_cast<int>(std::unique(present.begin(), present.end()) - present.begin());
    if (distinct == 0) return std::vector<int>(scores.size(), 0);
    capped.set_natural_breaks(std::min(rule.natural_breaks(), distinct));
  }
  absl::StatusOr<std::vector<int>> tiers = TierColumn(capped, node, scores, ranks);
  if (!tiers.ok()) {
    return absl::Status(tiers.status().code(),
                        absl::StrCat("clusters: ", tiers.status().message()));
  }
  return tiers;
}

absl::Status AppendClusterRows(const index::Framework& f, const PipelineSpec& spec,
                               const PipelineResult& result, const DataMatrix& raw,
                               const ClusterInputs& in, const v1::Tiers& tiers,
                               const std::vector<bool>& tiered, std::vector<RunResultRow>* rows) {
  const auto scored = RowIndex(result.scores.regions());
  std::vector<Cluster> clusters;
  std::vector<bool> is_member(result.scores.rows(), false);
  for (const v1::ClusterDefinition& def : in.definitions) {
    Cluster& c = clusters.emplace_back();
    c.code = def.code();
    for (const std::string& member : def.member_codes()) {
      auto it = scored.find(member);
      if (it == scored.end()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "spec.clusters: member ", member, " of cluster ", def.code(),
            " is not scored in this run (outside the universe, without data, or screened out)"));
      }
      c.members.push_back(static_cast<int>(it->second));
      is_member[it->second] = true;
    }
  }
  std::vector<double> weights;
  if (in.aggregate == ClusterAggregate::kWeightedMean) {
    weights.assign(result.scores.rows(), 0.0);
    const DataMatrix* w = in.member_weights;
    const auto weight_rows =
        w == nullptr ? absl::flat_hash_map<std::string, size_t>() : RowIndex(w->regions());
    for (size_t r = 0; r < weights.size(); ++r) {
      if (!is_member[r]) continue;
      const std::string& code = result.scores.regions()[r];
      auto it = weight_rows.find(code);
      if (it == weight_rows.end() || w->cols() < 1 || w->IsMissing(it->second, 0)) {
        return absl::InvalidArgumentError(
            absl::StrCat("spec.clusters.weight_indicator: no value for cluster member ", code));
      }
      weights[r] = w->Get(it->second, 0);
    }
  }
  ASSIGN_OR_RETURN(DataMatrix scores,
                   ClusterMatrix(result.scores, clusters, in.aggregate, weights));
  ASSIGN_OR_RETURN(DataMatrix cluster_raw, ClusterMatrix(raw, clusters, in.aggregate, weights));
  ASSIGN_OR_RETURN(DataMatrix normalised,
                   ClusterMatrix(result.normalised, clusters, in.aggregate, weights));

  std::vector<int> leaf_column(f.Nodes().size(), -1);
  for (size_t i = 0; i < f.Leaves().size(); ++i) leaf_column[f.Leaves()[i]] = static_cast<int>(i);
  for (size_t node = 0; node < f.Nodes().size(); ++node) {
    const int leaf = leaf_column[node];
    std::vector<int> ranks;
    if (leaf >= 0) {
      // Sub-indicator ranks from the aggregated raw values, in the
      // indicator's direction.
      std::vector<double> key(cluster_raw.Column(leaf).begin(), cluster_raw.Column(leaf).end());
      for (double& v : key) v *= f.Node(node).direction;
      ASSIGN_OR_RETURN(ranks, CompetitionRanks(key));
    } else {
      ASSIGN_OR_RETURN(ranks, CompetitionRanks(scores.Column(node), spec.ranking));
    }
    // The run's tier rule, among the clusters, on what their rows hold.
    std::vector<int> tier;
    if (tiered[node]) {
      ASSIGN_OR_RETURN(tier, ClusterTiers(tiers, f.Node(node).code, scores.Column(node), ranks));
    }
    for (size_t c = 0; c < clusters.size(); ++c) {
      RunResultRow& row = rows->emplace_back();
      row.region = clusters[c].code;
      row.node = f.Node(node).code;
      row.node_position = static_cast<int>(node);
      row.cluster = true;
      row.score = scores.Get(c, node);
      row.rank = ranks[c];
      if (!tier.empty()) row.tier = tier[c];
      if (leaf >= 0) {
        row.raw = cluster_raw.Get(c, leaf);
        row.normalised = normalised.Get(c, leaf);
      }
    }
  }
  return absl::OkStatus();
}

v1::RunSummary Summarise(const index::Framework& f, const AggregationTree& tree,
                         const PipelineResult& result, const std::vector<std::vector<int>>& tiers,
                         int clusters) {
  v1::RunSummary summary;
  summary.set_regions(static_cast<int>(result.scores.rows()));
  summary.set_clusters(clusters);
  for (const auto& code : result.dropped_regions) summary.add_dropped_regions(code);
  for (const auto& code : result.dropped_indicators) summary.add_dropped_indicators(code);
  for (const auto& cell : result.undefined_cells) summary.add_undefined_cells(cell);
  summary.set_imputed_cells(static_cast<int>(result.imputed.size()));
  for (const index::OutlierReport& report : result.outlier_reports) {
    if (!report.needs_treatment) continue;
    v1::OutlierReport* out = summary.add_treated_indicators();
    out->set_indicator_code(report.indicator);
    out->set_skewness(report.skewness);
    out->set_kurtosis(report.kurtosis);
    out->set_winsorised(report.winsorised);
    out->set_log_transformed(report.log_transformed);
    out->set_passes(report.passes);
  }
  for (size_t node = 0; node < f.Nodes().size(); ++node) {
    const index::FrameworkNode& n = f.Node(node);
    v1::NodeInfo* info = summary.add_nodes();
    info->set_code(n.code);
    info->set_name(n.name);
    info->set_parent_code(n.parent);
    info->set_level(n.level);
    info->set_local_weight(tree.LocalWeight(node));
    info->set_weight(result.local_weights[node]);
    info->set_global_weight(tree.GlobalWeight(node));
  }
  const int root = f.Root();
  const std::vector<int>& ranks = result.ranks[root];
  std::vector<size_t> order;
  for (size_t r = 0; r < ranks.size(); ++r) {
    if (ranks[r] != kUnranked) order.push_back(r);
  }
  const auto& codes = result.scores.regions();
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return ranks[a] != ranks[b] ? ranks[a] < ranks[b] : codes[a] < codes[b];
  });
  for (size_t i = 0; i < order.size() && i < kTopRegions; ++i) {
    const size_t r = order[i];
    v1::RankedRegion* top = summary.add_top();
    top->set_region_code(codes[r]);
    top->set_rank(ranks[r]);
    top->set_score(result.scores.Get(r, root));
    if (!tiers[root].empty() && tiers[root][r] > 0) top->set_tier(tiers[root][r]);
  }
  return summary;
}

}  // namespace

v1::ResultRow ToResultRow(const RunResultRow& row) {
  v1::ResultRow out;
  out.set_region_code(row.region);
  out.set_node_code(row.node);
  out.set_cluster(row.cluster);
  if (!std::isnan(row.score)) out.set_score(row.score);
  if (row.rank != kUnranked) out.set_rank(row.rank);
  if (!std::isnan(row.raw)) out.set_raw(row.raw);
  if (!std::isnan(row.normalised)) out.set_normalised(row.normalised);
  out.set_imputed(row.imputed);
  if (row.tier > 0) out.set_tier(row.tier);
  return out;
}

absl::StatusOr<RunResults> BuildRunResults(const index::Framework& f, const PipelineSpec& spec,
                                           const PipelineResult& result, const v1::Tiers& tiers,
                                           const ClusterInputs& clusters) {
  const DataMatrix& scores = result.scores;
  const size_t nodes = f.Nodes().size();
  const size_t leaves = f.Leaves().size();
  std::vector<int> leaf_column(nodes, -1);
  for (size_t i = 0; i < leaves; ++i) leaf_column[f.Leaves()[i]] = static_cast<int>(i);

  const DataMatrix raw = RawOfScoredRegions(result);
  const auto raw_rows = RowIndex(result.raw.regions());
  absl::flat_hash_set<size_t> imputed;  // raw row * leaves + leaf column
  for (const index::CellRef& cell : result.imputed) imputed.insert(cell.row * leaves + cell.col);

  std::vector<std::vector<int>> tier(nodes);
  std::vector<bool> tiered(nodes, false);
  if (tiers.rule_case() != v1::Tiers::RULE_NOT_SET) {
    std::vector<std::string> codes(tiers.node_codes().begin(), tiers.node_codes().end());
    if (codes.empty()) codes.push_back(f.Node(f.Root()).code);
    for (const std::string& code : codes) {
      const int node = f.Find(code);
      tiered[node] = true;
      ASSIGN_OR_RETURN(tier[node],
                       TierColumn(tiers, code, scores.Column(node), result.ranks[node]));
    }
  }

  RunResults out;
  out.rows.reserve(scores.rows() * nodes);
  for (size_t r = 0; r < scores.rows(); ++r) {
    const size_t raw_row = raw_rows.at(scores.regions()[r]);
    for (size_t node = 0; node < nodes; ++node) {
      RunResultRow& row = out.rows.emplace_back();
      row.region = scores.regions()[r];
      row.node = f.Node(node).code;
      row.node_position = static_cast<int>(node);
      row.score = scores.Get(r, node);
      row.rank = result.ranks[node][r];
      if (!tier[node].empty()) row.tier = tier[node][r];
      const int leaf = leaf_column[node];
      if (leaf >= 0) {
        row.raw = raw.Get(r, leaf);
        row.normalised = result.normalised.Get(r, leaf);
        row.imputed = imputed.contains(raw_row * leaves + leaf);
      }
    }
  }
  if (!clusters.definitions.empty()) {
    RETURN_IF_ERROR(AppendClusterRows(f, spec, result, raw, clusters, tiers, tiered, &out.rows));
  }

  ASSIGN_OR_RETURN(AggregationTree tree, AggregationTreeFromFramework(f, result.local_weights));
  out.summary = Summarise(f, tree, result, tier, static_cast<int>(clusters.definitions.size()));
  DataMatrix natural = result.scores;
  if (spec.aggregation.scale == ScoreScale::kGlobalWeighted) {
    AggregationOptions options = spec.aggregation;
    options.scale = ScoreScale::kMean;
    ASSIGN_OR_RETURN(natural, Aggregate(tree, result.normalised, options));
  }
  ASSIGN_OR_RETURN(out.statistics, ComputeGroupStatistics(tree, natural));
  return out;
}

absl::StatusOr<v1::RunStatistics> ComputeGroupStatistics(const AggregationTree& tree,
                                                         const index::DataMatrix& node_scores) {
  ASSIGN_OR_RETURN(std::vector<double> alpha, CronbachAlphaByNode(tree, node_scores));
  // Average ranks of each node's column without a missing value (see
  // MakeCorrelation), computed once.
  std::vector<std::vector<double>> ranks(tree.size());
  for (size_t node = 0; node < tree.size() && node < node_scores.cols(); ++node) {
    absl::Span<const double> column = node_scores.Column(node);
    if (std::none_of(column.begin(), column.end(), index::IsMissingValue)) {
      ranks[node] = AverageRanks(column);
    }
  }
  v1::RunStatistics statistics;
  for (size_t node = 0; node < tree.size(); ++node) {
    if (tree.IsLeaf(node)) continue;
    v1::GroupStatistics* group = statistics.add_groups();
    group->set_node_code(tree.Code(node));
    if (std::isfinite(alpha[node])) group->set_cronbach_alpha(alpha[node]);
    const std::vector<int>& kids = tree.Children(node);
    for (size_t i = 0; i < kids.size(); ++i) {
      for (size_t j = i + 1; j < kids.size(); ++j) {
        *group->add_between_children() =
            MakeCorrelation(tree.Code(kids[i]), tree.Code(kids[j]), node_scores.Column(kids[i]),
                            node_scores.Column(kids[j]), ranks[kids[i]], ranks[kids[j]]);
      }
      *group->add_with_node() =
          MakeCorrelation(tree.Code(kids[i]), tree.Code(node), node_scores.Column(kids[i]),
                          node_scores.Column(node), ranks[kids[i]], ranks[node]);
    }
  }
  return statistics;
}

absl::StatusOr<AggregationTree> TreeFromNodes(
    const google::protobuf::RepeatedPtrField<v1::NodeInfo>& nodes) {
  std::map<std::string, int> id;
  for (int i = 0; i < nodes.size(); ++i) id[nodes[i].code()] = i;
  std::vector<AggregationNode> tree(nodes.size());
  for (int i = 0; i < nodes.size(); ++i) {
    tree[i].code = nodes[i].code();
    tree[i].weight = nodes[i].weight();
    tree[i].level = nodes[i].level();
    if (!nodes[i].parent_code().empty()) {
      auto parent = id.find(nodes[i].parent_code());
      if (parent == id.end()) {
        return absl::DataLossError(
            absl::StrCat("stored run: node \"", nodes[i].code(), "\" has an unknown parent"));
      }
      tree[parent->second].children.push_back(i);
    }
  }
  return AggregationTree::Create(std::move(tree));
}

}  // namespace innoscope::scoring
