#pragma once

// The model an uncertainty analysis varies, the one model of the scoring
// service's ComputeUncertainty and of `innoscope uncertainty` on files: a
// run's pipeline (RunPipeline, the code that produced the run) with the
// requested assumptions as the uncertain factors of uncertainty.h:
//
//   weights       per perturbed level L with fraction x > 0, every node of
//                 level L that has siblings and a nominal weight > 0: its
//                 local weight times U(1 - x, 1 + x), one factor
//                 "weight:<node>" each, in the order of the levels given and
//                 the framework's within a level. When these and the
//                 discrete factors would exceed kMaxFactors, the weights are
//                 one discrete factor "weights" instead: choice c > 0 draws
//                 every perturbed weight's multiplier from the seeded stream
//                 UniformStream(c, 0) (choice 0 is the nominal weights);
//   normalisation a discrete factor: the nominal normalisation (choice 0)
//                 or each alternative method not equal to it, applied to
//                 every leaf with the nominal output scale;
//   aggregation   a discrete factor: the nominal aggregation (choice 0) or
//                 each alternative, applied at every level (an alternative
//                 equal to the nominal one, or to an earlier alternative, is
//                 dropped);
//   imputation    the nominal imputation (choice 0) or none (or column
//                 means when the nominal run imputes nothing);
//   outlier_treatment  the nominal setting (choice 0) or the other one.
//
// Every replicate computes the full pipeline from the raw data, so
// imputation and outlier treatment really are switched, and returns the
// composite score of every region with a nominal composite (regions whose
// nominal composite is missing are left out, as `unscored`). What a
// replicate cannot change is computed once and shared: the treated leaves
// per setting of the imputation and outlier factors (TreatLeaves;
// normalisation comes after treatment, so every normalisation alternative
// shares them), the normalised leaves per setting of those and the
// normalisation factor (NormaliseLeaves), and per aggregation choice the
// scores of subtrees without a perturbed weight; the replicate aggregates
// the rest, in its thread's reused buffers. The scores are RunPipeline's
// bit for bit, so the same inputs, assumptions and seed give the same
// intervals offline and through the service.
//
// Plain C++ types only: the service converts its protobuf Assumptions
// (services/scoring), the CLI its flags (services/cli).
//
//   auto inputs = std::make_shared<UncertaintyInputs>(...);
//   UncertaintyAssumptions assumptions;
//   assumptions.weights.push_back({1, 0.25});
//   ASSIGN_OR_RETURN(UncertaintyModel m, BuildUncertaintyModel(inputs, assumptions, control));
//   RunMonteCarlo(m.factors, m.model, options, control);

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "libs/index/data_matrix.h"
#include "libs/index/framework.h"
#include "libs/index/impute.h"
#include "libs/index/normalise.h"
#include "libs/scoring/aggregation.h"
#include "libs/scoring/parallel.h"
#include "libs/scoring/pipeline.h"
#include "libs/scoring/uncertainty.h"

namespace innoscope::scoring {

struct UncertaintyInputs {
  index::Framework framework;
  index::DataMatrix data;  // the run's universe x leaf indicators, raw
  std::optional<index::DataMatrix> denominators;
  std::vector<std::string> groups;  // per data row, for group imputation
  PipelineSpec nominal;             // the run's, with its local weights
};

// Local weights of the nodes at `level` (leaves are 1) times
// U(1 - fraction, 1 + fraction); fraction 0 fixes them.
struct WeightPerturbation {
  int level = 0;
  double fraction = 0;
};

// What the analysis varies. Alternatives are tried with equal probability
// together with the nominal setting.
struct UncertaintyAssumptions {
  std::vector<WeightPerturbation> weights;  // levels 1 .. root level - 1, each once
  std::vector<index::NormaliseMethod> normalisations;
  std::vector<AggregationSpec> aggregations;
  bool imputation = false;         // the nominal imputation or the other one
  bool outlier_treatment = false;  // the nominal outlier treatment or the other one
};

// Which factor changes which part of the pipeline spec.
struct FactorPlan {
  std::vector<UncertainFactor> factors;
  // A perturbed local weight: node id, its x of U(1 - x, 1 + x) and its
  // own factor (-1 when the weights are grouped).
  struct Weight {
    int node = 0;
    double fraction = 0;
    int factor = -1;
  };
  std::vector<Weight> weights;
  int weight_group = -1;                               // the factor "weights" when grouped, else -1
  int normalisation = -1;                              // factor index, -1 = none
  std::vector<index::NormaliseMethod> normalisations;  // choice 1, 2, ...
  int aggregation = -1;
  std::vector<AggregationSpec> aggregations;  // choice 1, 2, ...
  int imputation = -1;
  index::ImputeMethod imputation_alternative = index::ImputeMethod::kNone;
  int outliers = -1;
};

// Choices of the grouped weights factor: each a seed of its own stream.
inline constexpr int kWeightGroupChoices = 1 << 30;

// The factors for `assumptions` around `nominal` (whose weights must hold
// one local weight per framework node; INTERNAL otherwise). INVALID_ARGUMENT
// names the assumption ("assumptions.weights[level 4]: ..."): a level
// outside 1 .. root level - 1 (the composite has no weight), a fraction
// outside [0, 1), a level given twice, an exponent not finite.
absl::StatusOr<FactorPlan> PlanFactors(const index::Framework& framework,
                                       const PipelineSpec& nominal,
                                       const UncertaintyAssumptions& assumptions);

// The multiplier of each of plan.weights' nominal weights in one setting of
// the factors (1 for all in the nominal setting), into `out`.
void WeightMultipliers(const FactorPlan& plan, absl::Span<const double> values,
                       std::vector<double>& out);

// The pipeline spec of one setting of the factors.
PipelineSpec SpecFor(const PipelineSpec& nominal, const FactorPlan& plan,
                     absl::Span<const double> values);

struct UncertaintyModel {
  FactorPlan plan;
  std::vector<UncertainFactor> factors;  // plan.factors, for RunMonteCarlo
  ScoreModel model;                      // thread-safe; keeps the inputs alive
  std::vector<std::string> regions;      // the order of the model's scores
  std::vector<std::string> unscored;     // regions without a nominal composite
};

// Plans the factors and runs the nominal pipeline once to fix the regions
// (so a bad setting fails here, with the pipeline's own message), and every
// pair of a normalisation and an aggregation choice at the nominal weights
// (so a pair that cannot work, such as z-scores into a geometric mean,
// fails here with INVALID_ARGUMENT naming both choices, not in the middle
// of the analysis). INVALID_ARGUMENT too when fewer than 2 regions have a
// nominal composite. A replicate that scores another set of regions
// (screening under imputation off) fails with FAILED_PRECONDITION naming
// the region; one that leaves a region without a composite, with
// INVALID_ARGUMENT naming it.
//
// The set-up runs on `control`'s threads and stops with its cancellation or
// deadline: the nominal outlier treatment column by column, then, under the
// nominal imputation and outlier settings, every normalisation choice and
// every (normalisation, aggregation) pair's frozen subtree scores, each
// computed as the replicates would lazily, so the model is the same for any
// thread count. (Settings of the imputation and outlier factors stay lazy.)
absl::StatusOr<UncertaintyModel> BuildUncertaintyModel(
    std::shared_ptr<const UncertaintyInputs> inputs, const UncertaintyAssumptions& assumptions,
    const RunControl& control = RunControl());

}  // namespace innoscope::scoring
