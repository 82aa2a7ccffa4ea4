#include "services/weighting/weighting_service.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "libs/clients/weighting_client.h"
#include "libs/codecs/enum_codecs.h"
#include "libs/common/status_macros.h"
#include "libs/index/impute.h"
#include "libs/index/matrix_ops.h"
#include "libs/index/objective_weights.h"
#include "libs/index/weights.h"
#include "libs/server/content_hash.h"
#include "libs/server/paging.h"

namespace innoscope::weighting {
namespace {

constexpr int kTopDeviations = 3;

double Threshold(double requested) { return requested > 0 ? requested : 0.1; }

// DataSelection.pca_min_eigenvalue with its default, Kaiser's 1.
double PcaMinEigenvalue(const v1::DataSelection& selection) {
  return selection.has_pca_min_eigenvalue() ? selection.pca_min_eigenvalue() : 1.0;
}

// One data-driven computation over all leaves, or one per parent of leaves.
bool OverAllLeaves(v1::ObjectiveScope scope) {
  switch (scope) {
    case v1::OBJECTIVE_SCOPE_UNSPECIFIED:  // the default, ALL_LEAVES
    case v1::OBJECTIVE_SCOPE_ALL_LEAVES:
      return true;
    case v1::OBJECTIVE_SCOPE_WITHIN_PARENT:
      return false;
    case v1::ObjectiveScope_INT_MIN_SENTINEL_DO_NOT_USE_:
    case v1::ObjectiveScope_INT_MAX_SENTINEL_DO_NOT_USE_:
      break;  // not values: CheckProtoEnum in RunObjective
  }
  return true;
}

std::string Codes(const std::vector<std::string>& codes) {
  std::vector<std::string> sorted = codes;
  std::sort(sorted.begin(), sorted.end());
  return absl::StrCat("{", absl::StrJoin(sorted, ", "), "}");
}

// The children codes of a node, in the framework's order.
std::vector<std::string> ChildCodes(const index::Framework& f, int node) {
  std::vector<std::string> out;
  for (int c : f.Children(node)) out.push_back(f.Node(c).code);
  return out;
}

// A judgement matrix for `node`, reordered to the framework's child order.
absl::StatusOr<index::JudgementMatrix> MatrixForNode(const index::Framework& f,
                                                     const v1::JudgementMatrix& proto,
                                                     const std::string& who) {
  int node = f.Find(proto.node_code());
  if (node < 0) {
    return absl::InvalidArgumentError(absl::StrCat(who, "matrix for node \"", proto.node_code(),
                                                   "\": no such node in the framework"));
  }
  if (f.IsLeaf(node)) {
    return absl::InvalidArgumentError(absl::StrCat(who, "matrix for node \"", proto.node_code(),
                                                   "\": an indicator has no children to compare"));
  }
  std::vector<std::string> children = ChildCodes(f, node);
  std::vector<std::string> items(proto.items().begin(), proto.items().end());
  if (Codes(items) != Codes(children) || items.size() != children.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(who, "matrix for node \"", proto.node_code(), "\" compares ", Codes(items),
                     " but the node's children are ", Codes(children)));
  }
  ASSIGN_OR_RETURN(index::JudgementMatrix raw, ToMatrix(proto));
  RETURN_IF_ERROR(index::ValidateJudgementMatrix(raw, items, 1e-3));
  std::map<std::string, size_t> position;
  for (size_t i = 0; i < items.size(); ++i) position[items[i]] = i;
  size_t n = children.size();
  index::JudgementMatrix ordered(n, std::vector<double>(n));
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      ordered[i][j] = raw[position[children[i]]][position[children[j]]];
    }
  }
  return ordered;
}

struct AhpOutcome {
  std::vector<double> local;
  std::vector<v1::MatrixDiagnostics> diagnostics;
};

absl::StatusOr<std::map<std::string, index::JudgementMatrix>> Matrices(
    const index::Framework& f, const google::protobuf::RepeatedPtrField<v1::JudgementMatrix>& list,
    const std::string& who) {
  std::map<std::string, index::JudgementMatrix> out;
  for (const v1::JudgementMatrix& m : list) {
    if (out.count(m.node_code()) > 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(who, "two matrices for node \"", m.node_code(), "\""));
    }
    ASSIGN_OR_RETURN(out[m.node_code()], MatrixForNode(f, m, who));
  }
  return out;
}

void AddDiagnostics(const index::Framework& f, const index::AhpTreeResult& tree,
                    const std::string& expert, double threshold,
                    std::vector<v1::MatrixDiagnostics>* out) {
  for (const auto& [code, result] : tree.by_parent) {
    v1::MatrixDiagnostics d = Diagnose(code, ChildCodes(f, f.Find(code)), result, threshold);
    d.set_expert(expert);
    out->push_back(std::move(d));
  }
}

absl::StatusOr<AhpOutcome> RunAhp(const index::Framework& f, const v1::AhpParameters& p) {
  ASSIGN_OR_RETURN(index::AhpOptions options,
                   ToAhpOptions(p.random_index(), p.priority_method(), "ahp."));
  RETURN_IF_ERROR(codecs::CheckProtoEnum(p.group_aggregation(), "ahp.group_aggregation"));
  const double threshold = Threshold(p.cr_threshold());
  AhpOutcome outcome;
  if (p.experts_size() == 0) {
    ASSIGN_OR_RETURN(auto matrices, Matrices(f, p.matrices(), ""));
    ASSIGN_OR_RETURN(index::AhpTreeResult tree, index::AhpTree(f, matrices, options));
    outcome.local = tree.local;
    AddDiagnostics(f, tree, "", threshold, &outcome.diagnostics);
  } else {
    if (p.matrices_size() > 0) {
      return absl::InvalidArgumentError("ahp: give either matrices or experts, not both");
    }
    std::vector<double> expert_weights;
    std::vector<std::map<std::string, index::JudgementMatrix>> per_expert;
    std::vector<index::AhpTreeResult> trees;
    for (const v1::Expert& e : p.experts()) {
      std::string who = absl::StrCat("expert \"", e.name(), "\": ");
      if (!(e.weight() >= 0)) return absl::InvalidArgumentError(who + "weight must be >= 0");
      expert_weights.push_back(e.weight());
      ASSIGN_OR_RETURN(auto matrices, Matrices(f, e.matrices(), who));
      absl::StatusOr<index::AhpTreeResult> tree = index::AhpTree(f, matrices, options);
      if (!tree.ok())
        return absl::Status(tree.status().code(), who + std::string(tree.status().message()));
      AddDiagnostics(f, *tree, e.name(), threshold, &outcome.diagnostics);
      per_expert.push_back(std::move(matrices));
      trees.push_back(*std::move(tree));
    }
    bool all_zero =
        std::all_of(expert_weights.begin(), expert_weights.end(), [](double w) { return w == 0; });
    if (all_zero) expert_weights.assign(expert_weights.size(), 1.0);
    bool judgements = true;  // AIJ: combine the matrices; AIP: the priorities
    switch (p.group_aggregation()) {
      case v1::GROUP_AGGREGATION_UNSPECIFIED:  // the default, AIJ
      case v1::GROUP_AGGREGATION_AIJ:
        break;
      case v1::GROUP_AGGREGATION_AIP:
        judgements = false;
        break;
      case v1::GroupAggregation_INT_MIN_SENTINEL_DO_NOT_USE_:
      case v1::GroupAggregation_INT_MAX_SENTINEL_DO_NOT_USE_:
        break;  // not values: CheckProtoEnum above
    }
    if (judgements) {
      std::map<std::string, index::JudgementMatrix> combined;
      for (const auto& [code, unused] : per_expert[0]) {
        std::vector<index::JudgementMatrix> list;
        for (const auto& m : per_expert) {
          auto it = m.find(code);
          if (it == m.end()) {
            return absl::InvalidArgumentError(
                absl::StrCat("group AHP: not every expert judged node \"", code, "\""));
          }
          list.push_back(it->second);
        }
        ASSIGN_OR_RETURN(combined[code], index::AggregateJudgements(list, expert_weights, 1e-3));
      }
      ASSIGN_OR_RETURN(index::AhpTreeResult tree, index::AhpTree(f, combined, options));
      outcome.local = tree.local;
      AddDiagnostics(f, tree, "", threshold, &outcome.diagnostics);
    } else {
      outcome.local.assign(f.Nodes().size(), 1.0);
      for (int node = 0; node < static_cast<int>(f.Nodes().size()); ++node) {
        const std::vector<int>& kids = f.Children(node);
        if (kids.size() < 2) continue;
        std::vector<std::vector<double>> priorities;
        for (const auto& tree : trees) {
          std::vector<double> v;
          for (int k : kids) v.push_back(tree.local[k]);
          priorities.push_back(std::move(v));
        }
        ASSIGN_OR_RETURN(std::vector<double> combined,
                         index::AggregatePriorities(priorities, expert_weights));
        for (size_t i = 0; i < kids.size(); ++i) outcome.local[kids[i]] = combined[i];
      }
    }
  }
  if (p.require_consistent()) {
    std::vector<std::string> failing;
    for (const auto& d : outcome.diagnostics) {
      if (!d.consistent()) {
        failing.push_back(absl::StrFormat(
            "%s%s (CR %.4f)", d.expert().empty() ? "" : d.expert() + "/", d.node_code(), d.cr()));
      }
    }
    if (!failing.empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "judgement matrices at or above CR ", threshold, ": ", absl::StrJoin(failing, ", "),
          "; revise the judgements named in the diagnostics (CheckConsistency)"));
    }
  }
  return outcome;
}

struct ObjectiveOutcome {
  std::vector<double> leaf_weights;  // Leaves() order, sum 1 (all-leaves scope)
  std::vector<double> local;         // per node (within-parent scope)
  std::vector<v1::IndicatorDiagnostics> diagnostics;
  double variance_retained = 0;
  int regions = 0;
};

// Weights and per-indicator statistics over the columns of `data`.
absl::StatusOr<std::vector<double>> ObjectiveWeights(
    index::WeightingMethod method, const index::DataMatrix& data,
    const std::vector<int>& directions, double pca_min_eigenvalue, std::vector<double>* statistic,
    std::string* statistic_name, double* variance_retained) {
  switch (method) {
    case index::WeightingMethod::kEntropy:
      *statistic_name = "entropy";
      return index::EntropyWeights(data, directions, statistic);
    case index::WeightingMethod::kCritic:
      *statistic_name = "information";
      return index::CriticWeights(data, directions, statistic);
    case index::WeightingMethod::kCv:
      *statistic_name = "coefficient_of_variation";
      return index::CoefficientOfVariationWeights(data, statistic);
    case index::WeightingMethod::kPca: {
      index::PcaOptions options;
      options.min_eigenvalue = pca_min_eigenvalue;
      ASSIGN_OR_RETURN(index::PcaWeights pca, index::PcaWeightsOf(data, options));
      double total = 0, kept = 0;
      for (size_t k = 0; k < pca.eigenvalues.size(); ++k) {
        total += pca.eigenvalues[k];
        if (k < pca.retained) kept += pca.eigenvalues[k];
      }
      *variance_retained = total > 0 ? kept / total : 0;
      *statistic_name = "pca_weight";
      *statistic = pca.weights;
      return pca.weights;
    }
    case index::WeightingMethod::kFixed:
    case index::WeightingMethod::kEqual:
    case index::WeightingMethod::kAhp:
    case index::WeightingMethod::kCombined:
      break;
  }
  return absl::InvalidArgumentError(
      absl::StrCat(EnumToName(method), " is not a data-driven method"));
}

// The matrix a caller passed in data.observations, checked against the
// framework's leaves, the requested regions and ingest's data version.
absl::StatusOr<index::DataMatrix> PassedMatrix(const clients::LoadedFramework& f,
                                               const v1::DataSelection& selection,
                                               int64_t data_version) {
  const v1::ObservationMatrix& m = selection.observations();
  if (m.data_version() != data_version) {
    return absl::AbortedError(absl::StrCat("data.observations.data_version: read at version ",
                                           m.data_version(), " of framework:", f.proto.code(),
                                           ", which is now at ", data_version, "; retry"));
  }
  const std::vector<std::string> leaves = f.tree.LeafCodes();
  if (!std::equal(leaves.begin(), leaves.end(), m.indicator_codes().begin(),
                  m.indicator_codes().end())) {
    return absl::InvalidArgumentError(
        absl::StrCat("data.observations.indicator_codes: must be the ", leaves.size(),
                     " leaves of ", f.proto.code(), "@", f.proto.version(), " in its order"));
  }
  if (selection.region_codes_size() > 0 &&
      !std::equal(m.region_codes().begin(), m.region_codes().end(),
                  selection.region_codes().begin(), selection.region_codes().end())) {
    return absl::InvalidArgumentError(
        "data.observations.region_codes: must be data.region_codes, in the same order");
  }
  if (m.values_size() != m.region_codes_size() * m.indicator_codes_size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "data.observations.values: ", m.values_size(), " values for ", m.region_codes_size(),
        " regions x ", m.indicator_codes_size(), " indicators"));
  }
  return clients::MatrixFromProto(m);
}

absl::StatusOr<ObjectiveOutcome> RunObjective(index::WeightingMethod method,
                                              const clients::LoadedFramework& f,
                                              const v1::DataSelection& selection,
                                              int64_t data_version, clients::IngestClient& ingest,
                                              absl::Time deadline) {
  if (selection.period() == 0) {
    return absl::InvalidArgumentError("data.period: required for data-driven methods");
  }
  RETURN_IF_ERROR(codecs::CheckProtoEnum(selection.scope(), "data.scope"));
  RETURN_IF_ERROR(codecs::CheckProtoEnum(selection.missing(), "data.missing"));
  std::vector<std::string> regions(selection.region_codes().begin(),
                                   selection.region_codes().end());
  index::DataMatrix data;
  if (selection.has_observations()) {
    ASSIGN_OR_RETURN(data, PassedMatrix(f, selection, data_version));
  } else {
    ASSIGN_OR_RETURN(data, ingest.ReadMatrix(f, selection.period(), regions, deadline));
  }
  // Regions with no value at all in the period are not part of it.
  std::vector<std::string> present;
  for (size_t r = 0; r < data.rows(); ++r) {
    bool any = false;
    for (size_t c = 0; c < data.cols(); ++c) any = any || !data.IsMissing(r, c);
    if (any) present.push_back(data.regions()[r]);
  }
  if (present.size() < 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "period ", selection.period(), " has data for ", present.size(),
        present.size() == 1 ? " region" : " regions",
        "; data-driven weights need at least 2 (choose another period or import data)"));
  }
  switch (selection.missing()) {
    case v1::MISSING_VALUES_UNSPECIFIED:  // the default, FAIL
    case v1::MISSING_VALUES_FAIL:
      break;  // the methods name a missing cell
    case v1::MISSING_VALUES_COLUMN_MEAN: {
      ASSIGN_OR_RETURN(index::ImputeResult imputed,
                       index::Impute(data, index::ImputeMethod::kColumnMean, {}));
      data = std::move(imputed.data);
      break;
    }
    case v1::MISSING_VALUES_DROP_REGION: {
      std::vector<bool> complete(data.rows(), true);
      for (size_t r = 0; r < data.rows(); ++r) {
        for (size_t c = 0; c < data.cols(); ++c) complete[r] = complete[r] && !data.IsMissing(r, c);
      }
      data = index::Subset(data, complete, std::vector<bool>(data.cols(), true));
      break;
    }
    case v1::MissingValues_INT_MIN_SENTINEL_DO_NOT_USE_:
    case v1::MissingValues_INT_MAX_SENTINEL_DO_NOT_USE_:
      break;  // not values: CheckProtoEnum above
  }
  const index::Framework& tree = f.tree;
  std::vector<int> directions;
  for (int leaf : tree.Leaves()) directions.push_back(tree.Node(leaf).direction);

  ObjectiveOutcome out;
  out.regions = static_cast<int>(data.rows());
  std::string name;
  auto diagnose = [&](const std::vector<std::string>& codes, const std::vector<double>& w,
                      const std::vector<double>& stat) {
    for (size_t i = 0; i < codes.size(); ++i) {
      v1::IndicatorDiagnostics d;
      d.set_indicator_code(codes[i]);
      d.set_weight(w[i]);
      if (i < stat.size()) d.set_statistic(stat[i]);
      d.set_statistic_name(name);
      out.diagnostics.push_back(std::move(d));
    }
  };
  if (OverAllLeaves(selection.scope())) {
    std::vector<double> stat;
    ASSIGN_OR_RETURN(out.leaf_weights,
                     ObjectiveWeights(method, data, directions, PcaMinEigenvalue(selection), &stat,
                                      &name, &out.variance_retained));
    diagnose(data.indicators(), out.leaf_weights, stat);
    return out;
  }
  // Within each parent of leaves; other nodes equal.
  out.local = index::EqualWeights(tree);
  for (int node = 0; node < static_cast<int>(tree.Nodes().size()); ++node) {
    const std::vector<int>& kids = tree.Children(node);
    if (kids.size() < 2 ||
        !std::all_of(kids.begin(), kids.end(), [&](int k) { return tree.IsLeaf(k); })) {
      continue;
    }
    std::vector<std::string> codes;
    std::vector<int> dirs;
    for (int k : kids) {
      codes.push_back(tree.Node(k).code);
      dirs.push_back(tree.Node(k).direction);
    }
    ASSIGN_OR_RETURN(index::DataMatrix sub, index::SelectIndicators(data, codes));
    std::vector<double> stat;
    ASSIGN_OR_RETURN(std::vector<double> w,
                     ObjectiveWeights(method, sub, dirs, PcaMinEigenvalue(selection), &stat, &name,
                                      &out.variance_retained));
    for (size_t i = 0; i < kids.size(); ++i) out.local[kids[i]] = w[i];
    diagnose(codes, w, stat);
  }
  return out;
}

// Global leaf weights (Leaves() order) from local weights per node.
absl::StatusOr<std::vector<double>> LeafGlobals(const index::Framework& f,
                                                const std::vector<double>& local) {
  ASSIGN_OR_RETURN(std::vector<double> global, index::GlobalWeights(f, local));
  std::vector<double> leaves;
  for (int leaf : f.Leaves()) leaves.push_back(global[leaf]);
  return leaves;
}

}  // namespace

absl::StatusOr<index::JudgementMatrix> ToMatrix(const v1::JudgementMatrix& matrix) {
  const size_t n = matrix.items_size();
  if (n == 0) return absl::InvalidArgumentError("matrix: no items");
  if (static_cast<size_t>(matrix.values_size()) != n * n) {
    return absl::InvalidArgumentError(absl::StrCat(
        "matrix", matrix.node_code().empty() ? "" : " for node \"" + matrix.node_code() + "\"",
        ": ", matrix.values_size(), " values for ", n, " items; a square matrix needs ", n * n));
  }
  index::JudgementMatrix m(n, std::vector<double>(n));
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) m[i][j] = matrix.values(static_cast<int>(i * n + j));
  }
  return m;
}

absl::StatusOr<index::AhpOptions> ToAhpOptions(v1::RandomIndexTable table,
                                               v1::PriorityMethod method,
                                               absl::string_view prefix) {
  index::AhpOptions options;
  ASSIGN_OR_RETURN(options.random_index,
                   codecs::FromProto(table, absl::StrCat(prefix, "random_index")));
  ASSIGN_OR_RETURN(options.method,
                   codecs::FromProto(method, absl::StrCat(prefix, "priority_method")));
  options.reciprocal_tolerance = 1e-3;  // judgements typed as 0.333 for 1/3
  return options;
}

v1::MatrixDiagnostics Diagnose(const std::string& node, const std::vector<std::string>& items,
                               const index::AhpResult& result, double cr_threshold) {
  v1::MatrixDiagnostics d;
  d.set_node_code(node);
  d.set_order(static_cast<int>(result.weights.size()));
  d.set_lambda_max(result.lambda_max);
  d.set_ci(result.ci);
  d.set_ri(result.ri);
  d.set_cr(result.cr);
  d.set_consistent(result.cr < Threshold(cr_threshold));
  for (double w : result.weights) d.add_priorities(w);
  for (size_t k = 0; k < result.inconsistency.size() && k < kTopDeviations; ++k) {
    const index::JudgementDeviation& dev = result.inconsistency[k];
    if (dev.deviation <= 1e-12) break;
    v1::Deviation* out = d.add_top_deviations();
    out->set_row_item(dev.i < items.size() ? items[dev.i] : absl::StrCat(dev.i + 1));
    out->set_column_item(dev.j < items.size() ? items[dev.j] : absl::StrCat(dev.j + 1));
    out->set_judgement(dev.judgement);
    out->set_implied(dev.implied);
    out->set_deviation(dev.deviation);
  }
  return d;
}

std::string WeightSetId(const v1::ComputeWeightsRequest& request, int framework_version,
                        int64_t data_version) {
  v1::ComputeWeightsRequest content = request;
  content.clear_label();
  // Observations passed in are ingest's data at data_version: the id is the
  // one of the weight set computed from ingest's read.
  if (content.has_data()) content.mutable_data()->clear_observations();
  content.mutable_framework()->set_version(framework_version);
  codecs::ClearDefaultEnums(content);  // a default named or left unset: one id
  return absl::StrCat("ws-", server::ContentHashHex(content, absl::StrCat("|", data_version)));
}

absl::StatusOr<v1::ComputeWeightsResponse> WeightingService::ComputeWeights(
    const v1::ComputeWeightsRequest& request, const common::CallBudget& budget,
    const std::string& written_by) {
  // Every upstream read shares one deadline: the caller's less the margin
  // (docs/architecture.md "Deadlines and cancellation").
  const absl::Time deadline = budget.UpstreamDeadline();
  if (request.framework().code().empty()) {
    return absl::InvalidArgumentError("framework.code: required");
  }
  ASSIGN_OR_RETURN(const index::WeightingMethod method,
                   codecs::FromProto(request.method(), "method"));
  if (request.rounding().decimals() < 0 || request.rounding().decimals() > 12) {
    return absl::InvalidArgumentError("rounding.decimals: must be 0-12");
  }
  if (request.data().has_pca_min_eigenvalue() &&
      !(std::isfinite(request.data().pca_min_eigenvalue()) &&
        request.data().pca_min_eigenvalue() >= 0)) {
    return absl::InvalidArgumentError("data.pca_min_eigenvalue: must be a number >= 0");
  }
  ASSIGN_OR_RETURN(
      clients::LoadedFramework f,
      ingest_.GetFramework(request.framework().code(), request.framework().version(), deadline));
  const index::Framework& tree = f.tree;

  v1::WeightSet set;
  set.mutable_framework()->set_code(f.proto.code());
  set.mutable_framework()->set_version(f.proto.version());
  set.set_method(request.method());
  *set.mutable_parameters() = request;
  if (request.has_data()) set.mutable_parameters()->mutable_data()->clear_observations();

  // The combined method's parts; an unknown value is named before any work.
  std::optional<index::WeightingMethod> subjective, objective;
  if (method == index::WeightingMethod::kCombined) {
    ASSIGN_OR_RETURN(subjective,
                     codecs::FromProto(request.combined().subjective(), "combined.subjective"));
    ASSIGN_OR_RETURN(objective,
                     codecs::FromProto(request.combined().objective(), "combined.objective"));
  }
  std::vector<double> local;
  const bool uses_data =
      index::IsDataDriven(method) || (objective && index::IsDataDriven(*objective));
  int64_t data_version = 0;
  if (uses_data) {
    ASSIGN_OR_RETURN(data_version, ingest_.DataVersion("framework:" + f.proto.code(), deadline));
    set.mutable_data_version()->set_scope("framework:" + f.proto.code());
    set.mutable_data_version()->set_version(data_version);
    set.set_period(request.data().period());
  }
  switch (method) {
    case index::WeightingMethod::kFixed: {
      ASSIGN_OR_RETURN(local, index::FixedWeights(tree));
      break;
    }
    case index::WeightingMethod::kEqual:
      local = index::EqualWeights(tree);
      break;
    case index::WeightingMethod::kAhp: {
      ASSIGN_OR_RETURN(AhpOutcome ahp, RunAhp(tree, request.ahp()));
      local = std::move(ahp.local);
      for (auto& d : ahp.diagnostics) *set.add_matrices() = std::move(d);
      break;
    }
    case index::WeightingMethod::kCombined: {
      const v1::CombinedParameters& c = request.combined();
      std::vector<double> subjective_local;
      if (subjective == index::WeightingMethod::kAhp) {
        ASSIGN_OR_RETURN(AhpOutcome ahp, RunAhp(tree, request.ahp()));
        subjective_local = std::move(ahp.local);
        for (auto& d : ahp.diagnostics) *set.add_matrices() = std::move(d);
      } else if (subjective == index::WeightingMethod::kFixed) {
        ASSIGN_OR_RETURN(subjective_local, index::FixedWeights(tree));
      } else {
        return absl::InvalidArgumentError("combined.subjective: must be ahp or fixed");
      }
      if (!index::IsDataDriven(*objective)) {
        return absl::InvalidArgumentError("combined.objective: must be entropy, critic, cv or pca");
      }
      ASSIGN_OR_RETURN(const index::WeightCombination combination,
                       codecs::FromProto(c.combination(), "combined.combination"));
      v1::DataSelection selection = request.data();
      selection.set_scope(v1::OBJECTIVE_SCOPE_ALL_LEAVES);
      ASSIGN_OR_RETURN(ObjectiveOutcome objective_weights,
                       RunObjective(*objective, f, selection, data_version, ingest_, deadline));
      ASSIGN_OR_RETURN(std::vector<double> subjective_leaves, LeafGlobals(tree, subjective_local));
      ASSIGN_OR_RETURN(std::vector<double> leaves,
                       index::CombineWeights(subjective_leaves, objective_weights.leaf_weights,
                                             combination, c.alpha()));
      ASSIGN_OR_RETURN(local, index::LocalWeightsFromLeaves(tree, leaves));
      for (auto& d : objective_weights.diagnostics) *set.add_indicators() = std::move(d);
      set.set_regions(objective_weights.regions);
      break;
    }
    case index::WeightingMethod::kEntropy:
    case index::WeightingMethod::kCritic:
    case index::WeightingMethod::kCv:
    case index::WeightingMethod::kPca: {
      ASSIGN_OR_RETURN(ObjectiveOutcome outcome,
                       RunObjective(method, f, request.data(), data_version, ingest_, deadline));
      if (OverAllLeaves(request.data().scope())) {
        ASSIGN_OR_RETURN(local, index::LocalWeightsFromLeaves(tree, outcome.leaf_weights));
      } else {
        local = std::move(outcome.local);
      }
      for (auto& d : outcome.diagnostics) *set.add_indicators() = std::move(d);
      set.set_regions(outcome.regions);
      set.set_pca_variance_retained(outcome.variance_retained);
      break;
    }
  }

  ASSIGN_OR_RETURN(std::vector<double> global, index::GlobalWeights(tree, local));
  std::vector<double> printed;
  if (request.rounding().decimals() > 0) {
    ASSIGN_OR_RETURN(printed,
                     index::RoundWeights(tree, global, request.rounding().decimals(),
                                         request.rounding().parents_as_sums()
                                             ? index::RoundingPolicy::kParentsSumRoundedChildren
                                             : index::RoundingPolicy::kEachNode));
  }
  for (size_t i = 0; i < tree.Nodes().size(); ++i) {
    v1::NodeWeight* w = set.add_weights();
    w->set_code(tree.Node(i).code);
    w->set_parent_code(tree.Node(i).parent);
    w->set_level(tree.Node(i).level);
    w->set_local_weight(local[i]);
    w->set_global_weight(global[i]);
    if (!printed.empty()) w->set_printed_weight(printed[i]);
  }
  set.set_id(WeightSetId(request, f.proto.version(), data_version));
  set.set_written_by(written_by);  // kept by the first insert only
  // The last check: past it the weight set is stored whole.
  RETURN_IF_ERROR(budget.Check("storing the weight set"));
  ASSIGN_OR_RETURN(bool created, store_.Insert(set));
  v1::ComputeWeightsResponse response;
  ASSIGN_OR_RETURN(*response.mutable_weight_set(), store_.Get(set.id()));
  response.set_created(created);
  return response;
}

absl::StatusOr<v1::CheckConsistencyResponse> WeightingService::CheckConsistency(
    const v1::CheckConsistencyRequest& request) {
  ASSIGN_OR_RETURN(index::JudgementMatrix m, ToMatrix(request.matrix()));
  std::vector<std::string> items(request.matrix().items().begin(), request.matrix().items().end());
  ASSIGN_OR_RETURN(index::AhpOptions options,
                   ToAhpOptions(request.random_index(), request.priority_method(), ""));
  ASSIGN_OR_RETURN(index::AhpResult result, index::Ahp(m, items, options));
  v1::CheckConsistencyResponse response;
  *response.mutable_diagnostics() =
      Diagnose(request.matrix().node_code(), items, result, request.cr_threshold());
  return response;
}

absl::StatusOr<v1::GetWeightSetResponse> WeightingService::GetWeightSet(
    const v1::GetWeightSetRequest& request) {
  if (request.id().empty()) return absl::InvalidArgumentError("id: required");
  v1::GetWeightSetResponse response;
  ASSIGN_OR_RETURN(*response.mutable_weight_set(), store_.Get(request.id()));
  return response;
}

absl::StatusOr<v1::ListWeightSetsResponse> WeightingService::ListWeightSets(
    const v1::ListWeightSetsRequest& request) {
  ASSIGN_OR_RETURN(server::PageWindow window, server::ReadPage(request));
  int64_t total = 0;
  ASSIGN_OR_RETURN(std::vector<v1::WeightSet> sets,
                   store_.List(request.framework_code(), window.offset, window.limit, &total));
  v1::ListWeightSetsResponse response;
  for (auto& s : sets) *response.add_weight_sets() = std::move(s);
  *response.mutable_page() = server::PageResult(window, response.weight_sets_size(), total);
  return response;
}

}  // namespace innoscope::weighting
