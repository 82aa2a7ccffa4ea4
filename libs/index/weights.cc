#include "libs/index/weights.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace innoscope::index {
namespace {

absl::Status CheckPerNode(const Framework& framework, absl::Span<const double> w,
                          absl::string_view what) {
  if (w.size() != framework.Nodes().size()) {
    return absl::InvalidArgumentError(absl::StrCat("got ", w.size(), " ", what, " for ",
                                                   framework.Nodes().size(), " framework nodes"));
  }
  return absl::OkStatus();
}

// Entries must be finite and >= 0 with a positive sum; returns the sum.
absl::StatusOr<double> CheckedSum(absl::Span<const double> w, absl::string_view what) {
  double sum = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    if (!std::isfinite(w[i]) || w[i] < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, " entry ", i + 1, " must be finite and >= 0, got ", w[i]));
    }
    sum += w[i];
  }
  if (!(sum > 0)) {
    return absl::InvalidArgumentError(absl::StrCat(what, " sum to zero"));
  }
  return sum;
}

std::vector<double> Normalised(absl::Span<const double> w, double sum) {
  std::vector<double> out(w.begin(), w.end());
  for (double& v : out) v /= sum;
  return out;
}

}  // namespace

absl::StatusOr<std::vector<double>> FixedWeights(const Framework& framework) {
  std::vector<double> local(framework.Nodes().size(), 1.0);
  for (int parent : framework.BottomUp()) {
    const std::vector<int>& kids = framework.Children(parent);
    double sum = 0;
    for (int c : kids) {
      const FrameworkNode& node = framework.Node(c);
      if (!node.weight.has_value()) {
        if (kids.size() == 1) continue;  // an only child needs no weight
        return absl::InvalidArgumentError(
            absl::StrCat("framework node '", node.code, "' has no weight"));
      }
      local[c] = *node.weight;
      sum += *node.weight;
    }
    if (kids.size() == 1) {
      local[kids[0]] = 1.0;
      continue;
    }
    if (!(sum > 0)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the children of framework node '", framework.Node(parent).code, "' all have weight 0"));
    }
    for (int c : kids) local[c] /= sum;
  }
  return local;
}

std::vector<double> EqualWeights(const Framework& framework) {
  std::vector<double> local(framework.Nodes().size(), 1.0);
  for (int parent : framework.BottomUp()) {
    const std::vector<int>& kids = framework.Children(parent);
    for (int c : kids) local[c] = 1.0 / static_cast<double>(kids.size());
  }
  return local;
}

absl::StatusOr<std::vector<double>> GlobalWeights(const Framework& framework,
                                                  absl::Span<const double> local) {
  if (absl::Status s = CheckPerNode(framework, local, "local weights"); !s.ok()) return s;
  std::vector<double> global(local.size(), 0.0);
  global[framework.Root()] = 1.0;
  // Reverse bottom-up order visits every parent before its children.
  const std::vector<int>& order = framework.BottomUp();
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    for (int c : framework.Children(*it)) global[c] = global[*it] * local[c];
  }
  return global;
}

absl::StatusOr<std::vector<double>> LocalWeightsFromLeaves(const Framework& framework,
                                                           absl::Span<const double> leaf_weights) {
  const std::vector<int>& leaves = framework.Leaves();
  if (leaf_weights.size() != leaves.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("got ", leaf_weights.size(), " leaf weights for ", leaves.size(), " leaves"));
  }
  absl::StatusOr<double> total = CheckedSum(leaf_weights, "leaf weights");
  if (!total.ok()) return total.status();
  std::vector<double> global(framework.Nodes().size(), 0.0);
  for (size_t k = 0; k < leaves.size(); ++k) global[leaves[k]] = leaf_weights[k] / *total;
  for (int parent : framework.BottomUp()) {
    for (int c : framework.Children(parent)) global[parent] += global[c];
  }
  std::vector<double> local(global.size(), 1.0);
  for (int parent : framework.BottomUp()) {
    const std::vector<int>& kids = framework.Children(parent);
    for (int c : kids) {
      local[c] =
          global[parent] > 0 ? global[c] / global[parent] : 1.0 / static_cast<double>(kids.size());
    }
  }
  return local;
}

absl::StatusOr<std::vector<double>> CombineWeights(absl::Span<const double> subjective,
                                                   absl::Span<const double> objective,
                                                   WeightCombination method, double alpha) {
  if (subjective.size() != objective.size()) {
    return absl::InvalidArgumentError(absl::StrCat("cannot combine ", subjective.size(),
                                                   " subjective with ", objective.size(),
                                                   " objective weights"));
  }
  absl::StatusOr<double> s_sum = CheckedSum(subjective, "subjective weights");
  if (!s_sum.ok()) return s_sum.status();
  absl::StatusOr<double> o_sum = CheckedSum(objective, "objective weights");
  if (!o_sum.ok()) return o_sum.status();
  const std::vector<double> s = Normalised(subjective, *s_sum);
  const std::vector<double> o = Normalised(objective, *o_sum);
  std::vector<double> w(s.size());
  switch (method) {
    case WeightCombination::kLinear:
      if (!(alpha >= 0 && alpha <= 1)) {
        return absl::InvalidArgumentError(absl::StrCat("alpha must be in [0, 1], got ", alpha));
      }
      for (size_t j = 0; j < w.size(); ++j) w[j] = alpha * s[j] + (1 - alpha) * o[j];
      return w;
    case WeightCombination::kMultiplicative:
      break;
  }
  for (size_t j = 0; j < w.size(); ++j) w[j] = s[j] * o[j];
  const double sum = std::accumulate(w.begin(), w.end(), 0.0);
  if (!(sum > 0)) {
    return absl::InvalidArgumentError(
        "multiplicative combination is zero everywhere (no indicator has both "
        "weights positive)");
  }
  for (double& v : w) v /= sum;
  return w;
}

double RoundHalfAwayFromZero(double x, int decimals) {
  const double scale = std::pow(10.0, decimals);
  const double scaled = x * scale;
  const double whole = std::trunc(scaled);
  const double frac = std::fabs(scaled - whole);
  if (std::fabs(frac - 0.5) <= 1e-9 * std::max(1.0, std::fabs(scaled))) {
    return (whole + std::copysign(1.0, scaled)) / scale;
  }
  return std::round(scaled) / scale;
}

absl::StatusOr<std::vector<double>> RoundWeights(const Framework& framework,
                                                 absl::Span<const double> global, int decimals,
                                                 RoundingPolicy policy) {
  if (absl::Status s = CheckPerNode(framework, global, "global weights"); !s.ok()) return s;
  if (decimals < 0 || decimals > 12) {
    return absl::InvalidArgumentError(absl::StrCat("decimals must be in [0, 12], got ", decimals));
  }
  std::vector<double> out(global.size());
  for (size_t id = 0; id < global.size(); ++id) {
    out[id] = RoundHalfAwayFromZero(global[id], decimals);
  }
  if (policy == RoundingPolicy::kParentsSumRoundedChildren) {
    for (int parent : framework.BottomUp()) {
      double sum = 0;
      for (int c : framework.Children(parent)) sum += out[c];
      // Re-rounding a sum of d-decimal numbers only removes binary noise.
      out[parent] = RoundHalfAwayFromZero(sum, decimals);
    }
  }
  return out;
}

}  // namespace innoscope::index
