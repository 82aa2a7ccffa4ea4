#include "libs/scoring/statistics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"

namespace innoscope::scoring {
namespace {

using index::IsMissingValue;
using index::kMissing;

std::vector<double> PresentSorted(absl::Span<const double> values) {
  std::vector<double> present;
  present.reserve(values.size());
  for (double v : values) {
    if (!IsMissingValue(v)) present.push_back(v);
  }
  std::sort(present.begin(), present.end());
  return present;
}

// The pairs (x_i, y_i) where both are present.
void PairwiseComplete(absl::Span<const double> x, absl::Span<const double> y,
                      std::vector<double>& px, std::vector<double>& py) {
  px.clear();
  py.clear();
  for (size_t i = 0; i < x.size(); ++i) {
    if (IsMissingValue(x[i]) || IsMissingValue(y[i])) continue;
    px.push_back(x[i]);
    py.push_back(y[i]);
  }
}

// Pearson correlation of complete, equally long vectors.
double PearsonOfComplete(absl::Span<const double> x, absl::Span<const double> y) {
  const size_t n = x.size();
  if (n < 2) return kMissing;
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0;
  double sxx = 0;
  double syy = 0;
  for (size_t i = 0; i < n; ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  if (sxx <= 0 || syy <= 0) return kMissing;
  return sxy / std::sqrt(sxx * syy);
}

// Sample variance of complete values (denominator n - 1).
double SampleVariance(absl::Span<const double> values) {
  const size_t n = values.size();
  if (n < 2) return kMissing;
  const double mean = std::accumulate(values.begin(), values.end(), 0.0) / n;
  double ss = 0;
  for (double v : values) ss += (v - mean) * (v - mean);
  return ss / static_cast<double>(n - 1);
}

}  // namespace

double Mean(absl::Span<const double> values) {
  double sum = 0;
  size_t n = 0;
  for (double v : values) {
    if (IsMissingValue(v)) continue;
    sum += v;
    ++n;
  }
  return n == 0 ? kMissing : sum / static_cast<double>(n);
}

double QuantileOfSorted(absl::Span<const double> sorted, double p) {
  return QuantileOfSortedAt(sorted.size(), p, [sorted](size_t i) { return sorted[i]; });
}

double Quantile(absl::Span<const double> values, double p) {
  return QuantileOfSorted(PresentSorted(values), p);
}

double Median(absl::Span<const double> values) { return Quantile(values, 0.5); }

std::vector<double> AverageRanks(absl::Span<const double> values) {
  std::vector<size_t> order;
  order.reserve(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    if (!IsMissingValue(values[i])) order.push_back(i);
  }
  std::sort(order.begin(), order.end(),
            [&values](size_t a, size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size(), kMissing);
  for (size_t start = 0; start < order.size();) {
    size_t end = start + 1;
    while (end < order.size() && values[order[end]] == values[order[start]]) {
      ++end;
    }
    // Positions start+1 .. end (1-based) share their mean.
    const double average = (static_cast<double>(start + 1 + end)) / 2.0;
    for (size_t k = start; k < end; ++k) ranks[order[k]] = average;
    start = end;
  }
  return ranks;
}

double PearsonCorrelation(absl::Span<const double> x, absl::Span<const double> y) {
  if (x.size() != y.size()) return kMissing;
  std::vector<double> px;
  std::vector<double> py;
  PairwiseComplete(x, y, px, py);
  return PearsonOfComplete(px, py);
}

double SpearmanCorrelation(absl::Span<const double> x, absl::Span<const double> y) {
  if (x.size() != y.size()) return kMissing;
  std::vector<double> px;
  std::vector<double> py;
  PairwiseComplete(x, y, px, py);
  return PearsonOfComplete(AverageRanks(px), AverageRanks(py));
}

SquareMatrix CorrelationMatrix(const index::DataMatrix& data, CorrelationMethod method) {
  const size_t c = data.cols();
  SquareMatrix result{data.indicators(), std::vector<double>(c * c, kMissing)};
  for (size_t a = 0; a < c; ++a) {
    for (size_t b = a; b < c; ++b) {
      const double r = method == CorrelationMethod::kPearson
                           ? PearsonCorrelation(data.Column(a), data.Column(b))
                           : SpearmanCorrelation(data.Column(a), data.Column(b));
      result.values[a * c + b] = r;
      result.values[b * c + a] = r;
    }
  }
  return result;
}

absl::StatusOr<double> CronbachAlpha(const index::DataMatrix& data, absl::Span<const int> columns) {
  const size_t k = columns.size();
  if (k < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("Cronbach's alpha needs at least two items, got ", k));
  }
  for (int col : columns) {
    if (col < 0 || static_cast<size_t>(col) >= data.cols()) {
      return absl::InvalidArgumentError(
          absl::StrCat("column ", col, " is out of range (", data.cols(), " columns)"));
    }
  }
  std::vector<size_t> complete_rows;
  for (size_t row = 0; row < data.rows(); ++row) {
    bool complete = true;
    for (int col : columns) complete = complete && !data.IsMissing(row, col);
    if (complete) complete_rows.push_back(row);
  }
  if (complete_rows.size() < 2) return kMissing;

  std::vector<double> item(complete_rows.size());
  std::vector<double> total(complete_rows.size(), 0.0);
  double item_variance_sum = 0;
  for (int col : columns) {
    for (size_t r = 0; r < complete_rows.size(); ++r) {
      item[r] = data.Get(complete_rows[r], col);
      total[r] += item[r];
    }
    item_variance_sum += SampleVariance(item);
  }
  const double total_variance = SampleVariance(total);
  if (!(total_variance > 0)) return kMissing;
  const double kd = static_cast<double>(k);
  return kd / (kd - 1) * (1 - item_variance_sum / total_variance);
}

absl::StatusOr<std::vector<double>> CronbachAlphaByNode(const AggregationTree& tree,
                                                        const index::DataMatrix& node_scores) {
  if (node_scores.cols() != tree.size()) {
    return absl::InvalidArgumentError(absl::StrCat("node score matrix has ", node_scores.cols(),
                                                   " columns for ", tree.size(), " tree nodes"));
  }
  std::vector<double> alpha(tree.size(), kMissing);
  for (int node : tree.BottomUp()) {
    if (tree.Children(node).size() < 2) continue;
    ASSIGN_OR_RETURN(alpha[node], CronbachAlpha(node_scores, tree.Children(node)));
  }
  return alpha;
}

}  // namespace innoscope::scoring
