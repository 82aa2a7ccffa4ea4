#include "services/scoring/uncertainty_model.h"

#include <cmath>
#include <set>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "services/scoring/run_spec.h"

namespace innoscope::scoring {
namespace {

// What one replicate evaluates; shared by every call of the model.
struct ModelState {
  ModelState(std::shared_ptr<const UncertaintyInputs> in, FactorPlan factor_plan)
      : inputs(std::move(in)),
        pipeline_inputs{inputs->framework, inputs->data,
                        inputs->denominators ? &*inputs->denominators : nullptr, inputs->groups},
        plan(std::move(factor_plan)) {}

  std::shared_ptr<const UncertaintyInputs> inputs;
  PipelineInputs pipeline_inputs;
  FactorPlan plan;
  std::vector<std::string> regions;
};

absl::StatusOr<std::vector<double>> Composite(const ModelState& state,
                                              absl::Span<const double> values) {
  ASSIGN_OR_RETURN(
      PipelineResult result,
      RunPipeline(state.pipeline_inputs, SpecFor(state.inputs->nominal, state.plan, values)));
  const index::DataMatrix& scores = result.scores;
  const int root = state.inputs->framework.Root();
  if (scores.regions() == state.regions) {
    absl::Span<const double> column = scores.Column(root);
    return std::vector<double>(column.begin(), column.end());
  }
  std::vector<double> out;
  out.reserve(state.regions.size());
  for (const std::string& code : state.regions) {
    const int row = scores.RegionIndex(code);
    if (row < 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("region ", code,
                       " is not scored under this setting (screened out); the analysis "
                       "needs the run's regions in every replicate"));
    }
    out.push_back(scores.Get(row, root));
  }
  return out;
}

}  // namespace

absl::StatusOr<FactorPlan> PlanFactors(const index::Framework& f, const PipelineSpec& nominal,
                                       const v1::Assumptions& a) {
  FactorPlan plan;
  const int root_level = f.Node(f.Root()).level;
  std::set<int> levels;
  for (const v1::WeightPerturbation& w : a.weights()) {
    const std::string field = absl::StrCat("assumptions.weights[level ", w.level(), "]");
    if (w.level() < 1 || w.level() >= root_level) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": weights are perturbed at levels 1-", root_level - 1,
                       " (leaves are level 1; the composite has no weight)"));
    }
    if (!levels.insert(w.level()).second) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": level given twice"));
    }
    if (!(w.fraction() >= 0 && w.fraction() < 1)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": fraction must be in [0, 1), got ", w.fraction()));
    }
    for (size_t node = 0; node < f.Nodes().size(); ++node) {
      // An only child's weight is always 1 relative to its siblings.
      if (f.Node(node).level != w.level() || f.Children(f.Parent(node)).size() < 2) continue;
      plan.weights.emplace_back(plan.factors.size(), static_cast<int>(node));
      plan.factors.push_back(UncertainFactor::Uniform(absl::StrCat("weight:", f.Node(node).code),
                                                      1 - w.fraction(), 1 + w.fraction(), 1.0));
    }
  }

  std::set<index::NormaliseMethod> normalisations = {nominal.normalise.method};
  for (int method : a.normalisations()) {
    if (!v1::NormalisationMethod_IsValid(method)) {
      return absl::InvalidArgumentError("assumptions.normalisations: unknown method");
    }
    const index::NormaliseMethod m =
        ToNormaliseMethod(static_cast<v1::NormalisationMethod>(method));
    if (normalisations.insert(m).second) plan.normalisations.push_back(m);
  }
  if (!plan.normalisations.empty()) {
    plan.normalisation = static_cast<int>(plan.factors.size());
    plan.factors.push_back(UncertainFactor::Discrete(
        "normalisation", static_cast<int>(plan.normalisations.size()) + 1, 0));
  }

  for (const v1::AggregationStep& step : a.aggregations()) {
    if (!v1::AggregationMethod_IsValid(step.method()) || !std::isfinite(step.exponent())) {
      return absl::InvalidArgumentError(
          "assumptions.aggregations: unknown method or exponent not finite");
    }
    plan.aggregations.push_back(ToAggregationSpec(step));
  }
  if (!plan.aggregations.empty()) {
    plan.aggregation = static_cast<int>(plan.factors.size());
    plan.factors.push_back(UncertainFactor::Discrete(
        "aggregation", static_cast<int>(plan.aggregations.size()) + 1, 0));
  }

  if (a.imputation()) {
    plan.imputation = static_cast<int>(plan.factors.size());
    plan.imputation_alternative = nominal.impute == index::ImputeMethod::kNone
                                      ? index::ImputeMethod::kColumnMean
                                      : index::ImputeMethod::kNone;
    plan.factors.push_back(UncertainFactor::Discrete("imputation", 2, 0));
  }
  if (a.outlier_treatment()) {
    plan.outliers = static_cast<int>(plan.factors.size());
    plan.factors.push_back(UncertainFactor::Discrete("outlier_treatment", 2, 0));
  }
  return plan;
}

PipelineSpec SpecFor(const PipelineSpec& nominal, const FactorPlan& plan,
                     absl::Span<const double> values) {
  PipelineSpec spec = nominal;
  for (const auto& [factor, node] : plan.weights) spec.weights[node] *= values[factor];
  auto choice = [&](int factor) { return factor < 0 ? 0 : static_cast<int>(values[factor]); };
  if (const int c = choice(plan.normalisation); c > 0) {
    spec.normalise.method = plan.normalisations[c - 1];
    spec.by_indicator.clear();
  }
  if (const int c = choice(plan.aggregation); c > 0) {
    spec.aggregation.spec = plan.aggregations[c - 1];
    spec.aggregation.by_level.clear();
  }
  if (choice(plan.imputation) > 0) spec.impute = plan.imputation_alternative;
  if (choice(plan.outliers) > 0) spec.treat_outliers = !nominal.treat_outliers;
  return spec;
}

absl::StatusOr<UncertaintyModel> BuildUncertaintyModel(
    std::shared_ptr<const UncertaintyInputs> inputs, const v1::Assumptions& assumptions) {
  if (inputs->nominal.weights.size() != inputs->framework.Nodes().size()) {
    return absl::InternalError("uncertainty model: nominal weights must be explicit");
  }
  ASSIGN_OR_RETURN(FactorPlan plan, PlanFactors(inputs->framework, inputs->nominal, assumptions));
  auto state = std::make_shared<ModelState>(std::move(inputs), std::move(plan));
  {
    absl::StatusOr<PipelineResult> nominal =
        RunPipeline(state->pipeline_inputs, state->inputs->nominal);
    if (!nominal.ok()) {
      return absl::Status(nominal.status().code(),
                          absl::StrCat("nominal run: ", nominal.status().message()));
    }
    state->regions = nominal->scores.regions();
  }
  UncertaintyModel model;
  model.factors = state->plan.factors;
  model.regions = state->regions;
  model.model = [state](absl::Span<const double> values) { return Composite(*state, values); };
  return model;
}

}  // namespace innoscope::scoring
