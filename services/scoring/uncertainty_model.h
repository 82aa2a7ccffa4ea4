#pragma once

// The model an uncertainty analysis varies: a run's pipeline (RunPipeline,
// the code that produced the run) with the requested assumptions as the
// uncertain factors of libs/scoring/uncertainty.h:
//
//   weights       one factor "weight:<node>" per node with siblings at each
//                 perturbed level: the node's local weight times
//                 U(1 - fraction, 1 + fraction) (fraction 0 fixes it);
//   normalisation a discrete factor: the run's normalisation (nominal, 0)
//                 or each alternative method, applied to every leaf with
//                 the run's output scale;
//   aggregation   a discrete factor: the run's aggregation (nominal) or each
//                 alternative, applied at every level;
//   imputation    the run's imputation (nominal) or none (or column means
//                 when the run imputes nothing);
//   outlier_treatment  the run's setting (nominal) or the other one.
//
// Every replicate computes the full pipeline from the run's raw data, so
// imputation and outlier treatment really are switched, and returns the
// composite score of every region the nominal run scored. What a replicate
// cannot change is computed once and shared: the treated leaves per
// setting of the imputation and outlier factors (TreatLeaves; normalisation
// comes after treatment, so every normalisation alternative shares them),
// the normalised leaves per setting of those and the normalisation factor
// (NormaliseLeaves), and per aggregation choice the scores of subtrees
// without a perturbed weight; the replicate aggregates the rest, in its
// thread's reused buffers. The scores are RunPipeline's bit for bit.
//
//   auto inputs = std::make_shared<UncertaintyInputs>(...);
//   ASSIGN_OR_RETURN(UncertaintyModel m, BuildUncertaintyModel(inputs, assumptions));
//   RunMonteCarlo(m.factors, m.model, options, control);

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "innoscope/scoring/v1/scoring.pb.h"
#include "libs/index/data_matrix.h"
#include "libs/index/framework.h"
#include "libs/scoring/pipeline.h"
#include "libs/scoring/uncertainty.h"

namespace innoscope::scoring {

struct UncertaintyInputs {
  index::Framework framework;
  index::DataMatrix data;  // the run's universe x leaf indicators
  std::optional<index::DataMatrix> denominators;
  std::vector<std::string> groups;  // per data row, for group imputation
  PipelineSpec nominal;             // the run's, with its local weights
};

// Which factor changes which part of the pipeline spec.
struct FactorPlan {
  std::vector<UncertainFactor> factors;
  std::vector<std::pair<size_t, int>> weights;         // (factor, node id)
  int normalisation = -1;                              // factor index, -1 = none
  std::vector<index::NormaliseMethod> normalisations;  // choice 1, 2, ...
  int aggregation = -1;
  std::vector<AggregationSpec> aggregations;  // choice 1, 2, ...
  int imputation = -1;
  index::ImputeMethod imputation_alternative = index::ImputeMethod::kNone;
  int outliers = -1;
};

// The factors for `assumptions` around `nominal` (whose weights must hold
// one local weight per framework node). INVALID_ARGUMENT names the
// assumption: a level without weights to perturb, a fraction outside
// [0, 1), a level given twice.
absl::StatusOr<FactorPlan> PlanFactors(const index::Framework& framework,
                                       const PipelineSpec& nominal,
                                       const v1::Assumptions& assumptions);

// The pipeline spec of one setting of the factors.
PipelineSpec SpecFor(const PipelineSpec& nominal, const FactorPlan& plan,
                     absl::Span<const double> values);

struct UncertaintyModel {
  std::vector<UncertainFactor> factors;
  ScoreModel model;                  // thread-safe; keeps the inputs alive
  std::vector<std::string> regions;  // the order of the model's scores
};

// Plans the factors and runs the nominal pipeline once to fix the regions
// (so a bad setting fails here, with the pipeline's own message). A
// replicate that scores another set of regions (screening under imputation
// off) fails with FAILED_PRECONDITION naming the region.
//
// The set-up runs on `control`'s threads and stops with its cancellation or
// deadline: the nominal outlier treatment column by column, then, under the
// nominal imputation and outlier settings, every normalisation choice and
// every (normalisation, aggregation) pair's frozen subtree scores, each
// computed as the replicates would lazily, so the model is the same for any
// thread count. (Settings of the imputation and outlier factors stay lazy.)
absl::StatusOr<UncertaintyModel> BuildUncertaintyModel(
    std::shared_ptr<const UncertaintyInputs> inputs, const v1::Assumptions& assumptions,
    const RunControl& control = RunControl());

}  // namespace innoscope::scoring
