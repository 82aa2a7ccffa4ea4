#include "libs/scoring/uncertainty_model.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/scoring/aggregation.h"
#include "libs/scoring/aggregation_tree.h"
#include "libs/scoring/column_means.h"
#include "libs/scoring/framework_adapter.h"
#include "libs/scoring/parallel.h"
#include "libs/scoring/ranking.h"
#include "libs/scoring/vector_math.h"

namespace innoscope::scoring {
namespace {

// The leaves of one setting of the factors that act before aggregation
// (imputation, outlier treatment, normalisation), and, per aggregation
// choice, the scores of the subtrees no replicate changes.
//
// Why: a replicate used to run the whole pipeline, but the stages before
// aggregation depend on at most three discrete factors, and the score of a
// node depends on the weights strictly below it only. Computing each
// distinct prefix once (TreatLeaves per imputation and outlier setting,
// NormaliseLeaves per normalisation on top of it) and each subtree without a
// perturbed weight once per aggregation choice leaves a replicate only the
// aggregation of the nodes whose weights move (FastComposite). Every value
// is computed by the same functions, or the same operations in the same
// order, on the same inputs as RunPipeline computes it, so the composites
// are RunPipeline's bit for bit (uncertainty_model_test compares them with
// RunPipeline, cli_score_pgtest the files path with the service's).
// std::call_once with the common case, long since done, one acquire load:
// libstdc++'s call_once sets thread-local state before every check, a cost
// paid twice per replicate.
class Once {
 public:
  template <typename F>
  void Call(F&& f) {
    if (done_.load(std::memory_order_acquire)) return;
    std::call_once(once_, [&] {
      f();
      done_.store(true, std::memory_order_release);
    });
  }

 private:
  std::once_flag once_;
  std::atomic<bool> done_{false};
};

struct FrozenScores {
  absl::Status status;  // not OK: fall back to aggregating the whole tree
  // Why this pair of normalisation and aggregation choices cannot score the
  // data at the nominal weights (Aggregate's error, or a region of the
  // model left without a composite); OK when it can.
  absl::Status pair_status;
  // Regions x frozen nodes (codes = node codes), unscaled (ScoreScale::kMean).
  index::DataMatrix columns;
  // log(x + shift) of every value of `columns` (the shift of
  // NonPositivePolicy::kShift, else 0), for geometric means; empty when a
  // value is missing or not positive (FastComposite then declines).
  std::vector<std::vector<double>> logs;
  // Pointers to the columns of `columns` and `logs`, as FastComposite hands
  // them to ColumnMeans, set by FreezeScores (why: a replicate used to
  // rebuild them, two pointers per frozen column). A move keeps the vectors'
  // buffers, so they stay valid; a copy would not: move-only.
  ColumnInputs inputs;
  // Some frozen node is a geometric mean: a geometric parent reads its
  // log-means (`logs`), which Aggregate over `columns` would not (it would
  // take Log of the scores), so a replicate ColumnMeans declines
  // aggregates the whole tree.
  bool carries_log_means = false;

  FrozenScores() = default;
  FrozenScores(FrozenScores&&) = default;
  FrozenScores& operator=(FrozenScores&&) = default;
  FrozenScores(const FrozenScores&) = delete;
  FrozenScores& operator=(const FrozenScores&) = delete;
};

struct PreparedLeaves {
  absl::Status status;           // PrepareLeaves' error for this setting
  index::DataMatrix normalised;  // PrepareLeaves' normalised leaves
  // The composite's row of each of state.regions (the regions with a
  // nominal composite); empty when the rows are those regions in order.
  std::vector<int> rows;
  std::unique_ptr<Once[]> frozen_once;
  std::unique_ptr<FrozenScores[]> frozen;  // per aggregation choice
};

struct PreparedSlot {
  Once once;
  PreparedLeaves leaves;
};

// The treated leaves (TreatLeaves) of one setting of the imputation and
// outlier factors, shared by every normalisation alternative: treatment
// comes before normalisation and does not depend on it.
struct TreatedSlot {
  Once once;
  absl::Status status;
  index::DataMatrix treated;
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
  std::vector<std::string> regions;  // those with a nominal composite

  // The tree aggregated per replicate: the nodes not strictly below a
  // frozen node (one whose subtree holds no perturbed weight), as indices
  // into the framework's nodes; frozen nodes are its leaves.
  std::vector<int> kept;                        // framework node ids
  std::vector<std::vector<int>> kept_children;  // as indices into kept
  std::vector<int> frozen_nodes;                // framework ids of kept's leaves
  std::vector<int> frozen_column;               // per kept node: its column in FrozenScores, or -1
  std::vector<int> bottom_up;                   // kept inner nodes, children before parents
  std::vector<int> inner_slot;                  // per kept node: its place in bottom_up, or -1
  int kept_root = 0;
  // kept, kept_children, bottom_up and inner_slot for ColumnMeans, frozen
  // nodes reading their FrozenScores column.
  ColumnTree tree;
  // Per kept node: its entry in plan.weights (the multiplier of its
  // nominal weight), or -1.
  std::vector<int> weight_slot;
  int aggregation_choices = 1;
  // means[choice][kept node], for the kept inner nodes (how each is
  // aggregated under that choice: fixed, so looked up once, not per
  // replicate).
  std::vector<std::vector<NodeMean>> means;
  // Treated leaves per (imputation, outliers) choice.
  std::unique_ptr<TreatedSlot[]> treated;
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
  for (const FactorPlan::Weight& w : state.plan.weights) {
    if (w.fraction != 0) perturbed[w.node] = true;
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
  std::vector<int> slot_of(n, -1);
  for (size_t i = 0; i < state.plan.weights.size(); ++i) {
    slot_of[state.plan.weights[i].node] = static_cast<int>(i);
  }
  for (int v : state.kept) state.weight_slot.push_back(slot_of[v]);
  // kept is in preorder (parents first): reversed, children come first.
  for (size_t i = state.kept.size(); i-- > 0;) {
    if (!state.kept_children[i].empty()) state.bottom_up.push_back(static_cast<int>(i));
  }
  state.inner_slot.assign(state.kept.size(), -1);
  for (size_t slot = 0; slot < state.bottom_up.size(); ++slot) {
    state.inner_slot[state.bottom_up[slot]] = static_cast<int>(slot);
  }
  state.tree.children = state.kept_children;
  state.tree.input = state.frozen_column;
  state.tree.bottom_up = state.bottom_up;
  state.tree.inner_slot = state.inner_slot;
}

PreparedLeaves Prepare(const ModelState& state, absl::StatusOr<index::DataMatrix> normalised) {
  PreparedLeaves out;
  out.frozen_once = std::make_unique<Once[]>(state.aggregation_choices);
  out.frozen = std::make_unique<FrozenScores[]>(state.aggregation_choices);
  if (!normalised.ok()) {
    out.status = normalised.status();
    return out;
  }
  out.normalised = *std::move(normalised);
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

// Whether framework node v is aggregated by a geometric mean under
// `options` (Aggregate's choice by level).
bool GeometricAt(const ModelState& state, const AggregationOptions& options, int v) {
  const index::Framework& framework = state.inputs->framework;
  if (framework.IsLeaf(v)) return false;
  const NodeMean mean = MeanAt(options, framework.Node(v).level);
  return !mean.topsis && mean.p == 0.0;
}

// FrozenScores from the unscaled (ScoreScale::kMean) scores of every node
// (column_of(v): framework node v's, as Aggregate computes them), under
// `options`; log_mean_of(v): a geometric node's log-means (Aggregate's
// log_means), which a geometric parent reads instead of Log of its scores.
FrozenScores FreezeScores(const ModelState& state, const std::vector<std::string>& regions,
                          const std::function<absl::Span<const double>(int)>& column_of,
                          const std::function<absl::Span<const double>(int)>& log_mean_of,
                          const AggregationOptions& options) {
  FrozenScores out;
  for (int v : state.frozen_nodes) out.carries_log_means |= GeometricAt(state, options, v);
  std::vector<std::string> codes;
  for (int v : state.frozen_nodes) codes.push_back(state.inputs->framework.Node(v).code);
  out.columns = index::DataMatrix(regions, codes);
  for (size_t i = 0; i < state.frozen_nodes.size(); ++i) {
    absl::Span<const double> column = column_of(state.frozen_nodes[i]);
    for (double x : column) {
      // Aggregate refuses an infinite leaf; the whole tree decides then.
      if (std::isinf(x)) {
        out.status = absl::InternalError("infinite subtree score");
        return out;
      }
    }
    std::copy(column.begin(), column.end(), out.columns.MutableColumn(i).begin());
  }
  for (size_t i = 0; i < out.columns.cols(); ++i) {
    out.inputs.values.push_back(out.columns.Column(i).data());
  }
  const double shift = options.non_positive == NonPositivePolicy::kShift ? options.shift : 0.0;
  for (size_t i = 0; i < state.frozen_nodes.size(); ++i) {
    std::vector<double>& logs = out.logs.emplace_back();
    for (double x : out.columns.Column(i)) {
      x += shift;
      if (!(x > 0)) {  // also NaN
        out.logs.clear();
        // ColumnMeans would take Log of a geometric node's scores, not its
        // log-means: aggregate the whole tree instead.
        if (out.carries_log_means) out.status = absl::InternalError("no subtree log-means");
        return out;
      }
      logs.push_back(x);
    }
    if (GeometricAt(state, options, state.frozen_nodes[i])) {
      const absl::Span<const double> log_mean = log_mean_of(state.frozen_nodes[i]);
      if (log_mean.size() != logs.size()) {
        out.logs.clear();
        out.status = absl::InternalError("no subtree log-means");
        return out;
      }
      std::copy(log_mean.begin(), log_mean.end(), logs.begin());
    } else {
      LogArray(logs, absl::MakeSpan(logs));  // Aggregate's Log (vector_math.h)
    }
  }
  for (const std::vector<double>& logs : out.logs) out.inputs.logs.push_back(logs.data());
  return out;
}

// The composite of every region of the model, else why not.
absl::Status CheckComposite(const ModelState& state, const PreparedLeaves& leaves,
                            absl::Span<const double> composite) {
  for (size_t i = 0; i < state.regions.size(); ++i) {
    if (!std::isfinite(composite[leaves.rows.empty() ? i : leaves.rows[i]])) {
      return absl::InvalidArgumentError(
          absl::StrCat("region ", state.regions[i], " has no composite score"));
    }
  }
  return absl::OkStatus();
}

// Freeze's scores by ColumnMeans (Aggregate's bits, column by column, a
// few times faster and without a regions x nodes matrix); nullopt when
// Aggregate would do anything else (its errors and policies decide then).
std::optional<FrozenScores> FreezeByColumns(const ModelState& state, const PreparedLeaves& leaves,
                                            const AggregationTree& tree,
                                            const AggregationOptions& options) {
  if (!ValidateAggregationOptions(options).ok()) return std::nullopt;
  const index::DataMatrix& normalised = leaves.normalised;
  std::vector<int> leaf_column(tree.size(), -1);
  ColumnInputs inputs;
  for (int leaf : tree.Leaves()) {
    const int column = normalised.IndicatorIndex(tree.Code(leaf));
    if (column < 0) return std::nullopt;  // Aggregate names the leaf
    const absl::Span<const double> values = normalised.Column(column);
    // Aggregate refuses an infinite leaf score.
    if (std::any_of(values.begin(), values.end(), [](double x) { return std::isinf(x); })) {
      return std::nullopt;
    }
    leaf_column[leaf] = static_cast<int>(inputs.values.size());
    inputs.values.push_back(values.data());
  }
  const ColumnTree columns = ColumnTreeFrom(tree, leaf_column);
  std::vector<NodeMean> means(tree.size());
  std::vector<double> weights(tree.size());
  for (size_t v = 0; v < tree.size(); ++v) {
    means[v] = MeanAt(options, tree.Level(static_cast<int>(v)));
    weights[v] = tree.Node(static_cast<int>(v)).weight;
  }
  ColumnMeans scores;
  if (!scores.Run(columns, means, weights, inputs, normalised.rows())) return std::nullopt;
  auto column_of = [&](int v) {
    return tree.IsLeaf(v) ? absl::MakeConstSpan(inputs.values[leaf_column[v]], normalised.rows())
                          : scores.Column(columns, v);
  };
  auto log_mean_of = [&](int v) { return scores.LogMean(columns, v); };
  FrozenScores out = FreezeScores(state, normalised.regions(), column_of, log_mean_of, options);
  out.pair_status = CheckComposite(state, leaves, column_of(tree.Root()));
  return out;
}

FrozenScores Freeze(const ModelState& state, const PreparedLeaves& leaves,
                    const PipelineSpec& spec) {
  FrozenScores out;
  absl::StatusOr<AggregationTree> tree =
      AggregationTreeFromFramework(state.inputs->framework, spec.weights);
  if (!tree.ok()) {
    out.status = out.pair_status = tree.status();
    return out;
  }
  AggregationOptions options = spec.aggregation;
  options.scale = ScoreScale::kMean;
  if (std::optional<FrozenScores> by_columns = FreezeByColumns(state, leaves, *tree, options)) {
    return *std::move(by_columns);
  }
  std::vector<std::vector<double>> log_means;
  absl::StatusOr<index::DataMatrix> scores =
      Aggregate(*tree, leaves.normalised, options, &log_means);
  if (!scores.ok()) {
    out.status = out.pair_status = scores.status();
    return out;
  }
  out = FreezeScores(
      state, scores->regions(), [&](int v) { return scores->Column(v); },
      [&](int v) { return absl::MakeConstSpan(log_means[v]); }, options);
  // The (unscaled) composite of every region of the model.
  out.pair_status = CheckComposite(state, leaves, scores->Column(state.inputs->framework.Root()));
  return out;
}

// ModelState::means: per aggregation choice, how each kept inner node is
// aggregated, as SpecFor and Aggregate choose it (a level's own method,
// else the default; an alternative replaces both).
void PlanMeans(ModelState& state) {
  const AggregationOptions& nominal = state.inputs->nominal.aggregation;
  state.means.assign(state.aggregation_choices, std::vector<NodeMean>(state.kept.size()));
  for (int choice = 0; choice < state.aggregation_choices; ++choice) {
    for (int v : state.bottom_up) {
      const int level = state.inputs->framework.Node(state.kept[v]).level;
      const AggregationSpec* method = &nominal.spec;
      if (choice > 0) {
        method = &state.plan.aggregations[choice - 1];
      } else if (auto it = nominal.by_level.find(level); it != nominal.by_level.end()) {
        method = &it->second;
      }
      NodeMean& mean = state.means[choice][v];
      mean.topsis = method->method == AggregationMethod::kTopsis;
      mean.p = PowerOf(*method);
      mean.shift =
          mean.p != 1.0 && nominal.non_positive == NonPositivePolicy::kShift ? nominal.shift : 0.0;
    }
  }
}

// The replicate's composite, computed over the kept tree by ColumnMeans
// (column_means.h: Aggregate's operations in Aggregate's order, so its
// result bit for bit), with the logarithms of frozen columns computed once,
// the weights taken straight from the factor values (nominal weight x
// multiplier, as SpecFor computes them) and the thread's buffers reused,
// so a replicate allocates only its result. Declines (false) whenever
// Aggregate would do anything else: TOPSIS, a missing value, a value
// outside the mean's domain (policies kSkip and kFail), so the caller hands
// those replicates to Aggregate itself.
bool FastComposite(const ModelState& state, const FrozenScores& frozen, int aggregation,
                   absl::Span<const double> values, std::vector<double>& composite) {
  const std::vector<double>& nominal_weights = state.inputs->nominal.weights;
  thread_local std::vector<double> multipliers;  // per plan.weights
  thread_local std::vector<double> weights;
  thread_local ColumnMeans means;
  WeightMultipliers(state.plan, values, multipliers);
  weights.resize(state.kept.size());
  for (size_t i = 0; i < state.kept.size(); ++i) {
    const int slot = state.weight_slot[i];
    weights[i] = slot < 0 ? nominal_weights[state.kept[i]]
                          : nominal_weights[state.kept[i]] * multipliers[slot];
  }
  // Only the root's scores are read (the root is the last bottom-up).
  if (!means.Run(state.tree, state.means[aggregation], weights, frozen.inputs,
                 frozen.columns.rows(), ColumnMeans::Columns::kRoot)) {
    return false;
  }
  const absl::Span<const double> root = means.Column(state.tree, state.kept_root);
  composite.assign(root.begin(), root.end());
  return true;
}

// The normalised leaves of one setting of the imputation, outlier and
// normalisation factors, from the treated leaves shared across
// normalisations.
absl::StatusOr<index::DataMatrix> Normalised(const ModelState& state, int treated_index,
                                             absl::Span<const double> values) {
  TreatedSlot& slot = state.treated[treated_index];
  slot.once.Call([&] {
    absl::StatusOr<PipelineResult> treated =
        TreatLeaves(state.pipeline_inputs, SpecFor(state.inputs->nominal, state.plan, values));
    if (treated.ok()) {
      slot.treated = std::move(treated->treated);
    } else {
      slot.status = treated.status();
    }
  });
  RETURN_IF_ERROR(slot.status);
  return NormaliseLeaves(state.inputs->framework, slot.treated,
                         SpecFor(state.inputs->nominal, state.plan, values));
}

// The composites of state.regions from those of every row of the
// setting's leaves; INVALID_ARGUMENT naming a region left without one.
absl::StatusOr<std::vector<double>> ModelScores(const ModelState& state,
                                                const PreparedLeaves& leaves,
                                                std::vector<double> all) {
  std::vector<double> out;
  if (leaves.rows.empty()) {
    out = std::move(all);
  } else {
    out.reserve(leaves.rows.size());
    for (int row : leaves.rows) out.push_back(all[row]);
  }
  for (size_t i = 0; i < out.size(); ++i) {
    if (!std::isfinite(out[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("region ", state.regions[i], " has no composite score in this setting"));
    }
  }
  return out;
}

absl::StatusOr<std::vector<double>> Composite(const ModelState& state,
                                              absl::Span<const double> values) {
  const int normalisations = static_cast<int>(state.plan.normalisations.size()) + 1;
  const int treated_index =
      Choice(state.plan.imputation, values) * 2 + Choice(state.plan.outliers, values);
  const int slot_index = treated_index * normalisations + Choice(state.plan.normalisation, values);
  PreparedSlot& slot = state.prepared[slot_index];
  slot.once.Call([&] { slot.leaves = Prepare(state, Normalised(state, treated_index, values)); });
  const PreparedLeaves& leaves = slot.leaves;
  RETURN_IF_ERROR(leaves.status);

  const int aggregation = Choice(state.plan.aggregation, values);
  leaves.frozen_once[aggregation].Call([&] {
    leaves.frozen[aggregation] =
        Freeze(state, leaves, SpecFor(state.inputs->nominal, state.plan, values));
  });
  const FrozenScores& frozen = leaves.frozen[aggregation];

  if (frozen.status.ok() && !state.bottom_up.empty()) {
    std::vector<double> fast;
    if (FastComposite(state, frozen, aggregation, values, fast)) {
      return ModelScores(state, leaves, std::move(fast));
    }
  }
  const PipelineSpec spec = SpecFor(state.inputs->nominal, state.plan, values);
  index::DataMatrix scores;
  int root = 0;
  if (frozen.status.ok() && !frozen.carries_log_means) {
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
  return ModelScores(state, leaves, std::vector<double>(column.begin(), column.end()));
}

}  // namespace

absl::StatusOr<UncertaintyModel> BuildUncertaintyModel(
    std::shared_ptr<const UncertaintyInputs> inputs, const UncertaintyAssumptions& assumptions,
    const RunControl& control) {
  RETURN_IF_ERROR(ValidateRunControl(control));
  if (inputs->nominal.weights.size() != inputs->framework.Nodes().size()) {
    return absl::InternalError("uncertainty model: nominal weights must be explicit");
  }
  ASSIGN_OR_RETURN(FactorPlan plan, PlanFactors(inputs->framework, inputs->nominal, assumptions));
  auto state = std::make_shared<ModelState>(std::move(inputs), std::move(plan));
  const index::Framework& framework = state->inputs->framework;
  // The nominal run's treatment and normalisation; its prepared leaves are
  // the first slot's (every choice nominal).
  const PipelineSpec& nominal = state->inputs->nominal;
  auto failed = [](const absl::Status& status) {
    return absl::Status(status.code(), absl::StrCat("nominal run: ", status.message()));
  };
  absl::StatusOr<PipelineResult> treated = TreatLeaves(state->pipeline_inputs, nominal, control);
  if (!treated.ok()) return failed(treated.status());

  // Every normalisation choice under the nominal treatment, each on the
  // threads (why: a replicate used to prepare its slot lazily, so the set-up ran on
  // one thread, or blocked the other threads in call_once; with 3,000
  // regions x 300 leaves it dominated 1,000 replicates). values[choice] is
  // the nominal setting with that normalisation and aggregation choice.
  const int normalisations = static_cast<int>(state->plan.normalisations.size()) + 1;
  const int aggregations = static_cast<int>(state->plan.aggregations.size()) + 1;
  std::vector<double> nominal_values;
  for (const UncertainFactor& f : state->plan.factors) nominal_values.push_back(f.nominal);
  auto values_for = [&](int normalisation, int aggregation) {
    std::vector<double> values = nominal_values;
    if (state->plan.normalisation >= 0) values[state->plan.normalisation] = normalisation;
    if (state->plan.aggregation >= 0) values[state->plan.aggregation] = aggregation;
    return values;
  };
  std::vector<absl::StatusOr<index::DataMatrix>> normalised(normalisations);
  for (int i = 0; i < normalisations; ++i) {
    normalised[i] = NormaliseLeaves(framework, treated->treated,
                                    SpecFor(nominal, state->plan, values_for(i, 0)), control);
    // A stop is the analysis', not a setting's error.
    if (absl::Status stop = CheckStop(control); !stop.ok()) return stop;
  }
  if (!normalised[0].ok()) return failed(normalised[0].status());

  // The nominal run, as RunPipeline computes it (its composite ranks only),
  // so that a bad setting fails here with the pipeline's message. Its
  // composites fix the model's regions: those that have one.
  absl::StatusOr<AggregationTree> tree = AggregationTreeFromFramework(framework, nominal.weights);
  if (!tree.ok()) return failed(tree.status());
  std::vector<std::vector<double>> log_means;
  absl::StatusOr<index::DataMatrix> scores =
      Aggregate(*tree, *normalised[0], nominal.aggregation, &log_means);
  if (!scores.ok()) return failed(scores.status());
  absl::Span<const double> composite = scores->Column(framework.Root());
  if (absl::Status ranks = CompetitionRanks(composite, nominal.ranking).status(); !ranks.ok()) {
    return failed(ranks);
  }
  std::vector<std::string> unscored;
  for (size_t r = 0; r < composite.size(); ++r) {
    (std::isfinite(composite[r]) ? state->regions : unscored).push_back(scores->regions()[r]);
  }
  if (state->regions.size() < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("only ", state->regions.size(),
                     " region(s) have a nominal composite score; rank intervals need at least 2"));
  }
  PlanFrozenSubtrees(*state);
  state->aggregation_choices = aggregations;
  PlanMeans(*state);
  state->treated = std::make_unique<TreatedSlot[]>(4);
  state->prepared = std::make_unique<PreparedSlot[]>(4 * normalisations);
  state->treated[0].once.Call([&] { state->treated[0].treated = std::move(treated->treated); });
  for (int i = 0; i < normalisations; ++i) {
    state->prepared[i].once.Call(
        [&] { state->prepared[i].leaves = Prepare(*state, std::move(normalised[i])); });
  }
  // The nominal pair's frozen subtree scores are the nominal scores when
  // unscaled (frozen subtrees hold no perturbed weight, so any replicate's
  // weights give the same): no second aggregation.
  const PreparedLeaves& nominal_leaves = state->prepared[0].leaves;
  RETURN_IF_ERROR(nominal_leaves.status);
  if (nominal.aggregation.scale == ScoreScale::kMean) {
    nominal_leaves.frozen_once[0].Call([&] {
      nominal_leaves.frozen[0] = FreezeScores(
          *state, scores->regions(), [&](int v) { return scores->Column(v); },
          [&](int v) { return absl::MakeConstSpan(log_means[v]); }, nominal.aggregation);
    });
  }

  // On the threads: the frozen subtree scores of every other
  // (normalisation, aggregation) pair, each a check that the pair can
  // score the data. The pairs aggregating with logarithms or powers (each
  // several times an arithmetic one) go first, so that no costly pair is
  // left to run alone at the end.
  auto costly = [&](int a) {
    const AggregationOptions o = SpecFor(nominal, state->plan, values_for(0, a)).aggregation;
    if (o.spec.method != AggregationMethod::kArithmetic) return true;
    for (const auto& [level, spec] : o.by_level) {
      if (spec.method != AggregationMethod::kArithmetic) return true;
    }
    return false;
  };
  std::vector<std::pair<int, int>> pairs;
  for (const bool expensive : {true, false}) {
    for (int a = 0; a < aggregations; ++a) {
      if (costly(a) != expensive) continue;
      for (int i = 0; i < normalisations; ++i) pairs.emplace_back(i, a);
    }
  }
  RETURN_IF_ERROR(ParallelFor(pairs.size(), control, [&](size_t t) -> absl::Status {
    // Not a structured binding: the lambda below captures i and a, which
    // C++17 (and clang) allows only for variables.
    const int i = pairs[t].first;
    const int a = pairs[t].second;
    const PreparedLeaves& leaves = state->prepared[i].leaves;
    if (!leaves.status.ok()) return absl::OkStatus();  // reported below
    leaves.frozen_once[a].Call([&] {
      leaves.frozen[a] = Freeze(*state, leaves, SpecFor(nominal, state->plan, values_for(i, a)));
    });
    return absl::OkStatus();
  }));
  // The first pair that cannot score the data, in the order of the choices.
  auto choice = [](const char* factor, int c) {
    return c == 0 ? absl::StrCat("the nominal ", factor) : absl::StrCat(factor, " alternative ", c);
  };
  for (int i = 0; i < normalisations; ++i) {
    const PreparedLeaves& leaves = state->prepared[i].leaves;
    if (!leaves.status.ok()) {
      return absl::Status(leaves.status.code(),
                          absl::StrCat(choice("normalisation", i),
                                       " cannot score the data: ", leaves.status.message()));
    }
    for (int a = 0; a < aggregations; ++a) {
      const absl::Status& status = leaves.frozen[a].pair_status;
      if (status.ok()) continue;
      return absl::Status(
          status.code(),
          absl::StrCat(choice("normalisation", i), " with ", choice("aggregation", a),
                       " cannot score the data: ", status.message()));
    }
  }
  UncertaintyModel model;
  model.plan = state->plan;
  model.factors = state->plan.factors;
  model.regions = state->regions;
  model.unscored = std::move(unscored);
  model.model = [state](absl::Span<const double> values) { return Composite(*state, values); };
  return model;
}

}  // namespace innoscope::scoring
