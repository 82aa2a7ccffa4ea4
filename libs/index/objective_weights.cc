#include "libs/index/objective_weights.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/index/linalg.h"
#include "libs/index/matrix_ops.h"
#include "libs/index/normalise.h"
#include "libs/index/stats.h"

namespace innoscope::index {
namespace {

// The preconditions every data-driven method shares: >= 2 regions, complete
// data, every indicator varies, directions are +-1 (one per column or none).
absl::Status CheckInput(const DataMatrix& data, absl::Span<const int> directions,
                        absl::string_view method) {
  if (absl::Status s = RequireRegions(data, 2, method); !s.ok()) return s;
  if (data.cols() == 0) {
    return absl::InvalidArgumentError(absl::StrCat(method, " needs at least one indicator"));
  }
  if (absl::Status s = RequireComplete(data, method); !s.ok()) return s;
  if (!directions.empty() && directions.size() != data.cols()) {
    return absl::InvalidArgumentError(absl::StrCat(method, ": got ", directions.size(),
                                                   " directions for ", data.cols(), " indicators"));
  }
  for (size_t c = 0; c < data.cols(); ++c) {
    absl::Span<const double> col = data.Column(c);
    const auto [lo, hi] = std::minmax_element(col.begin(), col.end());
    if (*lo == *hi) {
      return absl::InvalidArgumentError(absl::StrCat(method, ": indicator '", data.indicators()[c],
                                                     "' has no variance (all values ", *lo, ")"));
    }
    if (!directions.empty() && directions[c] != 1 && directions[c] != -1) {
      return absl::InvalidArgumentError(absl::StrCat(method, ": direction of indicator '",
                                                     data.indicators()[c], "' must be +1 or -1"));
    }
  }
  return absl::OkStatus();
}

// Columns min-max normalised onto [0, 1], reversed where direction is -1.
absl::StatusOr<std::vector<std::vector<double>>> UnitColumns(const DataMatrix& data,
                                                             absl::Span<const int> directions) {
  NormaliseSpec spec;
  spec.lower = 0;
  spec.upper = 1;
  std::vector<std::vector<double>> cols;
  for (size_t c = 0; c < data.cols(); ++c) {
    spec.direction = directions.empty() ? 1 : directions[c];
    absl::StatusOr<std::vector<double>> col = NormaliseColumn(data.Column(c), spec);
    if (!col.ok()) return col.status();
    cols.push_back(*std::move(col));
  }
  return cols;
}

// Rescales non-negative scores to sum 1.
absl::StatusOr<std::vector<double>> SumToOne(std::vector<double> w, absl::string_view method) {
  const double sum = std::accumulate(w.begin(), w.end(), 0.0);
  if (!(sum > 0) || !std::isfinite(sum)) {
    return absl::InvalidArgumentError(
        absl::StrCat(method, " gives every indicator zero weight (no discriminating information)"));
  }
  for (double& v : w) v /= sum;
  return w;
}

}  // namespace

absl::StatusOr<std::vector<double>> EntropyWeights(const DataMatrix& data,
                                                   absl::Span<const int> directions,
                                                   std::vector<double>* entropy) {
  constexpr absl::string_view kMethod = "entropy weights";
  if (absl::Status s = CheckInput(data, directions, kMethod); !s.ok()) return s;
  absl::StatusOr<std::vector<std::vector<double>>> cols = UnitColumns(data, directions);
  if (!cols.ok()) return cols.status();
  const double k = 1 / std::log(static_cast<double>(data.rows()));
  std::vector<double> divergence;
  if (entropy != nullptr) entropy->clear();
  for (const std::vector<double>& x : *cols) {
    // Each column holds a 1 (its best region), so the sum is >= 1.
    const double sum = std::accumulate(x.begin(), x.end(), 0.0);
    double e = 0;
    for (double v : x) {
      const double p = v / sum;
      if (p > 0) e -= p * std::log(p);
    }
    divergence.push_back(1 - k * e);
    if (entropy != nullptr) entropy->push_back(k * e);
  }
  return SumToOne(std::move(divergence), kMethod);
}

absl::StatusOr<std::vector<double>> CriticWeights(const DataMatrix& data,
                                                  absl::Span<const int> directions,
                                                  std::vector<double>* information) {
  constexpr absl::string_view kMethod = "CRITIC weights";
  if (absl::Status s = CheckInput(data, directions, kMethod); !s.ok()) return s;
  absl::StatusOr<std::vector<std::vector<double>>> cols = UnitColumns(data, directions);
  if (!cols.ok()) return cols.status();
  const size_t m = cols->size();
  if (m == 1) {
    if (information != nullptr) *information = {SampleStdDev((*cols)[0])};
    return std::vector<double>{1.0};
  }
  std::vector<double> info(m, 0.0);
  for (size_t j = 0; j < m; ++j) {
    double conflict = 0;
    for (size_t k = 0; k < m; ++k) {
      if (k != j) conflict += 1 - PearsonCorrelation((*cols)[j], (*cols)[k]);
    }
    info[j] = SampleStdDev((*cols)[j]) * conflict;
  }
  if (information != nullptr) *information = info;
  return SumToOne(std::move(info), kMethod);
}

absl::StatusOr<std::vector<double>> CoefficientOfVariationWeights(const DataMatrix& data,
                                                                  std::vector<double>* cv_out) {
  constexpr absl::string_view kMethod = "coefficient-of-variation weights";
  if (absl::Status s = CheckInput(data, {}, kMethod); !s.ok()) return s;
  std::vector<double> cv;
  for (size_t c = 0; c < data.cols(); ++c) {
    const double mean = Mean(data.Column(c));
    if (mean == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(kMethod, ": indicator '", data.indicators()[c], "' has mean 0"));
    }
    cv.push_back(SampleStdDev(data.Column(c)) / std::fabs(mean));
  }
  if (cv_out != nullptr) *cv_out = cv;
  return SumToOne(std::move(cv), kMethod);
}

absl::StatusOr<PcaWeights> PcaWeightsOf(const DataMatrix& data, const PcaOptions& options) {
  constexpr absl::string_view kMethod = "PCA weights";
  if (absl::Status s = CheckInput(data, {}, kMethod); !s.ok()) return s;
  if (!std::isfinite(options.min_eigenvalue)) {
    return absl::InvalidArgumentError("PCA min_eigenvalue must be finite");
  }
  const size_t m = data.cols();
  std::vector<std::vector<double>> corr(m, std::vector<double>(m, 1.0));
  for (size_t j = 0; j < m; ++j) {
    for (size_t k = j + 1; k < m; ++k) {
      corr[j][k] = corr[k][j] = PearsonCorrelation(data.Column(j), data.Column(k));
    }
  }
  absl::StatusOr<SymmetricEigen> eigen = EigenSymmetric(corr);
  if (!eigen.ok()) return eigen.status();
  PcaWeights out;
  out.eigenvalues = eigen->values;
  out.retained = 1;  // the first component always
  while (out.retained < m && eigen->values[out.retained] > options.min_eigenvalue) {
    ++out.retained;
  }
  std::vector<double> w(m, 0.0);
  for (size_t k = 0; k < out.retained; ++k) {
    const double lambda = std::max(0.0, eigen->values[k]);
    for (size_t j = 0; j < m; ++j) {
      w[j] += lambda * eigen->vectors[k][j] * eigen->vectors[k][j];
    }
  }
  absl::StatusOr<std::vector<double>> normalised = SumToOne(std::move(w), kMethod);
  if (!normalised.ok()) return normalised.status();
  out.weights = *std::move(normalised);
  return out;
}

}  // namespace innoscope::index
