#pragma once

// The scoring pipeline: from raw indicator values to a score and a rank for
// every region at every node of an indicator tree, in the order of the
// OECD/JRC Handbook and COINr:
//
//   denominate -> impute -> screen -> treat outliers -> normalise
//     -> aggregate up the tree -> rank
//
// One function serves the scoring service, the offline CLI, the examples
// (UNDP HDI, COINr ASEM) and every Monte Carlo replicate of the uncertainty
// analysis, so a published table is reproduced by exactly the code that
// produces our own.
//
//   PipelineSpec spec;                       // defaults: COINr-like
//   spec.impute = index::ImputeMethod::kGroupMean;
//   PipelineInputs in{framework, data};      // data: regions x leaf codes
//   in.groups = eurasia_labels;
//   ASSIGN_OR_RETURN(PipelineResult r, RunPipeline(in, spec));
//   double che = r.scores.Get(r.scores.RegionIndex("CHE"), framework.Root());
//
// Complexity: O(R x L) for R regions and L leaves per step, plus the
// aggregation's O(R x E); outlier treatment re-sorts a column at most
// max_winsorised + 1 times.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/index/data_matrix.h"
#include "libs/index/framework.h"
#include "libs/index/impute.h"
#include "libs/index/normalise.h"
#include "libs/index/outliers.h"
#include "libs/scoring/aggregation.h"
#include "libs/scoring/parallel.h"
#include "libs/scoring/ranking.h"

namespace innoscope::scoring {

struct PipelineSpec {
  // Divide leaves by their framework denominator (needs inputs.denominators).
  bool denominate = false;
  index::ImputeMethod impute = index::ImputeMethod::kNone;
  // Screening thresholds on data availability, 0 = keep all.
  double screen_region_threshold = 0;
  double screen_indicator_threshold = 0;
  bool treat_outliers = false;
  index::OutlierOptions outliers;
  // Normalisation for every leaf; direction, goalposts and target are taken
  // from the framework leaf. `by_indicator` overrides per leaf code (then
  // the framework's direction and goalposts still apply unless set there).
  index::NormaliseSpec normalise;
  std::map<std::string, index::NormaliseSpec> by_indicator;
  // Local weight per framework node (Nodes() order); empty = the
  // framework's own fixed weights (index::FixedWeights).
  std::vector<double> weights;
  AggregationOptions aggregation;
  RankOptions ranking;
};

struct PipelineInputs {
  const index::Framework& framework;
  // Regions x leaf indicator codes (extra columns are ignored).
  const index::DataMatrix& data;
  // Regions x denominator codes, when spec.denominate.
  const index::DataMatrix* denominators = nullptr;
  // One group label per region (data row), for group imputation.
  std::vector<std::string> groups = {};
};

struct PipelineResult {
  index::DataMatrix raw;         // leaves as given (after denomination)
  index::DataMatrix treated;     // imputed, screened and treated leaves
  index::DataMatrix normalised;  // normalised leaves
  // Regions x every node (column id = node id, codes = node codes).
  index::DataMatrix scores;
  // ranks[node][region]: competition ranks per node; 0 = unranked
  // (missing score).
  std::vector<std::vector<int>> ranks;
  std::vector<double> local_weights;  // per node, as used
  std::vector<index::CellRef> imputed;
  std::vector<std::string> undefined_cells;  // zero denominators
  std::vector<std::string> dropped_regions;
  std::vector<std::string> dropped_indicators;
  std::vector<index::OutlierReport> outlier_reports;
};

// `control` spreads the independent parts over its threads (outlier
// treatment and normalisation column by column, the ranks node by node) and
// is polled between the stages (treat, normalise, aggregate, rank):
// CANCELLED / DEADLINE_EXCEEDED stop the run with no result. The result is
// the same for any thread count. The default is one thread.
absl::StatusOr<PipelineResult> RunPipeline(const PipelineInputs& inputs, const PipelineSpec& spec,
                                           const RunControl& control = RunControl());

// The stages before aggregation, denominate to normalise: RunPipeline's
// result up to `normalised`, with `scores`, `ranks` and `local_weights`
// left empty. RunPipeline is PrepareLeaves followed by Aggregate and
// CompetitionRanks; the uncertainty model calls it once per setting of the
// factors that change these stages and aggregates per replicate, so its
// scores are those of RunPipeline, bit for bit.
absl::StatusOr<PipelineResult> PrepareLeaves(const PipelineInputs& inputs, const PipelineSpec& spec,
                                             const RunControl& control = RunControl());

// PrepareLeaves in its two parts. TreatLeaves: denominate to outlier
// treatment, PrepareLeaves' result up to `treated` (`normalised` empty).
// NormaliseLeaves: `treated` normalised as `spec` says (its normalise and
// by_indicator only). The treated leaves do not depend on the
// normalisation, so an analysis that varies only the normalisation treats
// once and normalises per alternative. `control` spreads the outlier
// treatment's columns (independent of one another) over its threads and can
// stop it, as it does NormaliseLeaves' columns; the result is the same for
// any thread count.
absl::StatusOr<PipelineResult> TreatLeaves(const PipelineInputs& inputs, const PipelineSpec& spec,
                                           const RunControl& control = RunControl());
absl::StatusOr<index::DataMatrix> NormaliseLeaves(const index::Framework& framework,
                                                  const index::DataMatrix& treated,
                                                  const PipelineSpec& spec,
                                                  const RunControl& control = RunControl());

}  // namespace innoscope::scoring
