#include "libs/scoring/uncertainty_model.h"

// The factors of an uncertainty analysis (uncertainty_model.h): which
// assumption becomes which factor, and the pipeline spec and weight
// multipliers of one setting of them. The model itself, which evaluates
// settings, is uncertainty_model.cc.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/scoring/random.h"

namespace innoscope::scoring {

absl::StatusOr<FactorPlan> PlanFactors(const index::Framework& f, const PipelineSpec& nominal,
                                       const UncertaintyAssumptions& a) {
  if (nominal.weights.size() != f.Nodes().size()) {
    return absl::InternalError("uncertainty model: nominal weights must be explicit");
  }
  FactorPlan plan;
  const int root_level = f.Node(f.Root()).level;
  std::set<int> levels;
  for (const WeightPerturbation& w : a.weights) {
    const std::string field = absl::StrCat("assumptions.weights[level ", w.level, "]");
    if (w.level < 1 || w.level >= root_level) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": weights are perturbed at levels 1-", root_level - 1,
                       " (leaves are level 1; the composite has no weight)"));
    }
    if (!levels.insert(w.level).second) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": level given twice"));
    }
    if (!(w.fraction >= 0 && w.fraction < 1)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": fraction must be in [0, 1), got ", w.fraction));
    }
    if (w.fraction == 0) continue;  // fixed: no factor
    for (size_t node = 0; node < f.Nodes().size(); ++node) {
      // An only child's weight is always 1 relative to its siblings, and a
      // zero weight stays zero whatever it is multiplied by.
      if (f.Node(node).level != w.level || f.Children(f.Parent(node)).size() < 2 ||
          !(nominal.weights[node] > 0)) {
        continue;
      }
      plan.weights.push_back({static_cast<int>(node), w.fraction, -1});
    }
  }

  std::set<index::NormaliseMethod> normalisations = {nominal.normalise.method};
  for (index::NormaliseMethod m : a.normalisations) {
    if (normalisations.insert(m).second) plan.normalisations.push_back(m);
  }
  auto same = [](const AggregationSpec& x, const AggregationSpec& y) {
    return x.method == y.method && PowerOf(x) == PowerOf(y);
  };
  for (const AggregationSpec& spec : a.aggregations) {
    if (!std::isfinite(spec.power)) {
      return absl::InvalidArgumentError("assumptions.aggregations: exponent not finite");
    }
    // The nominal method is a choice already, unless levels have their own.
    bool known = nominal.aggregation.by_level.empty() && same(spec, nominal.aggregation.spec);
    for (const AggregationSpec& other : plan.aggregations) known = known || same(spec, other);
    if (!known) plan.aggregations.push_back(spec);
  }
  const size_t discrete = (plan.normalisations.empty() ? 0 : 1) +
                          (plan.aggregations.empty() ? 0 : 1) + (a.imputation ? 1 : 0) +
                          (a.outlier_treatment ? 1 : 0);

  // Why a group: past kMaxFactors the engine refuses the factors, and a
  // large framework perturbed at every level has hundreds of weights.
  if (plan.weights.size() + discrete <= kMaxFactors) {
    for (FactorPlan::Weight& w : plan.weights) {
      w.factor = static_cast<int>(plan.factors.size());
      plan.factors.push_back(UncertainFactor::Uniform(absl::StrCat("weight:", f.Node(w.node).code),
                                                      1 - w.fraction, 1 + w.fraction, 1.0));
    }
  } else {
    plan.weight_group = static_cast<int>(plan.factors.size());
    plan.factors.push_back(UncertainFactor::Discrete("weights", kWeightGroupChoices, 0));
  }
  if (!plan.normalisations.empty()) {
    plan.normalisation = static_cast<int>(plan.factors.size());
    plan.factors.push_back(UncertainFactor::Discrete(
        "normalisation", static_cast<int>(plan.normalisations.size()) + 1, 0));
  }
  if (!plan.aggregations.empty()) {
    plan.aggregation = static_cast<int>(plan.factors.size());
    plan.factors.push_back(UncertainFactor::Discrete(
        "aggregation", static_cast<int>(plan.aggregations.size()) + 1, 0));
  }
  if (a.imputation) {
    plan.imputation = static_cast<int>(plan.factors.size());
    plan.imputation_alternative = nominal.impute == index::ImputeMethod::kNone
                                      ? index::ImputeMethod::kColumnMean
                                      : index::ImputeMethod::kNone;
    plan.factors.push_back(UncertainFactor::Discrete("imputation", 2, 0));
  }
  if (a.outlier_treatment) {
    plan.outliers = static_cast<int>(plan.factors.size());
    plan.factors.push_back(UncertainFactor::Discrete("outlier_treatment", 2, 0));
  }
  return plan;
}

void WeightMultipliers(const FactorPlan& plan, absl::Span<const double> values,
                       std::vector<double>& out) {
  out.resize(plan.weights.size());
  if (plan.weight_group < 0) {
    for (size_t i = 0; i < plan.weights.size(); ++i) out[i] = values[plan.weights[i].factor];
    return;
  }
  const auto choice = static_cast<uint64_t>(values[plan.weight_group]);
  if (choice == 0) {  // the nominal setting
    std::fill(out.begin(), out.end(), 1.0);
    return;
  }
  UniformStream stream(choice, 0);
  for (size_t i = 0; i < plan.weights.size(); ++i) {
    const double x = plan.weights[i].fraction;
    out[i] = 1 - x + 2 * x * stream.Next();
  }
}

PipelineSpec SpecFor(const PipelineSpec& nominal, const FactorPlan& plan,
                     absl::Span<const double> values) {
  PipelineSpec spec = nominal;
  std::vector<double> multipliers;
  WeightMultipliers(plan, values, multipliers);
  for (size_t i = 0; i < plan.weights.size(); ++i) {
    spec.weights[plan.weights[i].node] *= multipliers[i];
  }
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

}  // namespace innoscope::scoring
