#pragma once

// What a run stores, built from the pipeline's output: one row per region
// (and cluster) and node, the run summary and the per-group statistics.
// Pure: libs/scoring does the computing (clusters.h, tiers.h, statistics.h);
// this file arranges its results. Unit tested in tests/unit/services/scoring/.
//
//   ASSIGN_OR_RETURN(PipelineResult r, RunPipeline(inputs, pipeline_spec));
//   ASSIGN_OR_RETURN(RunResults out,
//                    BuildRunResults(framework, pipeline_spec, r, spec.tiers(), clusters));
//   store.InsertRun(run, out.rows, /*draft=*/false);

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "innoscope/scoring/v1/scoring.pb.h"
#include "libs/index/data_matrix.h"
#include "libs/index/framework.h"
#include "libs/scoring/aggregation_tree.h"
#include "libs/scoring/clusters.h"
#include "libs/scoring/pipeline.h"

namespace innoscope::scoring {

// One stored result (table run_results): NaN is an absent value, 0 an absent
// rank or tier.
struct RunResultRow {
  std::string region;
  std::string node;
  int node_position = 0;  // the node's id in the framework
  bool cluster = false;
  double score = index::kMissing;
  int rank = kUnranked;
  double raw = index::kMissing;         // leaves
  double normalised = index::kMissing;  // leaves
  bool imputed = false;                 // leaves
  int tier = 0;
};

// The row as the API sends it (absent values unset).
v1::ResultRow ToResultRow(const RunResultRow& row);

struct ClusterInputs {
  std::vector<v1::ClusterDefinition> definitions;  // member region codes
  ClusterAggregate aggregate = ClusterAggregate::kSum;
  // For kWeightedMean: regions x one column (e.g. population), any order.
  const index::DataMatrix* member_weights = nullptr;
};

struct RunResults {
  std::vector<RunResultRow> rows;  // regions by region then node, then clusters
  v1::RunSummary summary;          // all but regions_without_data
  v1::RunStatistics statistics;
};

// Rows for every scored region and node (leaf raw values matched by region
// code, imputed flags from the pipeline's list), tiers at spec.tiers' nodes
// (default the composite), cluster rows (node scores aggregated from member
// scores, leaf values from member raw values, leaf ranks by the aggregated
// raw value in the leaf's direction; the same tier rule at the same nodes
// among the clusters, from their scores and ranks, natural breaks capped at
// the clusters' distinct scores), the summary and the statistics.
// INVALID_ARGUMENT when a cluster member is not scored or lacks a weight.
absl::StatusOr<RunResults> BuildRunResults(const index::Framework& framework,
                                           const PipelineSpec& spec, const PipelineResult& result,
                                           const v1::Tiers& tiers, const ClusterInputs& clusters);

// Cronbach's alpha of every aggregation group and the Pearson and Spearman
// correlations between the children of a node and of each child with it, on
// `node_scores` (regions x tree nodes, natural scale).
absl::StatusOr<v1::RunStatistics> ComputeGroupStatistics(const AggregationTree& tree,
                                                         const index::DataMatrix& node_scores);

// The aggregation tree a run used, rebuilt from its summary's nodes (codes,
// parents, levels, weights as used), for profiles.
absl::StatusOr<AggregationTree> TreeFromNodes(
    const google::protobuf::RepeatedPtrField<v1::NodeInfo>& nodes);

}  // namespace innoscope::scoring
