#include "libs/scoring/aggregation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/scoring/vector_math.h"

namespace innoscope::scoring {
namespace {

using index::DataMatrix;
using index::IsMissingValue;
using index::kMissing;

const char* MethodName(AggregationMethod method) {
  switch (method) {
    case AggregationMethod::kArithmetic:
      return "arithmetic mean";
    case AggregationMethod::kGeometric:
      return "geometric mean";
    case AggregationMethod::kHarmonic:
      return "harmonic mean";
    case AggregationMethod::kGeneralised:
      return "generalised mean";
    case AggregationMethod::kTopsis:
      return "TOPSIS";
  }
  return "unknown method";
}

bool InPowerMeanDomain(double x, double p) {
  if (p == 1.0) return true;
  return p > 0 ? x >= 0 : x > 0;
}

// sum_j w_j l_j with w_j = weights[j] / sum of the weights, in that order:
// WeightedPowerMean's accumulator for p = 0 given the logarithms l_j
// (NaN when the weights do not sum to more than 0).
double WeightedMeanOfLogs(absl::Span<const double> logs, absl::Span<const double> weights) {
  double weight_sum = 0;
  for (double w : weights) weight_sum += w;
  if (!(weight_sum > 0)) return kMissing;
  double acc = 0;
  for (size_t j = 0; j < logs.size(); ++j) acc += weights[j] / weight_sum * logs[j];
  return acc;
}

absl::Status ValidateSpec(const AggregationSpec& spec) {
  if (spec.method == AggregationMethod::kGeneralised && !std::isfinite(spec.power)) {
    return absl::InvalidArgumentError(
        absl::StrCat("generalised mean exponent must be finite, got ", spec.power));
  }
  return absl::OkStatus();
}

absl::Status ValidateOptions(const AggregationOptions& options) {
  RETURN_IF_ERROR(ValidateSpec(options.spec));
  for (const auto& [level, spec] : options.by_level) {
    RETURN_IF_ERROR(ValidateSpec(spec));
  }
  if (!std::isfinite(options.shift) || options.shift <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("shift must be finite and > 0, got ", options.shift));
  }
  if (!std::isfinite(options.topsis_scale) || options.topsis_scale <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("topsis_scale must be finite and > 0, got ", options.topsis_scale));
  }
  return absl::OkStatus();
}

const AggregationSpec& SpecFor(const AggregationOptions& options, int level) {
  auto it = options.by_level.find(level);
  return it == options.by_level.end() ? options.spec : it->second;
}

// Fills column `node` of `scores` with a power mean of its children's
// columns, one region at a time. A geometric mean's logarithm of a child
// that is itself a geometric mean is that child's log-mean
// (`log_means[child]`, see Aggregate), not Log of its score; when
// `log_means[node]` is not empty (the caller wants it), this node's
// log-mean of every region goes there (NaN where the node is missing).
absl::Status AggregatePowerMean(const AggregationTree& tree, int node, const AggregationSpec& spec,
                                const AggregationOptions& options, DataMatrix& scores,
                                std::vector<std::vector<double>>& log_means) {
  const double p = PowerOf(spec);
  const bool shifted = p != 1.0 && options.non_positive == NonPositivePolicy::kShift;
  const double shift = shifted ? options.shift : 0.0;
  const std::vector<int>& children = tree.Children(node);
  std::vector<double> values;
  std::vector<double> weights;
  values.reserve(children.size());
  weights.reserve(children.size());
  std::vector<double>& own_log_mean = log_means[node];
  for (size_t region = 0; region < scores.rows(); ++region) {
    values.clear();
    weights.clear();
    bool missing = false;
    for (int child : children) {
      const double weight = tree.Node(child).weight;
      if (weight == 0) continue;  // a zero-weight child takes no part
      double x = scores.Get(region, child);
      bool usable = !IsMissingValue(x);
      if (usable) {
        x += shift;
        if (!InPowerMeanDomain(x, p)) {
          if (options.non_positive == NonPositivePolicy::kSkip) {
            usable = false;
          } else {
            return absl::InvalidArgumentError(absl::StrCat(
                MethodName(spec.method), " (p = ", p, ") at node '", tree.Code(node),
                "' for region '", scores.regions()[region], "': child '", tree.Code(child),
                "' has value ", scores.Get(region, child),
                shifted ? absl::StrCat(" (", x, " after shift)") : "", ", outside the domain (",
                p > 0 ? "x >= 0" : "x > 0", "); use NonPositivePolicy::kShift or kSkip"));
          }
        }
      }
      if (!usable) {
        if (options.missing == MissingPolicy::kPropagate) {
          missing = true;
          break;
        }
        continue;
      }
      // The geometric mean's log(x): the child's own log-mean when it has
      // one (x = Exp(log-mean) - shift + shift is in the domain, checked
      // above), else Log(x).
      if (p == 0.0) x = log_means[child].empty() ? Log(x) : log_means[child][region];
      values.push_back(x);
      weights.push_back(weight);
    }
    double mean = kMissing;
    if (!missing && !values.empty()) {
      if (p == 0.0) {
        const double log_mean = WeightedMeanOfLogs(values, weights);
        if (!own_log_mean.empty()) own_log_mean[region] = log_mean;
        mean = Exp(log_mean) - shift;
      } else {
        mean = WeightedPowerMean(values, weights, p) - shift;
      }
    }
    scores.Set(region, node, mean);
  }
  return absl::OkStatus();
}

// Fills column `node` of `scores` with TOPSIS closeness (see the header).
void AggregateTopsis(const AggregationTree& tree, int node, const AggregationOptions& options,
                     DataMatrix& scores) {
  const std::vector<int>& children = tree.Children(node);
  const size_t regions = scores.rows();
  const size_t m = children.size();

  // A region takes part when it can be scored under the missing policy.
  std::vector<bool> included(regions, true);
  for (size_t region = 0; region < regions; ++region) {
    bool any_present = false;
    for (int child : children) {
      if (tree.Node(child).weight == 0) continue;
      const bool present = !IsMissingValue(scores.Get(region, child));
      any_present = any_present || present;
      if (!present && options.missing == MissingPolicy::kPropagate) {
        included[region] = false;
      }
    }
    if (!any_present) included[region] = false;
  }

  // r[j * regions + i]: normalised child j of region i (NaN when absent).
  std::vector<double> r(m * regions, kMissing);
  std::vector<double> best(m, -std::numeric_limits<double>::infinity());
  std::vector<double> worst(m, std::numeric_limits<double>::infinity());
  for (size_t j = 0; j < m; ++j) {
    absl::Span<const double> column = scores.Column(children[j]);
    double norm = 1.0;
    if (options.topsis_normalisation == TopsisNormalisation::kVector) {
      double sum_squares = 0;
      for (size_t i = 0; i < regions; ++i) {
        if (included[i] && !IsMissingValue(column[i])) {
          sum_squares += column[i] * column[i];
        }
      }
      norm = sum_squares > 0 ? std::sqrt(sum_squares) : 0.0;
    }
    for (size_t i = 0; i < regions; ++i) {
      if (!included[i] || IsMissingValue(column[i])) continue;
      const double value = norm > 0 ? column[i] / norm : 0.0;
      r[j * regions + i] = value;
      best[j] = std::max(best[j], value);
      worst[j] = std::min(worst[j], value);
    }
  }

  for (size_t i = 0; i < regions; ++i) {
    double closeness = kMissing;
    if (included[i]) {
      double weight_sum = 0;
      for (size_t j = 0; j < m; ++j) {
        if (!IsMissingValue(r[j * regions + i])) {
          weight_sum += tree.Node(children[j]).weight;
        }
      }
      double d_best = 0;
      double d_worst = 0;
      for (size_t j = 0; j < m; ++j) {
        const double value = r[j * regions + i];
        if (IsMissingValue(value)) continue;
        const double w = tree.Node(children[j]).weight / weight_sum;
        d_best += std::pow(w * (value - best[j]), 2);
        d_worst += std::pow(w * (value - worst[j]), 2);
      }
      d_best = std::sqrt(d_best);
      d_worst = std::sqrt(d_worst);
      const double total = d_best + d_worst;
      closeness = total > 0 ? d_worst / total : 0.5;
      closeness *= options.topsis_scale;
    }
    scores.Set(i, node, closeness);
  }
}

}  // namespace

absl::Status ValidateAggregationOptions(const AggregationOptions& options) {
  return ValidateOptions(options);
}

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

double WeightedPowerMean(absl::Span<const double> values, absl::Span<const double> weights,
                         double p) {
  if (values.size() != weights.size() || values.empty()) return kMissing;
  double weight_sum = 0;
  for (double w : weights) weight_sum += w;
  if (!(weight_sum > 0)) return kMissing;
  double acc = 0;
  for (size_t j = 0; j < values.size(); ++j) {
    const double x = values[j];
    if (!InPowerMeanDomain(x, p)) return kMissing;
    const double w = weights[j] / weight_sum;
    if (p == 1.0) {
      acc += w * x;
    } else if (p == 0.0) {
      acc += w * Log(x);  // vector_math.h: the uncertainty model's too
    } else {
      acc += w * std::pow(x, p);
    }
  }
  if (p == 1.0) return acc;
  if (p == 0.0) return Exp(acc);
  return std::pow(acc, 1.0 / p);
}

bool IsGeometricNode(const AggregationTree& tree, const AggregationOptions& options, int node) {
  if (node < 0 || tree.IsLeaf(node)) return false;
  const AggregationSpec& spec = SpecFor(options, tree.Level(node));
  return spec.method != AggregationMethod::kTopsis && PowerOf(spec) == 0.0;
}

absl::StatusOr<DataMatrix> Aggregate(const AggregationTree& tree, const DataMatrix& leaf_scores,
                                     const AggregationOptions& options) {
  return Aggregate(tree, leaf_scores, options, nullptr);
}

absl::StatusOr<DataMatrix> Aggregate(const AggregationTree& tree, const DataMatrix& leaf_scores,
                                     const AggregationOptions& options,
                                     std::vector<std::vector<double>>* log_means) {
  RETURN_IF_ERROR(ValidateOptions(options));

  std::vector<std::string> codes;
  codes.reserve(tree.size());
  for (const AggregationNode& node : tree.Nodes()) codes.push_back(node.code);
  DataMatrix scores(leaf_scores.regions(), std::move(codes));

  absl::flat_hash_map<std::string, size_t> column_of;
  for (size_t col = 0; col < leaf_scores.cols(); ++col) {
    column_of.emplace(leaf_scores.indicators()[col], col);
  }
  for (int leaf : tree.Leaves()) {
    auto it = column_of.find(tree.Code(leaf));
    if (it == column_of.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("leaf '", tree.Code(leaf), "' has no column in the score matrix"));
    }
    absl::Span<const double> source = leaf_scores.Column(it->second);
    for (size_t region = 0; region < source.size(); ++region) {
      if (std::isinf(source[region])) {
        return absl::InvalidArgumentError(absl::StrCat("leaf '", tree.Code(leaf),
                                                       "' has an infinite score for region '",
                                                       leaf_scores.regions()[region], "'"));
      }
    }
    std::copy(source.begin(), source.end(), scores.MutableColumn(leaf).begin());
  }

  // The log-means kept: a geometric node's under a geometric parent (which
  // reads them instead of Log of the node's scores), and every geometric
  // node's when the caller asks.
  std::vector<std::vector<double>> logs(tree.size());
  for (int node : tree.BottomUp()) {
    if (IsGeometricNode(tree, options, node) &&
        (log_means != nullptr || IsGeometricNode(tree, options, tree.Parent(node)))) {
      logs[node].assign(scores.rows(), kMissing);
    }
  }
  for (int node : tree.BottomUp()) {
    const AggregationSpec& spec = SpecFor(options, tree.Level(node));
    if (spec.method == AggregationMethod::kTopsis) {
      AggregateTopsis(tree, node, options, scores);
    } else {
      RETURN_IF_ERROR(AggregatePowerMean(tree, node, spec, options, scores, logs));
    }
  }
  if (log_means != nullptr) *log_means = std::move(logs);

  if (options.scale == ScoreScale::kGlobalWeighted) {
    for (size_t id = 0; id < tree.size(); ++id) {
      const double global_weight = tree.GlobalWeight(static_cast<int>(id));
      for (double& value : scores.MutableColumn(id)) value *= global_weight;
    }
  }
  return scores;
}

}  // namespace innoscope::scoring
