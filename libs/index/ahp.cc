#include "libs/index/ahp.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/index/weights.h"

namespace innoscope::index {
namespace {

constexpr std::array<double, 10> kSaatyRi = {0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49};
constexpr std::array<double, 10> kChineseRi = {0,    0,    0.52, 0.89, 1.12,
                                               1.26, 1.36, 1.41, 1.46, 1.49};

std::string CellName(size_t i, size_t j, absl::Span<const std::string> items) {
  std::string name = absl::StrCat("(", i + 1, ",", j + 1, ")");
  if (i < items.size() && j < items.size()) {
    absl::StrAppend(&name, " ('", items[i], "' vs '", items[j], "')");
  }
  return name;
}

absl::Status CellError(size_t i, size_t j, absl::Span<const std::string> items,
                       absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("judgement matrix cell ", CellName(i, j, items), ": ", what));
}

// Normalised row geometric means, computed as exp(mean log) so that large
// matrices cannot overflow the product.
std::vector<double> RowGeometricMeans(const JudgementMatrix& a) {
  const size_t n = a.size();
  std::vector<double> w(n);
  for (size_t i = 0; i < n; ++i) {
    double log_sum = 0;
    for (double v : a[i]) log_sum += std::log(v);
    w[i] = std::exp(log_sum / static_cast<double>(n));
  }
  const double sum = std::accumulate(w.begin(), w.end(), 0.0);
  for (double& v : w) v /= sum;
  return w;
}

std::vector<double> Multiply(const JudgementMatrix& a, const std::vector<double>& w) {
  std::vector<double> out(a.size(), 0.0);
  for (size_t i = 0; i < a.size(); ++i) {
    for (size_t j = 0; j < a.size(); ++j) out[i] += a[i][j] * w[j];
  }
  return out;
}

// Power iteration for the principal eigenvector, normalised to sum 1.
absl::StatusOr<std::vector<double>> PrincipalEigenvector(const JudgementMatrix& a,
                                                         const AhpOptions& options,
                                                         int* iterations) {
  std::vector<double> w = RowGeometricMeans(a);
  for (int it = 1; it <= options.max_iterations; ++it) {
    std::vector<double> next = Multiply(a, w);
    const double sum = std::accumulate(next.begin(), next.end(), 0.0);
    double change = 0;
    for (size_t i = 0; i < next.size(); ++i) {
      next[i] /= sum;
      change = std::max(change, std::fabs(next[i] - w[i]));
    }
    w = std::move(next);
    if (change < options.tolerance) {
      *iterations = it;
      return w;
    }
  }
  return absl::InternalError(absl::StrCat("AHP power iteration did not converge in ",
                                          options.max_iterations, " iterations"));
}

std::vector<JudgementDeviation> RankDeviations(const JudgementMatrix& a,
                                               const std::vector<double>& w) {
  std::vector<JudgementDeviation> out;
  for (size_t i = 0; i < a.size(); ++i) {
    for (size_t j = i + 1; j < a.size(); ++j) {
      const double e = a[i][j] * w[j] / w[i];
      out.push_back({i, j, a[i][j], w[i] / w[j], std::max(e, 1 / e) - 1});
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const JudgementDeviation& x, const JudgementDeviation& y) {
                     return x.deviation > y.deviation;
                   });
  return out;
}

// Rescales optional per-expert weights to sum 1 (equal when empty).
absl::StatusOr<std::vector<double>> ExpertWeights(absl::Span<const double> given, size_t experts) {
  if (given.empty()) return std::vector<double>(experts, 1.0 / static_cast<double>(experts));
  if (given.size() != experts) {
    return absl::InvalidArgumentError(
        absl::StrCat("got ", given.size(), " expert weights for ", experts, " experts"));
  }
  double sum = 0;
  for (size_t k = 0; k < given.size(); ++k) {
    if (!std::isfinite(given[k]) || given[k] < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("expert ", k + 1, " weight must be finite and >= 0, got ", given[k]));
    }
    sum += given[k];
  }
  if (!(sum > 0)) return absl::InvalidArgumentError("expert weights sum to zero");
  std::vector<double> w(given.begin(), given.end());
  for (double& v : w) v /= sum;
  return w;
}

}  // namespace

absl::StatusOr<double> RandomIndex(size_t n, RandomIndexTable table) {
  const auto* table_values = &kSaatyRi;
  switch (table) {
    case RandomIndexTable::kSaaty:
      table_values = &kSaatyRi;
      break;
    case RandomIndexTable::kChineseCommon:
      table_values = &kChineseRi;
      break;
  }
  const auto& ri = *table_values;
  if (n < 1 || n > ri.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("no random index for order ", n, " (the table covers 1..", ri.size(), ")"));
  }
  return ri[n - 1];
}

absl::Status ValidateJudgementMatrix(const JudgementMatrix& a, absl::Span<const std::string> items,
                                     double tolerance) {
  const size_t n = a.size();
  if (n == 0) return absl::InvalidArgumentError("judgement matrix is empty");
  if (!items.empty() && items.size() != n) {
    return absl::InvalidArgumentError(
        absl::StrCat("got ", items.size(), " item names for a ", n, "x", n, " judgement matrix"));
  }
  for (size_t i = 0; i < n; ++i) {
    if (a[i].size() != n) {
      return absl::InvalidArgumentError(absl::StrCat("judgement matrix is not square: row ", i + 1,
                                                     " has ", a[i].size(), " entries, expected ",
                                                     n));
    }
  }
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      const double v = a[i][j];
      if (!std::isfinite(v) || v <= 0) {
        return CellError(i, j, items, absl::StrCat("must be finite and > 0, got ", v));
      }
      if (i == j && std::fabs(v - 1) > tolerance) {
        return CellError(i, j, items, absl::StrCat("diagonal must be 1, got ", v));
      }
      if (j > i && std::fabs(v * a[j][i] - 1) > tolerance) {
        return CellError(i, j, items,
                         absl::StrCat("not reciprocal: a_ij = ", v, " but a_ji = ", a[j][i],
                                      " (expected ", 1 / v, ")"));
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<AhpResult> Ahp(const JudgementMatrix& a, absl::Span<const std::string> items,
                              const AhpOptions& options) {
  if (!(options.tolerance > 0) || options.max_iterations < 1) {
    return absl::InvalidArgumentError("AHP needs tolerance > 0 and max_iterations >= 1");
  }
  if (absl::Status s = ValidateJudgementMatrix(a, items, options.reciprocal_tolerance); !s.ok()) {
    return s;
  }
  const size_t n = a.size();
  AhpResult r;
  absl::StatusOr<double> ri = RandomIndex(n, options.random_index);
  if (!ri.ok()) return ri.status();
  r.ri = *ri;
  switch (options.method) {
    case AhpPriorityMethod::kEigenvector: {
      absl::StatusOr<std::vector<double>> w = PrincipalEigenvector(a, options, &r.iterations);
      if (!w.ok()) return w.status();
      r.weights = *std::move(w);
      break;
    }
    case AhpPriorityMethod::kGeometricMean:
      r.weights = RowGeometricMeans(a);
      break;
  }
  const std::vector<double> aw = Multiply(a, r.weights);
  double ratio_sum = 0;
  for (size_t i = 0; i < n; ++i) ratio_sum += aw[i] / r.weights[i];
  r.lambda_max = ratio_sum / static_cast<double>(n);
  if (n > 2) {
    // lambda_max >= n for positive reciprocal matrices; clamp rounding noise.
    r.ci = std::max(0.0, (r.lambda_max - static_cast<double>(n)) / static_cast<double>(n - 1));
    r.cr = r.ci / r.ri;
  }
  r.inconsistency = RankDeviations(a, r.weights);
  return r;
}

absl::StatusOr<JudgementMatrix> AggregateJudgements(const std::vector<JudgementMatrix>& matrices,
                                                    absl::Span<const double> expert_weights,
                                                    double tolerance) {
  if (matrices.empty()) return absl::InvalidArgumentError("no judgement matrices to aggregate");
  absl::StatusOr<std::vector<double>> lambda = ExpertWeights(expert_weights, matrices.size());
  if (!lambda.ok()) return lambda.status();
  const size_t n = matrices[0].size();
  for (size_t k = 0; k < matrices.size(); ++k) {
    absl::Status s = ValidateJudgementMatrix(matrices[k], {}, tolerance);
    if (s.ok() && matrices[k].size() != n) {
      s = absl::InvalidArgumentError(absl::StrCat("is ", matrices[k].size(), "x",
                                                  matrices[k].size(), ", expected ", n, "x", n));
    }
    if (!s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("expert ", k + 1, ": ", s.message()));
    }
  }
  JudgementMatrix out(n, std::vector<double>(n, 0.0));
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      double log_sum = 0;
      for (size_t k = 0; k < matrices.size(); ++k) {
        log_sum += (*lambda)[k] * std::log(matrices[k][i][j]);
      }
      out[i][j] = std::exp(log_sum);
    }
  }
  return out;
}

absl::StatusOr<std::vector<double>> AggregatePriorities(
    const std::vector<std::vector<double>>& priorities, absl::Span<const double> expert_weights,
    PriorityMean mean) {
  if (priorities.empty()) return absl::InvalidArgumentError("no priority vectors to aggregate");
  absl::StatusOr<std::vector<double>> lambda = ExpertWeights(expert_weights, priorities.size());
  if (!lambda.ok()) return lambda.status();
  const size_t n = priorities[0].size();
  for (size_t k = 0; k < priorities.size(); ++k) {
    if (priorities[k].size() != n || n == 0) {
      return absl::InvalidArgumentError(absl::StrCat("expert ", k + 1, ": priority vector has ",
                                                     priorities[k].size(), " entries, expected ",
                                                     n));
    }
    for (double v : priorities[k]) {
      if (!std::isfinite(v) || v <= 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("expert ", k + 1, ": priorities must be finite and > 0, got ", v));
      }
    }
  }
  std::vector<double> w(n, 0.0);
  for (size_t i = 0; i < n; ++i) {
    for (size_t k = 0; k < priorities.size(); ++k) {
      w[i] += (*lambda)[k] *
              (mean == PriorityMean::kGeometric ? std::log(priorities[k][i]) : priorities[k][i]);
    }
    if (mean == PriorityMean::kGeometric) w[i] = std::exp(w[i]);
  }
  const double sum = std::accumulate(w.begin(), w.end(), 0.0);
  for (double& v : w) v /= sum;
  return w;
}

absl::StatusOr<AhpTreeResult> AhpTree(const Framework& framework,
                                      const std::map<std::string, JudgementMatrix>& judgements,
                                      const AhpOptions& options) {
  AhpTreeResult result;
  result.local.assign(framework.Nodes().size(), 1.0);
  for (int parent : framework.BottomUp()) {
    const std::string& code = framework.Node(parent).code;
    const std::vector<int>& kids = framework.Children(parent);
    auto it = judgements.find(code);
    if (it == judgements.end()) {
      if (kids.size() == 1) continue;
      return absl::InvalidArgumentError(
          absl::StrCat("no judgement matrix for framework node '", code, "'"));
    }
    if (it->second.size() != kids.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("judgement matrix for '", code, "' is ", it->second.size(), "x",
                       it->second.size(), " but the node has ", kids.size(), " children"));
    }
    std::vector<std::string> names;
    for (int c : kids) names.push_back(framework.Node(c).code);
    absl::StatusOr<AhpResult> r = Ahp(it->second, names, options);
    if (!r.ok()) {
      return absl::Status(r.status().code(),
                          absl::StrCat("framework node '", code, "': ", r.status().message()));
    }
    for (size_t k = 0; k < kids.size(); ++k) result.local[kids[k]] = r->weights[k];
    result.by_parent.emplace(code, *std::move(r));
  }
  for (const auto& [code, matrix] : judgements) {
    const int id = framework.Find(code);
    if (id < 0 || framework.IsLeaf(id)) {
      return absl::InvalidArgumentError(absl::StrCat("judgement matrix given for '", code,
                                                     "', which is not an inner framework node"));
    }
  }
  absl::StatusOr<std::vector<double>> global = GlobalWeights(framework, result.local);
  if (!global.ok()) return global.status();
  result.global = *std::move(global);
  return result;
}

}  // namespace innoscope::index
