#include "services/scoring/uncertainty_model.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/scoring/aggregation.h"
#include "libs/scoring/aggregation_tree.h"
#include "libs/scoring/framework_adapter.h"
#include "libs/scoring/ranking.h"
#include "services/scoring/run_spec.h"

namespace innoscope::scoring {
namespace {

// The leaves of one setting of the factors that act before aggregation
// (imputation, outlier treatment, normalisation), and, per aggregation
// choice, the scores of the subtrees no replicate changes.
//
// Why: a replicate used to run the whole pipeline, but the stages before
// aggregation depend on at most three discrete factors, and the score of a
// node depends on the weights strictly below it only. Computing each
// distinct prefix once (PrepareLeaves) and each subtree without a
// perturbed weight once per aggregation choice leaves a replicate only the
// aggregation of the nodes whose weights move (FastComposite). Every value
// is computed by the same functions, or the same operations in the same
// order, on the same inputs as RunPipeline computes it, so the composites
// are RunPipeline's bit for bit (uncertainty_model_test compares them with
// RunPipeline, cli_score_pgtest with the files path).
struct FrozenScores {
  absl::Status status;  // not OK: fall back to aggregating the whole tree
  // Regions x frozen nodes (codes = node codes), unscaled (ScoreScale::kMean).
  index::DataMatrix columns;
  // log(x + shift) of every value of `columns` (the shift of
  // NonPositivePolicy::kShift, else 0), for geometric means; empty when a
  // value is missing or not positive (FastComposite then declines).
  std::vector<std::vector<double>> logs;
};

struct PreparedLeaves {
  absl::Status status;           // PrepareLeaves' error for this setting
  index::DataMatrix normalised;  // PrepareLeaves' normalised leaves
  // The composite's row of each of state.regions; empty when the rows are
  // those regions in order.
  std::vector<int> rows;
  std::unique_ptr<std::once_flag[]> frozen_once;
  std::unique_ptr<FrozenScores[]> frozen;  // per aggregation choice
};

struct PreparedSlot {
  std::once_flag once;
  PreparedLeaves leaves;
};

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

  // The tree aggregated per replicate: the nodes not strictly below a
  // frozen node (one whose subtree holds no perturbed weight), as indices
  // into the framework's nodes; frozen nodes are its leaves.
  std::vector<int> kept;                // framework node ids
  std::vector<std::vector<int>> kept_children;  // as indices into kept
  std::vector<int> frozen_nodes;        // framework ids of kept's leaves
  std::vector<int> frozen_column;       // per kept node: its column in FrozenScores, or -1
  std::vector<int> bottom_up;           // kept inner nodes, children before parents
  int kept_root = 0;
  int aggregation_choices = 1;
  // Prepared leaves per (imputation, outliers, normalisation) choice.
  std::unique_ptr<PreparedSlot[]> prepared;
};

int Choice(int factor, absl::Span<const double> values) {
  return factor < 0 ? 0 : static_cast<int>(values[factor]);
}

// Which nodes a replicate aggregates (ModelState::kept ...), from the
// nodes whose weight a factor perturbs.
void PlanFrozenSubtrees(ModelState& state) {
  const index::Framework& f = state.inputs->framework;
  const size_t n = f.Nodes().size();
  // moving[v]: some node strictly below v has a perturbed weight.
  std::vector<bool> perturbed(n, false), moving(n, false);
  for (const auto& [factor, node] : state.plan.weights) {
    const UncertainFactor& u = state.plan.factors[factor];
    if (u.low != u.high) perturbed[node] = true;
  }
  for (size_t v = 0; v < n; ++v) {
    if (!perturbed[v]) continue;
    for (int p = f.Parent(static_cast<int>(v)); p >= 0; p = f.Parent(p)) moving[p] = true;
  }
  std::vector<int> index_of(n, -1);
  std::vector<int> stack = {f.Root()};
  while (!stack.empty()) {
    const int v = stack.back();
    stack.pop_back();
    index_of[v] = static_cast<int>(state.kept.size());
    state.kept.push_back(v);
    if (!moving[v]) {
      state.frozen_nodes.push_back(v);
      continue;
    }
    for (int c : f.Children(v)) stack.push_back(c);
  }
  state.kept_children.resize(state.kept.size());
  for (size_t i = 0; i < state.kept.size(); ++i) {
    const int v = state.kept[i];
    if (!moving[v]) continue;
    for (int c : f.Children(v)) state.kept_children[i].push_back(index_of[c]);
  }
  state.kept_root = index_of[f.Root()];
  state.frozen_column.assign(state.kept.size(), -1);
  for (size_t i = 0; i < state.frozen_nodes.size(); ++i) {
    state.frozen_column[index_of[state.frozen_nodes[i]]] = static_cast<int>(i);
  }
  // kept is in preorder (parents first): reversed, children come first.
  for (size_t i = state.kept.size(); i-- > 0;) {
    if (!state.kept_children[i].empty()) state.bottom_up.push_back(static_cast<int>(i));
  }
}

PreparedLeaves Prepare(const ModelState& state, absl::StatusOr<PipelineResult> result) {
  PreparedLeaves out;
  out.frozen_once = std::make_unique<std::once_flag[]>(state.aggregation_choices);
  out.frozen = std::make_unique<FrozenScores[]>(state.aggregation_choices);
  if (!result.ok()) {
    out.status = result.status();
    return out;
  }
  out.normalised = std::move(result->normalised);
  if (out.normalised.regions() != state.regions) {
    for (const std::string& code : state.regions) {
      const int row = out.normalised.RegionIndex(code);
      if (row < 0) {
        out.status = absl::FailedPreconditionError(
            absl::StrCat("region ", code,
                         " is not scored under this setting (screened out); the analysis "
                         "needs the run's regions in every replicate"));
        return out;
      }
      out.rows.push_back(row);
    }
  }
  return out;
}

FrozenScores Freeze(const ModelState& state, const PreparedLeaves& leaves,
                    const PipelineSpec& spec) {
  FrozenScores out;
  absl::StatusOr<AggregationTree> tree =
      AggregationTreeFromFramework(state.inputs->framework, spec.weights);
  if (!tree.ok()) {
    out.status = tree.status();
    return out;
  }
  AggregationOptions options = spec.aggregation;
  options.scale = ScoreScale::kMean;
  absl::StatusOr<index::DataMatrix> scores = Aggregate(*tree, leaves.normalised, options);
  if (!scores.ok()) {
    out.status = scores.status();
    return out;
  }
  std::vector<std::string> codes;
  for (int v : state.frozen_nodes) codes.push_back(state.inputs->framework.Node(v).code);
  out.columns = index::DataMatrix(scores->regions(), codes);
  for (size_t i = 0; i < state.frozen_nodes.size(); ++i) {
    absl::Span<const double> column = scores->Column(state.frozen_nodes[i]);
    for (double x : column) {
      // Aggregate refuses an infinite leaf; the whole tree decides then.
      if (std::isinf(x)) {
        out.status = absl::InternalError("infinite subtree score");
        return out;
      }
    }
    std::copy(column.begin(), column.end(), out.columns.MutableColumn(i).begin());
  }
  const double shift = options.non_positive == NonPositivePolicy::kShift ? options.shift : 0.0;
  for (size_t i = 0; i < state.frozen_nodes.size(); ++i) {
    std::vector<double>& logs = out.logs.emplace_back();
    for (double x : out.columns.Column(i)) {
      x += shift;
      if (!(x > 0)) {  // also NaN
        out.logs.clear();
        return out;
      }
      logs.push_back(std::log(x));
    }
  }
  return out;
}

// The exponent p of a power mean, as aggregation.cc's PowerOf.
double PowerOf(const AggregationSpec& spec) {
  switch (spec.method) {
    case AggregationMethod::kGeometric:
      return 0.0;
    case AggregationMethod::kHarmonic:
      return -1.0;
    case AggregationMethod::kGeneralised:
      return spec.power;
    case AggregationMethod::kArithmetic:
    case AggregationMethod::kTopsis:
      break;
  }
  return 1.0;
}

// The replicate's composite, computed over the kept tree with exactly the
// operations of AggregatePowerMean and WeightedPowerMean (aggregation.cc),
// in the same order, so the result is Aggregate's bit for bit; but one node
// at a time over whole columns, without Aggregate's per-call set-up, and
// with the logarithms of frozen columns computed once. Declines (nullopt)
// whenever Aggregate would do anything else: TOPSIS, a missing value, a
// value outside the mean's domain (policies kSkip and kFail), so the
// caller hands those replicates to Aggregate itself.
std::optional<std::vector<double>> FastComposite(const ModelState& state,
                                                 const FrozenScores& frozen,
                                                 const PipelineSpec& spec) {
  const AggregationOptions& options = spec.aggregation;
  const size_t regions = frozen.columns.rows();
  std::vector<std::vector<double>> computed(state.kept.size());
  std::vector<double> acc(regions);
  for (int v : state.bottom_up) {
    const index::FrameworkNode& node = state.inputs->framework.Node(state.kept[v]);
    auto by_level = options.by_level.find(node.level);
    const AggregationSpec& method =
        by_level == options.by_level.end() ? options.spec : by_level->second;
    if (method.method == AggregationMethod::kTopsis) return std::nullopt;
    const double p = PowerOf(method);
    const double shift =
        p != 1.0 && options.non_positive == NonPositivePolicy::kShift ? options.shift : 0.0;
    double weight_sum = 0;
    for (int c : state.kept_children[v]) weight_sum += spec.weights[state.kept[c]];
    if (!(weight_sum > 0)) return std::nullopt;
    std::fill(acc.begin(), acc.end(), 0.0);
    for (int c : state.kept_children[v]) {
      const double weight = spec.weights[state.kept[c]];
      if (weight == 0) continue;  // takes no part, as in AggregatePowerMean
      const double w = weight / weight_sum;
      const int column = state.frozen_column[c];
      absl::Span<const double> x =
          column >= 0 ? frozen.columns.Column(column) : absl::Span<const double>(computed[c]);
      if (p == 0.0 && column >= 0 && !frozen.logs.empty()) {  // logs hold this shift
        const std::vector<double>& logs = frozen.logs[column];
        for (size_t r = 0; r < regions; ++r) acc[r] += w * logs[r];
        continue;
      }
      for (size_t r = 0; r < regions; ++r) {
        const double value = x[r] + shift;
        // Missing (NaN) or outside the domain: Aggregate's policies decide.
        if (std::isnan(value) || (p != 1.0 && (p > 0 ? !(value >= 0) : !(value > 0)))) {
          return std::nullopt;
        }
        if (p == 1.0) {
          acc[r] += w * value;
        } else if (p == 0.0) {
          acc[r] += w * std::log(value);
        } else {
          acc[r] += w * std::pow(value, p);
        }
      }
    }
    std::vector<double>& out = computed[v];
    out.resize(regions);
    for (size_t r = 0; r < regions; ++r) {
      const double mean = p == 1.0   ? acc[r]
                          : p == 0.0 ? std::exp(acc[r])
                                     : std::pow(acc[r], 1.0 / p);
      out[r] = mean - shift;
    }
  }
  return std::move(computed[state.kept_root]);
}

absl::StatusOr<std::vector<double>> Composite(const ModelState& state,
                                              absl::Span<const double> values) {
  const PipelineSpec spec = SpecFor(state.inputs->nominal, state.plan, values);
  const int normalisations = static_cast<int>(state.plan.normalisations.size()) + 1;
  const int slot_index = (Choice(state.plan.imputation, values) * 2 +
                          Choice(state.plan.outliers, values)) *
                             normalisations +
                         Choice(state.plan.normalisation, values);
  PreparedSlot& slot = state.prepared[slot_index];
  std::call_once(slot.once, [&] {
    slot.leaves = Prepare(state, PrepareLeaves(state.pipeline_inputs, spec));
  });
  const PreparedLeaves& leaves = slot.leaves;
  RETURN_IF_ERROR(leaves.status);

  const int aggregation = Choice(state.plan.aggregation, values);
  std::call_once(leaves.frozen_once[aggregation],
                 [&] { leaves.frozen[aggregation] = Freeze(state, leaves, spec); });
  const FrozenScores& frozen = leaves.frozen[aggregation];

  index::DataMatrix scores;
  int root = 0;
  std::optional<std::vector<double>> fast;
  if (frozen.status.ok() && !state.bottom_up.empty()) fast = FastComposite(state, frozen, spec);
  if (fast) {
    if (leaves.rows.empty()) return *std::move(fast);
    std::vector<double> out;
    out.reserve(leaves.rows.size());
    for (int row : leaves.rows) out.push_back((*fast)[row]);
    return out;
  }
  if (frozen.status.ok()) {
    std::vector<AggregationNode> nodes(state.kept.size());
    for (size_t i = 0; i < state.kept.size(); ++i) {
      const index::FrameworkNode& node = state.inputs->framework.Node(state.kept[i]);
      nodes[i].code = node.code;
      nodes[i].children = state.kept_children[i];
      nodes[i].weight = spec.weights[state.kept[i]];
      // Frozen nodes are the leaves here; a leaf's level only has to be
      // below its parent's (the aggregation method is chosen by the level
      // of the node computed, which keeps its own).
      nodes[i].level = nodes[i].children.empty() ? 1 : node.level;
    }
    ASSIGN_OR_RETURN(AggregationTree tree, AggregationTree::Create(std::move(nodes)));
    ASSIGN_OR_RETURN(scores, Aggregate(tree, frozen.columns, spec.aggregation));
    root = state.kept_root;
  } else {
    ASSIGN_OR_RETURN(AggregationTree tree,
                     AggregationTreeFromFramework(state.inputs->framework, spec.weights));
    ASSIGN_OR_RETURN(scores, Aggregate(tree, leaves.normalised, spec.aggregation));
    root = state.inputs->framework.Root();
  }
  absl::Span<const double> column = scores.Column(root);
  if (leaves.rows.empty()) return std::vector<double>(column.begin(), column.end());
  std::vector<double> out;
  out.reserve(leaves.rows.size());
  for (int row : leaves.rows) out.push_back(column[row]);
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
  // The nominal run, as RunPipeline computes it (its composite ranks
  // only), so that a bad setting fails here with the pipeline's message;
  // its prepared leaves are the first slot's (every choice nominal).
  const PipelineSpec& nominal = state->inputs->nominal;
  auto failed = [](const absl::Status& status) {
    return absl::Status(status.code(), absl::StrCat("nominal run: ", status.message()));
  };
  absl::StatusOr<PipelineResult> prepared = PrepareLeaves(state->pipeline_inputs, nominal);
  if (!prepared.ok()) return failed(prepared.status());
  {
    absl::StatusOr<AggregationTree> tree =
        AggregationTreeFromFramework(state->inputs->framework, nominal.weights);
    if (!tree.ok()) return failed(tree.status());
    absl::StatusOr<index::DataMatrix> scores =
        Aggregate(*tree, prepared->normalised, nominal.aggregation);
    if (!scores.ok()) return failed(scores.status());
    absl::StatusOr<std::vector<int>> ranks =
        CompetitionRanks(scores->Column(state->inputs->framework.Root()), nominal.ranking);
    if (!ranks.ok()) return failed(ranks.status());
    state->regions = scores->regions();
  }
  PlanFrozenSubtrees(*state);
  state->aggregation_choices = static_cast<int>(state->plan.aggregations.size()) + 1;
  state->prepared = std::make_unique<PreparedSlot[]>(
      4 * (state->plan.normalisations.size() + 1));
  std::call_once(state->prepared[0].once, [&] {
    state->prepared[0].leaves = Prepare(*state, std::move(prepared));
  });
  UncertaintyModel model;
  model.factors = state->plan.factors;
  model.regions = state->regions;
  model.model = [state](absl::Span<const double> values) { return Composite(*state, values); };
  return model;
}

}  // namespace innoscope::scoring
