#include "libs/scoring/uncertainty_model.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <optional>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/scoring/aggregation.h"
#include "libs/scoring/aggregation_tree.h"
#include "libs/scoring/framework_adapter.h"
#include "libs/scoring/parallel.h"
#include "libs/scoring/ranking.h"

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
};

struct PreparedLeaves {
  absl::Status status;           // PrepareLeaves' error for this setting
  index::DataMatrix normalised;  // PrepareLeaves' normalised leaves
  // The composite's row of each of state.regions (the regions with a
  // nominal composite); empty when the rows are those regions in order.
  std::vector<int> rows;
  std::unique_ptr<std::once_flag[]> frozen_once;
  std::unique_ptr<FrozenScores[]> frozen;  // per aggregation choice
};

struct PreparedSlot {
  std::once_flag once;
  PreparedLeaves leaves;
};

// The treated leaves (TreatLeaves) of one setting of the imputation and
// outlier factors, shared by every normalisation alternative: treatment
// comes before normalisation and does not depend on it.
struct TreatedSlot {
  std::once_flag once;
  absl::Status status;
  index::DataMatrix treated;
};

// How one node of the kept tree is aggregated under one aggregation
// choice: fixed per choice, so looked up once, not per replicate.
struct NodeMean {
  bool topsis = false;  // FastComposite declines
  double p = 1.0;       // power-mean exponent
  double shift = 0.0;   // NonPositivePolicy::kShift's, for p != 1
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
  // Per kept node: its entry in plan.weights (the multiplier of its
  // nominal weight), or -1.
  std::vector<int> weight_slot;
  int aggregation_choices = 1;
  // means[choice][kept node], for the kept inner nodes.
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
}

PreparedLeaves Prepare(const ModelState& state, absl::StatusOr<index::DataMatrix> normalised) {
  PreparedLeaves out;
  out.frozen_once = std::make_unique<std::once_flag[]>(state.aggregation_choices);
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

// FrozenScores from Aggregate's unscaled (ScoreScale::kMean) scores of
// every node, under `options`.
FrozenScores FreezeScores(const ModelState& state, const index::DataMatrix& scores,
                          const AggregationOptions& options) {
  FrozenScores out;
  std::vector<std::string> codes;
  for (int v : state.frozen_nodes) codes.push_back(state.inputs->framework.Node(v).code);
  out.columns = index::DataMatrix(scores.regions(), codes);
  for (size_t i = 0; i < state.frozen_nodes.size(); ++i) {
    absl::Span<const double> column = scores.Column(state.frozen_nodes[i]);
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
  absl::StatusOr<index::DataMatrix> scores = Aggregate(*tree, leaves.normalised, options);
  if (!scores.ok()) {
    out.status = out.pair_status = scores.status();
    return out;
  }
  out = FreezeScores(state, *scores, options);
  // The (unscaled) composite of every region of the model.
  absl::Span<const double> composite = scores->Column(state.inputs->framework.Root());
  for (size_t i = 0; i < state.regions.size(); ++i) {
    if (!std::isfinite(composite[leaves.rows.empty() ? i : leaves.rows[i]])) {
      out.pair_status = absl::InvalidArgumentError(
          absl::StrCat("region ", state.regions[i], " has no composite score"));
      break;
    }
  }
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

// out[r] = 0 + w[0] x[0][r] + w[1] x[1][r] + ... for every region r, in
// that order (AggregatePowerMean's), each sum kept in a register rather
// than stored and reloaded once per child; four regions at a time, four
// independent sums in flight.
void WeightedSums(const double* const* x, const double* w, size_t k, size_t regions, double* out) {
  size_t r = 0;
  for (; r + 4 <= regions; r += 4) {
    double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (size_t i = 0; i < k; ++i) {
      const double* xi = x[i] + r;
      a0 += w[i] * xi[0];
      a1 += w[i] * xi[1];
      a2 += w[i] * xi[2];
      a3 += w[i] * xi[3];
    }
    out[r] = a0;
    out[r + 1] = a1;
    out[r + 2] = a2;
    out[r + 3] = a3;
  }
  for (; r < regions; ++r) {
    double acc = 0;
    for (size_t i = 0; i < k; ++i) acc += w[i] * x[i][r];
    out[r] = acc;
  }
}

// The replicate's composite, computed over the kept tree with exactly the
// operations of AggregatePowerMean and WeightedPowerMean (aggregation.cc),
// in the same order, so the result is Aggregate's bit for bit; but one node
// at a time over whole columns, without Aggregate's per-call set-up, with
// the logarithms of frozen columns computed once, the weights taken
// straight from the factor values (nominal weight x multiplier, as SpecFor
// computes them) and the thread's buffers reused, so a replicate allocates
// only its result. Declines (false) whenever Aggregate would do anything
// else: TOPSIS, a missing value, a value outside the mean's domain
// (policies kSkip and kFail), so the caller hands those replicates to
// Aggregate itself.
bool FastComposite(const ModelState& state, const FrozenScores& frozen, int aggregation,
                   absl::Span<const double> values, std::vector<double>& composite) {
  const std::vector<double>& nominal_weights = state.inputs->nominal.weights;
  const std::vector<NodeMean>& means = state.means[aggregation];
  const size_t regions = frozen.columns.rows();
  thread_local std::vector<double> multipliers;  // per plan.weights
  thread_local std::vector<double> weights;
  // Inner kept node v's scores at inner_slot[v] * regions: only nodes a
  // replicate computes take room (the calling thread keeps the buffer).
  thread_local std::vector<double> computed;
  thread_local std::vector<const double*> xs;    // one node's children's values
  thread_local std::vector<double> ws;           // and normalised weights
  thread_local std::vector<char> logged;         // whether xs holds logarithms
  thread_local std::vector<double> transformed;  // the other children's logarithms
  WeightMultipliers(state.plan, values, multipliers);
  weights.resize(state.kept.size());
  for (size_t i = 0; i < state.kept.size(); ++i) {
    const int slot = state.weight_slot[i];
    weights[i] = slot < 0 ? nominal_weights[state.kept[i]]
                          : nominal_weights[state.kept[i]] * multipliers[slot];
  }
  computed.resize(state.bottom_up.size() * regions);
  for (int v : state.bottom_up) {
    const NodeMean& mean = means[v];
    if (mean.topsis) return false;
    const double p = mean.p;
    const double shift = mean.shift;
    double weight_sum = 0;
    for (int c : state.kept_children[v]) weight_sum += weights[c];
    if (!(weight_sum > 0)) return false;
    // The children taking part, with their normalised weights; for a
    // geometric mean over a frozen column, its logarithms (which hold this
    // shift).
    xs.clear();
    ws.clear();
    logged.clear();
    for (int c : state.kept_children[v]) {
      const double weight = weights[c];
      if (weight == 0) continue;  // takes no part, as in AggregatePowerMean
      ws.push_back(weight / weight_sum);
      const int column = state.frozen_column[c];
      const bool use_logs = p == 0.0 && column >= 0 && !frozen.logs.empty();
      logged.push_back(use_logs ? 1 : 0);
      xs.push_back(use_logs ? frozen.logs[column].data()
                   : column >= 0
                       ? frozen.columns.Column(column).data()
                       : computed.data() + static_cast<size_t>(state.inner_slot[c]) * regions);
    }
    const size_t k = xs.size();
    double* out = computed.data() + static_cast<size_t>(state.inner_slot[v]) * regions;
    if (p == 1.0) {  // shift is 0 here
      WeightedSums(xs.data(), ws.data(), k, regions, out);
      bool missing = false;
      for (size_t q = 0; q < regions; ++q) missing |= std::isnan(out[q]);
      // A missing (NaN) value makes its region's sum NaN: Aggregate's
      // policies decide.
      if (missing) return false;
      continue;
    }
    // First each child's log (pow) column, for those not given as
    // logarithms, in tight loops; then the weighted sums over these
    // columns, each region's in AggregatePowerMean's order, as for p = 1
    // (why: region by region, the per-child branches, loads and stores
    // cost as much as the calls to log and exp).
    size_t transforms = 0;
    for (size_t i = 0; i < k; ++i) transforms += logged[i] == 0 ? 1 : 0;
    transformed.resize(transforms * regions);
    double* t = transformed.data();
    for (size_t i = 0; i < k; ++i) {
      if (logged[i] != 0) continue;
      const double* xi = xs[i];
      for (size_t r = 0; r < regions; ++r) {
        const double value = xi[r] + shift;
        // Missing (NaN) or outside the domain: Aggregate's policies decide.
        if (std::isnan(value) || (p > 0 ? !(value >= 0) : !(value > 0))) return false;
        t[r] = p == 0.0 ? std::log(value) : std::pow(value, p);
      }
      xs[i] = t;
      t += regions;
    }
    WeightedSums(xs.data(), ws.data(), k, regions, out);
    if (p == 0.0) {
      for (size_t r = 0; r < regions; ++r) out[r] = std::exp(out[r]) - shift;
    } else {
      for (size_t r = 0; r < regions; ++r) out[r] = std::pow(out[r], 1.0 / p) - shift;
    }
  }
  const double* root =
      computed.data() + static_cast<size_t>(state.inner_slot[state.kept_root]) * regions;
  composite.assign(root, root + regions);
  return true;
}

// The normalised leaves of one setting of the imputation, outlier and
// normalisation factors, from the treated leaves shared across
// normalisations.
absl::StatusOr<index::DataMatrix> Normalised(const ModelState& state, int treated_index,
                                             absl::Span<const double> values) {
  TreatedSlot& slot = state.treated[treated_index];
  std::call_once(slot.once, [&] {
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
  std::call_once(slot.once,
                 [&] { slot.leaves = Prepare(state, Normalised(state, treated_index, values)); });
  const PreparedLeaves& leaves = slot.leaves;
  RETURN_IF_ERROR(leaves.status);

  const int aggregation = Choice(state.plan.aggregation, values);
  std::call_once(leaves.frozen_once[aggregation], [&] {
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
  absl::StatusOr<index::DataMatrix> scores = Aggregate(*tree, *normalised[0], nominal.aggregation);
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
  std::call_once(state->treated[0].once,
                 [&] { state->treated[0].treated = std::move(treated->treated); });
  for (int i = 0; i < normalisations; ++i) {
    std::call_once(state->prepared[i].once,
                   [&] { state->prepared[i].leaves = Prepare(*state, std::move(normalised[i])); });
  }
  // The nominal pair's frozen subtree scores are the nominal scores when
  // unscaled (frozen subtrees hold no perturbed weight, so any replicate's
  // weights give the same): no second aggregation.
  const PreparedLeaves& nominal_leaves = state->prepared[0].leaves;
  RETURN_IF_ERROR(nominal_leaves.status);
  if (nominal.aggregation.scale == ScoreScale::kMean) {
    std::call_once(nominal_leaves.frozen_once[0], [&] {
      nominal_leaves.frozen[0] = FreezeScores(*state, *scores, nominal.aggregation);
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
    std::call_once(leaves.frozen_once[a], [&] {
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
